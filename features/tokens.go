package features

import (
	"unicode"
	"unicode/utf8"
)

// This file holds the token scanner shared by Numbers and Dates. It makes one
// left-to-right pass over the text and cuts it into tokens that remember their
// byte offsets and what separated them from the previous token, so the
// grammars above it never look at raw bytes except for a few lookaheads.
//
// A numeric token is scanned greedily with its separators: "2,200", "5.8",
// "2.000.000", "8:33" and "١٬٣٠٠" are single tokens, and letters glued to the
// digits ("10m", "3rd", "1990s") stay in the same token so the grammar can
// decide whether they are a scale, an ordinal, a unit or a code.

type tokenKind uint8

const (
	kWord      tokenKind = iota // letters (and combining marks) only
	kNum                        // digits with optional separators, nothing else
	kNumSuffix                  // digits followed by letters: "10m", "3rd", "5G"
	kMixed                      // letters first, then digits: "MU5735", "G7"
	kSym                        // one punctuation or symbol rune
	kBreak                      // sentence end (". " "! " "? ") or a line break
)

type sepKind uint8

const (
	sepNone   sepKind = iota // glued to the previous token
	sepSpace                 // only horizontal white space in between
	sepHyphen                // exactly one hyphen in between: "four-year-old"
)

type token struct {
	start, end int
	numEnd     int // end of the numeric prefix of kNum and kNumSuffix tokens
	kind       tokenKind
	sep        sepKind
	// Shape of the numeric prefix, filled for kNum and kNumSuffix.
	intDigits uint16 // digits before the first separator, saturating
	commas    uint8  // ",ddd" groups
	dots      uint8  // ".ddd" groups (never mixed with commas)
	decimal   bool   // a ".d+" fraction follows
	time      bool   // "h:mm" or "h:mm:ss"
}

// tokenize cuts text into tokens. It never fails; every token satisfies
// 0 <= start < end <= len(text).
func tokenize(text string) []token {
	return appendTokens(make([]token, 0, len(text)/4+4), text) // English runs about one token per five bytes
}

// appendTokens appends the tokens of text to toks, so that a caller can
// reuse one token slice across calls.
func appendTokens(toks []token, text string) []token {
	prevEnd := -1  // end of the previous token, -1 before the first
	hyphenAt := -1 // offset of a hyphen that directly follows prevEnd
	i := 0
	for i < len(text) {
		if c := text[i]; c == ' ' || c == '\t' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		// No rune the other cases take is alnum, so the most common case
		// can come first.
		switch {
		case isAlnum(r):
			t := scanAlnum(text, i)
			t.sep = sepOf(prevEnd, i, hyphenAt)
			toks = append(toks, t)
			prevEnd, hyphenAt = t.end, -1
			i = t.end
			continue
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			toks = append(toks, token{start: i, end: i + size, kind: kBreak, sep: sepOf(prevEnd, i, hyphenAt)})
			prevEnd, hyphenAt = i+size, -1
			i += size
			continue
		case unicode.IsSpace(r):
			i += size
			continue
		case isHyphen(r) && i == prevEnd && i+size < len(text) && isAlnumStart(text[i+size:]):
			hyphenAt = i
			i += size
			continue
		}
		kind := kSym
		if isSentenceEnd(text, i, r, size) {
			kind = kBreak
		}
		toks = append(toks, token{start: i, end: i + size, kind: kind, sep: sepOf(prevEnd, i, hyphenAt)})
		prevEnd, hyphenAt = i+size, -1
		i += size
	}
	return toks
}

// sepOf classifies the gap between the previous token end and start.
func sepOf(prevEnd, start, hyphenAt int) sepKind {
	switch {
	case prevEnd == start:
		return sepNone
	case hyphenAt >= 0 && hyphenAt == prevEnd:
		return sepHyphen
	}
	return sepSpace
}

// isSentenceEnd reports whether the rune r at text[i:] ends a sentence: one
// of . ! ? … followed by white space or the end of the text, or an ideographic
// full stop anywhere.
func isSentenceEnd(text string, i int, r rune, size int) bool {
	switch r {
	case '。', '！', '？', '।', '۔':
		return true
	case '.', '!', '?', '…':
		if i+size >= len(text) {
			return true
		}
		next, n := utf8.DecodeRuneInString(text[i+size:])
		if isCloser(next) {
			if i+size+n >= len(text) {
				return true
			}
			next, _ = utf8.DecodeRuneInString(text[i+size+n:])
		}
		return unicode.IsSpace(next)
	}
	return false
}

// isCloser reports closing quotes and brackets that may sit between a full
// stop and the following space: `order.” He`.
func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', ')', ']':
		return true
	}
	return false
}

func isHyphen(r rune) bool { return r == '-' || r == '\u2010' || r == '\u2011' }

// isAlnum reports letters, digits and combining marks: the runes words are
// made of. ASCII, which is most of every input, takes a table.
func isAlnum(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiAlnum[r]
	}
	return isAlnumNonASCII(r) // a separate function keeps isAlnum small enough to inline
}

func isAlnumNonASCII(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
}

var asciiAlnum = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

func isAlnumStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isAlnum(r)
}

// skipDigits returns the offset after the run of digits starting at i and the
// number of digits in it.
func skipDigits(text string, i int) (int, int) {
	n := 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if c < '0' || c > '9' {
				break
			}
			i++
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsDigit(r) {
			break
		}
		i += size
		n++
	}
	return i, n
}

// groupAt reports whether text[i:] is a separator (one of seps) followed by
// exactly want digits (want 0 means one or more) and no further digit, and
// returns the offset after the group.
func groupAt(text string, i int, want int, seps ...rune) (int, bool) {
	if i >= len(text) {
		return i, false
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	ok := false
	for _, s := range seps {
		if r == s {
			ok = true
			break
		}
	}
	if !ok {
		return i, false
	}
	j, n := skipDigits(text, i+size)
	if n == 0 || (want > 0 && n != want) {
		return i, false
	}
	return j, true
}

// Separators: ASCII plus the Arabic thousands (U+066C) and decimal (U+066B)
// separators, which Arabic-Indic digits use.
const (
	arabicThousands = '\u066C'
	arabicDecimal   = '\u066B'
)

// scanAlnum scans the letters/digits token starting at i.
func scanAlnum(text string, i int) token {
	t := token{start: i}
	r, size := utf8.DecodeRuneInString(text[i:])
	if isUnspaced(r) {
		// Scripts written without spaces: one character, one token, so
		// "164人" is a number followed by a word.
		t.end, t.kind = i+size, kWord
		return t
	}
	j := i
	if unicode.IsDigit(r) {
		var n int
		j, n = skipDigits(text, i)
		t.intDigits = uint16(min(n, 1<<16-1))
		if k, ok := timeAt(text, j, n); ok {
			j, t.time = k, true
		} else {
			for {
				k, ok := groupAt(text, j, 3, ',', arabicThousands, '\'', '’') // 3,000; Swiss 3'000
				if !ok || t.commas == 255 {
					break
				}
				j = k
				t.commas++
			}
			if t.commas == 0 {
				for {
					k, ok := groupAt(text, j, 3, '.')
					if !ok || t.dots == 255 {
						break
					}
					j = k
					t.dots++
				}
			}
			if t.dots == 0 {
				if k, ok := groupAt(text, j, 0, '.', arabicDecimal); ok {
					j, t.decimal = k, true
				}
			}
		}
		t.numEnd = j
	}
	// Letters, digits and marks glued to what we have.
	j, digit := alnumEndDigit(text, j)
	t.end = j
	switch {
	case t.numEnd > 0 && t.numEnd == j:
		t.kind = kNum
	case t.numEnd > 0:
		t.kind = kNumSuffix
	case digit:
		t.kind = kMixed // letters, then a digit: "MU5735"
	default:
		t.kind = kWord
	}
	return t
}

// alnumEndDigit returns the end of the run of letters, digits and marks
// that starts at byte j of text, stopping also at a character of a script
// written without spaces. It reports whether the run holds a digit, so that
// scanAlnum tells words from codes without decoding the word again.
func alnumEndDigit(text string, j int) (end int, digit bool) {
	for j < len(text) {
		if c := text[j]; c < utf8.RuneSelf {
			if !asciiAlnum[c] {
				break
			}
			digit = digit || c <= '9' // the only ASCII alnums up to '9' are digits
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isAlnum(r) || isUnspaced(r) {
			break
		}
		digit = digit || unicode.IsDigit(r)
		j += size
	}
	return j, digit
}

// isUnspaced reports characters of scripts that do not put spaces between
// words (Han, Hiragana, Katakana).
func isUnspaced(r rune) bool {
	return r >= 0x2E80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// timeAt matches ":mm" or ":mm:ss" after an hour of one or two digits.
func timeAt(text string, i, hourDigits int) (int, bool) {
	if hourDigits < 1 || hourDigits > 2 {
		return i, false
	}
	j, ok := groupAt(text, i, 2, ':')
	if !ok {
		return i, false
	}
	if k, ok := groupAt(text, j, 2, ':'); ok {
		j = k
	}
	return j, true
}

// lowerASCII writes the ASCII lower case of s into buf and returns it; ok is
// false when s is not ASCII or longer than buf. It lets map lookups on
// short words run without allocating.
func lowerASCII(buf []byte, s string) ([]byte, bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return nil, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)], true
}

// digitValue returns the value 0..9 of a decimal digit rune of any script.
// Unicode encodes every Nd digit set as ten contiguous code points from zero
// to nine, and the unicode.Nd table only merges whole sets, so the offset
// from the start of the range modulo ten is the value.
func digitValue(r rune) int {
	if '0' <= r && r <= '9' {
		return int(r - '0')
	}
	for _, rg := range unicode.Nd.R16 {
		if r < rune(rg.Lo) {
			return -1
		}
		if r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r < rune(rg.Lo) {
			return -1
		}
		if r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}
