package text

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kljensen/snowball/english"
)

// Stemmer reduces English words to their Snowball stems ("killed" and
// "killing" to "kill"). Words with characters outside a-z keep their form,
// so other languages pass through unchanged. It caches stems, up to a
// bounded number of distinct words, and is safe for concurrent use. The zero
// value is ready to use.
//
// The cache is read without locks (see stemTable); only writers, for a word
// not yet cached, take the mutex. Every document looks up hundreds of
// words, so a lock-free read path keeps the goroutines that share one
// Stemmer from contending on a lock's cache line.
type Stemmer struct {
	mu    sync.Mutex // serializes writers
	table atomic.Pointer[stemTable]
	full  atomic.Bool // the cache holds maxCachedStems words
}

// maxCachedStems bounds the stem cache; past it, words are stemmed each time.
const maxCachedStems = 1 << 17

// minStemSlots is the size of a new cache table; it doubles as it fills, up
// to 2*maxCachedStems slots, so a Stemmer used for a handful of words stays
// small.
const minStemSlots = 1 << 7

// maxStemLen: longer "words" (URLs run together, junk) are left unstemmed;
// no English word needs it, and the stemmer is slow on very long input.
const maxStemLen = 40

// stemTable is a linear-probing hash table kept at most half full, so every
// probe sequence ends at an empty slot.
//
// A slot is written once and then only read. The writer fills its word and
// stem and then stores its tag; a reader loads the tag first and reads the
// rest only if it is set, so the atomic tag orders the plain fields (the Go
// memory model's synchronizes-before) and readers need no lock. A reader
// holding an old table after a resize sees a correct, if smaller, cache.
//
// The cache is much larger than the CPU's, so its cost is memory reads: a
// slot holds its word and stem header inline in one 64-byte cache line, and
// the tag (32 bits of the hash) settles most mismatches, so a lookup
// usually costs one cache miss.
type stemTable struct {
	seed  maphash.Seed
	slots []stemSlot
	n     int // filled slots; guarded by Stemmer.mu
}

// stemSlot is one cached word and its stem, copied from the caller's
// strings so that the cache never pins a document's text.
type stemSlot struct {
	tag  atomic.Uint32 // 0 while empty
	n    uint8         // len of the word
	word [maxStemLen]byte
	stem string
}

// slotTag returns the tag stored for hash h: its high 32 bits, never 0.
func slotTag(h uint64) uint32 { return uint32(h>>32) | 1 }

// Stem returns the stem of w, which must be Normalize'd (lower case).
func (s *Stemmer) Stem(w string) string {
	if len(w) <= 3 || len(w) > maxStemLen || !isLowerASCIIWord(w) {
		return w
	}
	return s.stemLower(w)
}

// stemLower is Stem for a w known to hold only the letters a-z.
func (s *Stemmer) stemLower(w string) string {
	if len(w) <= 3 || len(w) > maxStemLen {
		return w
	}
	if t := s.table.Load(); t != nil {
		if st, ok := t.lookup(maphash.String(t.seed, w), w); ok {
			return st
		}
	}
	st := english.Stem(w, true)
	if !s.full.Load() {
		s.insert(w, st)
	}
	return st
}

// lookup returns the cached stem of w, whose hash is h.
func (t *stemTable) lookup(h uint64, w string) (string, bool) {
	mask := uint64(len(t.slots) - 1)
	tag := slotTag(h)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		switch sl.tag.Load() {
		case 0:
			return "", false
		case tag:
			if string(sl.word[:sl.n]) == w {
				return sl.stem, true
			}
		}
	}
}

// insert adds w and its stem st to the cache unless it is there already or
// the cache is full.
func (s *Stemmer) insert(w, st string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.table.Load()
	if t == nil {
		t = &stemTable{seed: maphash.MakeSeed(), slots: make([]stemSlot, minStemSlots)}
		s.table.Store(t)
	}
	h := maphash.String(t.seed, w)
	if _, ok := t.lookup(h, w); ok {
		return // another goroutine cached it meanwhile
	}
	if t.n >= maxCachedStems {
		s.full.Store(true)
		return
	}
	if 2*(t.n+1) > len(t.slots) {
		t = t.grow()
		s.table.Store(t)
	}
	t.put(h, w, strings.Clone(st))
}

// put fills the first free slot of the probe sequence of w, of hash h. The
// caller holds Stemmer.mu and has checked that w is absent and a slot is
// free.
func (t *stemTable) put(h uint64, w, st string) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].tag.Load() != 0 {
		i = (i + 1) & mask
	}
	sl := &t.slots[i]
	sl.n = uint8(copy(sl.word[:], w))
	sl.stem = st
	sl.tag.Store(slotTag(h)) // publishes the slot: last
	t.n++
}

// grow returns a copy of t with twice the slots. Readers keep using t until
// the new table is published.
func (t *stemTable) grow() *stemTable {
	nt := &stemTable{seed: t.seed, slots: make([]stemSlot, 2*len(t.slots))}
	for i := range t.slots {
		if sl := &t.slots[i]; sl.tag.Load() != 0 {
			w := sl.word[:sl.n]
			nt.put(maphash.Bytes(t.seed, w), string(w), sl.stem)
		}
	}
	return nt
}

func isLowerASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
