package dedup

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/retold/retold/sketch"
)

func TestBandIndexFindsEveryEntryThroughGrowth(t *testing.T) {
	x := newBandBuckets(3, t.TempDir())
	r := rand.New(rand.NewPCG(5, 6))
	type entry struct {
		band int
		key  uint64
	}
	var entries []entry
	for doc := range uint32(50_000) {
		e := entry{r.IntN(3), r.Uint64()}
		if doc%10 == 0 && len(entries) > 0 {
			e = entries[r.IntN(len(entries))] // a shared key: multimap
		}
		entries = append(entries, e)
		x.insert(e.band, e.key, doc)
	}
	if x.entries() != int64(len(entries)) {
		t.Fatalf("entries %d, want %d", x.entries(), len(entries))
	}
	for doc, e := range entries {
		got, _ := x.lookup(e.band, e.key, nil)
		if !slices.Contains(got, uint32(doc)) {
			t.Fatalf("doc %d not found under its key (got %v)", doc, got)
		}
		// Every document returned shares the key, or collides on all 40
		// compared bits (practically never at this size).
		for _, g := range got {
			if entries[g] != e && entries[g].band == e.band {
				p1, f1 := split(entries[g].key)
				p2, f2 := split(e.key)
				if p1 != p2 || f1 != f2 {
					t.Fatalf("lookup returned doc %d with another key", g)
				}
			}
		}
	}
	// Keys never inserted find nothing (up to chance 40-bit collisions).
	misses := 0
	for range 10_000 {
		if got, _ := x.lookup(r.IntN(3), r.Uint64(), nil); len(got) > 0 {
			misses++
		}
	}
	if misses > 2 {
		t.Errorf("%d of 10000 random keys matched", misses)
	}
	// Fill stays between the growth bounds, so bytes per entry is bounded.
	perEntry := float64(x.bytes()) / float64(x.entries())
	if perEntry > 8/0.5 {
		t.Errorf("%.1f bytes per entry: tables too empty", perEntry)
	}
}

func TestShingleStoreRoundTripsInMemoryAndSpilled(t *testing.T) {
	s := newShingleLog(t.TempDir())
	defer s.Close()
	r := rand.New(rand.NewPCG(7, 8))
	var want []record
	var enc []byte
	for i := range 6000 {
		rec := record{hash: r.Uint64(), group: uint32(r.IntN(i + 1)), flags: byte(i % 2), id: []byte(fmt.Sprintf("doc-%d", i))}
		for range r.IntN(3000) {
			rec.shingle = append(rec.shingle, r.Uint32()>>8)
		}
		if i == 17 {
			rec.shingle = append(rec.shingle, 0, 1<<24-1) // the extremes
		}
		rec.shingle = toSet(rec.shingle)
		enc = encodeSet(enc[:0], rec.shingle)
		if n := s.append(rec.hash, rec.group, rec.flags, rec.id, len(rec.shingle), enc); int(n) != i {
			t.Fatalf("record %d numbered %d", i, n)
		}
		want = append(want, rec)
		if i%1000 == 999 {
			if err := s.spill(slabSize); err != nil { // keep about one slab
				t.Fatal(err)
			}
		}
	}
	if s.onDisk == 0 || s.onDisk == len(s.slabs) {
		t.Fatalf("%d of %d slabs on disk: test both kinds", s.onDisk, len(s.slabs))
	}
	var got record
	for i, w := range want {
		if err := s.get(uint32(i), &got, true); err != nil {
			t.Fatal(err)
		}
		if got.hash != w.hash || got.group != w.group || got.flags != w.flags || string(got.id) != string(w.id) {
			t.Fatalf("record %d: header %d %d %d %q, want %d %d %d %q", i, got.hash, got.group, got.flags, got.id, w.hash, w.group, w.flags, w.id)
		}
		if !slices.Equal(got.shingle, w.shingle) {
			t.Fatalf("record %d: shingles differ", i)
		}
		if err := s.get(uint32(i), &got, false); err != nil || len(got.shingle) != 0 || string(got.id) != string(w.id) {
			t.Fatalf("record %d without shingles: %v %q %d", i, err, got.id, len(got.shingle))
		}
	}
}

func TestJaccardOfSortedSets(t *testing.T) {
	tests := []struct {
		a, b []uint32
		want float64
	}{
		{nil, nil, 0},
		{[]uint32{1}, nil, 0},
		{[]uint32{1, 2, 3}, []uint32{1, 2, 3}, 1},
		{[]uint32{1, 2, 3, 4}, []uint32{3, 4, 5, 6}, 2.0 / 6},
	}
	for _, tc := range tests {
		if got := sketch.Jaccard(tc.a, tc.b); got != tc.want {
			t.Errorf("sketch.Jaccard(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestBandRowsKeepRecallAtThreshold(t *testing.T) {
	for _, th := range []float64{0.5, 0.7, 0.8, 0.9, 0.95} {
		b, r := bandRows(th)
		p := 1 - pow(1-pow(th, r), b)
		if p < 0.995 {
			t.Errorf("threshold %v: %d bands x %d rows find a pair at the threshold with p=%.4f", th, b, r, p)
		}
	}
	if b, r := bandRows(0.8); b != 8 || r != 3 {
		t.Errorf("bandRows(0.8) = %d x %d, want 8 x 3 (documented)", b, r)
	}
}

func pow(x float64, n int) float64 {
	p := 1.0
	for range n {
		p *= x
	}
	return p
}

func TestSpilledIndexAnswersLikeTheInMemoryOne(t *testing.T) {
	mem := newBandBuckets(2, t.TempDir())
	disk := newBandBuckets(2, t.TempDir())
	defer disk.close()
	r := rand.New(rand.NewPCG(9, 10))
	var keys []uint64
	for doc := range uint32(20_000) {
		k := r.Uint64()
		if doc%7 == 0 && len(keys) > 0 {
			k = keys[r.IntN(len(keys))]
		}
		keys = append(keys, k)
		band := int(doc % 2)
		mem.insert(band, k, doc)
		disk.insert(band, k, doc)
		if doc%1500 == 1499 {
			if err := disk.spill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if disk.spills < maxRuns+2 {
		t.Fatalf("only %d spills: merging untested", disk.spills)
	}
	if disk.entries() != mem.entries() {
		t.Fatalf("entries %d spilled, %d in memory", disk.entries(), mem.entries())
	}
	probe := append(slices.Clone(keys[:5000]), make([]uint64, 2000)...)
	for i := 5000; i < len(probe); i++ {
		probe[i] = r.Uint64() // absent keys
	}
	for _, k := range probe {
		for band := range 2 {
			a, _ := mem.lookup(band, k, nil)
			b, err := disk.lookup(band, k, nil)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Fatalf("key %x band %d: in memory %v, spilled %v", k, band, a, b)
			}
		}
	}
	if disk.memBytes() >= mem.memBytes() {
		t.Errorf("spilled index holds %d bytes in tables, no less than the in-memory %d", disk.memBytes(), mem.memBytes())
	}
}
