package sketch

import "slices"

// radixMin is the length below which sortUint64 leaves the work to
// slices.Sort: under a few hundred values the comparison sort wins.
const radixMin = 256

// sortUint64 sorts hs in place. Long slices take an LSD radix sort, one
// byte a pass, skipping passes where every value has the same byte; the
// scratch buffer is allocated once.
func sortUint64(hs []uint64) {
	if len(hs) < radixMin {
		slices.Sort(hs)
		return
	}
	var counts [8][256]int
	for _, h := range hs {
		for p := range 8 {
			counts[p][byte(h>>(8*p))]++
		}
	}
	src, dst := hs, make([]uint64, len(hs))
	for p := range 8 {
		c := &counts[p]
		if c[byte(src[0]>>(8*p))] == len(src) {
			continue // all values share this byte
		}
		pos := 0
		for i := range c {
			n := c[i]
			c[i] = pos
			pos += n
		}
		shift := uint(8 * p)
		for _, h := range src {
			b := byte(h >> shift)
			dst[c[b]] = h
			c[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &hs[0] {
		copy(hs, src)
	}
}

// SortWithValues sorts keys in place and moves vals (of the same length)
// with them; equal keys keep their order (the sort is stable). Long slices
// take the same LSD radix sort as Set.
func SortWithValues(keys []uint64, vals []int32) {
	if len(keys) != len(vals) {
		panic("sketch: SortWithValues: lengths differ")
	}
	if len(keys) < radixMin {
		// Insertion sort: stable and fast on short slices.
		for i := 1; i < len(keys); i++ {
			k, v := keys[i], vals[i]
			j := i
			for ; j > 0 && keys[j-1] > k; j-- {
				keys[j], vals[j] = keys[j-1], vals[j-1]
			}
			keys[j], vals[j] = k, v
		}
		return
	}
	var counts [8][256]int
	for _, h := range keys {
		for p := range 8 {
			counts[p][byte(h>>(8*p))]++
		}
	}
	srcK, dstK := keys, make([]uint64, len(keys))
	srcV, dstV := vals, make([]int32, len(vals))
	for p := range 8 {
		c := &counts[p]
		if c[byte(srcK[0]>>(8*p))] == len(srcK) {
			continue // all keys share this byte
		}
		pos := 0
		for i := range c {
			n := c[i]
			c[i] = pos
			pos += n
		}
		shift := uint(8 * p)
		for i, h := range srcK {
			b := byte(h >> shift)
			dstK[c[b]] = h
			dstV[c[b]] = srcV[i]
			c[b]++
		}
		srcK, dstK = dstK, srcK
		srcV, dstV = dstV, srcV
	}
	if &srcK[0] != &keys[0] {
		copy(keys, srcK)
		copy(vals, srcV)
	}
}
