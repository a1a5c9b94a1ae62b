package text

import (
	"slices"
	"sync"
)

// Doc is a text taken apart: paragraphs, sentences and tokens, all with byte
// offsets into Text.
type Doc struct {
	Text       string
	Paragraphs []Span
	Sentences  []Sentence
	Tokens     []Token
	// Stems holds, for each token, its stem ("" for stopwords and for
	// numbers), so Stems[i] != "" marks a content word.
	Stems []string
	// SentTokens[i] is the range [Start, End) of Tokens inside sentence i.
	SentTokens []Span
}

// Analyze segments and tokenizes text. The stemmer may be shared between
// goroutines; nil uses a private one.
func Analyze(text string, st *Stemmer) *Doc {
	if st == nil {
		st = &Stemmer{}
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()

	// Segment and scan into reused scratch slices, then copy each out at
	// its exact size: one allocation per slice, none of them oversized.
	d := &Doc{Text: text}
	sc.paras, sc.sents = segment(sc.paras[:0], sc.sents[:0], text)
	d.Paragraphs = clone(sc.paras)
	d.Sentences = clone(sc.sents)
	d.SentTokens = make([]Span, len(d.Sentences))
	sc.tok.words, sc.tok.lower = sc.tok.words[:0], sc.tok.lower[:0]
	for i, s := range d.Sentences {
		first := len(sc.tok.words)
		sc.tok.scan(text, s.Start, s.End)
		d.SentTokens[i] = Span{first, len(sc.tok.words)}
	}
	words := sc.tok.words
	lower := string(sc.tok.lower)
	d.Tokens = make([]Token, len(words))
	d.Stems = make([]string, len(words))
	for i, w := range words {
		var norm string
		norm, lower = w.norm(text, lower)
		// Field by field: a whole-struct store of a Token goes through a
		// bulk write barrier while the GC runs.
		t := &d.Tokens[i]
		t.Start, t.End, t.Norm, t.Number = w.start, w.end, norm, w.number
		switch {
		case w.number || IsStopword(norm):
		case w.alpha():
			d.Stems[i] = st.stemLower(norm)
		default:
			d.Stems[i] = st.Stem(norm)
		}
	}
	return d
}

// SentenceText returns the original text of sentence i.
func (d *Doc) SentenceText(i int) string {
	s := d.Sentences[i]
	return d.Text[s.Start:s.End]
}

// ContentWords returns the number of content words (non-stopword words) in
// sentence i.
func (d *Doc) ContentWords(i int) int {
	n := 0
	r := d.SentTokens[i]
	for j := r.Start; j < r.End; j++ {
		if d.Stems[j] != "" {
			n++
		}
	}
	return n
}

// clone copies s to a new slice of exactly its length, or returns nil for an
// empty s, as appending to a nil slice would have.
func clone[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// scratch holds the growing slices of one Analyze call, kept in a pool so
// that their capacity is reused across documents. None of them holds
// pointers, so a pooled scratch pins no text.
type scratch struct {
	paras []Span
	sents []Sentence
	tok   tokenScratch
}

// maxScratchTokens and maxScratchBytes bound the scratch kept in the pool:
// the slices of an unusually long text are dropped rather than held for the
// next, likely ordinary, document.
const (
	maxScratchTokens = 1 << 16
	maxScratchBytes  = 1 << 20
)

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (sc *scratch) release() {
	if cap(sc.tok.words) > maxScratchTokens || cap(sc.tok.lower) > maxScratchBytes || cap(sc.sents) > maxScratchTokens {
		return
	}
	scratchPool.Put(sc)
}
