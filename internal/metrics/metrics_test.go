package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// labels splits "a a b" into its labels.
func labels(s string) []string { return strings.Fields(s) }

func TestCompareHandComputed(t *testing.T) {
	tests := []struct {
		name        string
		truth, pred string
		want        Scores
	}{
		{
			// Contingency a: x2 y1, b: y1 z2. TP = 1+1 = 2, SA = 3+3 = 6,
			// SB = 1+1+1 = 3, T = 15: ARI = 2(2*15 - 18) / (6*12 + 3*9)
			// = 24/99 = 8/33. B-cubed precision: x and z are pure, y is
			// half a and half b: (2 + 1 + 2)/6 = 5/6. Recall: the two a in
			// x see 2/3, the a in y 1/3, and the same for b: (10/3)/6 = 5/9.
			name:  "two clusters of three split into three pairs",
			truth: "a a a b b b", pred: "x x y y z z",
			want: Scores{Items: 6, TruthClusters: 2, PredClusters: 3,
				ARI: 8.0 / 33, Precision: 2.0 / 3, Recall: 1.0 / 3, F1: 4.0 / 9,
				BCubedPrecision: 5.0 / 6, BCubedRecall: 5.0 / 9, BCubedF1: 2.0 / 3},
		},
		{
			// The adjusted_rand_score example of scikit-learn's
			// documentation, 0.5714...: TP = 1, SA = 2, SB = 1, T = 6,
			// ARI = 2(6 - 2) / (2*5 + 1*4) = 8/14.
			name:  "one pair split",
			truth: "0 0 1 1", pred: "0 0 1 2",
			want: Scores{Items: 4, TruthClusters: 2, PredClusters: 3,
				ARI: 4.0 / 7, Precision: 1, Recall: 0.5, F1: 2.0 / 3,
				BCubedPrecision: 1, BCubedRecall: 0.75, BCubedF1: 6.0 / 7},
		},
		{
			// Every pair the truth joins the prediction splits and the
			// other way round: TP = 0, SA = SB = 2, T = 6, ARI =
			// 2(0 - 4) / (2*4 + 2*4) = -1/2.
			name:  "crossed, worse than chance",
			truth: "a a b b", pred: "x y x y",
			want: Scores{Items: 4, TruthClusters: 2, PredClusters: 2,
				ARI: -0.5, Precision: 0, Recall: 0, F1: 0,
				BCubedPrecision: 0.5, BCubedRecall: 0.5, BCubedF1: 0.5},
		},
		{
			name:  "identical",
			truth: "a a b c c c", pred: "a a b c c c",
			want: Scores{Items: 6, TruthClusters: 3, PredClusters: 3,
				ARI: 1, Precision: 1, Recall: 1, F1: 1,
				BCubedPrecision: 1, BCubedRecall: 1, BCubedF1: 1},
		},
		{
			name:  "identical but renamed",
			truth: "a a b c c c", pred: "c c a b b b",
			want: Scores{Items: 6, TruthClusters: 3, PredClusters: 3,
				ARI: 1, Precision: 1, Recall: 1, F1: 1,
				BCubedPrecision: 1, BCubedRecall: 1, BCubedF1: 1},
		},
		{
			// ARI's formula is 0/0 here; the partitions are identical.
			name:  "both all singletons",
			truth: "a b c d", pred: "w x y z",
			want: Scores{Items: 4, TruthClusters: 4, PredClusters: 4,
				ARI: 1, Precision: 1, Recall: 1, F1: 1,
				BCubedPrecision: 1, BCubedRecall: 1, BCubedF1: 1},
		},
		{
			name:  "both one cluster",
			truth: "a a a a", pred: "x x x x",
			want: Scores{Items: 4, TruthClusters: 1, PredClusters: 1,
				ARI: 1, Precision: 1, Recall: 1, F1: 1,
				BCubedPrecision: 1, BCubedRecall: 1, BCubedF1: 1},
		},
		{
			// No predicted pairs against a truth that has them:
			// precision 0/0 counts as 0, not as a perfect score.
			name:  "one true cluster, all singletons predicted",
			truth: "a a a a", pred: "w x y z",
			want: Scores{Items: 4, TruthClusters: 1, PredClusters: 4,
				ARI: 0, Precision: 0, Recall: 0, F1: 0,
				BCubedPrecision: 1, BCubedRecall: 0.25, BCubedF1: 0.4},
		},
		{
			name:  "all true singletons, one cluster predicted",
			truth: "a b c d", pred: "x x x x",
			want: Scores{Items: 4, TruthClusters: 4, PredClusters: 1,
				ARI: 0, Precision: 0, Recall: 0, F1: 0,
				BCubedPrecision: 0.25, BCubedRecall: 1, BCubedF1: 0.4},
		},
		{
			name:  "one item",
			truth: "a", pred: "x",
			want: Scores{Items: 1, TruthClusters: 1, PredClusters: 1,
				ARI: 1, Precision: 1, Recall: 1, F1: 1,
				BCubedPrecision: 1, BCubedRecall: 1, BCubedF1: 1},
		},
		{
			name:  "no items",
			truth: "", pred: "",
			want: Scores{ARI: 1, Precision: 1, Recall: 1, F1: 1,
				BCubedPrecision: 1, BCubedRecall: 1, BCubedF1: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compare(labels(tt.truth), labels(tt.pred))
			if err != nil {
				t.Fatal(err)
			}
			if diff := diffScores(got, tt.want, 1e-15); diff != "" {
				t.Errorf("Compare(%q, %q):\n%s", tt.truth, tt.pred, diff)
			}
		})
	}
}

func TestCompareLengthMismatch(t *testing.T) {
	if _, err := Compare(labels("a a b"), labels("x x")); err == nil {
		t.Fatal("no error for 3 truth labels and 2 predicted")
	}
}

// TestARIExactForHugeCounts feeds the pair counts of three billion items
// in pairs, predicted exactly: the products in the formula pass 10^27,
// where int64 overflows and float64 loses the difference.
func TestARIExactForHugeCounts(t *testing.T) {
	const n = 3_000_000_000
	total := pairs(n)
	if total != n/2*(n-1) {
		t.Fatalf("pairs(%d) = %d", int64(n), total)
	}
	tp := int64(n / 2) // n/2 clusters of two: one pair each
	if got := ari(tp, tp, tp, total); got != 1 {
		t.Errorf("identical partitions: ARI = %v, want exactly 1", got)
	}
	// Truth one cluster, prediction all singletons: no agreement beyond
	// chance.
	if got := ari(0, total, 0, total); got != 0 {
		t.Errorf("one cluster against singletons: ARI = %v, want 0", got)
	}
	// One pair of the n/2 missed: the loss must be visible.
	if got := ari(tp-1, tp, tp-1, total); got >= 1 || got < 1-1e-8 {
		t.Errorf("one pair missed: ARI = %v, want just below 1", got)
	}
}

// reference computes every score the slow, obvious way: a loop over all
// item pairs for the pair counts, and for each item a loop over all items
// for its B-cubed share.
func reference(truth, pred []string) Scores {
	n := len(truth)
	s := Scores{Items: n, TruthClusters: distinct(truth), PredClusters: distinct(pred)}
	var tp, sumA, sumB, total float64
	for i := range n {
		for j := i + 1; j < n; j++ {
			st, sp := truth[i] == truth[j], pred[i] == pred[j]
			total++
			if st {
				sumA++
			}
			if sp {
				sumB++
			}
			if st && sp {
				tp++
			}
		}
	}
	identical := tp == sumA && tp == sumB // every pair agrees
	undefined := func(bothEmpty bool) float64 {
		if bothEmpty {
			return 1
		}
		return 0
	}
	expected := 0.0
	if total > 0 {
		expected = sumA * sumB / total
	}
	if d := (sumA+sumB)/2 - expected; d != 0 {
		s.ARI = (tp - expected) / d
	} else {
		s.ARI = undefined(identical)
	}
	if sumB > 0 {
		s.Precision = tp / sumB
	} else {
		s.Precision = undefined(sumA == 0)
	}
	if sumA > 0 {
		s.Recall = tp / sumA
	} else {
		s.Recall = undefined(sumB == 0)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	if n == 0 {
		s.BCubedPrecision, s.BCubedRecall, s.BCubedF1 = 1, 1, 1
		return s
	}
	for i := range n {
		var inTruth, inPred, inBoth float64
		for j := range n {
			st, sp := truth[i] == truth[j], pred[i] == pred[j]
			if st {
				inTruth++
			}
			if sp {
				inPred++
			}
			if st && sp {
				inBoth++
			}
		}
		s.BCubedPrecision += inBoth / inPred
		s.BCubedRecall += inBoth / inTruth
	}
	s.BCubedPrecision /= float64(n)
	s.BCubedRecall /= float64(n)
	s.BCubedF1 = 2 * s.BCubedPrecision * s.BCubedRecall / (s.BCubedPrecision + s.BCubedRecall)
	return s
}

func distinct(labels []string) int {
	seen := make(map[string]bool)
	for _, l := range labels {
		seen[l] = true
	}
	return len(seen)
}

// randomPartition labels n items with about k clusters.
func randomPartition(rng *rand.Rand, n, k int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "c" + strconv.Itoa(rng.IntN(k))
	}
	return out
}

// perturb copies truth under new names, then moves a share of the items
// to another cluster (new or existing), so that the comparison covers
// partitions close to the truth as well as random ones.
func perturb(rng *rand.Rand, truth []string, share float64) []string {
	out := make([]string, len(truth))
	for i, l := range truth {
		out[i] = "p-" + l
		if rng.Float64() < share {
			if rng.IntN(2) == 0 {
				out[i] = "new" + strconv.Itoa(rng.IntN(len(truth)+1))
			} else {
				out[i] = "p-" + truth[rng.IntN(len(truth))]
			}
		}
	}
	return out
}

// TestCompareMatchesPairLoop checks the contingency-table computation
// against the O(n^2) reference on random partitions of many shapes: from
// all singletons to one cluster, independent of the truth or near it.
func TestCompareMatchesPairLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 600 {
		n := rng.IntN(150)
		truth := randomPartition(rng, n, 1+rng.IntN(n+1))
		var pred []string
		switch trial % 3 {
		case 0:
			pred = randomPartition(rng, n, 1+rng.IntN(n+1))
		case 1:
			pred = perturb(rng, truth, 0.1)
		default:
			pred = perturb(rng, truth, rng.Float64())
		}
		got, err := Compare(truth, pred)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffScores(got, reference(truth, pred), 1e-12); diff != "" {
			t.Fatalf("trial %d, n=%d:\ntruth %v\npred  %v\n%s", trial, n, truth, pred, diff)
		}
		// Swapping the sides swaps precision and recall and keeps ARI.
		swapped, err := Compare(pred, truth)
		if err != nil {
			t.Fatal(err)
		}
		want := got
		want.TruthClusters, want.PredClusters = got.PredClusters, got.TruthClusters
		want.Precision, want.Recall = got.Recall, got.Precision
		want.BCubedPrecision, want.BCubedRecall = got.BCubedRecall, got.BCubedPrecision
		if diff := diffScores(swapped, want, 1e-12); diff != "" {
			t.Fatalf("trial %d: swapped sides:\n%s", trial, diff)
		}
	}
}

func TestCompareIgnoresItemOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	truth := randomPartition(rng, 500, 40)
	pred := perturb(rng, truth, 0.3)
	want, err := Compare(truth, pred)
	if err != nil {
		t.Fatal(err)
	}
	perm := rng.Perm(len(truth))
	t2, p2 := make([]string, len(truth)), make([]string, len(pred))
	for i, j := range perm {
		t2[i], p2[i] = truth[j], pred[j]
	}
	got, err := Compare(t2, p2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffScores(got, want, 1e-12); diff != "" {
		t.Errorf("items shuffled:\n%s", diff)
	}
}

// diffScores lists the fields of got that differ from want (floats by more
// than tol), or returns "".
func diffScores(got, want Scores, tol float64) string {
	var b strings.Builder
	ints := []struct {
		name string
		g, w int
	}{
		{"Items", got.Items, want.Items},
		{"TruthClusters", got.TruthClusters, want.TruthClusters},
		{"PredClusters", got.PredClusters, want.PredClusters},
	}
	for _, f := range ints {
		if f.g != f.w {
			fmt.Fprintf(&b, "  %s = %d, want %d\n", f.name, f.g, f.w)
		}
	}
	floats := []struct {
		name string
		g, w float64
	}{
		{"ARI", got.ARI, want.ARI},
		{"Precision", got.Precision, want.Precision},
		{"Recall", got.Recall, want.Recall},
		{"F1", got.F1, want.F1},
		{"BCubedPrecision", got.BCubedPrecision, want.BCubedPrecision},
		{"BCubedRecall", got.BCubedRecall, want.BCubedRecall},
		{"BCubedF1", got.BCubedF1, want.BCubedF1},
	}
	for _, f := range floats {
		if math.IsNaN(f.g) || math.Abs(f.g-f.w) > tol {
			fmt.Fprintf(&b, "  %s = %.17g, want %.17g\n", f.name, f.g, f.w)
		}
	}
	return b.String()
}

// BenchmarkCompare scores a million items in 100,000 true clusters
// against a prediction that moved a tenth of them.
func BenchmarkCompare(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(5, 6))
	truth := randomPartition(rng, n, n/10)
	pred := perturb(rng, truth, 0.1)
	var size int64
	for i := range truth {
		size += int64(len(truth[i]) + len(pred[i]))
	}
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Compare(truth, pred); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
