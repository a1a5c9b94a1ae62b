package sketch

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// pairWithJaccard returns two sets of n members each sharing inter of them.
// Structured sets are runs of consecutive values (the hard case for plain
// affine permutations); others are random 64-bit values, like shingle hashes.
func pairWithJaccard(r *rand.Rand, n, inter int, structured bool) (a, b []uint64) {
	a, b = make([]uint64, n), make([]uint64, n)
	base := r.Uint64()
	for i := range n {
		if structured {
			a[i] = base + uint64(i)
			b[i] = base + uint64(i+n-inter)
			continue
		}
		a[i] = r.Uint64()
	}
	if !structured {
		copy(b, a[n-inter:])
		for i := inter; i < n; i++ {
			b[i] = r.Uint64()
		}
	}
	return a, b
}

func TestEstimateJaccardError(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{32, 128, 256} {
		m := NewMinHasher(k, 1)
		var sumAbs, sumErr float64
		pairs := 0
		for trial := range 1500 {
			n := 20 + r.IntN(300)
			inter := r.IntN(n + 1)
			a, b := pairWithJaccard(r, n, inter, trial%2 == 0)
			exact := Jaccard(Set(slices.Clone(a)), Set(slices.Clone(b)))
			est := EstimateJaccard(m.Signature(a, nil), m.Signature(b, nil))
			sumAbs += math.Abs(est - exact)
			sumErr += est - exact
			pairs++
		}
		meanAbs, bias := sumAbs/float64(pairs), sumErr/float64(pairs)
		// An unbiased estimate of variance J(1-J)/k has mean absolute
		// error sqrt(2/pi)*sqrt(J(1-J)/k) <= 0.4/sqrt(k); averaged over
		// J uniform in [0, 1] it is about 0.3/sqrt(k).
		if limit := 0.4 / math.Sqrt(float64(k)); meanAbs > limit {
			t.Errorf("k=%d: mean absolute error %.4f, want <= %.4f", k, meanAbs, limit)
		}
		if math.Abs(bias) > 0.005 {
			t.Errorf("k=%d: mean error %+.4f, want within 0.005", k, bias)
		}
		t.Logf("k=%d: mean absolute error %.4f (1/sqrt(k) = %.4f), bias %+.4f", k, meanAbs, 1/math.Sqrt(float64(k)), bias)
	}
}

// TestMinHashUnbiased checks the estimate at fixed similarities on both
// random and consecutive shingle values. Affine permutations without the
// mixing step fail the consecutive case by about -0.05 at J = 0.5.
func TestMinHashUnbiased(t *testing.T) {
	const k, n, trials = 128, 200, 600
	m := NewMinHasher(k, 7)
	r := rand.New(rand.NewPCG(5, 6))
	for _, structured := range []bool{false, true} {
		for _, inter := range []int{36, 133, 165} { // J = 0.10, 0.50, 0.70
			exact := float64(inter) / float64(2*n-inter)
			var sum float64
			for range trials {
				a, b := pairWithJaccard(r, n, inter, structured)
				sum += EstimateJaccard(m.Signature(a, nil), m.Signature(b, nil)) - exact
			}
			bias := sum / trials
			se := math.Sqrt(exact * (1 - exact) / k / trials)
			if math.Abs(bias) > 5*se {
				t.Errorf("structured=%v J=%.2f: bias %+.4f, more than 5 standard errors (%.4f)", structured, exact, bias, se)
			}
		}
	}
}

func TestSignatureSetSemantics(t *testing.T) {
	m := NewMinHasher(64, 9)
	a := []uint64{5, 1, 9, 1, 5}
	want := m.Signature([]uint64{1, 5, 9}, nil)
	if got := m.Signature(a, nil); !slices.Equal(got, want) {
		t.Errorf("order and repeats changed the signature")
	}
	// sig is reused from its start, whatever it held.
	reused := m.Signature(a, []uint64{42, 43, 44})
	if !slices.Equal(reused, want) || len(reused) != m.K() {
		t.Errorf("reused buffer: got %d values, differing from a fresh signature", len(reused))
	}
	if got := EstimateJaccard(want, want); got != 1 {
		t.Errorf("a signature against itself: %v, want 1", got)
	}
	if slices.Equal(NewMinHasher(64, 10).Signature(a, nil), want) {
		t.Errorf("another seed gave the same signature")
	}
	if !slices.Equal(NewMinHasher(64, 9).Signature(a, nil), want) {
		t.Errorf("the same seed gave another signature")
	}
}

func TestEmptySignatureMatchesNothing(t *testing.T) {
	m := NewMinHasher(32, 1)
	empty := m.Signature(nil, nil)
	if len(empty) != 32 {
		t.Fatalf("empty signature has %d values, want 32", len(empty))
	}
	full := m.Signature([]uint64{1, 2, 3}, nil)
	for _, tt := range []struct {
		name string
		a, b []uint64
	}{
		{"empty vs empty", empty, m.Signature([]uint64{}, nil)},
		{"empty vs set", empty, full},
		{"set vs empty", full, empty},
	} {
		if got := EstimateJaccard(tt.a, tt.b); got != 0 {
			t.Errorf("%s: EstimateJaccard = %v, want 0", tt.name, got)
		}
	}
}

func TestBandParams(t *testing.T) {
	tests := []struct {
		threshold   float64
		k           int
		bands, rows int
	}{
		// (9, 13) at 0.8 is the pair datasketch's MinHashLSH documents
		// for 128 permutations; the others follow from the same integral.
		{0.5, 128, 25, 5},
		{0.8, 128, 9, 13},
		{0.9, 128, 5, 25},
		{0.5, 64, 14, 4},
	}
	for _, tt := range tests {
		b, r := BandParams(tt.threshold, tt.k)
		if b != tt.bands || r != tt.rows {
			t.Errorf("BandParams(%v, %d) = (%d, %d), want (%d, %d)", tt.threshold, tt.k, b, r, tt.bands, tt.rows)
		}
	}
	// Whatever the pair, the S-curve must separate: at threshold 0.5 and
	// k = 128 a pair at 0.3 rarely becomes a candidate, one at 0.7 almost
	// always does.
	b, r := BandParams(0.5, 128)
	p := func(s float64) float64 { return 1 - math.Pow(1-math.Pow(s, float64(r)), float64(b)) }
	if b*r > 128 || p(0.3) > 0.1 || p(0.7) < 0.95 || p(0.5) < 0.3 || p(0.5) > 0.9 {
		t.Errorf("(%d, %d): P(0.3)=%.3f P(0.5)=%.3f P(0.7)=%.3f", b, r, p(0.3), p(0.5), p(0.7))
	}
}

// bandParamsReference is the plain search: bands outer, rows inner,
// math.Pow at every node, on a finer grid.
func bandParamsReference(threshold float64, k, grid int) (bands, rows int) {
	simpson := func(f func(float64) float64, lo, hi float64) float64 {
		h := (hi - lo) / float64(2*grid)
		sum := f(lo) + f(hi)
		for j := 1; j < 2*grid; j++ {
			c := 2.0
			if j%2 == 1 {
				c = 4
			}
			sum += c * f(lo+float64(j)*h)
		}
		return sum * h / 3
	}
	best := math.Inf(1)
	for b := 1; b <= k; b++ {
		for r := 1; b*r <= k; r++ {
			p := func(s float64) float64 { return 1 - math.Pow(1-math.Pow(s, float64(r)), float64(b)) }
			fp := simpson(p, 0, threshold)
			fn := simpson(func(s float64) float64 { return 1 - p(s) }, threshold, 1)
			e := 0.5*fp + 0.5*fn
			if e < best || e == best && r < rows {
				best, bands, rows = e, b, r
			}
		}
	}
	return bands, rows
}

// TestBandParamsMatchesReference checks the incremental search against
// the plain one on the same grid.
func TestBandParamsMatchesReference(t *testing.T) {
	const grid = 128
	for _, k := range []int{16, 128} {
		for th := 0.1; th < 0.95; th += 0.1 {
			b, r := bandParams(th, k, grid)
			rb, rr := bandParamsReference(th, k, grid)
			if b != rb || r != rr {
				t.Errorf("bandParams(%.1f, %d) = (%d, %d), reference (%d, %d)", th, k, b, r, rb, rr)
			}
		}
	}
}

// TestBandParamsIntegration checks that the grid BandParams uses is fine
// enough: four times as many intervals choose the same pair.
func TestBandParamsIntegration(t *testing.T) {
	ks := []int{16, 128, 256}
	if testing.Short() {
		ks = []int{128}
	}
	for _, k := range ks {
		for th := 0.05; th < 0.96; th += 0.05 {
			b, r := BandParams(th, k)
			fb, fr := bandParams(th, k, 4*bandGrid)
			if b != fb || r != fr {
				t.Errorf("BandParams(%.2f, %d) = (%d, %d), on a 4x finer grid (%d, %d)", th, k, b, r, fb, fr)
			}
		}
	}
}

func TestBandKeys(t *testing.T) {
	sig := make([]uint64, 12)
	for i := range sig {
		sig[i] = uint64(i % 3) // bands of 3 rows are all equal: 0 1 2
	}
	keys := BandKeys(sig, 4, 3, nil)
	if len(keys) != 4 {
		t.Fatalf("%d keys, want 4", len(keys))
	}
	if len(slices.Compact(slices.Sorted(slices.Values(keys)))) != 4 {
		t.Errorf("equal rows in different bands share a key: %x", keys)
	}
	if again := BandKeys(slices.Clone(sig), 4, 3, []uint64{7}); !slices.Equal(again, keys) {
		t.Errorf("keys not deterministic: %x then %x", keys, again)
	}
	sig[7]++ // band 2
	changed := BandKeys(sig, 4, 3, nil)
	for i := range keys {
		if (changed[i] != keys[i]) != (i == 2) {
			t.Errorf("changing a row of band 2 changed band %d's key: %v", i, changed[i] != keys[i])
		}
	}
	// Rows past bands*rows are ignored.
	long := append(slices.Clone(sig), 99, 98)
	if got := BandKeys(long, 4, 3, nil); !slices.Equal(got, changed) {
		t.Errorf("unused rows changed the keys")
	}
	// Long bands take the heap path and must agree with themselves.
	wide := make([]uint64, 80)
	if a, b := BandKeys(wide, 2, 40, nil), BandKeys(wide, 2, 40, nil); !slices.Equal(a, b) || a[0] == a[1] {
		t.Errorf("40-row bands: %x %x", a, b)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("BandKeys with more rows than the signature did not panic")
		}
	}()
	BandKeys(sig, 5, 3, nil)
}

func TestWordShingles(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		n    int
		same bool
	}{
		{"case and punctuation", "The cat, sat.", "the CAT sat", 2, true},
		{"unicode case", "ÉCOLE Straße", "école straße", 1, true},
		{"digits are words", "flight 5735 crashed", "flight 5735 crashed", 3, true},
		{"order matters", "a b c", "c b a", 2, false},
		{"hyphens and apostrophes split", "four-year-old's", "four year old s", 4, true},
		{"other scripts", "Токаев заявил", "токаев заявил", 2, true},
	}
	for _, tt := range tests {
		a := Set(WordShingles(tt.a, tt.n, nil))
		b := Set(WordShingles(tt.b, tt.n, nil))
		if slices.Equal(a, b) != tt.same {
			t.Errorf("%s: %q and %q give equal shingles: %v, want %v", tt.name, tt.a, tt.b, !tt.same, tt.same)
		}
	}
	counts := []struct {
		text string
		n    int
		want int
	}{
		{"", 5, 0},
		{" ,.;! ", 1, 0},
		{"one", 5, 1},
		{"one two three four", 5, 1},
		{"one two three four five", 5, 1},
		{"one two three four five six seven", 5, 3},
		{"one two three four five six seven", 1, 7},
		{strings.Repeat("w ", 40), 20, 21}, // n past the stack ring
	}
	for _, c := range counts {
		if got := len(WordShingles(c.text, c.n, nil)); got != c.want {
			t.Errorf("WordShingles(%q, %d): %d shingles, want %d", c.text, c.n, got, c.want)
		}
	}
	// A 5-gram is the same whatever surrounds it.
	x := WordShingles("alpha beta gamma delta epsilon", 5, nil)
	y := WordShingles("zeta, alpha beta gamma delta epsilon!", 5, nil)
	if len(x) != 1 || len(y) != 2 || y[1] != x[0] {
		t.Errorf("shingle depends on its context: %x vs %x", x, y)
	}
	// One word and the short-text shingle of that word are the same
	// thing only for n = 1.
	if WordShingles("word", 1, nil)[0] != WordShingles("word", 2, nil)[0] {
		t.Errorf("a one-word text gives different shingles for n=1 and n=2")
	}
}

func TestWordShinglesNoAllocs(t *testing.T) {
	text := benchText(200)
	dst := make([]uint64, 0, 256)
	if n := testing.AllocsPerRun(20, func() { dst = WordShingles(text, 5, dst) }); n != 0 {
		t.Errorf("WordShingles allocated %v times per run with room in dst", n)
	}
	m := NewMinHasher(128, 1)
	sig := make([]uint64, 0, 128)
	if n := testing.AllocsPerRun(20, func() { sig = m.Signature(dst, sig) }); n != 0 {
		t.Errorf("Signature allocated %v times per run with room in sig", n)
	}
}

// benchText is a deterministic text of n words from a small vocabulary
// with news-like word lengths and punctuation.
func benchText(n int) string {
	words := strings.Fields("the government said on Tuesday that at least 164 people were killed in the unrest across Kazakhstan including police officers and protesters in Almaty where the airport was seized")
	r := rand.New(rand.NewPCG(11, 12))
	var sb strings.Builder
	for i := range n {
		sb.WriteString(words[r.IntN(len(words))])
		if i%12 == 11 {
			sb.WriteString(". ")
		} else {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

func BenchmarkWordShingles(b *testing.B) {
	text := benchText(1000)
	var dst []uint64
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		dst = WordShingles(text, 5, dst)
	}
}

// BenchmarkSignature reports MB/s of the text the shingles came from, so
// it reads as the signing speed of a document.
func BenchmarkSignature(b *testing.B) {
	text := benchText(1000)
	sh := WordShingles(text, 5, nil)
	m := NewMinHasher(128, 1)
	var sig []uint64
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		sig = m.Signature(sh, sig)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sh)), "ns/shingle")
}
