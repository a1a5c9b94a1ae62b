package cluster

// lists maps keys to lists of document indexes, in the order added. Most
// keys of a corpus (LSH buckets, rare facts and words) are held by one
// document, and a map of slices spends a 24-byte header and an allocation
// on each: here such a key costs one map slot in one, and only keys with
// two documents or more get a slice, in more. At a million documents the
// lexical buckets alone are some twenty million keys.
type lists[K comparable] struct {
	one  map[K]int32
	more map[K][]int32
}

func newLists[K comparable]() lists[K] {
	return lists[K]{one: make(map[K]int32), more: make(map[K][]int32)}
}

// add appends d to k's list.
func (l *lists[K]) add(k K, d int32) {
	if ds, ok := l.more[k]; ok {
		l.more[k] = append(ds, d)
		return
	}
	if first, ok := l.one[k]; ok {
		delete(l.one, k)
		l.more[k] = []int32{first, d}
		return
	}
	l.one[k] = d
}

// get returns k's list: a slice of the table's own for two documents or
// more (not to be changed), else one appended to buf[:0].
func (l *lists[K]) get(k K, buf []int32) []int32 {
	if ds, ok := l.more[k]; ok {
		return ds
	}
	if d, ok := l.one[k]; ok {
		return append(buf[:0], d)
	}
	return buf[:0]
}

// drop forgets k.
func (l *lists[K]) drop(k K) {
	delete(l.one, k)
	delete(l.more, k)
}
