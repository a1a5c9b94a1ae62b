package metrics

import (
	"fmt"
	"math"
	"math/big"
)

// Scores compares a predicted partition to a true one. The package doc
// defines each score and its edge cases.
type Scores struct {
	Items         int `json:"items"`
	TruthClusters int `json:"truth_clusters"`
	PredClusters  int `json:"pred_clusters"`
	// ARI is the adjusted Rand index (Hubert & Arabie).
	ARI float64 `json:"ari"`
	// Precision, Recall and F1 are pairwise: over all item pairs, a pair is
	// positive when both items share a cluster.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// BCubedPrecision, BCubedRecall and BCubedF1 are per-item averages.
	BCubedPrecision float64 `json:"bcubed_precision"`
	BCubedRecall    float64 `json:"bcubed_recall"`
	BCubedF1        float64 `json:"bcubed_f1"`
}

// MaxItems is the most items Compare accepts: cluster numbers are int32 to
// halve the memory at ten million items and more.
const MaxItems = math.MaxInt32

// Compare scores pred against truth; truth[i] and pred[i] are the cluster
// labels of item i. Labels are compared as strings and only their equality
// matters, so renaming clusters does not change the scores. It fails when
// the lengths differ or exceed MaxItems.
func Compare(truth, pred []string) (Scores, error) {
	if len(truth) != len(pred) {
		return Scores{}, fmt.Errorf("metrics: %d truth labels but %d predicted", len(truth), len(pred))
	}
	if len(truth) > MaxItems {
		return Scores{}, fmt.Errorf("metrics: %d items, more than the %d supported", len(truth), MaxItems)
	}
	t, nt := intern(truth)
	p, np := intern(pred)
	return score(t, nt, p, np), nil
}

// intern numbers the distinct labels 0, 1, ... in first-seen order.
func intern(labels []string) (ids []int32, n int) {
	seen := make(map[string]int32)
	ids = make([]int32, len(labels))
	for i, l := range labels {
		// Cluster output is often grouped by cluster: a run of one label
		// skips the map.
		if i > 0 && l == labels[i-1] {
			ids[i] = ids[i-1]
			continue
		}
		id, ok := seen[l]
		if !ok {
			id = int32(len(seen))
			seen[l] = id
		}
		ids[i] = id
	}
	return ids, len(seen)
}

// score computes every score from cluster numbers: t[k] in [0, nt) and
// p[k] in [0, np) for item k.
func score(t []int32, nt int, p []int32, np int) Scores {
	n := len(t)
	s := Scores{Items: n, TruthClusters: nt, PredClusters: np}
	if n == 0 {
		s.ARI, s.Precision, s.Recall, s.F1 = 1, 1, 1, 1
		s.BCubedPrecision, s.BCubedRecall, s.BCubedF1 = 1, 1, 1
		return s
	}

	// Counting sort of the items' predicted clusters by truth cluster:
	// start[i]..start[i+1] of byTruth holds truth cluster i.
	start := make([]int32, nt+1)
	predSize := make([]int64, np)
	for k := range t {
		start[t[k]+1]++
		predSize[p[k]]++
	}
	for i := range nt {
		start[i+1] += start[i]
	}
	byTruth := make([]int32, n)
	next := make([]int32, nt)
	copy(next, start[:nt])
	for k := range t {
		byTruth[next[t[k]]] = p[k]
		next[t[k]]++
	}
	next = nil

	// One pass per truth cluster over its row of the contingency table:
	// cell counts n_ij in a dense counter, reset through the list of
	// touched columns so that the pass costs the row's items, not np.
	cell := make([]int64, np)
	predSquares := make([]int64, np) // sum_i n_ij^2 per predicted cluster j
	var touched []int32
	var tp, sumA int64
	var recallSum float64
	for i := range nt {
		row := byTruth[start[i]:start[i+1]]
		for _, j := range row {
			if cell[j] == 0 {
				touched = append(touched, j)
			}
			cell[j]++
		}
		var rowSquares int64
		for _, j := range touched {
			c := cell[j]
			tp += pairs(c)
			rowSquares += c * c
			predSquares[j] += c * c
			cell[j] = 0
		}
		touched = touched[:0]
		a := int64(len(row))
		sumA += pairs(a)
		recallSum += float64(rowSquares) / float64(a)
	}
	var sumB int64
	var precisionSum float64
	for j, b := range predSize {
		sumB += pairs(b)
		precisionSum += float64(predSquares[j]) / float64(b)
	}

	total := pairs(int64(n))
	s.ARI = ari(tp, sumA, sumB, total)
	s.Precision = ratio(tp, sumB, sumA == 0)
	s.Recall = ratio(tp, sumA, sumB == 0)
	s.F1 = harmonic(s.Precision, s.Recall)
	s.BCubedPrecision = precisionSum / float64(n)
	s.BCubedRecall = recallSum / float64(n)
	s.BCubedF1 = harmonic(s.BCubedPrecision, s.BCubedRecall)
	return s
}

// pairs is C(x, 2), halving the even factor first so that the product
// overflows only when the result does.
func pairs(x int64) int64 {
	if x%2 == 0 {
		return x / 2 * (x - 1)
	}
	return x * ((x - 1) / 2)
}

// ari is 2(tp*total - sumA*sumB) / (sumA(total-sumB) + sumB(total-sumA)),
// formed exactly: the products reach 5*10^36 at MaxItems, past int64, and in
// float64 the subtraction would cancel away the digits that matter when the
// partitions are close to each other or to an extreme.
func ari(tp, sumA, sumB, total int64) float64 {
	a, b, all := big.NewInt(sumA), big.NewInt(sumB), big.NewInt(total)
	num := new(big.Int).Mul(big.NewInt(tp), all)
	num.Sub(num, new(big.Int).Mul(a, b)).Lsh(num, 1)
	den := new(big.Int).Mul(a, new(big.Int).Sub(all, b))
	den.Add(den, new(big.Int).Mul(b, new(big.Int).Sub(all, a)))
	if den.Sign() == 0 {
		// Only for identical partitions: see the package doc.
		return 1
	}
	f, _ := new(big.Rat).SetFrac(num, den).Float64()
	return f
}

// ratio is num/den, and for 0/0 1 when bothEmpty (neither side has pairs)
// else 0.
func ratio(num, den int64, bothEmpty bool) float64 {
	if den == 0 {
		if bothEmpty {
			return 1
		}
		return 0
	}
	return float64(num) / float64(den)
}

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
