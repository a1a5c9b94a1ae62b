package explain

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold/verify"
)

// Highlighting a fact inside a sentence needs the sentence's byte span in
// the document: the facts carry byte offsets into the document text
// (NumberItem.Start/End), the page shows one sentence per cell.
//
// SentenceRef and AlignedPair carry the spans. A span that does not match
// the text (a Result built by hand, or with the document text left out) is
// located instead: in index order, searching forward from the end of the
// previous sentence, so a sentence that occurs twice gets the right
// occurrence. A sentence whose text is not found verbatim keeps span -1: it
// is shown, and its facts are found by searching their text in the sentence
// instead of by offset.

// sentence is one sentence of one side as the page shows it.
type sentence struct {
	Index      int
	Text       string
	Start, End int // byte span in the document text; -1 when unknown
	marks      []mark
}

// mark is one highlighted fact, in bytes relative to the sentence text.
type mark struct {
	start, end int
	class      string // changed, only, variant, same
	title      string
}

// side is the sentences of one document, by index.
type side struct {
	name  string // "A" or "B"
	other string // "B" or "A"
	text  string // the document text; may be empty
	sents map[int]*sentence
	order []int // the indexes, ascending
}

// newSide gathers the sentences of one side, each index once.
func newSide(name, other, text string, refs []verify.SentenceRef) *side {
	s := &side{name: name, other: other, text: text, sents: map[int]*sentence{}}
	for _, r := range refs {
		if _, ok := s.sents[r.Index]; ok {
			continue
		}
		st := &sentence{Index: r.Index, Text: r.Text, Start: -1, End: -1}
		if r.Start >= 0 && r.Start <= r.End && r.End <= len(text) && text[r.Start:r.End] == r.Text {
			st.Start, st.End = r.Start, r.End
		}
		s.sents[r.Index] = st
	}
	for i := range s.sents {
		s.order = append(s.order, i)
	}
	sort.Ints(s.order)
	s.locate()
	return s
}

// locate finds the spans the refs did not give (see the comment at the top).
func (s *side) locate() {
	cursor := 0
	for _, i := range s.order {
		st := s.sents[i]
		if st.Start >= 0 {
			cursor = max(cursor, st.End)
			continue
		}
		if st.Text == "" {
			continue
		}
		if k := strings.Index(s.text[cursor:], st.Text); k >= 0 {
			st.Start, st.End = cursor+k, cursor+k+len(st.Text)
			cursor = st.End
		} else if k := strings.Index(s.text, st.Text); k >= 0 {
			st.Start, st.End = k, k+len(st.Text) // out of order: leave the cursor
		}
	}
}

// containing is the sentence whose span holds the bytes [start, end), or nil.
func (s *side) containing(start, end int) *sentence {
	for _, i := range s.order {
		st := s.sents[i]
		if st.Start >= 0 && st.Start <= start && end <= st.End {
			return st
		}
	}
	return nil
}

// number marks one number, by its offsets or else by its spelling, and
// reports the sentence it marked, or nil.
func (s *side) number(n verify.NumberItem, class, title string) *sentence {
	if st := s.numberAt(n, class, title); st != nil {
		return st
	}
	return s.numberIn(n, class, title)
}

// numberAt marks a number by its offsets, if they point at its text in this
// side's document.
func (s *side) numberAt(n verify.NumberItem, class, title string) *sentence {
	if n.Start < 0 || n.Start >= n.End || n.End > len(s.text) || s.text[n.Start:n.End] != n.Text {
		return nil
	}
	if st := s.containing(n.Start, n.End); st != nil && st.add(n.Start-st.Start, n.End-st.Start, class, title) {
		return st
	}
	return nil
}

// numberIn marks a number by searching its text in the sentence it names.
func (s *side) numberIn(n verify.NumberItem, class, title string) *sentence {
	if st := s.sents[n.Sentence]; st != nil && st.find(n.Text, class, title) {
		return st
	}
	return nil
}

// find marks the first unmarked whole-word occurrence of t in the sentence.
func (st *sentence) find(t, class, title string) bool {
	if t == "" {
		return false
	}
	for from := 0; from < len(st.Text); {
		k := strings.Index(st.Text[from:], t)
		if k < 0 {
			return false
		}
		start, end := from+k, from+k+len(t)
		if wordEdge(st.Text, start, end) && st.add(start, end, class, title) {
			return true
		}
		from = end
	}
	return false
}

// findAll marks every whole-word occurrence of t in the sentence.
func (st *sentence) findAll(t, class, title string) {
	for from := 0; t != "" && from < len(st.Text); {
		k := strings.Index(st.Text[from:], t)
		if k < 0 {
			return
		}
		start, end := from+k, from+k+len(t)
		if wordEdge(st.Text, start, end) {
			st.add(start, end, class, title)
		}
		from = end
	}
}

// wordEdge reports whether text[start:end] is not part of a longer word or
// number: "12" in "120" or "Kowalsky" in "Kowalskyego" is not a match.
func wordEdge(text string, start, end int) bool {
	inWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	if r, _ := utf8.DecodeLastRuneInString(text[:start]); start > 0 && inWord(r) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(text[end:]); end < len(text) && inWord(r) {
		return false
	}
	return true
}

// add records a mark unless it overlaps one already there. Marks are added
// strongest first (changed numbers, then one-sided, variants, shared), so
// the strongest fact wins a contested span.
func (st *sentence) add(start, end int, class, title string) bool {
	if start < 0 || end > len(st.Text) || start >= end {
		return false
	}
	for _, m := range st.marks {
		if start < m.end && m.start < end {
			return false
		}
	}
	st.marks = append(st.marks, mark{start, end, class, title})
	return true
}

// segment is a run of a sentence's text, marked or not.
type segment struct {
	Text  string
	Class string // empty for plain text
	Title string
	// Diff is the word diff's class of the text (w-del, w-ins, w-rep), or
	// "" where the other sentence of the pair has it too.
	Diff string
}

// segments cuts the sentence at its marks and at the word diff's ranges,
// in text order: a fact mark inside a changed word range keeps both.
func (st *sentence) segments(diff []WordRange) []segment {
	marks := append([]mark(nil), st.marks...)
	sort.Slice(marks, func(i, j int) bool { return marks[i].start < marks[j].start })
	cuts := []int{0, len(st.Text)}
	for _, m := range marks {
		cuts = append(cuts, m.start, m.end)
	}
	for _, d := range diff {
		cuts = append(cuts, d.Start, d.End)
	}
	sort.Ints(cuts)
	var segs []segment
	for k := 0; k+1 < len(cuts); k++ {
		lo, hi := cuts[k], cuts[k+1]
		if lo >= hi || lo < 0 || hi > len(st.Text) {
			continue
		}
		seg := segment{Text: st.Text[lo:hi]}
		for _, m := range marks {
			if m.start <= lo && hi <= m.end {
				seg.Class, seg.Title = m.class, m.title
				break
			}
		}
		for _, d := range diff {
			if d.Start <= lo && hi <= d.End {
				seg.Diff = d.Class
				break
			}
		}
		// One segment per run of the same marks.
		if n := len(segs); n > 0 && segs[n-1].Class == seg.Class && segs[n-1].Title == seg.Title && segs[n-1].Diff == seg.Diff {
			segs[n-1].Text += seg.Text
			continue
		}
		segs = append(segs, seg)
	}
	return segs
}
