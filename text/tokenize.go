package text

import (
	"unicode"
	"unicode/utf8"
)

// Token is one word or number of the text.
type Token struct {
	Start, End int    // byte span in the original text
	Norm       string // Normalize of the span; digits keep their separators
	Number     bool   // the token is a number ("2,200", "5.8", "164")
}

// Tokenize appends to dst the word and number tokens of text[start:end],
// with offsets into text. Words are maximal runs of letters, digits and
// combining marks; an apostrophe or hyphen splits words ("Tokaev's" gives
// "tokaev" and "s", "four-year-old" three words), while a comma or period
// between digits stays inside a number ("2,200", "5.8").
func Tokenize(dst []Token, text string, start, end int) []Token {
	var sc tokenScratch
	sc.scan(text, start, end)
	lower := string(sc.lower)
	for _, w := range sc.words {
		var norm string
		norm, lower = w.norm(text, lower)
		dst = append(dst, Token{Start: w.start, End: w.end, Norm: norm, Number: w.number})
	}
	return dst
}

// tokenScratch holds the tokens of a text as scan finds them, before their
// Norm strings are made. Scanning first and making strings after lets
// Analyze size its token slice exactly and lets every capitalized word of a
// text share one string allocation; the scratch holds no pointers, so it is
// cheap to fill and to keep for reuse.
type tokenScratch struct {
	words []wordSpan
	lower []byte // lower-cased text of the formLower words, in order
}

// wordSpan is one token found by scan.
type wordSpan struct {
	start, end int
	form       normForm
	number     bool
}

// normForm says how a wordSpan's Norm is made.
type normForm uint8

const (
	// formSelf: ASCII without capitals, which Normalize leaves as it is;
	// the Norm is a substring of the text.
	formSelf normForm = iota
	// formSelfAlpha: formSelf of letters only, so a-z: Stem need not check.
	formSelfAlpha
	// formLowerAlpha: ASCII letters with capitals, lower-cased into
	// tokenScratch.lower.
	formLowerAlpha
	// formLower: other ASCII with capitals (letters and digits).
	formLower
	// formUnicode: anything else, through Normalize.
	formUnicode
)

// norm returns the Norm of w; lower holds the lower-cased text of w and the
// formLower words after it, and rest what remains after w's.
func (w wordSpan) norm(text, lower string) (norm, rest string) {
	switch w.form {
	case formSelf, formSelfAlpha:
		return text[w.start:w.end], lower
	case formLower, formLowerAlpha:
		n := w.end - w.start
		return lower[:n], lower[n:]
	}
	return Normalize(text[w.start:w.end]), lower
}

// alpha reports whether w's Norm is made of the letters a-z only.
func (w wordSpan) alpha() bool {
	return w.form == formSelfAlpha || w.form == formLowerAlpha
}

// scan appends the tokens of text[start:end] to sc.words (and the lowered
// text of capitalized ASCII words to sc.lower). ASCII bytes take a fast path
// that needs no rune decoding.
func (sc *tokenScratch) scan(text string, start, end int) {
	i := start
	for i < end {
		if c := text[i]; c < utf8.RuneSelf {
			if asciiClass[c] == 0 {
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(text[i:end])
			if !isWordRune(r) {
				i += size
				continue
			}
			if isUnspaced(r) {
				sc.words = append(sc.words, wordSpan{start: i, end: i + size, form: formUnicode})
				i += size
				continue
			}
		}
		// seen collects the classes of the word's characters: digits make
		// a number only if no letter is seen.
		j := i
		var seen byte
		for j < end {
			c := text[j]
			if f := asciiClass[c]; f != 0 {
				seen |= f
				j++
				continue
			}
			if c >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(text[j:end])
				if !isWordRune(r) || isUnspaced(r) {
					break
				}
				seen |= classNonASCII
				if unicode.IsDigit(r) {
					seen |= classDigit
				} else if unicode.IsLetter(r) {
					seen |= classLetter
				}
				j += size
				continue
			}
			// A separator between two digits stays in a number. (j > i
			// here: text[i] is a word rune.)
			if (c == ',' || c == '.') && j+1 < end && seen&(classDigit|classLetter) == classDigit {
				prev, _ := utf8.DecodeLastRuneInString(text[i:j])
				next, _ := utf8.DecodeRuneInString(text[j+1 : end])
				if unicode.IsDigit(prev) && unicode.IsDigit(next) {
					j++
					continue
				}
			}
			break
		}
		w := wordSpan{start: i, end: j, number: seen&(classDigit|classLetter) == classDigit}
		switch {
		case seen&classNonASCII != 0:
			w.form = formUnicode
		case seen&classUpper != 0:
			w.form = formLower
			if seen&classDigit == 0 {
				w.form = formLowerAlpha
			}
			sc.lower = appendLowerASCII(sc.lower, text[i:j])
		case seen&classDigit == 0:
			w.form = formSelfAlpha
		default:
			w.form = formSelf
		}
		sc.words = append(sc.words, w)
		i = j
	}
}

// appendLowerASCII appends the ASCII string s to dst with A-Z lower-cased.
func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Character classes for scan; asciiClass gives those of the ASCII word
// bytes, and 0 for every other byte.
const (
	classLetter byte = 1 << iota
	classUpper
	classDigit
	classNonASCII
)

var asciiClass = [256]byte{
	'0': classDigit, '1': classDigit, '2': classDigit, '3': classDigit, '4': classDigit,
	'5': classDigit, '6': classDigit, '7': classDigit, '8': classDigit, '9': classDigit,
	'a': classLetter, 'b': classLetter, 'c': classLetter, 'd': classLetter, 'e': classLetter,
	'f': classLetter, 'g': classLetter, 'h': classLetter, 'i': classLetter, 'j': classLetter,
	'k': classLetter, 'l': classLetter, 'm': classLetter, 'n': classLetter, 'o': classLetter,
	'p': classLetter, 'q': classLetter, 'r': classLetter, 's': classLetter, 't': classLetter,
	'u': classLetter, 'v': classLetter, 'w': classLetter, 'x': classLetter, 'y': classLetter,
	'z': classLetter,
	'A': classLetter | classUpper, 'B': classLetter | classUpper, 'C': classLetter | classUpper,
	'D': classLetter | classUpper, 'E': classLetter | classUpper, 'F': classLetter | classUpper,
	'G': classLetter | classUpper, 'H': classLetter | classUpper, 'I': classLetter | classUpper,
	'J': classLetter | classUpper, 'K': classLetter | classUpper, 'L': classLetter | classUpper,
	'M': classLetter | classUpper, 'N': classLetter | classUpper, 'O': classLetter | classUpper,
	'P': classLetter | classUpper, 'Q': classLetter | classUpper, 'R': classLetter | classUpper,
	'S': classLetter | classUpper, 'T': classLetter | classUpper, 'U': classLetter | classUpper,
	'V': classLetter | classUpper, 'W': classLetter | classUpper, 'X': classLetter | classUpper,
	'Y': classLetter | classUpper, 'Z': classLetter | classUpper,
}
