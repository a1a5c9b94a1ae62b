package explain

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// ErrNoResult is returned by Text and HTML when given a nil result.
var ErrNoResult = errors.New("explain: nil result")

const (
	// DefaultWidth is the terminal width Text uses when given none.
	DefaultWidth = 100
	// MinWidth is the narrowest report Text lays out; a smaller width is
	// raised to it, because below it the two sentence columns have no room
	// for text beside their A12/B12 labels.
	MinWidth = 40
	// gutter is the width of the column between the two sentence columns:
	// " 0.82  ".
	gutter = 7
)

// ANSI styles. Colour only ever wraps a finished, padded line piece, so it
// never changes a width computation.
const (
	bold    = "1"
	dim     = "2"
	red     = "31"
	green   = "32"
	yellow  = "33"
	cyan    = "36"
	magenta = "35"
)

// Text writes a readable terminal report of r: header, verdict, signals, the
// aligned sentences side by side, the sentences only in A and only in B, and
// the number and entity differences. width is the terminal width in columns
// (<= 0 means DefaultWidth, below MinWidth means MinWidth); no line is wider.
// color adds ANSI colors; the caller decides (stdout is a terminal and
// NO_COLOR is unset). The output depends only on r, width and color.
func Text(w io.Writer, r *verify.Result, width int, color bool) error {
	if r == nil {
		return ErrNoResult
	}
	p := &report{width: clampWidth(width), color: color}
	p.header(r)
	p.aligned(r.Alignment)
	p.onlyIn("A", r.OnlyInA, red)
	p.onlyIn("B", r.OnlyInB, green)
	p.numbers(r.Facts.Numbers)
	p.entities(r.Facts.Entities)
	if _, err := w.Write(p.buf.Bytes()); err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

// report accumulates the terminal report; Text writes it in one piece, so a
// failing writer gets either the whole report or an error.
type report struct {
	buf   bytes.Buffer
	width int
	color bool
}

// paint wraps s in an ANSI style when color is on.
func (p *report) paint(style, s string) string {
	if !p.color || s == "" {
		return s
	}
	return "\x1b[" + style + "m" + s + "\x1b[0m"
}

// line writes one finished line, dropping trailing spaces.
func (p *report) line(s string) {
	p.buf.WriteString(strings.TrimRight(s, " "))
	p.buf.WriteByte('\n')
}

// lead is the label in front of a paragraph: margin spaces, then Label in
// Style, padded to the paragraph's indent.
type lead struct {
	Margin int
	Label  string
	Style  string
}

// para writes lines that were laid out for the report width minus indent,
// the first after the lead and the others after indent spaces. style colours
// the text.
func (p *report) para(indent int, ld lead, lines []string, style string) {
	for i, l := range lines {
		head := strings.Repeat(" ", indent)
		if i == 0 {
			head = strings.Repeat(" ", ld.Margin) + p.paint(ld.Style, pad(ld.Label, indent-ld.Margin))
		}
		p.line(head + p.paint(style, l))
	}
}

// text writes s wrapped with a hanging indent after the lead.
func (p *report) text(indent int, ld lead, s, style string) {
	lines := wrap(s, p.width-indent)
	if len(lines) == 0 {
		lines = []string{""}
	}
	p.para(indent, ld, lines, style)
}

func (p *report) heading(title string, n int) {
	p.line("")
	p.line(p.paint(bold, fmt.Sprintf("%s (%d)", title, n)))
}

func (p *report) none(indent int) {
	p.line(strings.Repeat(" ", indent) + p.paint(dim, "(none)"))
}

func (p *report) header(r *verify.Result) {
	p.text(3, lead{Label: "A:"}, docTitle(r.A), bold)
	p.text(3, lead{Label: "B:"}, docTitle(r.B), bold)
	p.line(fmt.Sprintf("verdict: %s   score: %.2f",
		p.paint(bold+";"+verdictColor(r.Verdict), string(r.Verdict)), r.Score))
	reason := r.Reason
	if reason == "" {
		reason = "(none)"
	}
	p.text(8, lead{Label: "reason:"}, reason, "")
	if r.Reuse.Class != "" { // a Result made by hand may have none
		p.text(8, lead{Label: "reuse:"}, ReuseText(r.Reuse)+sharesText(r.Alignment), "")
	}
	s := signals(r.Signals)
	items := []string{
		s[0].Short + " " + s[0].Value + " " + s[1].Short + " " + s[1].Value,
		s[2].Short + " " + s[2].Value,
		s[3].Short + " " + s[3].Value,
		"jaccard " + s[4].Short + " " + s[4].Value + " " + s[5].Short + " " + s[5].Value + " " + s[6].Short + " " + s[6].Value,
		s[7].Short + " " + s[7].Value,
		s[8].Short + " " + s[8].Value,
	}
	p.para(9, lead{Label: "signals:"}, pack(items, "   ", p.width-9), "")
}

// ReuseText is the reuse object in words: "partial: 50% of A and 48% of
// B derived, longest run 3, followed sentence by sentence 46%".
func ReuseText(re verify.Reuse) string {
	class := re.Class
	if class == "" {
		class = verify.ReuseNone
	}
	return fmt.Sprintf("%s: %.0f%% of A and %.0f%% of B derived, longest run %d, followed sentence by sentence %.0f%%",
		class, 100*re.ShareA, 100*re.ShareB, re.LongestRun, 100*re.Structure)
}

// sharesText counts the aligned pairs by what they share: "; pairs: 3
// verbatim, 2 quote-only".
func sharesText(pairs []verify.AlignedPair) string {
	kinds := []string{verify.SharesVerbatim, verify.SharesEdited, verify.SharesParaphrase, verify.SharesTranslation, verify.SharesQuoteOnly}
	n := make(map[string]int)
	for _, p := range pairs {
		n[p.Shares]++
	}
	var parts []string
	for _, k := range kinds {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; aligned pairs: " + strings.Join(parts, ", ")
}

// verdictColor goes from green (the same text) to red (unrelated).
func verdictColor(v retold.Verdict) string {
	switch v {
	case retold.Duplicate, retold.NearDuplicate:
		return green
	case retold.Version:
		return cyan
	case retold.SameEvent:
		return yellow
	default:
		return red
	}
}

// aligned writes the aligned pairs in two columns of (width-7)/2, each row a
// sentence of A and its partner of B with the similarity between them, rows
// separated by a blank line.
func (p *report) aligned(pairs []verify.AlignedPair) {
	p.heading("Aligned sentences", len(pairs))
	if len(pairs) == 0 {
		p.none(2)
		return
	}
	col := (p.width - gutter) / 2
	label := 0 // widest label, so that every column's text starts at one place
	for _, pr := range pairs {
		label = max(label, width(sentenceLabel("A", pr.A)), width(sentenceLabel("B", pr.B)))
	}
	label++ // a space after the label
	inA, inB := map[int]int{}, map[int]int{}
	for _, pr := range pairs {
		inA[pr.A]++
		inB[pr.B]++
	}
	for i, pr := range pairs {
		if i > 0 {
			p.line("")
		}
		// The words each side does not share with the other, for a
		// sentence aligned with one sentence only, as git's word diff
		// writes them ([-dropped-] {+added+}), and in colour painted too
		// (the colours only add escapes to the plain report).
		ta, tb := clean(pr.AText), clean(pr.BText)
		var da, db []WordRange
		if inA[pr.A] == 1 && inB[pr.B] == 1 {
			da, db = WordDiff(ta, tb)
		}
		// A word joiner after "[-" keeps a line from breaking after
		// its hyphen.
		ta, da = plainWordMarks(ta, da, "[-\u2060", "-]")
		tb, db = plainWordMarks(tb, db, "{+", "+}")
		if !p.color {
			da, db = nil, nil
		}
		left := wrap(ta, col-label)
		right := wrap(tb, col-label)
		leftMarks, rightMarks := lineMarks(ta, left, da), lineMarks(tb, right, db)
		for j := range max(len(left), len(right), 1) {
			var l, g, r string
			if j == 0 {
				l = p.paint(cyan, pad(sentenceLabel("A", pr.A), label))
				r = p.paint(cyan, pad(sentenceLabel("B", pr.B), label))
				g = " " + p.paint(simColor(pr.Similarity), ratio(pr.Similarity)) + "  "
			} else {
				l, r = strings.Repeat(" ", label), strings.Repeat(" ", label)
				g = strings.Repeat(" ", gutter)
			}
			lt, rt := lineAt(left, j), lineAt(right, j)
			l += p.paintWords(lt, rangesAt(leftMarks, j)) + strings.Repeat(" ", max(0, col-label-width(lt)))
			r += p.paintWords(rt, rangesAt(rightMarks, j))
			p.line(l + g + r)
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

func simColor(s float64) string {
	switch {
	case s >= 0.8:
		return green
	case s >= 0.5:
		return yellow
	default:
		return red
	}
}

// onlyIn lists the sentences of one side that have no partner.
func (p *report) onlyIn(side string, refs []verify.SentenceRef, style string) {
	p.heading("Only in "+side, len(refs))
	if len(refs) == 0 {
		p.none(2)
		return
	}
	label := 0
	for _, s := range refs {
		label = max(label, width(sentenceLabel(side, s.Index)))
	}
	indent := 2 + label + 2
	for _, s := range refs {
		p.text(indent, lead{2, sentenceLabel(side, s.Index), style}, s.Text, "")
	}
}

// numbers writes the four kinds of number facts.
func (p *report) numbers(d verify.NumberDiff) {
	p.line("")
	p.line(p.paint(bold, "Numbers"))
	p.sub("same", len(d.Same))
	for _, n := range d.Same {
		n.Text = value(n) // the canonical value: A and B may write it differently
		p.text(4, lead{}, numberText(n), "")
	}
	p.sub("changed", len(d.Changed))
	label := 0
	for _, c := range d.Changed {
		label = max(label, width(sentenceLabel("A", c.A.Sentence)))
	}
	for _, c := range d.Changed {
		s := numberText(c.A) + " -> " + sentenceLabel("B", c.B.Sentence) + " " + numberText(c.B)
		if c.Role != "" {
			s += " [" + c.Role + "]"
		}
		p.text(4+label+1, lead{4, sentenceLabel("A", c.A.Sentence), ""}, s, yellow)
	}
	p.numberList("A", d.OnlyInA, red)
	p.numberList("B", d.OnlyInB, green)
}

// sub writes a subsection heading, and (none) under it when it is empty.
func (p *report) sub(title string, n int) {
	p.line("  " + title + fmt.Sprintf(" (%d)", n))
	if n == 0 {
		p.none(4)
	}
}

func (p *report) numberList(side string, items []verify.NumberItem, style string) {
	p.sub("only in "+side, len(items))
	label := 0
	for _, n := range items {
		label = max(label, width(sentenceLabel(side, n.Sentence)))
	}
	for _, n := range items {
		p.text(4+label+1, lead{4, sentenceLabel(side, n.Sentence), ""}, numberText(n), style)
	}
}

// entities writes the variants one a line and the other lists comma-joined.
func (p *report) entities(d verify.EntityDiff) {
	p.line("")
	p.line(p.paint(bold, "Entities"))
	p.sub("variants", len(d.Variants))
	for _, v := range d.Variants {
		p.text(4, lead{}, v.A+" ~ "+v.B, magenta)
	}
	p.entityList("same", d.Same, "")
	p.entityList("only in A", d.OnlyInA, red)
	p.entityList("only in B", d.OnlyInB, green)
}

func (p *report) entityList(title string, items []verify.EntityItem, style string) {
	p.sub(title, len(items))
	if len(items) > 0 {
		p.para(4, lead{}, pack(entityNames(items), ", ", p.width-4), style)
	}
}

// clampWidth is the report width for a requested one: DefaultWidth for
// none, at least MinWidth.
func clampWidth(width int) int {
	switch {
	case width <= 0:
		return DefaultWidth
	case width < MinWidth:
		return MinWidth
	}
	return width
}

// wrapRanges writes s with the text of each range rs (in order, not
// overlapping) replaced by wrap's rewrite of it, and returns the new
// string with the ranges of the rewritten pieces in it.
func wrapRanges(s string, rs []WordRange, wrap func(r WordRange, text string) string) (string, []WordRange) {
	if len(rs) == 0 {
		return s, nil
	}
	var b strings.Builder
	out := make([]WordRange, 0, len(rs))
	at := 0
	for _, r := range rs {
		b.WriteString(s[at:r.Start])
		start := b.Len()
		b.WriteString(wrap(r, s[r.Start:r.End]))
		out = append(out, WordRange{start, b.Len(), r.Class})
		at = r.End
	}
	b.WriteString(s[at:])
	return b.String(), out
}

// plainWordMarks writes s with each word-diff range between open and
// close, and returns the ranges in the new string, markers included.
func plainWordMarks(s string, rs []WordRange, open, close string) (string, []WordRange) {
	return wrapRanges(s, rs, func(_ WordRange, text string) string { return open + text + close })
}

// lineMarks splits the word-diff ranges of s over lines, the wrapped
// lines of s (each a piece of s, in order), as ranges relative to each
// line.
func lineMarks(s string, lines []string, rs []WordRange) [][]WordRange {
	if len(rs) == 0 {
		return nil
	}
	out := make([][]WordRange, len(lines))
	cursor := 0
	for j, l := range lines {
		k := strings.Index(s[cursor:], l)
		if k < 0 {
			continue
		}
		start := cursor + k
		end := start + len(l)
		for _, r := range rs {
			lo, hi := max(r.Start, start), min(r.End, end)
			if lo < hi {
				out[j] = append(out[j], WordRange{lo - start, hi - start, r.Class})
			}
		}
		cursor = end
	}
	return out
}

func rangesAt(m [][]WordRange, j int) []WordRange {
	if j < len(m) {
		return m[j]
	}
	return nil
}

func lineAt(lines []string, j int) string {
	if j < len(lines) {
		return lines[j]
	}
	return ""
}

// paintWords paints the ranges of one line: dropped words red, added
// green, reworded yellow.
func (p *report) paintWords(s string, rs []WordRange) string {
	out, _ := wrapRanges(s, rs, func(r WordRange, text string) string {
		style := yellow
		switch r.Class {
		case wordDeleted:
			style = red
		case wordInserted:
			style = green
		}
		return p.paint(style, text)
	})
	return out
}
