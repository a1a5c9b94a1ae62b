package explain

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

//go:embed page.tmpl
var pageSource string

// page is parsed once; a parsed template is safe for concurrent use and is
// never changed after this.
var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"reportCSS": func() template.CSS { return template.CSS(StyleSheet) },
	"cellOf":    func(class string, c *cellView) cellArg { return cellArg{class, c} },
	"numbersOf": func(side string, items []verify.NumberItem) numbersArg { return numbersArg{side, items} },
	"value":     value,
}).Parse(pageSource))

// cellArg and numbersArg carry more than one value into a sub-template.
type cellArg struct {
	Class string // a or b
	Cell  *cellView
}

type numbersArg struct {
	Side  string
	Items []verify.NumberItem
}

// HTML writes one self-contained HTML page comparing a and b: the verdict,
// the signals, the two documents side by side in A's order (sentences only
// in A or only in B interleaved where they stand, in red and green), the
// facts highlighted inside the sentences, and a summary of the facts. The
// page has inline CSS, no scripts and no external resources. Every text
// from the documents is escaped. a and b supply the text the byte offsets of
// r point into; with an empty Text the page still shows every sentence but
// finds the facts in it by their spelling.
func HTML(w io.Writer, r *verify.Result, a, b retold.Document) error {
	if r == nil {
		return ErrNoResult
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, newPageData(r, a, b)); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// pageData is what the template shows; everything in it is plain text that
// the template escapes.
type pageData struct {
	A, B     docView
	Verdict  string
	Score    string
	Reason   string
	Reuse    string
	Signals  []signal
	Rows     []row
	Numbers  verify.NumberDiff
	Entities verify.EntityDiff
}

type docView struct {
	Name, Title string
	Meta        string // outlet, date, language, sentence and word counts
}

// row is one line of the side-by-side table: an aligned pair, or a sentence
// of one side only (the other cell nil).
type row struct {
	Kind       string // pair, dropped (only in A), added (only in B)
	A, B       *cellView
	Similarity string
	Shares     string // what an aligned pair shares: verbatim, edited, ...
}

type cellView struct {
	Label  string // "A3"
	Repeat bool   // the sentence was shown in the row above (split in the other side)
	Segs   []segment
}

func newPageData(r *verify.Result, a, b retold.Document) pageData {
	return pageData{
		A:        newDocView(docInfo(r.A, a), a),
		B:        newDocView(docInfo(r.B, b), b),
		Verdict:  string(r.Verdict),
		Score:    ratio(r.Score),
		Reason:   r.Reason,
		Reuse:    ReuseText(r.Reuse) + sharesText(r.Alignment),
		Signals:  signals(r.Signals),
		Rows:     rows(r, a.Text, b.Text),
		Numbers:  r.Facts.Numbers,
		Entities: r.Facts.Entities,
	}
}

func newDocView(d verify.DocInfo, doc retold.Document) docView {
	var meta []string
	for _, s := range []string{doc.Outlet, doc.Date, doc.Lang} {
		if s != "" {
			meta = append(meta, s)
		}
	}
	meta = append(meta, fmt.Sprintf("%d sentences, %d words", d.Sentences, d.Words))
	name := d.Name
	if name == "" {
		name = "(unnamed)"
	}
	return docView{Name: name, Title: d.Title, Meta: strings.Join(meta, " · ")}
}

// rows lays out the table: aligned pairs in A's order, each sentence only in
// A at its index among them, and each sentence only in B just before the
// first pair whose B sentence comes after it.
func rows(r *verify.Result, aText, bText string) []row {
	sa, sb := sides(r, aText, bText)
	pairs := append([]verify.AlignedPair(nil), r.Alignment...)
	sort.SliceStable(pairs, func(i, j int) bool {
		if pairs[i].A != pairs[j].A {
			return pairs[i].A < pairs[j].A
		}
		return pairs[i].B < pairs[j].B
	})
	onlyA := sortedRefs(r.OnlyInA)
	onlyB := sortedRefs(r.OnlyInB)

	// A sentence aligned with one sentence only is word-diffed against
	// it; one split over two (or merged from two) is not: each part
	// would show the other part's words as changes.
	inA, inB := map[int]int{}, map[int]int{}
	for _, p := range pairs {
		inA[p.A]++
		inB[p.B]++
	}
	var out []row
	flushB := func(before int) {
		for len(onlyB) > 0 && onlyB[0].Index < before {
			out = append(out, row{Kind: "added", B: cell(sb, onlyB[0].Index, onlyB[0].Text, false, nil)})
			onlyB = onlyB[1:]
		}
	}
	flushA := func(before int) {
		for len(onlyA) > 0 && onlyA[0].Index < before {
			out = append(out, row{Kind: "dropped", A: cell(sa, onlyA[0].Index, onlyA[0].Text, false, nil)})
			onlyA = onlyA[1:]
		}
	}
	for i, p := range pairs {
		flushA(p.A)
		flushB(p.B)
		var da, db []WordRange
		if inA[p.A] == 1 && inB[p.B] == 1 {
			da, db = WordDiff(sentenceText(sa, p.A, p.AText), sentenceText(sb, p.B, p.BText))
		}
		out = append(out, row{
			Kind:       "pair",
			A:          cell(sa, p.A, p.AText, i > 0 && pairs[i-1].A == p.A, da),
			B:          cell(sb, p.B, p.BText, i > 0 && pairs[i-1].B == p.B, db),
			Similarity: ratio(p.Similarity),
			Shares:     p.Shares,
		})
	}
	flushA(math.MaxInt)
	flushB(math.MaxInt)
	return out
}

func sortedRefs(refs []verify.SentenceRef) []verify.SentenceRef {
	refs = append([]verify.SentenceRef(nil), refs...)
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].Index < refs[j].Index })
	return refs
}

// cell shows sentence i of a side with its marks; text is what the Result
// says the sentence is, used when the side does not know it.
func cell(s *side, i int, text string, repeat bool, diff []WordRange) *cellView {
	c := &cellView{Label: sentenceLabel(s.name, i), Repeat: repeat}
	st := s.sents[i]
	if st == nil {
		st = &sentence{Index: i, Text: text, Start: -1, End: -1}
	}
	c.Segs = st.segments(diff)
	return c
}

// sentenceText is the text cell shows for sentence i of s: the word diff
// must be of the same bytes.
func sentenceText(s *side, i int, text string) string {
	if st := s.sents[i]; st != nil {
		return st.Text
	}
	return text
}

// sides gathers the sentences of A and B and marks the facts in them,
// strongest first: changed numbers, numbers on one side only, entity
// variants, shared numbers.
func sides(r *verify.Result, aText, bText string) (sa, sb *side) {
	refsA, refsB := slices.Clone(r.OnlyInA), slices.Clone(r.OnlyInB)
	seenA, seenB := map[int]bool{}, map[int]bool{}
	partnersA, partnersB := map[int][]int{}, map[int][]int{} // sentence -> aligned sentences of the other side
	for _, p := range r.Alignment {
		if !seenA[p.A] {
			seenA[p.A] = true
			refsA = append(refsA, verify.SentenceRef{Index: p.A, Text: p.AText, Start: p.AStart, End: p.AEnd})
		}
		if !seenB[p.B] {
			seenB[p.B] = true
			refsB = append(refsB, verify.SentenceRef{Index: p.B, Text: p.BText, Start: p.BStart, End: p.BEnd})
		}
		partnersA[p.A] = append(partnersA[p.A], p.B)
		partnersB[p.B] = append(partnersB[p.B], p.A)
	}
	sa = newSide("A", "B", aText, refsA)
	sb = newSide("B", "A", bText, refsB)

	n := r.Facts.Numbers
	for _, c := range n.Changed {
		sa.number(c.A, "changed", "B has "+c.B.Text)
		sb.number(c.B, "changed", "A has "+c.A.Text)
	}
	for _, x := range n.OnlyInA {
		sa.number(x, "only", "only in A")
	}
	for _, x := range n.OnlyInB {
		sb.number(x, "only", "only in B")
	}
	for _, v := range r.Facts.Entities.Variants {
		for _, i := range sa.order {
			sa.sents[i].findAll(v.A, "variant", "B writes "+v.B)
		}
		for _, i := range sb.order {
			sb.sents[i].findAll(v.B, "variant", "A writes "+v.A)
		}
	}
	// A shared number is one item with the offsets of one side (A's, if
	// they point at its text there, else B's); on the other side it is
	// found by its spelling in the sentences aligned to it.
	const same = "same in A and B"
	for _, x := range n.Same {
		st, partners, other := sa.numberAt(x, "same", same), partnersA, sb
		if st == nil {
			st, partners, other = sb.numberAt(x, "same", same), partnersB, sa
		}
		if st == nil {
			st, partners, other = sa.numberIn(x, "same", same), partnersA, sb
		}
		if st == nil {
			continue
		}
		for _, j := range partners[st.Index] {
			other.sents[j].find(x.Text, "same", same)
		}
	}
	return sa, sb
}
