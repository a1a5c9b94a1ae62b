// Package sketch holds set similarity for finding near-duplicates among
// many texts: exact Jaccard of hashed shingle sets, the MinHash
// signatures that estimate it in constant space per document, and the LSH
// banding that turns signatures into candidate pairs without comparing
// every pair.
//
// What it offers, and where it is used:
//
//   - WordShingles: the hashed word n-grams of a text (dedup, the story
//     index's lexical keys), and Set, Set32, Set24: sorted unique sets of
//     hashes, with a radix sort for the large ones (sort.go).
//   - Jaccard and Intersection: exact similarity of two sorted sets, what
//     dedup verifies a candidate pair with, and what verify reports as
//     word5/stem/char5 Jaccard.
//   - MinHasher (k permutations, minhash.go) and OnePerm (one-permutation
//     hashing with optimal densification, oneperm.go: O(n + k) a document
//     instead of O(nk), and no empty bins for short texts): signatures
//     that EstimateJaccard compares.
//   - BandParams and BandKeys (lsh.go): cut a signature into b bands of r
//     rows whose hashes are the keys candidates share; BandParams picks b
//     and r for a Jaccard threshold the way datasketch does, so results
//     compare with the peers.
//   - Mix64: the 64-bit finalizer every key and tag here goes through.
//
// Why sketches at all: verifying a pair with the compare engine costs
// milliseconds, so a corpus of millions is only ever verified on the few
// pairs that share a band key (or, in cluster and the index, a rare
// anchor key); the sketches make finding those pairs linear in the corpus.
package sketch

import (
	"slices"
)

// Set returns hs sorted with repeats removed, the form Jaccard takes. It
// sorts hs in place.
func Set(hs []uint64) []uint64 {
	sortUint64(hs)
	return slices.Compact(hs)
}

// Jaccard returns |a ∩ b| / |a ∪ b| of two sorted sets without repeats
// (made by Set or Set32); 0 when both are empty.
func Jaccard[T uint32 | uint64](a, b []T) float64 {
	inter := Intersection(a, b)
	if u := len(a) + len(b) - inter; u > 0 {
		return float64(inter) / float64(u)
	}
	return 0
}

// Intersection returns |a ∩ b| of two sorted sets without repeats.
func Intersection[T uint32 | uint64](a, b []T) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}
