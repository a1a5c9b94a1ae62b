package storyindex

import (
	"math/rand/v2"
	"slices"
	"testing"

	retold "github.com/retold/retold"
)

// TestPostingsMatchAMap files random documents under keys drawn so that
// some keys are held by one document, some by a few and some by more than
// MaxPostings, and checks every count and list against a plain map.
func TestPostingsMatchAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x postings
	want := map[uint64][]int64{}
	common := []uint64{0, 7, 1 << 63, 1<<64 - 1} // 0 is a key like any other
	for seq := int64(1); seq <= 3000; seq++ {
		var keys []uint64
		for range 20 {
			keys = append(keys, rng.Uint64()) // held by this document alone
		}
		keys = append(keys, uint64(rng.IntN(500))<<40) // shared by a few
		keys = append(keys, common[rng.IntN(len(common))])
		keys = slices.Compact(slices.Sorted(slices.Values(keys)))
		if err := x.add(seq, keys); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if len(want[k]) < retold.MaxPostings {
				want[k] = append(want[k], seq)
			}
		}
	}
	if x.keys != len(want) {
		t.Errorf("%d keys, want %d", x.keys, len(want))
	}
	n := 0
	for k, seqs := range want {
		n += len(seqs)
		if c := x.count(k); c != len(seqs) {
			t.Fatalf("count(%#x) = %d, want %d", k, c, len(seqs))
		}
		if got := x.appendSeqs(nil, k, retold.MaxPostings); !slices.Equal(got, seqs) {
			t.Fatalf("appendSeqs(%#x) = %v, want %v", k, got, seqs)
		}
		if got := x.appendSeqs([]int64{-1}, k, 3); !slices.Equal(got[1:], seqs[:min(3, len(seqs))]) || got[0] != -1 {
			t.Fatalf("appendSeqs(%#x, limit 3) = %v, want -1 then %v", k, got, seqs[:min(3, len(seqs))])
		}
	}
	if x.n != n {
		t.Errorf("%d postings, want %d", x.n, n)
	}
	for _, k := range common {
		if x.count(k) != retold.MaxPostings {
			t.Errorf("common key %#x: count %d, want the cap %d", k, x.count(k), retold.MaxPostings)
		}
	}
	for range 1000 {
		if k := rng.Uint64(); want[k] == nil && (x.count(k) != 0 || len(x.appendSeqs(nil, k, 10)) != 0) {
			t.Fatalf("absent key %#x found", k)
		}
	}
	if x.bytes() <= 0 {
		t.Error("bytes not counted")
	}
}

// TestPostingsListGrowth walks one key through every capacity class and
// checks the freed lists are reused, not leaked.
func TestPostingsListGrowth(t *testing.T) {
	var x postings
	for round := range 2 {
		key := uint64(round + 1)
		for seq := int64(1); seq <= retold.MaxPostings+5; seq++ {
			if err := x.add(int64(round)*1000+seq, []uint64{key}); err != nil {
				t.Fatal(err)
			}
			if c, w := x.count(key), min(int(seq), retold.MaxPostings); c != w {
				t.Fatalf("round %d after %d: count %d, want %d", round, seq, c, w)
			}
		}
	}
	// Each class below the top one holds one released list, reused by
	// the second key on its way up.
	for c := range numClasses - 1 {
		if got, want := len(x.lists[c].data), 2<<c; got != want {
			t.Errorf("class %d holds %d slots, want %d (one list, reused)", c, got, want)
		}
	}
	if err := x.add(1<<32, []uint64{9}); err == nil {
		t.Error("a document number past 2^32-1 was accepted")
	}
}
