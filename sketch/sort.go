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
