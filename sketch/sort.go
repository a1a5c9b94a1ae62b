package sketch

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
)

// radixMin is the length below which the sorts here leave the work to a
// comparison sort: under a few hundred values it wins.
const radixMin = 256

// sortUint64 sorts hs in place.
func sortUint64(hs []uint64) {
	if len(hs) < radixMin {
		slices.Sort(hs)
		return
	}
	radixSort(hs, nil)
}

// SortWithValues sorts keys in place and moves vals (of the same length)
// with them; equal keys keep their order (the sort is stable).
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
	radixSort(keys, vals)
}

// radixSort is a stable LSD radix sort of keys, one byte a pass, skipping
// passes where every key has the same byte, moving vals along when it is
// not nil. The scratch buffers come from sortScratch: sorting is done
// per document, and fresh buffers each time were a tenth of all the
// garbage clustering made.
func radixSort(keys []uint64, vals []int32) {
	if len(keys) <= msdMax {
		bucketSort(keys, vals)
		return
	}
	var counts [8][256]int
	for _, h := range keys {
		for p := range 8 {
			counts[p][byte(h>>(8*p))]++
		}
	}
	sc := sortScratch.Get().(*radixScratch)
	defer sortScratch.Put(sc)
	sc.keys = slices.Grow(sc.keys[:0], len(keys))[:len(keys)]
	srcK, dstK := keys, sc.keys
	var srcV, dstV []int32
	if vals != nil {
		sc.vals = slices.Grow(sc.vals[:0], len(vals))[:len(vals)]
		srcV, dstV = vals, sc.vals
	}
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
			if srcV != nil {
				dstV[c[b]] = srcV[i]
			}
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

// msdMax is the longest input bucketSort takes; past it the LSD passes
// win, since bucketSort's table of counts grows with the input.
const msdMax = 1 << 16

// bucketSort is radixSort for inputs of up to msdMax hash-like keys: one
// stable pass scatters them into about len(keys) buckets by their top
// bits, then each bucket (one or two keys on average) is insertion
// sorted, which is stable too. That is two passes over the data instead of
// eight. Keys that crowd one bucket (many equal keys, say) cost only the
// comparisons they need: equal keys never move in an insertion sort, and
// a bucket that holds distinct keys and grows past a few hundred is sorted
// stably by slices.SortStableFunc instead.
func bucketSort(keys []uint64, vals []int32) {
	n := len(keys)
	b := min(16, max(8, bits.Len(uint(n))))
	shift := uint(64 - b)
	sc := sortScratch.Get().(*radixScratch)
	defer sortScratch.Put(sc)
	sc.counts = slices.Grow(sc.counts[:0], 1<<b+1)[:1<<b+1]
	clear(sc.counts)
	counts := sc.counts
	for _, k := range keys {
		counts[k>>shift+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	sc.keys = slices.Grow(sc.keys[:0], n)[:n]
	if vals != nil {
		sc.vals = slices.Grow(sc.vals[:0], n)[:n]
	}
	pos := sc.pos[:0]
	pos = append(pos, counts[:1<<b]...) // next free slot of each bucket
	sc.pos = pos
	for i, k := range keys {
		at := pos[k>>shift]
		pos[k>>shift]++
		sc.keys[at] = k
		if vals != nil {
			sc.vals[at] = vals[i]
		}
	}
	copy(keys, sc.keys)
	if vals != nil {
		copy(vals, sc.vals)
	}
	for bk := range 1 << b {
		lo, hi := int(counts[bk]), int(counts[bk+1])
		if hi-lo < 2 {
			continue
		}
		if hi-lo > 256 {
			stableSortRange(keys[lo:hi], vals, lo)
			continue
		}
		for i := lo + 1; i < hi; i++ {
			k := keys[i]
			j := i
			for ; j > lo && keys[j-1] > k; j-- {
			}
			if j == i {
				continue
			}
			copy(keys[j+1:i+1], keys[j:i])
			keys[j] = k
			if vals != nil {
				v := vals[i]
				copy(vals[j+1:i+1], vals[j:i])
				vals[j] = v
			}
		}
	}
}

// stableSortRange sorts keys (a bucket starting at off in the full
// slices) stably, moving vals[off:off+len(keys)] along.
func stableSortRange(keys []uint64, vals []int32, off int) {
	type kv struct {
		k uint64
		v int32
	}
	pairs := make([]kv, len(keys))
	for i, k := range keys {
		pairs[i].k = k
		if vals != nil {
			pairs[i].v = vals[off+i]
		}
	}
	slices.SortStableFunc(pairs, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
	for i, p := range pairs {
		keys[i] = p.k
		if vals != nil {
			vals[off+i] = p.v
		}
	}
}

// radixScratch is the sorts' scratch, reused across calls.
type radixScratch struct {
	keys        []uint64
	vals        []int32
	counts, pos []int32
}

var sortScratch = sync.Pool{New: func() any { return new(radixScratch) }}

// Set32 sorts v in place, drops repeats and returns the set, a prefix of
// v. scratch, grown to len(v) if shorter, is returned for reuse: with it,
// Set32 allocates nothing. Longer inputs go through an LSD radix sort of
// one byte a pass, skipping the bytes all values share, so a set of n
// values costs O(n), not O(n log n).
func Set32(v, scratch []uint32) (set, newScratch []uint32) { return radixSet(v, scratch, 4) }

// Set24 is Set32 for values below 2^24, which it expects to be spread
// evenly, as hash bits are: one counting pass files them in about n
// buckets by their top bits (bucketSet24), and insertion sort finishes
// each bucket. Larger values are a caller's bug; they come back sorted,
// slower.
func Set24(v, scratch []uint32) (set, newScratch []uint32) {
	if len(v) < radixMin {
		slices.Sort(v)
		return slices.Compact(v), scratch
	}
	return bucketSet24(v, scratch)
}

// bucketSet24 sorts v, spread over [0, 2^24), by one pass of counting
// sort on the top b bits, with 2^b about len(v), and then one pass of
// insertion sort over the whole, which moves each value only past the
// few others of its bucket. Three LSD radix passes cost twice as much on
// the sets dedup makes (hundreds to thousands of shingles). Values that
// crowd into few buckets would make the insertion pass quadratic, so
// past 4 moves a value on average it hands over to slices.Sort.
func bucketSet24(v, scratch []uint32) (set, newScratch []uint32) {
	n := len(v)
	b := min(24, bits.Len(uint(n)))
	shift := uint(24 - b)
	nb := 1 << b
	scratch = slices.Grow(scratch[:0], n+nb)[:n+nb]
	dst, counts := scratch[:n:n], scratch[n:]
	clear(counts)
	mask := uint32(nb - 1)
	for _, x := range v {
		counts[x>>shift&mask]++
	}
	pos := uint32(0)
	for i, c := range counts {
		counts[i] = pos
		pos += c
	}
	for _, x := range v {
		k := x >> shift & mask
		dst[counts[k]] = x
		counts[k]++
	}
	moves, budget := 0, 4*n
	for i := 1; i < n; i++ {
		x := dst[i]
		j := i
		for ; j > 0 && dst[j-1] > x; j-- {
			dst[j] = dst[j-1]
		}
		dst[j] = x
		if moves += i - j; moves > budget {
			slices.Sort(dst)
			break
		}
	}
	copy(v, dst)
	return slices.Compact(v), scratch
}

// radixSet sorts the low 8*bytes bits of v's values and compacts them.
func radixSet(v, scratch []uint32, bytes int) (set, newScratch []uint32) {
	if len(v) < radixMin {
		slices.Sort(v)
		return slices.Compact(v), scratch
	}
	scratch = slices.Grow(scratch[:0], len(v))[:len(v)]
	var counts [4][256]uint32
	if bytes == 3 {
		for _, x := range v {
			counts[0][byte(x)]++
			counts[1][byte(x>>8)]++
			counts[2][byte(x>>16)]++
		}
	} else {
		for _, x := range v {
			counts[0][byte(x)]++
			counts[1][byte(x>>8)]++
			counts[2][byte(x>>16)]++
			counts[3][byte(x>>24)]++
		}
	}
	src, dst := v, scratch
	for p := range bytes {
		c := &counts[p]
		shift := uint(8 * p)
		if int(c[byte(src[0]>>shift)]) == len(src) {
			continue // all values share this byte
		}
		pos := uint32(0)
		for i := range c {
			n := c[i]
			c[i] = pos
			pos += n
		}
		for _, x := range src {
			b := byte(x >> shift)
			dst[c[b]] = x
			c[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &v[0] {
		copy(v, src)
	}
	return slices.Compact(v), scratch
}
