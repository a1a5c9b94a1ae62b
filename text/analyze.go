package text

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
	d := &Doc{Text: text}
	d.Paragraphs, d.Sentences = Segment(text)
	d.SentTokens = make([]Span, len(d.Sentences))
	d.Tokens = make([]Token, 0, len(text)/6+1)
	for i, s := range d.Sentences {
		first := len(d.Tokens)
		d.Tokens = Tokenize(d.Tokens, text, s.Start, s.End)
		d.SentTokens[i] = Span{first, len(d.Tokens)}
	}
	d.Stems = make([]string, len(d.Tokens))
	for i, t := range d.Tokens {
		if t.Number || IsStopword(t.Norm) {
			continue
		}
		d.Stems[i] = st.Stem(t.Norm)
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
