package sketch

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// onePermReference is the plain form of OnePerm.Signature: the same bins,
// minima, probe sequences and rotation fallback, with the non-empty bins
// in a slice of their own instead of read off the values, densified
// left to right into a copy.
func onePermReference(o *OnePerm, shingles []uint64) []uint64 {
	k := o.K()
	own := make([]uint64, k)
	full := make([]bool, k)
	for _, h := range shingles {
		x := Mix64(h ^ o.mixSeed)
		if x == emptySlot {
			x = emptySlot - 1
		}
		hi, _ := bits.Mul64(x, uint64(k))
		if bin := int(hi); !full[bin] || x < own[bin] {
			own[bin], full[bin] = x, true
		}
	}
	sig := make([]uint64, k)
	if !slices.Contains(full, true) {
		for i := range sig {
			sig[i] = emptySlot
		}
		return sig
	}
	for i := range sig {
		if full[i] {
			sig[i] = own[i]
			continue
		}
		from := -1
		for t := 0; t < maxProbes && from < 0; t++ {
			if j := o.probe(i, t); full[j] {
				from = j
			}
		}
		for j := (i + 1) % k; from < 0; j = (j + 1) % k {
			if full[j] {
				from = j
			}
		}
		sig[i] = own[from]
	}
	return sig
}

// setPair returns sets of na and nb members sharing inter of them, either
// random 64-bit values like shingle hashes or, if structured, runs of
// consecutive integers, which only a good mixing step makes look random.
func setPair(r *rand.Rand, na, nb, inter int, structured bool) (a, b []uint64) {
	a, b = make([]uint64, na), make([]uint64, nb)
	if structured {
		base := r.Uint64()
		for i := range a {
			a[i] = base + uint64(i)
		}
		for i := range b {
			b[i] = base + uint64(na-inter+i)
		}
		return a, b
	}
	for i := range a {
		a[i] = r.Uint64()
	}
	copy(b, a[:inter])
	for i := inter; i < nb; i++ {
		b[i] = r.Uint64()
	}
	return a, b
}

// TestOnePermEstimatesLikeReference compares OnePerm's estimates with
// MinHasher's on the same pairs: sizes log-uniform from 20 to 2,000, about
// 40% of the pairs with a set below k = 128 so that densification does
// real work, Jaccard similarity spread over [0, 1]. It runs once on random
// shingle hashes and once on runs of consecutive integers.
func TestOnePermEstimatesLikeReference(t *testing.T) {
	const k, pairs = 128, 10000
	op, mh := NewOnePerm(k, 1), NewMinHasher(k, 1)
	for _, structured := range []bool{false, true} {
		t.Run(fmt.Sprintf("structured=%v", structured), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(21, 22))
			var sigA, sigB, mhA, mhB []uint64
			var opAbs, opErr, mhAbs, mhErr float64
			var smallOp, smallMH, largeOp, largeMH float64 // |error| by size
			small := 0
			var byJ [5]int // pairs per fifth of [0, 1], to show the spread
			for p := range pairs {
				na := int(math.Round(20 * math.Pow(100, r.Float64())))
				nb := na
				if p%4 != 0 {
					nb = int(math.Round(float64(na) * (0.7 + 0.3*r.Float64())))
				}
				target := r.Float64() * float64(nb) / float64(na)
				inter := min(nb, int(math.Round(target*float64(na+nb)/(1+target))))
				a, b := setPair(r, na, nb, inter, structured)
				exact := Jaccard(Set(slices.Clone(a)), Set(slices.Clone(b)))
				byJ[min(4, int(exact*5))]++

				sigA, sigB = op.Signature(a, sigA), op.Signature(b, sigB)
				mhA, mhB = mh.Signature(a, mhA), mh.Signature(b, mhB)
				e := EstimateJaccard(sigA, sigB) - exact
				m := EstimateJaccard(mhA, mhB) - exact
				opAbs, opErr = opAbs+math.Abs(e), opErr+e
				mhAbs, mhErr = mhAbs+math.Abs(m), mhErr+m
				if nb < k {
					small++
					smallOp, smallMH = smallOp+math.Abs(e), smallMH+math.Abs(m)
				} else {
					largeOp, largeMH = largeOp+math.Abs(e), largeMH+math.Abs(m)
				}
			}
			opMAE, mhMAE, bias := opAbs/pairs, mhAbs/pairs, opErr/pairs
			ns, nl := float64(small), float64(pairs-small)
			t.Logf("OnePerm MAE %.4f bias %+.4f; MinHasher MAE %.4f bias %+.4f", opMAE, bias, mhMAE, mhErr/pairs)
			t.Logf("%d pairs with a set below k: OnePerm MAE %.4f, MinHasher %.4f; the others: %.4f, %.4f",
				small, smallOp/ns, smallMH/ns, largeOp/nl, largeMH/nl)
			t.Logf("pairs per fifth of [0, 1] of exact J: %v", byJ)
			if opMAE > mhMAE+0.01 {
				t.Errorf("OnePerm mean absolute error %.4f, want <= MinHasher's %.4f + 0.01", opMAE, mhMAE)
			}
			if math.Abs(bias) > 0.01 {
				t.Errorf("OnePerm mean error %+.4f, want within 0.01", bias)
			}
		})
	}
}

// TestOnePermTinySets measures sets of a few shingles, where most bins
// are copies and rotation takes over from the probes more often: still no
// bias, and the error at most about twice MinHasher's.
func TestOnePermTinySets(t *testing.T) {
	const k, pairs = 128, 20000
	op, mh := NewOnePerm(k, 1), NewMinHasher(k, 1)
	r := rand.New(rand.NewPCG(29, 30))
	for _, n := range []int{3, 5, 10} {
		var opAbs, opErr, mhAbs float64
		for range pairs {
			a, b := setPair(r, n, n, r.IntN(n+1), false)
			exact := Jaccard(Set(slices.Clone(a)), Set(slices.Clone(b)))
			e := EstimateJaccard(op.Signature(a, nil), op.Signature(b, nil)) - exact
			opAbs, opErr = opAbs+math.Abs(e), opErr+e
			mhAbs += math.Abs(EstimateJaccard(mh.Signature(a, nil), mh.Signature(b, nil)) - exact)
		}
		opMAE, mhMAE, bias := opAbs/pairs, mhAbs/pairs, opErr/pairs
		t.Logf("n=%d: OnePerm MAE %.4f bias %+.4f, MinHasher MAE %.4f", n, opMAE, bias, mhMAE)
		if math.Abs(bias) > 0.005 {
			t.Errorf("n=%d: OnePerm mean error %+.4f, want within 0.005", n, bias)
		}
		if opMAE > 2.5*mhMAE {
			t.Errorf("n=%d: OnePerm mean absolute error %.4f, want <= 2.5 times MinHasher's %.4f", n, opMAE, mhMAE)
		}
	}
}

// TestOnePermMatchesReference checks the in-place densification, which
// tells own bins from copies by the bin in the value, against the plain
// form, for sizes from empty to many times k and for k of every shape.
func TestOnePermMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, k := range []int{1, 2, 3, 7, 64, 100, 128, 257} {
		o := NewOnePerm(k, uint64(k))
		var sig []uint64
		for _, n := range []int{0, 1, 2, 5, k / 2, k, 3 * k, 20 * k} {
			for trial := range 20 {
				a, _ := setPair(r, n, 0, 0, trial%2 == 1)
				sig = o.Signature(a, sig)
				if want := onePermReference(o, a); !slices.Equal(sig, want) {
					t.Fatalf("k=%d n=%d trial %d: Signature differs from the reference\n got %x\nwant %x", k, n, trial, sig, want)
				}
			}
		}
	}
}

func TestOnePermSetSemantics(t *testing.T) {
	o := NewOnePerm(64, 9)
	a := []uint64{5, 1, 9, 1, 5}
	want := o.Signature([]uint64{1, 5, 9}, nil)
	if got := o.Signature(a, nil); !slices.Equal(got, want) {
		t.Errorf("order and repeats changed the signature")
	}
	reused := o.Signature(a, []uint64{42, 43, 44})
	if !slices.Equal(reused, want) || len(reused) != o.K() {
		t.Errorf("reused buffer: got %d values, differing from a fresh signature", len(reused))
	}
	if got := EstimateJaccard(want, want); got != 1 {
		t.Errorf("a signature against itself: %v, want 1", got)
	}
	if slices.Equal(NewOnePerm(64, 10).Signature(a, nil), want) {
		t.Errorf("another seed gave the same signature")
	}
	if !slices.Equal(NewOnePerm(64, 9).Signature(a, nil), want) {
		t.Errorf("the same seed gave another signature")
	}

	// The incremental form gives the same signature, in any order.
	inc := o.Reset([]uint64{7, 7})
	for _, h := range []uint64{9, 5, 1, 1} {
		o.Add(inc, h)
	}
	o.Finish(inc)
	if !slices.Equal(inc, want) {
		t.Errorf("Reset, Add, Finish: %x, Signature: %x", inc, want)
	}
}

func TestOnePermEmpty(t *testing.T) {
	o := NewOnePerm(32, 1)
	empty := o.Signature(nil, nil)
	if len(empty) != 32 {
		t.Fatalf("empty signature has %d values, want 32", len(empty))
	}
	for i, v := range empty {
		if v != emptySlot {
			t.Fatalf("empty signature: bin %d is %x, want emptySlot", i, v)
		}
	}
	full := o.Signature([]uint64{1, 2, 3}, nil)
	for _, tt := range []struct {
		name string
		a, b []uint64
	}{
		{"empty vs empty", empty, o.Signature([]uint64{}, nil)},
		{"empty vs set", empty, full},
		{"set vs empty", full, empty},
	} {
		if got := EstimateJaccard(tt.a, tt.b); got != 0 {
			t.Errorf("%s: EstimateJaccard = %v, want 0", tt.name, got)
		}
	}
}

// TestOnePermShortInput checks inputs with fewer shingles than bins: every
// bin ends up holding the minimum of some input bin, no emptySlot is left,
// and every input bin keeps its own minimum.
func TestOnePermShortInput(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for _, k := range []int{1, 3, 100, 128, 1000} {
		o := NewOnePerm(k, 2)
		for _, n := range []int{1, 2, 10, k/2 + 1} {
			a, _ := setPair(r, n, 0, 0, false)
			mixed := make(map[uint64]bool, n)
			for _, h := range a {
				mixed[min(Mix64(h^o.mixSeed), emptySlot-1)] = true
			}
			sig := o.Signature(a, nil)
			fromOwnBin := 0
			for i, v := range sig {
				if !mixed[v] {
					t.Fatalf("k=%d n=%d: bin %d holds %x, not a mixed input value", k, n, i, v)
				}
				if hi, _ := bits.Mul64(v, uint64(k)); int(hi) == i {
					fromOwnBin++
				}
			}
			// Each distinct value has one home bin.
			if distinct := len(slices.Compact(slices.Sorted(slices.Values(sig)))); fromOwnBin != distinct {
				t.Errorf("k=%d n=%d: %d bins hold their own minimum, %d distinct values", k, n, fromOwnBin, distinct)
			}
		}
	}
}

// unmix64 inverts Mix64: x ^= x>>33 is its own inverse, and the
// multipliers are odd, so invertible mod 2^64 (Newton's iteration doubles
// the correct low bits of an inverse each step).
func unmix64(h uint64) uint64 {
	inv := func(a uint64) uint64 {
		x := a // correct to 3 bits for odd a
		for range 5 {
			x *= 2 - a*x
		}
		return x
	}
	h ^= h >> 33
	h *= inv(0xc4ceb9fe1a85ec53)
	h ^= h >> 33
	h *= inv(0xff51afd7ed558ccd)
	h ^= h >> 33
	return h
}

// TestOnePermMixedMaxNotEmpty feeds the one shingle whose mixed value is
// emptySlot: it must still count as a member, not leave the bins empty.
func TestOnePermMixedMaxNotEmpty(t *testing.T) {
	for _, k := range []int{1, 5, 128} {
		o := NewOnePerm(k, 6)
		h := unmix64(emptySlot) ^ o.mixSeed
		if Mix64(h^o.mixSeed) != emptySlot {
			t.Fatalf("unmix64 is not the inverse of Mix64")
		}
		sig := o.Signature([]uint64{h}, nil)
		for i, v := range sig {
			if v != emptySlot-1 {
				t.Fatalf("k=%d: bin %d is %x, want emptySlot-1", k, i, v)
			}
		}
		if got := EstimateJaccard(sig, o.Signature([]uint64{h, h}, nil)); got != 1 {
			t.Errorf("k=%d: the set against itself: %v, want 1", k, got)
		}
	}
}

// TestOnePermK1 checks the degenerate one-bin signature: the minimum mixed
// value, as one permutation of MinHash.
func TestOnePermK1(t *testing.T) {
	o := NewOnePerm(1, 3)
	a := []uint64{10, 20, 30, 40}
	want := emptySlot
	for _, h := range a {
		want = min(want, Mix64(h^o.mixSeed))
	}
	if got := o.Signature(a, nil); len(got) != 1 || got[0] != want {
		t.Errorf("k=1: %x, want [%x]", got, want)
	}
	// The one bin agrees exactly when the minimum of the union is shared.
	var inFirstTwo float64
	for _, h := range a[:2] {
		if Mix64(h^o.mixSeed) == want {
			inFirstTwo = 1
		}
	}
	if got := EstimateJaccard(o.Signature(a[:2], nil), o.Signature(a, nil)); got != inFirstTwo {
		t.Errorf("k=1 estimate %v, want %v", got, inFirstTwo)
	}
}

// TestOnePermBinsCoverK checks that bins cover every index evenly for k
// not a power of two, before densification fills anything.
func TestOnePermBinsCoverK(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	for _, k := range []int{3, 100, 1000} {
		o := NewOnePerm(k, 4)
		counts := make([]int, k)
		sig := o.Reset(nil)
		const perBin = 200
		for range perBin * k {
			h := r.Uint64()
			o.Add(sig, h)
			hi, _ := bits.Mul64(min(Mix64(h^o.mixSeed), emptySlot-1), uint64(k))
			counts[hi]++
		}
		for i, v := range sig {
			if hi, _ := bits.Mul64(v, uint64(k)); v == emptySlot || int(hi) != i {
				t.Fatalf("k=%d: bin %d holds %x, not one of its own values", k, i, v)
			}
		}
		// Counts are binomial with mean perBin; 6 standard deviations.
		lo, hi := slices.Min(counts), slices.Max(counts)
		if sd := math.Sqrt(perBin); float64(lo) < perBin-6*sd || float64(hi) > perBin+6*sd {
			t.Errorf("k=%d: bin counts from %d to %d, want %d +- %.0f", k, lo, hi, perBin, 6*sd)
		}
	}
}

func TestOnePermNoAllocs(t *testing.T) {
	sh := WordShingles(benchText(200), 5, nil)
	o := NewOnePerm(128, 1)
	sig := make([]uint64, 0, 128)
	if n := testing.AllocsPerRun(20, func() { sig = o.Signature(sh, sig) }); n != 0 {
		t.Errorf("Signature allocated %v times per run with room in sig", n)
	}
	if n := testing.AllocsPerRun(20, func() { sig = o.Signature(sh[:3], sig) }); n != 0 {
		t.Errorf("Signature of a densified input allocated %v times per run", n)
	}
	if n := testing.AllocsPerRun(20, func() {
		sig = o.Reset(sig)
		for _, h := range sh {
			o.Add(sig, h)
		}
		o.Finish(sig)
	}); n != 0 {
		t.Errorf("Reset, Add, Finish allocated %v times per run", n)
	}
}

func TestOnePermPanics(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"k=0", func() { NewOnePerm(0, 1) }},
		{"short sig in Finish", func() { NewOnePerm(8, 1).Finish(make([]uint64, 4)) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			tt.f()
		}()
	}
}

// The benchmarks sign the shingles of a 1,500-word text; MB/s is of the
// text, so it reads as the signing speed of a document.
func benchShingles(b *testing.B) []uint64 {
	text := benchText(1500)
	b.SetBytes(int64(len(text)))
	return WordShingles(text, 5, nil)
}

func BenchmarkOnePerm(b *testing.B) {
	sh := benchShingles(b)
	o := NewOnePerm(128, 1)
	var sig []uint64
	for b.Loop() {
		sig = o.Signature(sh, sig)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sh)), "ns/shingle")
}

func BenchmarkMinHasher(b *testing.B) {
	sh := benchShingles(b)
	m := NewMinHasher(128, 1)
	var sig []uint64
	for b.Loop() {
		sig = m.Signature(sh, sig)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sh)), "ns/shingle")
}

// BenchmarkOnePermAdd is the incremental form a shingler would drive.
func BenchmarkOnePermAdd(b *testing.B) {
	sh := benchShingles(b)
	o := NewOnePerm(128, 1)
	sig := o.Reset(nil)
	for b.Loop() {
		sig = o.Reset(sig)
		for _, h := range sh {
			o.Add(sig, h)
		}
		o.Finish(sig)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sh)), "ns/shingle")
}

// BenchmarkOnePermShort signs a 30-shingle document, where Finish fills
// most of the 128 bins.
func BenchmarkOnePermShort(b *testing.B) {
	sh := benchShingles(b)
	sh = sh[:30]
	b.SetBytes(0)
	o := NewOnePerm(128, 1)
	var sig []uint64
	for b.Loop() {
		sig = o.Signature(sh, sig)
	}
}
