package dedup

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/retold/retold/sketch"
)

// TestSet24 holds the hash-table set to the sorted sets it replaced: the
// same members, first appearances kept in order, and the same Jaccard
// value bit for bit, on random lists with repeats and on the extreme
// values 0 and 2^24-1.
func TestSet24(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s, q set24
	for round := range 500 {
		span := uint32(1 + rng.IntN(1<<rng.IntN(25)))
		list := func() []uint32 {
			v := make([]uint32, rng.IntN(300))
			for i := range v {
				switch rng.IntN(20) {
				case 0:
					v[i] = 0
				case 1:
					v[i] = 1<<24 - 1
				default:
					v[i] = rng.Uint32N(span)
				}
			}
			return v
		}
		a, b := list(), list()
		var firstSeen []uint32
		for _, v := range a {
			if !slices.Contains(firstSeen, v) {
				firstSeen = append(firstSeen, v)
			}
		}
		da := s.distinct(slices.Clone(a))
		if !slices.Equal(da, firstSeen) {
			t.Fatalf("round %d: distinct %v, want %v", round, da, firstSeen)
		}
		db := s.distinct(slices.Clone(b))
		q.reset(len(da))
		for _, v := range da {
			q.add(v)
		}
		want := sketch.Jaccard(sorted(da), sorted(db))
		if got := q.jaccard(db); got != want {
			t.Fatalf("round %d: jaccard %v, want %v", round, got, want)
		}
	}
}

func sorted(v []uint32) []uint32 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v
}
