package dedup

import "math/bits"

// set24 is a small open-addressing set of 24-bit shingle values, sized to
// one document (at least twice its values, so a probe sequence is short)
// and reused from document to document. It replaces sorting in two places:
// a document's values are made distinct by it (in order of first
// appearance: the log stores a set, and a set has no order), and the
// Jaccard similarity of the document being decided with each of its
// candidates is counted by probing it with the candidate's values. A
// table of a thousand-word document takes 8-16 KB and stays in the
// core's first caches, where a sort of the same values moved each of them
// two or three times.
type set24 struct {
	slots []uint32 // value+1; 0 is an empty slot
	shift uint     // 32 - log2(len(slots))
	n     int      // values held
}

// reset empties s and sizes it for up to n values.
func (s *set24) reset(n int) {
	b := max(4, bits.Len(uint(2*n)))
	if size := 1 << b; cap(s.slots) >= size {
		s.slots = s.slots[:size]
		clear(s.slots)
	} else {
		s.slots = make([]uint32, size)
	}
	s.shift, s.n = uint(32-b), 0
}

// home is v's first slot: a multiplicative hash of the value, whose low
// bits alone would crowd the values of one text into few runs.
func (s *set24) home(v uint32) uint32 { return (v * 0x9E3779B1) >> s.shift }

// add inserts v and reports whether it was new.
func (s *set24) add(v uint32) bool {
	mask := uint32(len(s.slots) - 1)
	for i := s.home(v); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = v + 1
			s.n++
			return true
		case v + 1:
			return false
		}
	}
}

// has reports whether v is in s.
func (s *set24) has(v uint32) bool {
	mask := uint32(len(s.slots) - 1)
	for i := s.home(v); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			return false
		case v + 1:
			return true
		}
	}
}

// distinct drops the repeats of vals in place, keeping each value's first
// appearance, and returns the shortened slice.
func (s *set24) distinct(vals []uint32) []uint32 {
	s.reset(len(vals))
	out := vals[:0]
	for _, v := range vals {
		if s.add(v) {
			out = append(out, v)
		}
	}
	return out
}

// jaccard is |a ∩ b| / |a ∪ b| of the set s holds (a) and the distinct
// values b, as sketch.Jaccard computes it for the same sets sorted; 0
// when both are empty.
func (s *set24) jaccard(b []uint32) float64 {
	inter := 0
	for _, v := range b {
		if s.has(v) {
			inter++
		}
	}
	if u := s.n + len(b) - inter; u > 0 {
		return float64(inter) / float64(u)
	}
	return 0
}
