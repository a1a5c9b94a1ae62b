package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a byte range [Start, End) of the original text.
type Span struct{ Start, End int }

// Sentence is one sentence of a paragraph.
type Sentence struct {
	Span
	Para int // index of its paragraph
	// Caption marks a line that is a photo caption, credit or byline rather
	// than running text.
	Caption bool
}

// Segment splits text into paragraphs and sentences. Offsets are bytes into
// text; leading and trailing space is trimmed from every span, and no span
// is empty.
func Segment(text string) (paras []Span, sents []Sentence) {
	return segment(nil, nil, text)
}

// segment is Segment appending to paras and sents, which must be empty.
func segment(paras []Span, sents []Sentence, text string) ([]Span, []Sentence) {
	paras = paragraphs(paras, text)
	for pi, p := range paras {
		sents = sentences(sents, text, p, pi, isCaption(text[p.Start:p.End]))
	}
	return paras, sents
}

// paragraphs appends to out the non-blank lines of text, with hard-wrapped
// lines (a line that does not end in punctuation followed by a line that
// starts in lower case) joined into one paragraph.
func paragraphs(out []Span, text string) []Span {
	open := false
	var cur Span
	for pos := 0; pos <= len(text); {
		nl := strings.IndexByte(text[pos:], '\n')
		lineEnd := len(text)
		if nl >= 0 {
			lineEnd = pos + nl
		}
		s, e := TrimSpan(text, pos, lineEnd)
		if s == e {
			if open {
				out = append(out, cur)
				open = false
			}
		} else if open && continuesLine(text[cur.Start:cur.End], text[s:e]) {
			cur.End = e
		} else {
			if open {
				out = append(out, cur)
			}
			cur, open = Span{s, e}, true
		}
		if nl < 0 {
			break
		}
		pos = lineEnd + 1
	}
	if open {
		out = append(out, cur)
	}
	return out
}

// continuesLine reports whether next is the wrapped continuation of prev.
func continuesLine(prev, next string) bool {
	last, _ := utf8.DecodeLastRuneInString(prev)
	if unicode.IsPunct(last) && last != ',' && last != '-' {
		return false
	}
	first, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLower(first)
}

// TrimSpan narrows the byte span [s, e) of text past leading and trailing
// white space (and a byte-order mark at the start).
func TrimSpan(text string, s, e int) (int, int) {
	for s < e {
		r, size := utf8.DecodeRuneInString(text[s:e])
		if !unicode.IsSpace(r) && r != '\ufeff' {
			break
		}
		s += size
	}
	for e > s {
		r, size := utf8.DecodeLastRuneInString(text[s:e])
		if !unicode.IsSpace(r) {
			break
		}
		e -= size
	}
	return s, e
}

// sentences appends to out the sentences of paragraph p, the pi'th.
func sentences(out []Sentence, text string, p Span, pi int, caption bool) []Sentence {
	start := p.Start
	i := p.Start
	for i < p.End {
		// Most bytes are ASCII and not terminal: skip them undecoded.
		n := indexTerminalByte(text[i:p.End])
		if n < 0 {
			break
		}
		i += n
		r, size := utf8.DecodeRuneInString(text[i:p.End])
		if !isTerminal(r) {
			i += size
			continue
		}
		// Take the whole run of terminal punctuation and closing marks.
		j := i + size
		for j < p.End {
			r2, s2 := utf8.DecodeRuneInString(text[j:p.End])
			if !isTerminal(r2) && !isCloser(r2) {
				break
			}
			j += s2
		}
		// A sentence boundary needs space after the punctuation.
		k := j
		for k < p.End {
			r2, s2 := utf8.DecodeRuneInString(text[k:p.End])
			if !unicode.IsSpace(r2) {
				break
			}
			k += s2
		}
		if k == j && k < p.End {
			// No space after the punctuation: scraped text often runs
			// sentences together ("she worked.She was", "attacks.\"We
			// are"). Split only where it cannot be an abbreviation, a
			// domain or a decimal.
			if e, next, ok := runTogether(text, start, i, j, p.End); ok {
				if s, e := TrimSpan(text, start, e); s < e {
					out = append(out, Sentence{Span: Span{s, e}, Para: pi, Caption: caption})
				}
				start, i = next, next
				continue
			}
		}
		if k == j || k >= p.End {
			i = j
			continue
		}
		if r == '.' && !periodEnds(text[start:i], text[k:p.End]) {
			i = j
			continue
		}
		if !canStart(text[k:p.End]) {
			i = j
			continue
		}
		if s, e := TrimSpan(text, start, j); s < e {
			out = append(out, Sentence{Span: Span{s, e}, Para: pi, Caption: caption})
		}
		start, i = k, k
	}
	if s, e := TrimSpan(text, start, p.End); s < e {
		out = append(out, Sentence{Span: Span{s, e}, Para: pi, Caption: caption})
	}
	return out
}

// runTogether decides a boundary at a terminal run text[i:j] with no
// space after it: the run must follow a lower-case word of two or more
// letters and precede a capitalized word (an upper-case letter then a
// lower-case one), either directly or after an opening quote. A straight
// quote taken into the run is then an opening one: the sentence ends
// before it (end) and the next starts with it (next).
func runTogether(text string, start, i, j, end int) (int, int, bool) {
	before := text[start:i]
	r1, s1 := utf8.DecodeLastRuneInString(before)
	r2, _ := utf8.DecodeLastRuneInString(before[:len(before)-s1])
	if !unicode.IsLower(r1) || !unicode.IsLower(r2) {
		return 0, 0, false
	}
	sentEnd, next := j, j
	if text[j-1] == '"' || text[j-1] == '\'' {
		sentEnd, next = j-1, j-1 // the quote opens the next sentence
	}
	rest := text[j:end]
	if q, size := utf8.DecodeRuneInString(rest); next == j && (q == '\u201c' || q == '\u00ab' || q == '\u201e') {
		rest = rest[size:]
	}
	u, size := utf8.DecodeRuneInString(rest)
	l, _ := utf8.DecodeRuneInString(rest[size:])
	if !unicode.IsUpper(u) || !unicode.IsLower(l) {
		return 0, 0, false
	}
	return sentEnd, next, true
}

// indexTerminalByte returns the index of the first byte of s that may start
// a terminal rune: '.', '!', '?' or any non-ASCII byte, or -1. It tests
// eight bytes at a time.
func indexTerminalByte(s string) int {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8] // one bounds check; the compiler makes one load of it
		v := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// (x-lo) &^ x & hi is nonzero iff some byte of x is zero (its set
		// bits may not mark which one, but the byte loop below finds it).
		d, b, q := v^('.'*lo), v^('!'*lo), v^('?'*lo)
		if (v|(d-lo)&^d|(b-lo)&^b|(q-lo)&^q)&hi != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == '.' || c == '!' || c == '?' {
			return i
		}
	}
	return -1
}

func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '\u3002', '\uff01', '\uff1f', '\u0964', '\u061f', '\u2026':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '\u2019', '\u201d', '\u00bb', '\u300d', '\u300f':
		return true
	}
	return false
}

// canStart reports whether rest begins like a sentence: an upper-case
// letter, a digit, an opening quote or bracket, or a letter of a script
// without case.
func canStart(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	switch {
	case unicode.IsUpper(r), unicode.IsDigit(r), unicode.IsTitle(r):
		return true
	case r == '"' || r == '\'' || r == '(' || r == '[' || r == '\u201c' || r == '\u2018' || r == '\u00ab' || r == '-' || r == '\u2014':
		return true
	case unicode.IsLetter(r) && !unicode.IsLower(r):
		return true // caseless scripts
	}
	return false
}

// periodEnds decides whether a period after before ends the sentence, given
// the text after it.
func periodEnds(before, after string) bool {
	w := lastWord(before)
	if w == "" {
		return true
	}
	nextWord := firstWord(after)
	next, _ := utf8.DecodeRuneInString(nextWord)
	nextIsDigit := nextWord != "" && unicode.IsDigit(next)
	var buf [32]byte
	lw := string(AppendLower(buf[:0], w)) // lw does not escape: no allocation
	if isTitleAbbrev(lw) {
		return false // Mr. Smith, Dr. No, Gen. Milley
	}
	if isNumberAbbrev(lw) && nextIsDigit {
		return false // No. 2, Jan. 6, pp. 12
	}
	if isNumberAbbrev(lw) && isMonthAbbrev(lw) && !startsSentenceWord(nextWord) {
		return false
	}
	// A single letter is an initial: J. Smith.
	if first, size := utf8.DecodeRuneInString(w); size == len(w) && unicode.IsUpper(first) {
		return false
	}
	// Dotted acronyms (U.S., U.N.) end a sentence only before a word that
	// usually starts one.
	if strings.Contains(w, ".") {
		return startsSentenceWord(nextWord) || nextIsDigit
	}
	return true
}

// lastWord returns the word just before the end of s, keeping internal
// periods ("U.S" for "... the U.S").
func lastWord(s string) string {
	i := len(s)
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !(unicode.IsLetter(r) || r == '.') {
			break
		}
		i -= size
	}
	return strings.Trim(s[i:], ".")
}

func firstWord(s string) string {
	for i, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return s[:i]
		}
	}
	return s
}

// startsSentenceWord reports whether w is a word that usually starts a
// sentence: a capitalized function word ("The", "He", "In").
func startsSentenceWord(w string) bool {
	if w == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	var buf [32]byte
	return IsStopword(string(AppendLower(buf[:0], w)))
}

// toLower appends strings.ToLower(s) to dst, without allocating when s is
// ASCII and fits in dst's capacity.
func AppendLower(dst []byte, s string) []byte {
	if !isASCII(s) {
		return append(dst, strings.ToLower(s)...)
	}
	return appendLowerASCII(dst, s)
}

func isMonthAbbrev(w string) bool {
	switch w {
	case "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec":
		return true
	}
	return false
}

// isTitleAbbrev reports whether w is an abbreviation that stands before a
// name and never ends a sentence.
func isTitleAbbrev(w string) bool {
	switch w {
	case "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt",
		"capt", "cmdr", "adm", "maj", "cpl", "pvt", "st", "mt", "ft", "rev", "hon", "pres", "supt", "insp", "messrs":
		return true
	}
	return false
}

// isNumberAbbrev reports whether w is an abbreviation that does not end a
// sentence before a number (and, for months, before a word that does not
// start a sentence).
func isNumberAbbrev(w string) bool {
	switch w {
	case "no", "nos", "vol", "pp", "p", "fig", "art", "sec", "ch", "ed", "op",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "vs", "v":
		return true
	}
	return false
}

// isCaption reports whether a paragraph is a photo caption, credit or
// byline: a short line with no final punctuation, or a line ending in a
// parenthesized credit.
func isCaption(p string) bool {
	last, _ := utf8.DecodeLastRuneInString(p)
	if last == ')' {
		if open := strings.LastIndexByte(p, '('); open >= 0 {
			credit := strings.ToLower(p[open:])
			for _, c := range []string{"ap", "reuters", "afp", "getty", "photo", "via", "epa", "xinhua", "file"} {
				if containsWord(credit, c) {
					return true
				}
			}
		}
	}
	if isTerminal(last) || isCloser(last) || last == ':' {
		return false
	}
	return fieldsAtMost(p, 6)
}

// fieldsAtMost reports whether len(strings.Fields(s)) <= n, without
// building the fields.
func fieldsAtMost(s string, n int) bool {
	fields, inField := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			inField = false
		} else if !inField {
			inField = true
			if fields++; fields > n {
				return false
			}
		}
	}
	return true
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before, after := j == 0, j+len(w) == len(s)
		if !before {
			r, _ := utf8.DecodeLastRuneInString(s[:j])
			before = !unicode.IsLetter(r)
		}
		if !after {
			r, _ := utf8.DecodeRuneInString(s[j+len(w):])
			after = !unicode.IsLetter(r)
		}
		if before && after {
			return true
		}
		i = j + len(w)
	}
}
