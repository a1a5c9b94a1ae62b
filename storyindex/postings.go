package storyindex

import (
	"fmt"
	"math"
	"math/bits"

	retold "github.com/retold/retold"
)

// postings is the inverted index over the keys documents are filed
// under, held in memory: for each key, the Seqs of the documents filed
// under it (at most MaxPostings, the earliest), in Seq order. The store
// keeps each document's keys in one row (ReadTx.Keys), appended in Seq
// order, and the index is rebuilt from those rows when a process opens
// the store: the on-disk write per document is one sequential row, not
// one B-tree insert per key at a random place (which is what bounded
// `retold add` at about 120 documents a second).
//
// Layout, for memory: most keys (band keys of texts without a near copy,
// the facts of one document) are held by one document, so a key's slot
// holds its only Seq inline; a key with more gets a list in an arena of
// power-of-two capacity classes (2 to MaxPostings), moved to the next
// class when full. Slots are 16 bytes in open-addressing tables, one per
// partition of the key's top bits, each grown on its own so that growth
// never doubles the whole index at once.
type postings struct {
	parts [1 << partBits]postingPart
	lists [numClasses]arena
	keys  int // distinct keys
	n     int // postings
}

const (
	partBits   = 8
	numClasses = 6 // capacities 2, 4, ..., 64 = MaxPostings
	countBits  = 8
	countMask  = 1<<countBits - 1
	// zeroKey stands for key 0, which marks an empty slot. Keys are
	// uniform 64-bit hashes, so the two merge with probability 2^-64.
	zeroKey = 0x9e3779b97f4a7c15
)

// A slot's v holds the key's posting count in its low countBits bits and
// above them its one Seq (count 1) or its list's offset in the arena of
// its count's class.
type postingSlot struct{ key, v uint64 }

type postingPart struct {
	slots []postingSlot // len a power of two, or nil
	used  int
}

// arena holds the lists of one capacity class back to back.
type arena struct {
	data []uint32
	free []uint32 // offsets of released lists
}

// class is the capacity class holding a list of n >= 2 postings.
func class(n int) int { return bits.Len(uint(n-1)) - 1 }

func (a *arena) alloc(capacity int) uint32 {
	if k := len(a.free); k > 0 {
		off := a.free[k-1]
		a.free = a.free[:k-1]
		return off
	}
	off := uint32(len(a.data))
	a.data = append(a.data, make([]uint32, capacity)...)
	return off
}

// find returns the slot of key, or the empty slot where it would go.
func (p *postingPart) find(key uint64) *postingSlot {
	mask := uint64(len(p.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &p.slots[i]
		if s.key == key || s.key == 0 {
			return s
		}
	}
}

func (p *postingPart) grow() {
	old := p.slots
	p.slots = make([]postingSlot, max(1024, 2*len(old)))
	for _, s := range old {
		if s.key != 0 {
			*p.find(s.key) = s
		}
	}
}

func normKey(k uint64) uint64 {
	if k == 0 {
		return zeroKey
	}
	return k
}

func (x *postings) part(key uint64) *postingPart { return &x.parts[key>>(64-partBits)] }

// add files seq under keys. Seqs must come in increasing order; a key
// that already has MaxPostings documents is left as it is.
func (x *postings) add(seq int64, keys []uint64) error {
	if seq <= 0 || seq > math.MaxUint32 {
		return fmt.Errorf("index: document number %d is outside the in-memory index's range", seq)
	}
	for _, k := range keys {
		k = normKey(k)
		p := x.part(k)
		if 4*(p.used+1) > 3*len(p.slots) {
			p.grow()
		}
		s := p.find(k)
		if s.key == 0 {
			*s = postingSlot{key: k, v: uint64(seq)<<countBits | 1}
			p.used++
			x.keys++
			x.n++
			continue
		}
		n := int(s.v & countMask)
		if n >= retold.MaxPostings {
			continue
		}
		var off uint32
		switch {
		case n == 1:
			off = x.lists[0].alloc(2)
			x.lists[0].data[off] = uint32(s.v >> countBits)
		case n == 2<<class(n):
			// Full: move to the next class.
			from, to := &x.lists[class(n)], &x.lists[class(n)+1]
			old := uint32(s.v >> countBits)
			off = to.alloc(2 * n)
			copy(to.data[off:], from.data[old:int(old)+n])
			from.free = append(from.free, old)
		default:
			off = uint32(s.v >> countBits)
		}
		x.lists[class(n+1)].data[int(off)+n] = uint32(seq)
		s.v = uint64(off)<<countBits | uint64(n+1)
		x.n++
	}
	return nil
}

// count is how many documents are filed under key.
func (x *postings) count(key uint64) int {
	key = normKey(key)
	p := x.part(key)
	if p.slots == nil {
		return 0
	}
	s := p.find(key)
	if s.key == 0 {
		return 0
	}
	return int(s.v & countMask)
}

// appendSeqs appends the first limit documents filed under key to dst.
func (x *postings) appendSeqs(dst []int64, key uint64, limit int) []int64 {
	key = normKey(key)
	p := x.part(key)
	if p.slots == nil {
		return dst
	}
	s := p.find(key)
	n := int(s.v & countMask)
	switch {
	case s.key == 0 || n == 0:
		return dst
	case n == 1:
		return append(dst, int64(s.v>>countBits))
	}
	off := int(s.v >> countBits)
	for _, seq := range x.lists[class(n)].data[off : off+min(n, limit)] {
		dst = append(dst, int64(seq))
	}
	return dst
}

// bytes is the memory the index holds.
func (x *postings) bytes() int64 {
	var b int64
	for i := range x.parts {
		b += 16 * int64(len(x.parts[i].slots))
	}
	for i := range x.lists {
		b += 4 * int64(cap(x.lists[i].data)+cap(x.lists[i].free))
	}
	return b
}
