package cluster

import (
	"cmp"
	"math"
	"slices"

	retold "github.com/retold/retold"
)

// edge is one verified candidate pair: documents a < b (input indexes).
type edge struct {
	a, b    int32
	verdict retold.Verdict
	score   float64 // the compare engine's story score in [0, 1]
	event   float64 // the probability of one event (EventModel)
}

// forest is union-find over n items with each root's size and members.
type forest struct {
	parent  []int32
	members [][]int32 // members[r] for each root r
}

func newForest(n int) *forest {
	f := &forest{parent: make([]int32, n), members: make([][]int32, n)}
	for i := range f.parent {
		f.parent[i] = int32(i)
		f.members[i] = []int32{int32(i)}
	}
	return f
}

func (f *forest) find(x int32) int32 {
	for f.parent[x] != x {
		f.parent[x] = f.parent[f.parent[x]]
		x = f.parent[x]
	}
	return x
}

// union merges the sets of roots x and y; the smaller root index stays
// root, so the result does not depend on merge order.
func (f *forest) union(x, y int32) {
	if y < x {
		x, y = y, x
	}
	f.parent[y] = x
	f.members[x] = append(f.members[x], f.members[y]...)
	f.members[y] = nil
}

// agglomeration joins groups linked by enough edges: the agglomeration
// that keeps one loose edge from merging two big groups. Edges are tried
// best first; two groups merge when the edges between them number at
// least need(smaller size): a share alpha of the smaller group's size,
// rounded up (so one for a lone item joining a group). The
// edges between two groups are counted over the smaller group's members,
// so a merge costs what its members' edges cost. Passes repeat until no
// merge happens, since a merge can give a refused edge its support.
type agglomeration struct {
	alpha float64
}

func (g agglomeration) need(small int) int {
	return max(1, int(math.Ceil(g.alpha*float64(small))))
}

// run clusters n nodes. items[v] lists the documents of node v; node(d)
// is the node of document d; edges are document pairs sorted best first;
// adj[d] holds d's edge partners.
func (g agglomeration) run(n int, items [][]int32, node []int32, edges []edge, adj [][]int32) *forest {
	f := newForest(n)
	size := make([]int, n) // documents per root
	for v := range items {
		size[v] = len(items[v])
	}
	for pass := 0; pass < 8; pass++ {
		merged := false
		for _, e := range edges {
			x, y := f.find(node[e.a]), f.find(node[e.b])
			if x == y {
				continue
			}
			// Count the edges between x and y from the side with fewer
			// documents.
			small, other := x, y
			if size[y] < size[x] {
				small, other = y, x
			}
			links := 0
			for _, v := range f.members[small] {
				for _, d := range items[v] {
					for _, p := range adj[d] {
						if f.find(node[p]) == other {
							links++
						}
					}
				}
			}
			if links < g.need(min(size[x], size[y])) {
				continue
			}
			s := size[x] + size[y]
			f.union(x, y)
			size[min(x, y)] = s
			merged = true
		}
		if !merged {
			break
		}
	}
	return f
}

// sortEdges orders edges best first by key, ties by position, so the
// agglomeration is deterministic.
func sortEdges(es []edge, key func(edge) float64) {
	slices.SortFunc(es, func(x, y edge) int {
		if c := cmp.Compare(key(y), key(x)); c != 0 {
			return c
		}
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
}

// adjacency lists each document's partners over es.
func adjacency(n int, es []edge) [][]int32 {
	adj := make([][]int32, n)
	for _, e := range es {
		adj[e.a] = append(adj[e.a], e.b)
		adj[e.b] = append(adj[e.b], e.a)
	}
	return adj
}
