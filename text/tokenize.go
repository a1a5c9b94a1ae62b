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
	i := start
	for i < end {
		r, size := utf8.DecodeRuneInString(text[i:end])
		if !isWordRune(r) {
			i += size
			continue
		}
		if isUnspaced(r) {
			dst = append(dst, Token{Start: i, End: i + size, Norm: Normalize(text[i : i+size])})
			i += size
			continue
		}
		j := i
		digits, letters := 0, 0
		for j < end {
			r, size := utf8.DecodeRuneInString(text[j:end])
			if isWordRune(r) && !isUnspaced(r) {
				if unicode.IsDigit(r) {
					digits++
				} else if unicode.IsLetter(r) {
					letters++
				}
				j += size
				continue
			}
			// A separator between two digits stays in a number.
			if (r == ',' || r == '.') && j > i && j+1 < end && digits > 0 && letters == 0 {
				prev, _ := utf8.DecodeLastRuneInString(text[i:j])
				next, _ := utf8.DecodeRuneInString(text[j+1 : end])
				if unicode.IsDigit(prev) && unicode.IsDigit(next) {
					j += size
					continue
				}
			}
			break
		}
		dst = append(dst, Token{Start: i, End: j, Norm: Normalize(text[i:j]), Number: digits > 0 && letters == 0})
		i = j
	}
	return dst
}
