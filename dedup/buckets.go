package dedup

import "math/bits"

// The band buckets
//
// LSH puts a document under one key per band; two documents that share a
// key are candidates. The index is what dedup holds in memory per
// document, so it is built to be small: one open-addressing table per
// band and partition, each slot one uint64 holding a 32-bit fingerprint of
// the key and the document number. A key's top 8 bits choose one of 256
// partitions, the next 32 are the fingerprint, so a lookup compares 40
// bits of the key: at 10 million documents a foreign key matches by chance
// once in about 100,000 lookups, and a chance match costs only a rejected
// verification, never a wrong drop.
//
// Tables use linear probing and grow by half when 85% full, so they stay
// between 57% and 85% full (about 11.4 bytes per entry on average); with
// 256 partitions growing one at a time, the whole index sits near the
// middle of that range rather than doubling in one step. Linear probing
// at that fill costs a few more probes per miss, but the probes are
// adjacent words of one or two cache lines. A key may hold several documents (a multimap): equal
// fingerprints are all returned by one probe run. Callers keep runs short
// by not inserting keys a document only shares with its own duplicates.

const (
	partBits  = 8
	partCount = 1 << partBits
	// A table grows by half when more than maxLoadNum/maxLoadDen full.
	maxLoadNum, maxLoadDen = 17, 20
	// minTable is the size of a table at its first insert.
	minTable = 16
)

// bandBuckets maps band keys to document numbers.
type bandBuckets struct {
	parts []table // bands*partCount, band-major
	size  int64   // bytes held by parts
	// runs[band] are the band's entries spilled to disk (spill.go), in
	// dir; spills counts the spills.
	runs   [][]*run
	dir    string
	spills int
}

type table struct {
	slots []uint64 // fingerprint<<32 | (doc+1); 0 is empty
	n     int
}

func newBandBuckets(bands int, dir string) *bandBuckets {
	return &bandBuckets{parts: make([]table, bands*partCount), size: int64(bands*partCount) * 24, dir: dir}
}

// split returns the partition within its band and the fingerprint of key.
func split(key uint64) (part int, fp uint32) {
	return int(key >> (64 - partBits)), uint32(key >> (64 - partBits - 32))
}

// home is the first slot a fingerprint probes in a table of size size.
func home(fp uint32, size int) int {
	hi, _ := bits.Mul64(uint64(fp)*wordMul, uint64(size))
	return int(hi)
}

// lookup appends to dst the documents filed under key in band and returns
// it. It fails only when a spilled run cannot be read.
func (x *bandBuckets) lookup(band int, key uint64, dst []uint32) ([]uint32, error) {
	p, fp := split(key)
	dst = x.parts[band*partCount+p].lookup(fp, dst)
	if x.runs == nil {
		return dst, nil
	}
	var err error
	for _, r := range x.runs[band] {
		if dst, err = r.lookup(uint64(p)<<32|uint64(fp), dst); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func (t *table) lookup(fp uint32, dst []uint32) []uint32 {
	if t.n == 0 {
		return dst
	}
	size := len(t.slots)
	for i := home(fp, size); ; {
		s := t.slots[i]
		if s == 0 {
			return dst
		}
		if uint32(s>>32) == fp {
			dst = append(dst, uint32(s)-1)
		}
		if i++; i == size {
			i = 0
		}
	}
}

// insert files doc under key in band.
func (x *bandBuckets) insert(band int, key uint64, doc uint32) {
	p, fp := split(key)
	t := &x.parts[band*partCount+p]
	if (t.n+1)*maxLoadDen > len(t.slots)*maxLoadNum {
		old := len(t.slots)
		t.grow()
		x.size += int64(len(t.slots)-old) * 8
	}
	t.put(uint64(fp)<<32 | uint64(doc+1))
	t.n++
}

func (t *table) put(s uint64) {
	size := len(t.slots)
	for i := home(uint32(s>>32), size); ; {
		if t.slots[i] == 0 {
			t.slots[i] = s
			return
		}
		if i++; i == size {
			i = 0
		}
	}
}

func (t *table) grow() {
	old := t.slots
	t.slots = make([]uint64, max(minTable, len(old)+len(old)/2))
	for _, s := range old {
		if s != 0 {
			t.put(s)
		}
	}
}

// memBytes is the memory the in-memory tables hold, checked against the
// budget after every insert.
func (x *bandBuckets) memBytes() int64 { return x.size }

// bytes is all the memory the buckets hold: the tables and, for spilled
// runs, their filters and sparse indexes.
func (x *bandBuckets) bytes() int64 {
	n := x.size
	for _, rs := range x.runs {
		for _, r := range rs {
			n += r.memBytes()
		}
	}
	return n
}

// entries is the number of keys filed, in memory and spilled.
func (x *bandBuckets) entries() int64 {
	var n int64
	for i := range x.parts {
		n += int64(x.parts[i].n)
	}
	for _, rs := range x.runs {
		for _, r := range rs {
			n += int64(r.n)
		}
	}
	return n
}
