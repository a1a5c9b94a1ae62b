package sketch

import (
	"fmt"

	"github.com/zeebo/xxh3"
)

// This file holds LSH banding over MinHash signatures (Indyk & Motwani;
// Leskovec, Rajaraman & Ullman, Mining of Massive Datasets, ch. 3): cut the
// signature into b bands of r rows and hash each band to a key. Two
// signatures share at least one key with probability
//
//	P(s) = 1 - (1 - s^r)^b
//
// where s is the Jaccard similarity of their sets: an S-curve that is steep
// near (1/b)^(1/r). Sharing a key makes a pair a candidate; an exact or
// estimated similarity then decides.

// BandParams returns the bands b and rows r, with b*r <= k, that minimize
// the false positive area (the integral of P(s) over [0, threshold]) plus
// the false negative area (the integral of 1-P(s) over [threshold, 1]),
// weighted equally: the choice datasketch's MinHashLSH makes. Ties go to
// the fewer rows, then the fewer bands. It panics unless 0 < threshold < 1
// and k >= 1.
func BandParams(threshold float64, k int) (bands, rows int) {
	if !(threshold > 0 && threshold < 1) || k < 1 {
		panic(fmt.Sprintf("sketch: BandParams(%v, %d): want 0 < threshold < 1 and k >= 1", threshold, k))
	}
	return bandParams(threshold, k, bandGrid)
}

// bandGrid is the number of Simpson intervals on each side of the
// threshold. P is a polynomial of degree at most k, steep only near its
// midpoint; 1024 intervals pick the same (b, r) as 4096 for every
// threshold and k tested (TestBandParamsIntegration).
const bandGrid = 1024

func bandParams(threshold float64, k, grid int) (bands, rows int) {
	// Simpson nodes and weights on [0, t] and [t, 1]. P(s) is evaluated
	// for every (b, r) at these nodes; rows go in the outer loop so s^r
	// is one multiply per step and (1-s^r)^b another, with no math.Pow.
	n := 2*grid + 1
	s := make([]float64, 2*n)
	w := make([]float64, 2*n)
	for side, span := range [2][2]float64{{0, threshold}, {threshold, 1}} {
		h := (span[1] - span[0]) / float64(2*grid)
		for j := range n {
			s[side*n+j] = span[0] + float64(j)*h
			c := 2.0
			switch {
			case j == 0 || j == n-1:
				c = 1
			case j%2 == 1:
				c = 4
			}
			w[side*n+j] = c * h / 3
		}
	}
	pow := make([]float64, 2*n)   // s^r
	notIn := make([]float64, 2*n) // (1 - s^r)^b: the chance of no shared band
	for j := range pow {
		pow[j] = 1
	}
	best := -1.0
	for r := 1; r <= k; r++ {
		for j := range pow {
			pow[j] *= s[j]
			notIn[j] = 1
		}
		for b := 1; b*r <= k; b++ {
			var fp, fn float64
			for j := range n {
				notIn[j] *= 1 - pow[j]
				fp += w[j] * (1 - notIn[j])
			}
			for j := n; j < 2*n; j++ {
				notIn[j] *= 1 - pow[j]
				fn += w[j] * notIn[j]
			}
			if e := 0.5*fp + 0.5*fn; best < 0 || e < best {
				best, bands, rows = e, b, r
			}
		}
	}
	return bands, rows
}

// BandKeys appends to dst[:0] one key per band of sig, band i being
// sig[i*rows : (i+1)*rows], and returns it. A key is the xxh3 hash of the
// band's values seeded by the band's index, so equal rows in different
// bands give different keys and one table can hold every band. Keys depend
// only on the values, not on the machine's byte order. Every empty set's
// signature has the same keys; callers should leave empty sets out of the
// tables. It panics if bands*rows > len(sig) or either is below 1.
func BandKeys(sig []uint64, bands, rows int, dst []uint64) []uint64 {
	if bands < 1 || rows < 1 || bands*rows > len(sig) {
		panic(fmt.Sprintf("sketch: BandKeys: %d bands of %d rows do not fit a signature of %d", bands, rows, len(sig)))
	}
	var stack [8 * 32]byte
	buf := stack[:0]
	if 8*rows > len(stack) {
		buf = make([]byte, 0, 8*rows)
	}
	dst = dst[:0]
	for i := range bands {
		buf = buf[:0]
		for _, v := range sig[i*rows : (i+1)*rows] {
			buf = append(buf, byte(v), byte(v>>8), byte(v>>16), byte(v>>24),
				byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
		}
		dst = append(dst, xxh3.HashSeed(buf, uint64(i)*0x9E3779B97F4A7C15+1))
	}
	return dst
}
