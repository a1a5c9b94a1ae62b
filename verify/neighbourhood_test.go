package verify

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/sketch"
)

// TestNeighbourhoodDiscountsWhatManyShare compares the invented ferry
// reports with and without their neighbourhood: what the independent
// reports share with the wire (the quote's setting, the toll, the
// operator's statement) is shared by most of the corpus, so it weighs
// less and their reuse shares fall, while the spun copy, which shares
// nearly everything, stays whole reuse.
func TestNeighbourhoodDiscountsWhatManyShare(t *testing.T) {
	c := New(nil)
	prof := make(map[string]*Profile)
	var all []*Profile
	for _, name := range []string{"wire", "indep1", "indep2", "partial", "spun", "writethru"} {
		b, err := os.ReadFile(filepath.Join("testdata", "reuse", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		prof[name] = c.Profile(retold.Document{ID: name, Text: string(b)})
		all = append(all, prof[name])
	}
	nbOf := func(name string) *Neighbourhood { return NewNeighbourhood(prof[name], all) }
	for _, name := range []string{"indep1", "indep2"} {
		alone := c.CompareProfiles(prof["wire"], prof[name]).Reuse
		in := c.CompareProfilesIn(prof["wire"], prof[name], nbOf(name)).Reuse
		if in.ShareA > alone.ShareA || in.ShareB > alone.ShareB || in.ShareA+in.ShareB >= alone.ShareA+alone.ShareB {
			t.Errorf("wire vs %s: shares %.3f/%.3f in the neighbourhood, %.3f/%.3f alone: want lower", name, in.ShareA, in.ShareB, alone.ShareA, alone.ShareB)
		}
		if in.Class != ReuseNone {
			t.Errorf("wire vs %s: reuse %s in the neighbourhood", name, in.Class)
		}
	}
	if r := c.CompareProfilesIn(prof["wire"], prof["spun"], nbOf("spun")); r.Reuse.Class != ReuseWhole || r.Verdict != retold.Version {
		t.Errorf("wire vs spun in the neighbourhood: %s, reuse %+v", r.Verdict, r.Reuse)
	}
	// A nil neighbourhood weighs everything 1: the pairwise result.
	if a, b := c.CompareProfilesIn(prof["wire"], prof["partial"], nil).Reuse, c.CompareProfiles(prof["wire"], prof["partial"]).Reuse; a != b {
		t.Errorf("nil neighbourhood %+v, pairwise %+v", a, b)
	}
}

// TestNeighbourhoodCountsAndWeights holds the merged count and the weight
// table to their definitions on random sets: a key's holders are 1 plus
// the neighbours whose 3-grams or stems (counted once if in both) hold
// it, and its weight sqrt(2/holders) from three holders on, else 1, as
// for any key the document lacks.
func TestNeighbourhoodCountsAndWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	set := func(n int) []uint64 {
		s := make([]uint64, n)
		for i := range s {
			s[i] = rng.Uint64N(64) // a small range, so sets overlap
		}
		return sketch.Set(s)
	}
	for round := range 200 {
		keys := set(rng.IntN(40))
		n := &Neighbourhood{keys: keys, holders: make([]int32, len(keys))}
		for i := range n.holders {
			n.holders[i] = 1
		}
		want := slices.Clone(n.holders)
		for range rng.IntN(6) {
			a, b := set(rng.IntN(30)), set(rng.IntN(30))
			n.count(a, b)
			for i, k := range keys {
				if slices.Contains(a, k) || slices.Contains(b, k) {
					want[i]++
				}
			}
		}
		if !slices.Equal(n.holders, want) {
			t.Fatalf("round %d: holders %v, want %v", round, n.holders, want)
		}
		n.index()
		for k := range uint64(70) {
			w := 1.0
			if i, ok := slices.BinarySearch(keys, k); ok && want[i] > 2 {
				w = math.Sqrt(2 / float64(want[i]))
			}
			if got := n.weight(k); got != w {
				t.Fatalf("round %d: weight(%d) = %v, want %v", round, k, got, w)
			}
		}
	}
}
