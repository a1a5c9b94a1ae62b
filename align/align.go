package align

import (
	"cmp"
	"slices"
	"sync"

	"github.com/retold/retold/sketch"
)

// Feature is one hashed feature of a sentence with its weight.
type Feature struct {
	Hash   uint64
	Weight float64
}

// Sentence is what alignment sees of a sentence: its features, sorted by
// Hash with no repeats (use Normalize to make them so).
type Sentence struct {
	Features []Feature
	// Total, when not 0, is the sum of the weights of all the sentence's
	// features, including those left out of Features because the other
	// document has none of them: they count in its size but can never be
	// shared. A caller that knows both documents may leave them out, and
	// make alignment that much cheaper.
	Total float64
}

// total returns the sum of the feature weights.
func (s Sentence) total() float64 {
	if s.Total != 0 {
		return s.Total
	}
	t := 0.0
	for _, f := range s.Features {
		t += f.Weight
	}
	return t
}

// Normalize sorts features by hash and merges repeats, keeping the larger
// weight, so the slice can be used in a Sentence.
func Normalize(fs []Feature) []Feature {
	sortFeatures(fs)
	out := fs[:0]
	for _, f := range fs {
		if n := len(out); n > 0 && out[n-1].Hash == f.Hash {
			out[n-1].Weight = max(out[n-1].Weight, f.Weight)
			continue
		}
		out = append(out, f)
	}
	return out
}

// sortFeatures sorts fs by Hash. Profiles sort every sentence's features,
// and slices.SortFunc's call per comparison was a seventh of profiling:
// short slices take an insertion sort, longer ones sketch's bucket sort of
// the hashes carrying each feature's position. Equal hashes may come out
// in any order; Normalize merges them.
func sortFeatures(fs []Feature) {
	if len(fs) <= 16 {
		for i := 1; i < len(fs); i++ {
			f := fs[i]
			j := i
			for ; j > 0 && fs[j-1].Hash > f.Hash; j-- {
				fs[j] = fs[j-1]
			}
			fs[j] = f
		}
		return
	}
	sc := featureSortScratch.Get().(*featureSort)
	defer featureSortScratch.Put(sc)
	n := len(fs)
	sc.keys = slices.Grow(sc.keys[:0], n)[:n]
	sc.at = slices.Grow(sc.at[:0], n)[:n]
	sc.tmp = slices.Grow(sc.tmp[:0], n)[:n]
	for i, f := range fs {
		sc.keys[i], sc.at[i] = f.Hash, int32(i)
	}
	sketch.SortWithValues(sc.keys, sc.at)
	for i, k := range sc.at {
		sc.tmp[i] = fs[k]
	}
	copy(fs, sc.tmp)
}

type featureSort struct {
	keys []uint64
	at   []int32
	tmp  []Feature
}

var featureSortScratch = sync.Pool{New: func() any { return new(featureSort) }}

// Pair is one aligned pair of sentences: index A in the first document, B in
// the second.
type Pair struct {
	A, B int
	Sim  float64
}

// Options tune alignment. A nil *Options means the defaults.
type Options struct {
	// MinSim is the least similarity for two sentences to be linked.
	MinSim float64
	// MinContain is the least share of an unlinked sentence's feature weight
	// that must lie inside a neighbour's partner for a split/merge link.
	MinContain float64
}

// DefaultOptions are the options used when none are given; they were chosen
// on the development data (see the verify package).
var DefaultOptions = Options{MinSim: 0.25, MinContain: 0.6}

// Similarity returns the weighted Dice similarity of two sentences.
func Similarity(a, b Sentence) float64 {
	shared := sharedWeight(a, b)
	if shared == 0 {
		return 0
	}
	return 2 * shared / (a.total() + b.total())
}

// sharedWeight sums min(wa, wb) over the features a and b share, by a merge
// of the two sorted lists.
func sharedWeight(a, b Sentence) float64 {
	s := 0.0
	i, j := 0, 0
	for i < len(a.Features) && j < len(b.Features) {
		x, y := a.Features[i], b.Features[j]
		switch {
		case x.Hash < y.Hash:
			i++
		case x.Hash > y.Hash:
			j++
		default:
			s += min(x.Weight, y.Weight)
			i++
			j++
		}
	}
	return s
}

// scored is a candidate pair with its shared weight, before linking.
type scored struct {
	a, b   int
	sim    float64
	shared float64
}

// Align links the sentences of a and b. The result is sorted by A, then B.
func Align(a, b []Sentence, opt *Options) []Pair {
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	sc := indexScratch.Get().(*bIndex)
	defer indexScratch.Put(sc)
	return link(candidates(a, b, o, sc), a, b, o, sc)
}

// candidates returns the pairs of sentences that could be linked: similar
// enough for a 1-1 link, or with one side contained enough in the other for
// a split/merge link. It uses an inverted index over b.
func candidates(a, b []Sentence, o Options, sc *bIndex) []scored {
	// The index maps a feature hash to the head of a chain of postings in
	// one flat slice. Map and slices come from indexScratch: a corpus
	// aligns many pairs, and building them fresh for each was an eighth of
	// all the garbage clustering made.
	nf := 0
	var maxHash uint64
	for _, s := range b {
		nf += len(s.Features)
		for _, f := range s.Features {
			maxHash = max(maxHash, f.Hash)
		}
	}
	// Features numbered densely (as verify numbers the features a pair
	// shares) are indexed by a slice; hashes by the map.
	dense := maxHash < uint64(4*nf+64)
	var head map[uint64]int32
	var denseHead []int32
	if dense {
		denseHead = slices.Grow(sc.denseHead[:0], int(maxHash)+1)[:maxHash+1]
		for i := range denseHead {
			denseHead[i] = -1
		}
		sc.denseHead = denseHead
	} else {
		head = sc.head
		clear(head)
	}
	posts := slices.Grow(sc.posts[:0], nf)
	totB := slices.Grow(sc.totB[:0], len(b))[:len(b)]
	clear(totB)
	for j, s := range b {
		for _, f := range s.Features {
			var prev int32
			if dense {
				prev = denseHead[f.Hash]
				denseHead[f.Hash] = int32(len(posts))
			} else {
				var ok bool
				if prev, ok = head[f.Hash]; !ok {
					prev = -1
				}
				head[f.Hash] = int32(len(posts))
			}
			posts = append(posts, posting{sent: int32(j), next: prev, weight: f.Weight, n: 1})
			if prev >= 0 {
				posts[len(posts)-1].n = posts[prev].n + 1
			}
		}
		totB[j] = s.total()
	}
	// In a long text a feature held by many sentences of b (a common
	// word, a frequent name) would make every pair of sentences a
	// candidate: it finds none, and the shared weight of the pairs that
	// rarer features find is computed exactly instead (capped). Texts of
	// up to longText sentences are aligned in full.
	capped := len(b) > longText
	out := sc.cands[:0]
	acc := slices.Grow(sc.acc[:0], len(b))[:len(b)]
	clear(acc)
	touched := sc.touched[:0]
	for i, s := range a {
		totA := s.total()
		skipped := false
		skippedWeight := 0.0 // what the skipped features could add to any pair
		for _, f := range s.Features {
			p := int32(-1)
			if dense {
				if f.Hash < uint64(len(denseHead)) {
					p = denseHead[f.Hash]
				}
			} else if q, ok := head[f.Hash]; ok {
				p = q
			}
			if capped && p >= 0 && posts[p].n > maxPosting {
				skipped = true
				skippedWeight += f.Weight
				continue
			}
			for ; p >= 0; p = posts[p].next {
				j := posts[p].sent
				if capped && acc[j] == 0 {
					touched = append(touched, j)
				}
				acc[j] += min(f.Weight, posts[p].weight)
			}
		}
		if !capped {
			// A short text: one scan of the row beats keeping a list.
			for j, sh := range acc {
				if sh == 0 {
					continue
				}
				acc[j] = 0
				if c := (scored{a: i, b: j, shared: sh, sim: 2 * sh / (totA + totB[j])}); c.keep(totA, totB[j], o) {
					out = append(out, c)
				}
			}
			continue
		}
		// A long text: only the sentences touched, in b's order, as the
		// row scan gives them.
		slices.Sort(touched)
		touched = slices.Compact(touched) // a zero weight leaves acc at 0
		for _, j := range touched {
			sh := acc[j]
			acc[j] = 0
			if skipped {
				// Only a pair that could be kept with all the skipped
				// weight shared is worth the exact merge.
				ub := min(sh+skippedWeight, totA, totB[j])
				if !(scored{shared: ub, sim: 2 * ub / (totA + totB[j])}).keep(totA, totB[j], o) {
					continue
				}
				sh = sharedWeight(s, b[j])
			}
			if sh == 0 {
				continue
			}
			if c := (scored{a: i, b: int(j), shared: sh, sim: 2 * sh / (totA + totB[j])}); c.keep(totA, totB[j], o) {
				out = append(out, c)
			}
		}
		touched = touched[:0]
	}
	sc.posts, sc.totB, sc.acc, sc.cands, sc.touched = posts, totB, acc, out, touched
	return out
}

// longText and maxPosting bound the candidates of long texts: past
// longText sentences in b, a feature held by more than maxPosting of them
// finds no candidates (see candidates). A news article is far below
// longText, so its alignment is exact; a book-length text is aligned in
// time near-linear in its sentences instead of quadratic.
const (
	longText   = 256
	maxPosting = 64
)

// posting is one feature of one sentence of b in the candidates index.
type posting struct {
	sent   int32
	next   int32 // previous posting of the same hash, or -1
	n      int32 // the length of the chain from here: how many sentences of b hold the hash so far
	weight float64
}

// bIndex is the scratch of candidates and link, reused across calls.
type bIndex struct {
	head      map[uint64]int32
	denseHead []int32
	cands     []scored // candidates' result, valid until the scratch is put back
	strong    []scored
	posts     []posting
	totB      []float64
	acc       []float64
	touched   []int32 // the sentences of b acc holds weight for
}

var indexScratch = sync.Pool{New: func() any { return &bIndex{head: make(map[uint64]int32)} }}

// keep reports whether a candidate can ever be linked: the rest are
// dropped before sorting, which is most of the cost.
func (c scored) keep(totA, totB float64, o Options) bool {
	return c.sim >= o.MinSim || c.shared >= o.MinContain*totA || c.shared >= o.MinContain*totB
}

// link does competitive linking and then split/merge links. cands must be
// in (a, b) order, as candidates and referenceAlign make them: the
// split/merge step looks pairs up in them by binary search.
func link(cands []scored, a, b []Sentence, o Options, sc *bIndex) []Pair {
	// Only pairs of at least MinSim can be linked one to one; the rest are
	// there for the split/merge step, and need no sorting.
	strong := sc.strong[:0]
	for _, c := range cands {
		if c.sim >= o.MinSim {
			strong = append(strong, c)
		}
	}
	sc.strong = strong
	// Best first; ties by position so the result does not depend on the
	// order candidates were produced in.
	slices.SortFunc(strong, func(x, y scored) int {
		if c := cmp.Compare(y.sim, x.sim); c != 0 {
			return c
		}
		if c := cmp.Compare(abs(x.a-x.b), abs(y.a-y.b)); c != 0 {
			return c
		}
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
	partnerA := filled(len(a), -1)
	partnerB := filled(len(b), -1)
	var pairs []Pair
	for _, c := range strong {
		if partnerA[c.a] >= 0 || partnerB[c.b] >= 0 {
			continue
		}
		partnerA[c.a], partnerB[c.b] = c.b, c.a
		pairs = append(pairs, Pair{A: c.a, B: c.b, Sim: c.sim})
	}
	// Split and merge: an unlinked sentence mostly contained in the partner
	// of its neighbour.
	totA := totals(a)
	totB := totals(b)
	lookup := func(i, j int) (scored, bool) {
		k, ok := slices.BinarySearchFunc(cands, [2]int{i, j}, func(c scored, t [2]int) int {
			if c := cmp.Compare(c.a, t[0]); c != 0 {
				return c
			}
			return cmp.Compare(c.b, t[1])
		})
		if !ok {
			return scored{}, false
		}
		return cands[k], true
	}
	extra := containedLinks(partnerA, totA, o.MinContain, lookup)
	for _, p := range containedLinks(partnerB, totB, o.MinContain, func(j, i int) (scored, bool) { return lookup(i, j) }) {
		extra = append(extra, Pair{A: p.B, B: p.A, Sim: p.Sim})
	}
	pairs = append(pairs, extra...)
	slices.SortFunc(pairs, func(x, y Pair) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	return pairs
}

// containedLinks links each unlinked sentence of one side (partner[i] < 0)
// to the partner of a neighbour when at least minContain of its weight lies
// inside that sentence. It works from either side: lookup(self, other)
// finds the candidate, and the pairs come back as {A: self, B: other}.
func containedLinks(partner []int, tot []float64, minContain float64, lookup func(self, other int) (scored, bool)) []Pair {
	var out []Pair
	for i := range partner {
		if partner[i] >= 0 || tot[i] == 0 {
			continue
		}
		for _, n := range []int{i - 1, i + 1} {
			if n < 0 || n >= len(partner) || partner[n] < 0 {
				continue
			}
			j := partner[n]
			if c, ok := lookup(i, j); ok && c.shared/tot[i] >= minContain {
				out = append(out, Pair{A: i, B: j, Sim: c.sim})
				break
			}
		}
	}
	return out
}

func totals(s []Sentence) []float64 {
	t := make([]float64, len(s))
	for i := range s {
		t[i] = s[i].total()
	}
	return t
}

func filled(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// OrderedRun returns the longest subsequence of pairs (sorted by A, then
// B) that is strictly increasing in both A and B: the aligned sentences
// that keep their order. Among runs of equal length it prefers the one
// with the larger total similarity.
func OrderedRun(pairs []Pair) []Pair {
	n := len(pairs)
	if n == 0 {
		return nil
	}
	// O(n^2) dynamic program: n is the number of aligned sentences, small.
	length := make([]int, n)
	score := make([]float64, n)
	prev := make([]int, n)
	best := 0
	for i := range pairs {
		length[i], score[i], prev[i] = 1, pairs[i].Sim, -1
		for j := 0; j < i; j++ {
			if pairs[j].A < pairs[i].A && pairs[j].B < pairs[i].B {
				if l, s := length[j]+1, score[j]+pairs[i].Sim; l > length[i] || l == length[i] && s > score[i] {
					length[i], score[i], prev[i] = l, s, j
				}
			}
		}
		if length[i] > length[best] || length[i] == length[best] && score[i] > score[best] {
			best = i
		}
	}
	run := make([]Pair, length[best])
	for k, i := len(run)-1, best; i >= 0; k, i = k-1, prev[i] {
		run[k] = pairs[i]
	}
	return run
}

// OrderAgreement returns the share of pairs in the longest subsequence that
// is increasing in both A and B: 1 when the aligned sentences keep their
// order, lower when paragraphs were moved.
func OrderAgreement(pairs []Pair) float64 {
	if len(pairs) == 0 {
		return 0
	}
	// pairs are sorted by A then B; the longest strictly increasing
	// subsequence of B (patience sorting) is the longest order-kept run.
	var tails []int
	for _, p := range pairs {
		k, _ := slices.BinarySearch(tails, p.B)
		if k == len(tails) {
			tails = append(tails, p.B)
		} else {
			tails[k] = p.B
		}
	}
	return float64(len(tails)) / float64(len(pairs))
}
