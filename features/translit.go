package features

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
)

// Key returns the key of a whole name: the WordKey of each white-space
// separated word, empty keys dropped, joined by single spaces. Two
// spellings of the same name ("Kassym-Jomart Tokaev", "Kassym-jomart
// Tokayev") have the same key.
func Key(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		k := WordKey(w)
		if k == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
	}
	return b.String()
}

// WordKey returns a transliteration-robust key of one word, so that the
// spellings different transliteration schemes or machine translation give
// one name collide ("Tokaev", "Tokayev"; "Zelensky", "Zelenskyy",
// "Zelenskiy"; "Grindavík", "Grindavik") while different names stay apart
// ("Iran", "Iraq"; "Masimov", "Maximov").
//
// The word is transliterated to ASCII, lower-cased, and stripped of
// everything but letters and digits; then these rules run, in this order:
//
//  1. a final "h" after a vowel is dropped ("Abdullah" -> "abdulla"); it
//     runs first so that the "h" left by "kh" below stays ("Kazakh")
//  2. consonant spellings, left to right: "dzh", "dj", "zh" -> "j";
//     "tch" -> "ch"; "sch" -> "sh"; "kh" -> "h"; "ph" -> "f"; "ck" -> "k";
//     "c" (not in "ch") and "q" -> "k"; "x" -> "ks"; "w" -> "v";
//     "ou" -> "u"
//  3. "y" after a vowel and before "e" is dropped (Russian -ев:
//     "Tokayev" -> "tokaev", "Dostoyevsky" -> "dostoevsky")
//  4. "y" not followed by a vowel becomes "i" (a vowel "y":
//     "Zelenskyy", "Zelenskiy" -> "zelenskii", "Kyrgyz" -> "kirgiz");
//     a consonant "y" ("Yemen", "Tokyo") stays
//  5. doubled letters collapse ("Massimov" -> "masimov",
//     "zelenskii" -> "zelenski")
//
// "j" is left alone: it is "y" in German and Polish spellings but "dzh" in
// English ones, so mapping it either way merges more different names than
// it reconciles.
func WordKey(word string) string {
	var stack [80]byte
	return string(appendWordKey(stack[:0], word))
}

// appendWordKey appends WordKey(word) to dst, so that Entities can build
// the keys of all its names in one buffer.
func appendWordKey(dst []byte, word string) []byte {
	var stack [64]byte
	b := stack[:0]
	ascii := true
	for i := 0; i < len(word); i++ {
		if word[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		word = unidecode.Unidecode(word)
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b = append(b, c)
		case 'A' <= c && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	if n := len(b); n > 2 && b[n-1] == 'h' && isVowel(b[n-2]) {
		b = b[:n-1]
	}
	n := len(dst)
	dst = rewriteConsonants(dst, b)
	key := collapseDoubles(rewriteY(dst[n:])) // in place: both only shrink
	return dst[:n+len(key)]
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// rewriteConsonants applies rule 2, appending to out. It cannot work in
// place because "x" -> "ks" grows the word.
//
// The spellings are tried in the order rule 2 lists them. Each case tests
// the first letter before comparing the spelling: most letters start no
// spelling, and they then cost one comparison per case.
func rewriteConsonants(out, in []byte) []byte {
	has := func(i int, s string) bool {
		return len(in)-i >= len(s) && string(in[i:i+len(s)]) == s
	}
	for i := 0; i < len(in); {
		c := in[i]
		switch {
		case c == 'd' && has(i, "dzh"):
			out, i = append(out, 'j'), i+3
		case c == 'd' && has(i, "dj"), c == 'z' && has(i, "zh"):
			out, i = append(out, 'j'), i+2
		case c == 't' && has(i, "tch"):
			out, i = append(out, 'c', 'h'), i+3
		case c == 's' && has(i, "sch"):
			out, i = append(out, 's', 'h'), i+3
		case c == 'k' && has(i, "kh"):
			out, i = append(out, 'h'), i+2
		case c == 'p' && has(i, "ph"):
			out, i = append(out, 'f'), i+2
		case c == 'c' && has(i, "ck"):
			out, i = append(out, 'k'), i+2
		case c == 'c' && has(i, "ch"):
			out, i = append(out, 'c', 'h'), i+2
		case c == 'o' && has(i, "ou"):
			out, i = append(out, 'u'), i+2
		default:
			switch c {
			case 'c', 'q':
				out = append(out, 'k')
			case 'x':
				out = append(out, 'k', 's')
			case 'w':
				out = append(out, 'v')
			default:
				out = append(out, c)
			}
			i++
		}
	}
	return out
}

// rewriteY applies rules 3 and 4 in place.
func rewriteY(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != 'y' {
			out = append(out, c)
			continue
		}
		next := byte(0)
		if i+1 < len(b) {
			next = b[i+1]
		}
		switch {
		case len(out) > 0 && isVowel(out[len(out)-1]) && next == 'e':
			// dropped
		case !isVowel(next):
			out = append(out, 'i')
		default:
			out = append(out, 'y')
		}
	}
	return out
}

func collapseDoubles(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); i++ {
		if len(out) > 0 && out[len(out)-1] == b[i] {
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// isNameUpper reports whether r starts a capitalized word.
func isNameUpper(r rune) bool { return unicode.IsUpper(r) || unicode.IsTitle(r) }
