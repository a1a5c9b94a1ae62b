package text

import (
	"unicode"
	"unicode/utf8"
)

// WordFilter turns away, in one table probe, almost every word that is
// not one of a fixed list, before a map lookup or a lower-casing that
// would cost far more: it is asked of every word of every text. A word's
// slot is its length in bytes and its first and last letters
// lower-cased, so a word that differs from every listed word in one of
// them is none of them, in any case. Lower-casing keeps a letter's
// length in bytes in the alphabets the lists use (Latin with
// diacritics, Cyrillic) but not its bytes ("Т" is D0 A2, "т" D1 82), so
// letters outside ASCII are decoded. Has may say yes to a word that is
// not listed; never no to one that is.
type WordFilter [1 << 12]bool

// NewWordFilter returns the filter of words.
func NewWordFilter(words []string) *WordFilter {
	var f WordFilter
	for _, w := range words {
		if w != "" {
			f[wordSlot(w)] = true
		}
	}
	return &f
}

// Has reports whether w may be one of the filter's words, in any case.
func (f *WordFilter) Has(w string) bool { return w != "" && f[wordSlot(w)] }

// wordSlot folds an ASCII byte to lower case by setting its 0x20 bit:
// that also moves some other bytes, but the same way for every word, so
// a word and its capitalisation still meet.
func wordSlot(w string) int {
	first, last := rune(w[0]|0x20), rune(w[len(w)-1]|0x20)
	if w[0] >= utf8.RuneSelf {
		first, _ = utf8.DecodeRuneInString(w)
		first = unicode.ToLower(first)
	}
	if w[len(w)-1] >= utf8.RuneSelf {
		last, _ = utf8.DecodeLastRuneInString(w)
		last = unicode.ToLower(last)
	}
	return (len(w)*131 + int(first)*17 + int(last)) & (len(WordFilter{}) - 1)
}
