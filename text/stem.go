package text

import (
	"sync"

	"github.com/kljensen/snowball/english"
)

// Stemmer reduces English words to their Snowball stems ("killed" and
// "killing" to "kill"). Words with characters outside a-z keep their form,
// so other languages pass through unchanged. It caches stems, up to a
// bounded number of distinct words, and is safe for concurrent use. The zero
// value is ready to use.
type Stemmer struct {
	mu    sync.RWMutex
	cache map[string]string
}

// maxCachedStems bounds the stem cache; past it, words are stemmed each time.
const maxCachedStems = 1 << 17

// maxStemLen: longer "words" (URLs run together, junk) are left unstemmed;
// no English word needs it, and the stemmer is slow on very long input.
const maxStemLen = 40

// Stem returns the stem of w, which must be Normalize'd (lower case).
func (s *Stemmer) Stem(w string) string {
	if len(w) <= 3 || len(w) > maxStemLen || !isLowerASCIIWord(w) {
		return w
	}
	s.mu.RLock()
	st, ok := s.cache[w]
	s.mu.RUnlock()
	if ok {
		return st
	}
	st = english.Stem(w, true)
	s.mu.Lock()
	if s.cache == nil {
		s.cache = make(map[string]string)
	}
	if len(s.cache) < maxCachedStems {
		s.cache[w] = st
	}
	s.mu.Unlock()
	return st
}

func isLowerASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
