package dedup

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/retold/retold/sketch"
)

// Spilling the band buckets
//
// When the in-memory tables pass the memory budget, every band's entries
// are sorted by key and written to a run file in the temporary directory,
// and the tables start empty again. A lookup then asks the tables and each
// run. A run answers from disk, but rarely reads it: each run keeps in
// memory a Bloom filter of its keys (10 bits a key, 3 probes: about 1.7%
// false positives), so a key that is not in the run, which is nearly every
// key of a new document, costs three memory probes; a key that may be in
// it costs one binary search of a sparse index (one key per runBlock
// entries, in memory) and one read of runBlock entries. Runs of a band are
// merged into one when there are more than maxRuns, so a lookup reads at
// most maxRuns+1 places.
//
// The entries a lookup returns are the same with or without spilling, and
// decisions sort them, so the output does not depend on the budget.

const (
	runEntry  = 12 // bytes on disk: key (8) and document (4)
	runBlock  = 256
	maxRuns   = 4
	bloomBits = 10
)

type runEntryT struct {
	key uint64 // partition<<32 | fingerprint: the 40 compared bits
	doc uint32
}

type run struct {
	f      *os.File
	n      int
	sparse []uint64 // the key of entry i*runBlock
	bloom  []uint64
	buf    []byte
}

// bloomProbes returns the three bit positions of key in a filter of m
// bits.
func bloomProbes(key uint64, m uint64) (uint64, uint64, uint64) {
	h := sketch.Mix64(key)
	h1, h2 := h, h>>32|h<<32
	return h1 % m, (h1 + h2) % m, (h1 + 2*h2) % m
}

func (r *run) mayHave(key uint64) bool {
	m := uint64(len(r.bloom)) * 64
	a, b, c := bloomProbes(key, m)
	return r.bloom[a/64]&(1<<(a%64)) != 0 && r.bloom[b/64]&(1<<(b%64)) != 0 && r.bloom[c/64]&(1<<(c%64)) != 0
}

// lookup appends the documents of run r filed under key.
func (r *run) lookup(key uint64, dst []uint32) ([]uint32, error) {
	if r.n == 0 || !r.mayHave(key) {
		return dst, nil
	}
	// The first block whose first key is >= key; equal keys may begin in
	// the block before it.
	b := sort.Search(len(r.sparse), func(i int) bool { return r.sparse[i] >= key })
	if b > 0 {
		b--
	}
	for ; b < len(r.sparse); b++ {
		start := b * runBlock
		count := min(runBlock, r.n-start)
		r.buf = slices.Grow(r.buf[:0], count*runEntry)[:count*runEntry]
		if _, err := r.f.ReadAt(r.buf, int64(start)*runEntry); err != nil {
			return dst, fmt.Errorf("dedup: read index run: %w", err)
		}
		for j := range count {
			k := binary.LittleEndian.Uint64(r.buf[j*runEntry:])
			if k > key {
				return dst, nil
			}
			if k == key {
				dst = append(dst, binary.LittleEndian.Uint32(r.buf[j*runEntry+8:]))
			}
		}
	}
	return dst, nil
}

func (r *run) memBytes() int64 { return int64(len(r.sparse)+len(r.bloom))*8 + int64(cap(r.buf)) }

// writeRun writes sorted entries, read from next until it returns false,
// to a new unlinked file in dir, with its sparse index and filter.
func writeRun(dir string, n int, next func() (runEntryT, bool)) (*run, error) {
	f, err := os.CreateTemp(dir, "retold-dedup-*.run")
	if err != nil {
		return nil, fmt.Errorf("dedup: spill index: %w", err)
	}
	os.Remove(f.Name())
	r := &run{f: f, bloom: make([]uint64, (max(n, 1)*bloomBits+63)/64)}
	m := uint64(len(r.bloom)) * 64
	w := bufio.NewWriterSize(f, 1<<20)
	var rec [runEntry]byte
	for e, ok := next(); ok; e, ok = next() {
		if r.n%runBlock == 0 {
			r.sparse = append(r.sparse, e.key)
		}
		binary.LittleEndian.PutUint64(rec[:], e.key)
		binary.LittleEndian.PutUint32(rec[8:], e.doc)
		w.Write(rec[:])
		a, b, c := bloomProbes(e.key, m)
		r.bloom[a/64] |= 1 << (a % 64)
		r.bloom[b/64] |= 1 << (b % 64)
		r.bloom[c/64] |= 1 << (c % 64)
		r.n++
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, fmt.Errorf("dedup: spill index: %w", err)
	}
	return r, nil
}

// runReader reads a run's entries in order.
type runReader struct {
	br  *bufio.Reader
	cur runEntryT
	ok  bool
	err error
}

func newRunReader(r *run) *runReader {
	rr := &runReader{br: bufio.NewReaderSize(io.NewSectionReader(r.f, 0, int64(r.n)*runEntry), 1<<18)}
	rr.advance()
	return rr
}

func (rr *runReader) advance() {
	var rec [runEntry]byte
	if _, err := io.ReadFull(rr.br, rec[:]); err != nil {
		rr.ok = false
		if err != io.EOF {
			rr.err = err
		}
		return
	}
	rr.cur = runEntryT{binary.LittleEndian.Uint64(rec[:]), binary.LittleEndian.Uint32(rec[8:])}
	rr.ok = true
}

// spill writes every band's in-memory entries to a run and empties the
// tables; a band with more than maxRuns runs has them merged into one.
func (x *bandBuckets) spill() error {
	bands := len(x.parts) / partCount
	if x.runs == nil {
		x.runs = make([][]*run, bands)
	}
	var entries []runEntryT
	for band := range bands {
		entries = entries[:0]
		for p := range partCount {
			t := &x.parts[band*partCount+p]
			for _, s := range t.slots {
				if s != 0 {
					entries = append(entries, runEntryT{uint64(p)<<32 | s>>32, uint32(s) - 1})
				}
			}
			*t = table{}
		}
		slices.SortFunc(entries, func(a, b runEntryT) int {
			if a.key != b.key {
				if a.key < b.key {
					return -1
				}
				return 1
			}
			return int(int64(a.doc) - int64(b.doc))
		})
		i := 0
		r, err := writeRun(x.dir, len(entries), func() (runEntryT, bool) {
			if i == len(entries) {
				return runEntryT{}, false
			}
			i++
			return entries[i-1], true
		})
		if err != nil {
			return err
		}
		x.runs[band] = append(x.runs[band], r)
		if len(x.runs[band]) > maxRuns {
			if err := x.merge(band); err != nil {
				return err
			}
		}
	}
	x.size = int64(len(x.parts)) * 24
	x.spills++
	return nil
}

// merge replaces the runs of band by one.
func (x *bandBuckets) merge(band int) error {
	runs := x.runs[band]
	readers := make([]*runReader, len(runs))
	total := 0
	for i, r := range runs {
		readers[i] = newRunReader(r)
		total += r.n
	}
	merged, err := writeRun(x.dir, total, func() (runEntryT, bool) {
		best := -1
		for i, rr := range readers {
			if rr.ok && (best < 0 || rr.cur.key < readers[best].cur.key ||
				rr.cur.key == readers[best].cur.key && rr.cur.doc < readers[best].cur.doc) {
				best = i
			}
		}
		if best < 0 {
			return runEntryT{}, false
		}
		e := readers[best].cur
		readers[best].advance()
		return e, true
	})
	if err != nil {
		return err
	}
	for _, rr := range readers {
		if rr.err != nil {
			merged.f.Close()
			return fmt.Errorf("dedup: merge index runs: %w", rr.err)
		}
	}
	for _, r := range runs {
		r.f.Close()
	}
	x.runs[band] = []*run{merged}
	return nil
}

// close releases the run files.
func (x *bandBuckets) close() {
	for _, rs := range x.runs {
		for _, r := range rs {
			r.f.Close()
		}
	}
	x.runs = nil
}
