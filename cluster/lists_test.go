package cluster

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// lists must hold what a map of slices holds, through adds and drops.
func TestListsMatchAMapOfSlices(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	l := newLists[uint32]()
	ref := make(map[uint32][]int32)
	var buf []int32
	for step := range 20000 {
		k := uint32(rng.IntN(300))
		if rng.IntN(20) == 0 {
			l.drop(k)
			delete(ref, k)
		} else {
			l.add(k, int32(step))
			ref[k] = append(ref[k], int32(step))
		}
		probe := uint32(rng.IntN(320)) // some keys are never added
		if got := l.get(probe, buf); !slices.Equal(got, ref[probe]) {
			t.Fatalf("step %d: get(%d) = %v, want %v", step, probe, got, ref[probe])
		}
	}
	for k, want := range ref {
		if got := l.get(k, buf); !slices.Equal(got, want) {
			t.Fatalf("get(%d) = %v, want %v", k, got, want)
		}
	}
}
