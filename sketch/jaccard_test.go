package sketch

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestJaccard(t *testing.T) {
	tests := []struct {
		name string
		a, b []uint64
		want float64
	}{
		{"both empty", nil, nil, 0},
		{"one empty", []uint64{1}, nil, 0},
		{"equal", []uint64{1, 2, 3}, []uint64{1, 2, 3}, 1},
		{"disjoint", []uint64{1, 2}, []uint64{3, 4}, 0},
		{"half", []uint64{1, 2, 3}, []uint64{2, 3, 4}, 0.5},
		{"repeats removed by Set", Set([]uint64{3, 1, 1, 2}), Set([]uint64{2, 2, 1}), 2.0 / 3},
	}
	for _, tt := range tests {
		if got := Jaccard(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Jaccard = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSortUint64(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, radixMin - 1, radixMin, 1000, 5000} {
		for _, mask := range []uint64{^uint64(0), 0xff, 0xff00ff0000000000, 0} {
			hs := make([]uint64, n)
			for i := range hs {
				hs[i] = r.Uint64() & mask
			}
			want := slices.Clone(hs)
			slices.Sort(want)
			sortUint64(hs)
			if !slices.Equal(hs, want) {
				t.Fatalf("n=%d mask=%x: not sorted", n, mask)
			}
		}
	}
}

func BenchmarkSet(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	src := make([]uint64, 4000)
	for i := range src {
		src[i] = r.Uint64()
	}
	hs := make([]uint64, len(src))
	for b.Loop() {
		copy(hs, src)
		Set(hs)
	}
}

// BenchmarkSet24 sorts and compacts the 24-bit members of a 1,500-shingle
// set, as dedup does for each record.
func BenchmarkSet24(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	src := make([]uint32, 1500)
	for i := range src {
		src[i] = r.Uint32() >> 8
	}
	v := make([]uint32, len(src))
	var scratch []uint32
	for b.Loop() {
		copy(v, src)
		_, scratch = Set24(v, scratch)
	}
}

func TestSortWithValues(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	// The masks crowd keys into few buckets of bucketSort (0xfc00...ffff:
	// 64 buckets of distinct keys; 0xf: one bucket) or leave them spread;
	// 70,000 takes the LSD passes.
	for _, n := range []int{0, 1, 7, radixMin - 1, radixMin, 3000, msdMax + 4464} {
		for _, mask := range []uint64{^uint64(0), 0xf, 0, 0xfc0000000000ffff, 0xffff000000000000} {
			keys := make([]uint64, n)
			vals := make([]int32, n)
			type kv struct {
				k uint64
				v int32
			}
			ref := make([]kv, n)
			for i := range keys {
				keys[i] = r.Uint64() & mask
				vals[i] = int32(i)
				ref[i] = kv{keys[i], vals[i]}
			}
			slices.SortStableFunc(ref, func(x, y kv) int { return cmp.Compare(x.k, y.k) })
			SortWithValues(keys, vals)
			for i := range ref {
				if keys[i] != ref[i].k || vals[i] != ref[i].v {
					t.Fatalf("n=%d mask=%x: position %d is (%x, %d), want (%x, %d)", n, mask, i, keys[i], vals[i], ref[i].k, ref[i].v)
				}
			}
		}
	}
}

func TestSet32AndSet24MatchSortAndCompact(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var scratch []uint32
	for _, n := range []int{0, 1, 5, radixMin - 1, radixMin, 1000, 5000} {
		for _, mod := range []uint32{7, 1 << 12, 1 << 31, 1<<31 + 12345} {
			v := make([]uint32, n)
			for i := range v {
				v[i] = r.Uint32() % mod
				if mod == 1<<31 && i%3 == 0 {
					v[i] |= 0xff000000 // high bytes vary too
				}
			}
			want := slices.Compact(slices.Sorted(slices.Values(slices.Clone(v))))
			v32 := slices.Clone(v)
			v24 := slices.Clone(v)
			for i := range v24 {
				v24[i] >>= 8
			}
			want24 := slices.Compact(slices.Sorted(slices.Values(slices.Clone(v24))))
			var got []uint32
			got, scratch = Set32(v, scratch)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d mod=%d: Set32 differs from sort+compact", n, mod)
			}
			got, scratch = Set24(v24, scratch)
			if !slices.Equal(got, want24) {
				t.Fatalf("n=%d mod=%d: Set24 differs from sort+compact", n, mod)
			}
			// Values past 2^24 break Set24's contract but still come back
			// a sorted set.
			got, scratch = Set24(v32, scratch)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d mod=%d: Set24 of 32-bit values differs from sort+compact", n, mod)
			}
		}
	}
}
