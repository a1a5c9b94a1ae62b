package explain

import (
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// The story report: every version of one story on a timeline, the probable
// original marked, and for each other version a short account of what it
// changed against the original. StoryText writes it for a terminal,
// StoryHTML as a page; both say what Summarize gives, so the two and the
// JSON of `retold story --json` agree.

// Story is one story as the story report shows it.
type Story struct {
	ID, Event, FirstSeen string
	// Outlets are the distinct outlets that ran a version or a copy of
	// one; Copies counts the copies (texts run unchanged under another
	// id, see retold.Copy).
	Outlets []string
	Copies  int
	// Versions are the story's documents in the order the report shows
	// them (the caller's timeline order).
	Versions []StoryVersion
}

// StoryVersion is one version of a story.
type StoryVersion struct {
	Doc retold.Document
	// Seq is the store's number for the document (0 when not stored),
	// Version its version under its id.
	Seq     int64
	Version int
	// Original marks the story's probable original; at most one version
	// has it.
	Original bool
	// Copies are the records that ran this text unchanged under ids of
	// their own: the outlets that carried the wire copy.
	Copies []retold.Copy
	// Result compares the original (A) with this version (B). It is nil
	// for the original, and for every version when no original is known:
	// then the report lists the version without changes.
	Result *verify.Result
}

// Changes is what one version changed against the story's original, in
// brief: the verdict, how many sentences align, the sentences added and
// dropped, the numbers changed or found on one side only, and the names
// spelled differently. Its JSON form is the "changes" object of
// `retold story --json`; its number and entity items are those of
// `retold compare --json` with the original as A and the version as B.
// Every list is empty rather than nil, so the JSON has [] and never null.
type Changes struct {
	Verdict retold.Verdict `json:"verdict"`
	Score   float64        `json:"score"`
	// Reuse is how much of each text derives from the other (the
	// original is A, the version B): compare's reuse object.
	Reuse verify.Reuse `json:"reuse"`
	// Aligned counts the aligned sentence pairs (a sentence split in two
	// on one side counts twice, as in compare's alignment).
	Aligned int `json:"aligned"`
	// Added are the sentences only in the version, Dropped those only in
	// the original, each in its document's order.
	Added    []string      `json:"added"`
	Dropped  []string      `json:"dropped"`
	Numbers  NumberChanges `json:"numbers"`
	Entities EntityChanges `json:"entities"`
}

// NumberChanges are the numbers that differ between the original and a
// version: the same fact with another value (A is the original's), and
// the numbers one side has alone.
type NumberChanges struct {
	Changed        []verify.NumberChange `json:"changed"`
	OnlyInOriginal []verify.NumberItem   `json:"only_in_original"`
	OnlyInVersion  []verify.NumberItem   `json:"only_in_version"`
}

// EntityChanges are the names the version spells differently from the
// original (A is the original's spelling).
type EntityChanges struct {
	Variants []verify.EntityVariant `json:"variants"`
}

// Summarize is the brief of r, a comparison of a story's original (A) with
// one of its versions (B); nil for a nil r.
func Summarize(r *verify.Result) *Changes {
	if r == nil {
		return nil
	}
	return &Changes{
		Verdict: r.Verdict,
		Score:   r.Score,
		Reuse:   r.Reuse,
		Aligned: len(r.Alignment),
		Added:   sentenceTexts(r.OnlyInB),
		Dropped: sentenceTexts(r.OnlyInA),
		Numbers: NumberChanges{
			Changed:        nonNil(r.Facts.Numbers.Changed),
			OnlyInOriginal: nonNil(r.Facts.Numbers.OnlyInA),
			OnlyInVersion:  nonNil(r.Facts.Numbers.OnlyInB),
		},
		Entities: EntityChanges{Variants: nonNil(r.Facts.Entities.Variants)},
	}
}

// sentenceTexts are the texts of refs in index order.
func sentenceTexts(refs []verify.SentenceRef) []string {
	out := []string{}
	for _, s := range sortedRefs(refs) {
		out = append(out, s.Text)
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// How much of each list the terminal report shows under a version; the
// JSON and the page show everything.
const (
	storyNumbers   = 3 // changed numbers
	storySentences = 3 // added, and dropped, sentences
)

// StoryText writes the story report for a terminal: the header line, then
// each version on its own line (date, outlet, headline, id; the original
// marked *), and under each version that is not the original its brief
// against the original: verdict and score, sentence counts, the first
// changed numbers, the name variants, and the first added (+) and dropped
// (-) sentences, each cut to one line. width and color are as for Text.
func StoryText(w io.Writer, s *Story, width int, color bool) error {
	if s == nil {
		return ErrNoResult
	}
	p := &report{width: clampWidth(width), color: color}
	p.line(fmt.Sprintf("story %s, event %s, %d versions, %s, first seen %s",
		clean(s.ID), clean(s.Event), len(s.Versions), ranIn(s), clean(s.FirstSeen)))
	for _, v := range s.Versions {
		p.versionLine(v)
		for _, c := range v.Copies {
			p.copyLine(c)
		}
		if c := Summarize(v.Result); c != nil {
			p.changes(c)
		}
	}
	if _, err := w.Write(p.buf.Bytes()); err != nil {
		return fmt.Errorf("write story report: %w", err)
	}
	return nil
}

// versionLine is "* DATE OUTLET HEADLINE  [ID]", the line the story
// listing had before it showed changes, with "undated" for a version
// without a date (a blank there made the line look like part of the brief
// above it). It is the one line of the report, with the header, that may
// be wider than the width: cutting it would lose the headline or the id.
func (p *report) versionLine(v StoryVersion) {
	mark := " "
	if v.Original {
		mark = p.paint(bold, "*")
	}
	date := clean(v.Doc.Date)
	if date == "" {
		date = "undated"
	}
	p.line(mark + " " + pad(date, 20) + " " + pad(clean(v.Doc.Outlet), 24) + " " +
		clean(v.Doc.Title) + "  [" + clean(v.Doc.ID) + "]")
}

// copyLine is a copy's line under the version it copies: like
// versionLine, the headline after the word "copy".
func (p *report) copyLine(c retold.Copy) {
	date := clean(c.Date)
	if date == "" {
		date = "undated"
	}
	p.line("  " + pad(date, 20) + " " + pad(clean(c.Outlet), 24) + " " + p.paint(dim, "copy") + " " + clean(c.Title) + "  [" + clean(c.ID) + "]")
}

// changes writes one version's brief, indented under its line.
func (p *report) changes(c *Changes) {
	const indent = 4
	const label = 10 // "numbers   "
	ind := strings.Repeat(" ", indent)
	p.line(ind + p.paint(bold+";"+verdictColor(c.Verdict), string(c.Verdict)) + " " + ratio(c.Score) +
		fmt.Sprintf("   %d aligned, %d added, %d dropped", c.Aligned, len(c.Added), len(c.Dropped)))
	if c.Reuse.Class != "" {
		p.text(indent+label, lead{Margin: indent, Label: "reuse"}, ReuseText(c.Reuse), "")
	}

	// Each fact line: a label in the first column, then the fact, cut to
	// the line; a long list of names wraps instead.
	room := p.width - indent - label
	var facts []string
	for i, ch := range c.Numbers.Changed {
		if i == storyNumbers {
			facts = append(facts, p.paint(dim, fmt.Sprintf("and %d more changed", len(c.Numbers.Changed)-i)))
			break
		}
		facts = append(facts, p.paint(yellow, truncate(changeText(ch), room)))
	}
	for _, only := range onlyNumbers(c.Numbers) {
		facts = append(facts, truncate(only, room))
	}
	for i, f := range facts {
		l := ""
		if i == 0 {
			l = "numbers"
		}
		p.line(ind + pad(l, label) + f)
	}
	if len(c.Entities.Variants) > 0 {
		var names []string
		for _, v := range c.Entities.Variants {
			names = append(names, v.A+" ~ "+v.B)
		}
		p.para(indent+label, lead{Margin: indent, Label: "names"}, pack(names, ", ", room), magenta)
	}

	p.sentences("+", c.Added, green)
	p.sentences("-", c.Dropped, red)
	var more []string
	if n := len(c.Added) - storySentences; n > 0 {
		more = append(more, fmt.Sprintf("%d more added", n))
	}
	if n := len(c.Dropped) - storySentences; n > 0 {
		more = append(more, fmt.Sprintf("%d more dropped", n))
	}
	if len(more) > 0 {
		p.line(ind + "  " + p.paint(dim, "and "+strings.Join(more, ", ")))
	}
}

// sentences writes the first few of a version's added or dropped
// sentences, one line each after the sign.
func (p *report) sentences(sign string, texts []string, style string) {
	const indent = 4 + 2 // "    + "
	for _, t := range texts[:min(len(texts), storySentences)] {
		p.line(strings.Repeat(" ", 4) + p.paint(style, sign) + " " + truncate(t, p.width-indent))
	}
}

// changeText is a changed number as the brief shows it: the two values as
// written, then the words around the original's.
func changeText(c verify.NumberChange) string {
	s := writtenValue(c.A) + " -> " + writtenValue(c.B)
	if c.Role != "" {
		s += " " + c.Role
	}
	ctx := c.A.Context
	if ctx == "" {
		ctx = c.B.Context
	}
	if ctx != "" {
		s += "  (" + ctx + ")"
	}
	return s
}

// writtenValue is a number as written, or its value when the item has no
// text.
func writtenValue(n verify.NumberItem) string {
	if n.Text != "" {
		return n.Text
	}
	return value(n)
}

// onlyNumbers are the lines of numbers found on one side only:
// "only in original: 2011, 31", "only in this version: $12 million".
func onlyNumbers(d NumberChanges) []string {
	var lines []string
	for _, side := range []struct {
		name  string
		items []verify.NumberItem
	}{{"only in original", d.OnlyInOriginal}, {"only in this version", d.OnlyInVersion}} {
		if len(side.items) == 0 {
			continue
		}
		vals := make([]string, len(side.items))
		for i, n := range side.items {
			vals[i] = writtenValue(n)
		}
		lines = append(lines, side.name+": "+strings.Join(vals, ", "))
	}
	return lines
}

// truncate cleans s and cuts it to at most max columns, ending in "…" when
// it was cut. It never splits a grapheme cluster.
func truncate(s string, max int) string {
	s = clean(s)
	if width(s) <= max {
		return s
	}
	if max < 2 {
		max = 2
	}
	head, _ := cut(s, max-1)
	return strings.TrimRight(head, " ") + "…"
}

// ranIn is "ran in N outlets" (with the copies when there are any), or
// "no outlet named" for a story whose records name none.
func ranIn(s *Story) string {
	out := "no outlet named"
	// The store's list, and the outlets of the versions and copies shown
	// (a story built without a store has only those).
	outlets := slices.Clone(s.Outlets)
	for _, v := range s.Versions {
		outlets = append(outlets, v.Doc.Outlet)
		for _, c := range v.Copies {
			outlets = append(outlets, c.Outlet)
		}
	}
	slices.Sort(outlets)
	outlets = slices.DeleteFunc(slices.Compact(outlets), func(o string) bool { return o == "" })
	switch n := len(outlets); n {
	case 0:
	case 1:
		out = "ran in 1 outlet"
	default:
		out = fmt.Sprintf("ran in %d outlets", n)
	}
	switch s.Copies {
	case 0:
	case 1:
		out += " (1 copy)"
	default:
		out += fmt.Sprintf(" (%d copies)", s.Copies)
	}
	return out
}

// RanIn is ranIn for the templates.
func (s *Story) RanIn() string { return ranIn(s) }

// headline is what a page calls the story: its original's headline, else
// its first version's, else its id.
func (s *Story) headline() string {
	for _, v := range s.Versions {
		if v.Original {
			return Headline(v.Doc)
		}
	}
	if len(s.Versions) > 0 {
		return Headline(s.Versions[0].Doc)
	}
	return s.ID
}
