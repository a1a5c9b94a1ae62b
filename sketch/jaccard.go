// Package sketch holds set similarity: exact Jaccard of hashed shingle sets,
// and the MinHash signatures and LSH banding that estimate it.
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
