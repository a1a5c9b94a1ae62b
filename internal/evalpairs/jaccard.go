package evalpairs

import (
	"unicode"

	"github.com/zeebo/xxh3"
)

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func hashWords(ws []string) uint64 {
	h := xxh3.New()
	for _, w := range ws {
		h.WriteString(w)
		h.Write([]byte{0})
	}
	return h.Sum64()
}
