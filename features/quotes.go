package features

import (
	"strings"
	"unicode"
	"unicode/utf8"

	rtext "github.com/retold/retold/text"
)

// Quote is a direct quotation.
type Quote struct {
	// Text is the quoted words without the quote marks and without the
	// white space just inside them.
	Text string
	// Start and End are the byte span of Text (inside the marks).
	Start, End int
}

// quotePair is an opening mark, the marks that close it, and the fewest
// words a quotation between them must have.
type quotePair struct {
	closers  string
	minWords int
	single   bool // ‘ ’: apostrophe rules apply
}

// quoteOpener returns the pair an opening mark starts.
func quoteOpener(r rune) (quotePair, bool) {
	switch r {
	case '“':
		return quotePair{closers: "”", minWords: 2}, true
	case '"':
		return quotePair{closers: `"`, minWords: 2}, true
	case '«':
		return quotePair{closers: "»", minWords: 2}, true
	case '„':
		return quotePair{closers: "“”", minWords: 2}, true
	case '「':
		return quotePair{closers: "」", minWords: 2}, true
	case '『':
		return quotePair{closers: "』", minWords: 2}, true
	case '‘':
		return quotePair{closers: "’", minWords: 3, single: true}, true
	}
	return quotePair{}, false
}

// Quotes returns the direct quotations of text in text order.
//
// Recognised pairs are “ ”, " ", « », „ “ (and „ ”), 「 」 and 『 』, with at
// least two words inside, and ‘ ’ with at least three. A quotation never
// crosses a line break: an opening mark without its closer on the same line
// yields nothing, and scanning resumes after it. A straight " or a ‘ opens
// only after white space, an opening bracket or the line start, and ’
// closes only before white space, punctuation or the end, so apostrophes
// ("Tokaev’s", "rock ’n’ roll") do not delimit quotations. Quotations do not
// nest: text inside a reported quotation is not searched again.
func Quotes(text string) []Quote {
	var out []Quote
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf && c != '"' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		pair, ok := quoteOpener(r)
		if !ok || ((r == '"' || pair.single) && !opensAfter(text, i)) {
			i += size
			continue
		}
		inner := i + size
		closeAt, closeSize := findCloser(text, inner, pair)
		if closeAt < 0 {
			i = inner
			continue
		}
		start, end := rtext.TrimSpan(text, inner, closeAt)
		if countWords(text[start:end]) >= pair.minWords {
			out = append(out, Quote{Text: text[start:end], Start: start, End: end})
		}
		i = closeAt + closeSize
	}
	return out
}

// opensAfter reports whether a mark at i may open a quotation: it is at the
// line start or after white space or an opening bracket or dash.
func opensAfter(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	switch r {
	case '(', '[', '{', '—', '–', '-', ':':
		return true
	}
	return unicode.IsSpace(r)
}

// findCloser returns the offset and size of the mark closing pair in
// text[i:], or -1 when a line break or the end comes first.
func findCloser(text string, i int, pair quotePair) (int, int) {
	for j := i; j < len(text); {
		r, size := utf8.DecodeRuneInString(text[j:])
		if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
			return -1, 0
		}
		if strings.ContainsRune(pair.closers, r) && (!pair.single || closesBefore(text, j+size)) {
			return j, size
		}
		j += size
	}
	return -1, 0
}

// closesBefore reports whether a ’ ending at i may close a quotation:
// followed by the end, white space or punctuation, not by a letter.
func closesBefore(text string, i int) bool {
	if i >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsSpace(r) || unicode.IsPunct(r)
}

// countWords counts runs of letters and digits; each Han, Hiragana or
// Katakana character counts as a word of its own, since those scripts do
// not separate words with spaces.
func countWords(s string) int {
	n := 0
	inWord := false
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			n++
			inWord = false
		case isAlnum(r) || (inWord && (r == '\'' || r == '’' || isHyphen(r))):
			if !inWord {
				n++
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return n
}
