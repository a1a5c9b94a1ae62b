package baseline

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	retold "github.com/retold/retold"
	"github.com/retold/retold/sketch"
)

// Defaults of Options. The cosine thresholds were chosen on the
// development set; the package doc gives the grid and the scores.
const (
	DefaultJaccard = 0.5 // what MinHash dedup pipelines use
	DefaultShingle = 5
	DefaultPerms   = 128

	// DefaultCosine maximizes story ARI + event ARI with one partition
	// for both levels.
	DefaultCosine = 0.175
	DefaultMaxDF  = 1.0 // keep every term, as scikit-learn does
	// DefaultMaxPostings is above every document frequency that matters on
	// the evaluation sets: with it, their results are those of the exact
	// search (TestBaselinesOnSharedData checks WMT, the largest).
	DefaultMaxPostings = 2000
)

// StoryCosine and EventCosine are the thresholds that maximize story ARI
// and event ARI alone on the development set. Clustering twice, once at
// each, gives the baseline its best at both levels; stories then nest in
// events, since single link at the lower threshold keeps every link made
// at the higher one.
const (
	StoryCosine = 0.275
	EventCosine = 0.15
)

// Options tune the baselines. A nil *Options, and every zero field, means
// the default. The output never depends on Workers.
type Options struct {
	// Threshold links two documents whose similarity is at least this: the
	// MinHash estimate of the Jaccard similarity of their word-shingle sets
	// for MinHash (DefaultJaccard), the cosine of their TF-IDF vectors for
	// TFIDF (DefaultCosine). It must lie in (0, 1].
	Threshold float64
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int

	// Shingle is the words per shingle of MinHash (DefaultShingle), Perms
	// its number of permutations (DefaultPerms) and Seed the seed they are
	// drawn from.
	Shingle int
	Perms   int
	Seed    uint64

	// MaxDF drops from the TFIDF vocabulary the terms found in more than
	// this share of the documents, like scikit-learn's max_df
	// (DefaultMaxDF keeps them all). It must lie in (0, 1].
	MaxDF float64

	// MaxPostings bounds the work of the TFIDF pair search: terms found in
	// more documents than this are not looked up for candidates (they
	// still count in every cosine). 0 means DefaultMaxPostings; -1 means
	// no bound.
	MaxPostings int
}

func (o *Options) withDefaults(threshold float64) Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.Threshold == 0 {
		v.Threshold = threshold
	}
	if !(v.Threshold > 0 && v.Threshold <= 1) {
		panic(fmt.Sprintf("baseline: Threshold %v outside (0, 1]", v.Threshold))
	}
	if v.Workers <= 0 {
		v.Workers = runtime.GOMAXPROCS(0)
	}
	if v.Shingle == 0 {
		v.Shingle = DefaultShingle
	}
	if v.Perms == 0 {
		v.Perms = DefaultPerms
	}
	if v.MaxPostings == 0 {
		v.MaxPostings = DefaultMaxPostings
	}
	if v.MaxDF == 0 {
		v.MaxDF = DefaultMaxDF
	}
	if !(v.MaxDF > 0 && v.MaxDF <= 1) {
		panic(fmt.Sprintf("baseline: MaxDF %v outside (0, 1]", v.MaxDF))
	}
	return v
}

// MinHash clusters docs the way corpus deduplication pipelines do
// (datasketch, text-dedup, datatrove): word shingles of each Text, a
// MinHash signature, LSH bands tuned to the threshold, candidate pairs
// from shared band keys, kept when the estimated Jaccard reaches the
// threshold, and connected components of the kept pairs. It returns one
// label per document, in input order: the ID of the cluster's first
// document. Documents without words stay alone. The partition serves as
// both stories and events.
func MinHash(docs []retold.Document, opt *Options) []string {
	o := opt.withDefaults(DefaultJaccard)
	n := len(docs)
	mh := sketch.NewMinHasher(o.Perms, o.Seed)
	k := mh.K()
	// BandParams needs a threshold below 1; 0.99's bands serve for 1.
	bands, rows := sketch.BandParams(min(o.Threshold, 0.99), k)
	// Signatures and keys live in two flat arrays, document i at i*k and
	// i*bands: one allocation each instead of one per document.
	sigs := make([]uint64, n*k)
	keys := make([]uint64, n*bands)
	hasWords := make([]bool, n)
	type scratch struct{ shingles, sig, keys []uint64 }
	work := make([]scratch, o.Workers)
	parallel(o.Workers, n, func(w, i int) {
		s := &work[w]
		s.shingles = sketch.WordShingles(docs[i].Text, o.Shingle, s.shingles)
		if len(s.shingles) == 0 {
			return
		}
		hasWords[i] = true
		s.sig = mh.Signature(s.shingles, s.sig)
		copy(sigs[i*k:], s.sig)
		s.keys = sketch.BandKeys(s.sig, bands, rows, s.keys)
		copy(keys[i*bands:], s.keys)
	})

	f := newForest(n)
	type entry struct {
		key uint64
		doc int32
	}
	table := make([]entry, 0, n)
	for b := range bands {
		table = table[:0]
		for i := range n {
			if hasWords[i] {
				table = append(table, entry{keys[i*bands+b], int32(i)})
			}
		}
		slices.SortFunc(table, func(x, y entry) int {
			return cmp.Or(cmp.Compare(x.key, y.key), cmp.Compare(x.doc, y.doc))
		})
		for lo := 0; lo < len(table); {
			hi := lo + 1
			for hi < len(table) && table[hi].key == table[lo].key {
				hi++
			}
			// Every pair of the bucket is a candidate. A pair already
			// joined through other edges needs no estimate: skipping it
			// leaves the components as they are, and a bucket of m copies
			// costs about m estimates instead of m^2/2.
			for x := lo + 1; x < hi; x++ {
				dx := int(table[x].doc)
				for y := lo; y < x; y++ {
					dy := int(table[y].doc)
					if f.find(dx) == f.find(dy) {
						continue
					}
					if sketch.EstimateJaccard(sigs[dx*k:(dx+1)*k], sigs[dy*k:(dy+1)*k]) >= o.Threshold {
						f.union(dx, dy)
					}
				}
			}
			lo = hi
		}
	}
	return f.labels(docs)
}

// TFIDF clusters docs by single link over TF-IDF cosine similarity: two
// documents whose cosine reaches the threshold share a cluster, and so,
// transitively, does everything linked to either. Terms are the lower-cased
// word unigrams and bigrams of Title and Text (sketch.WordShingles with
// n = 1 and 2); a term's weight is the sublinear term frequency
// 1 + ln(tf) times the smoothed inverse document frequency
// ln((1+N)/(1+df)) + 1, and each vector is L2-normalised: scikit-learn's
// TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True). It returns one
// label per document, in input order: the ID of the cluster's first
// document. The partition serves as both stories and events; see
// StoryCosine and EventCosine for one per level.
//
// Pairs are found without an N x N matrix, by prefix filtering (Bayardo,
// Ma & Srikant, "Scaling up all pairs similarity search", 2007): each
// vector's terms are ordered rarest first, and only the shortest prefix
// whose remainder has norm below the threshold t is looked up in the
// inverted index. A pair with cosine >= t must share a term of that
// prefix (otherwise its cosine is at most the remainder's norm, below t),
// so the search is exact; the lookups touch mostly the short posting
// lists of rare terms. Each candidate's cosine is then computed exactly
// from the two sparse vectors. Options.MaxPostings trades exactness for
// bounded work on large corpora (see the package doc).
func TFIDF(docs []retold.Document, opt *Options) []string {
	o := opt.withDefaults(DefaultCosine)
	v := vectorize(docs, o)
	edges := make([][]int32, len(docs))
	type scratch struct {
		acc     []float64
		touched []int32
	}
	work := make([]scratch, o.Workers)
	parallel(o.Workers, len(docs), func(w, x int) {
		s := &work[w]
		if s.acc == nil {
			s.acc = make([]float64, len(docs))
		}
		edges[x] = v.similar(x, o.Threshold, o.MaxPostings, s.acc, &s.touched)
	})
	f := newForest(len(docs))
	for x, ys := range edges {
		for _, y := range ys {
			f.union(x, int(y))
		}
	}
	return f.labels(docs)
}

// vectors holds the TF-IDF vectors of a corpus, keeping only the terms
// two documents can share (document frequency 2 or more); terms of one
// document still count in its norm.
type vectors struct {
	start []int     // document i's terms are terms[start[i]:start[i+1]]
	terms []int32   // term ids, ascending in each document: rarest first
	ws    []float64 // weights, parallel to terms
	// suffix[j] is the norm of the weights from j to the end of j's
	// document.
	suffix []float64
	// postings[t] lists the documents holding term t, ascending, with
	// the term's weight in each.
	postings [][]posting
}

type posting struct {
	doc int32
	w   float64
}

// counted is one distinct term of a document with its count. key is the
// term's hash until vectorize numbers the terms, then its number.
type counted struct {
	key uint64
	tf  int32
}

func vectorize(docs []retold.Document, o Options) *vectors {
	n := len(docs)
	bags := make([][]counted, n)
	type scratch struct{ terms, bigrams []uint64 }
	work := make([]scratch, o.Workers)
	parallel(o.Workers, n, func(w, i int) {
		s := &work[w]
		text := docs[i].Text
		if docs[i].Title != "" {
			text = docs[i].Title + "\n" + docs[i].Text
		}
		hs := sketch.WordShingles(text, 1, s.terms)
		// A one-word text's "bigram" would be its only word again.
		if len(hs) >= 2 {
			s.bigrams = sketch.WordShingles(text, 2, s.bigrams)
			hs = append(hs, s.bigrams...)
		}
		s.terms = hs
		slices.Sort(hs)
		var bag []counted
		for j := 0; j < len(hs); {
			k := j + 1
			for k < len(hs) && hs[k] == hs[j] {
				k++
			}
			bag = append(bag, counted{hs[j], int32(k - j)})
			j = k
		}
		bags[i] = bag
	})

	// Number the distinct terms in order of first appearance, with one map
	// lookup per term of each document; from here on bags hold these
	// numbers instead of hashes, and everything is slice indexing.
	number := make(map[uint64]int32)
	var hashes []uint64
	var df []int32
	for _, bag := range bags {
		for j := range bag {
			c := &bag[j]
			k, ok := number[c.key]
			if !ok {
				k = int32(len(hashes))
				number[c.key] = k
				hashes = append(hashes, c.key)
				df = append(df, 0)
			}
			df[k]++
			c.key = uint64(k)
		}
	}
	number = nil
	maxDF := int32(math.Floor(o.MaxDF * float64(n)))
	idf := make([]float64, n+1) // by document frequency
	for d := range idf {
		idf[d] = math.Log(float64(1+n)/float64(1+d)) + 1
	}

	// Term ids of the terms two documents can share, in order of document
	// frequency, rarest first, ties by hash: the global order prefix
	// filtering needs, and a deterministic one.
	var shared []int32 // term id -> term number
	for k, d := range df {
		if d >= 2 && d <= maxDF {
			shared = append(shared, int32(k))
		}
	}
	slices.SortFunc(shared, func(a, b int32) int {
		return cmp.Or(cmp.Compare(df[a], df[b]), cmp.Compare(hashes[a], hashes[b]))
	})
	id := make([]int32, len(hashes)) // term number -> term id, or -1
	for k := range id {
		id[k] = -1
	}
	for i, k := range shared {
		id[k] = int32(i)
	}

	// Weights per document, in parallel.
	type entry struct {
		term int32
		w    float64
	}
	vecs := make([][]entry, n)
	parallel(o.Workers, n, func(_, i int) {
		var vec []entry
		var norm2 float64
		for _, c := range bags[i] {
			d := df[c.key]
			if d > maxDF {
				continue
			}
			w := idf[d]
			if c.tf > 1 {
				w *= 1 + math.Log(float64(c.tf)) // sublinear tf
			}
			norm2 += w * w
			if t := id[c.key]; t >= 0 {
				vec = append(vec, entry{t, w})
			}
		}
		slices.SortFunc(vec, func(a, b entry) int { return cmp.Compare(a.term, b.term) })
		norm := math.Sqrt(norm2)
		for j := range vec {
			vec[j].w /= norm
		}
		vecs[i] = vec
		bags[i] = nil
	})

	// Flat arrays; a term's posting list is as long as its document
	// frequency, so all lists are cut from one.
	total := 0
	for _, vec := range vecs {
		total += len(vec)
	}
	v := &vectors{start: make([]int, n+1), terms: make([]int32, 0, total), ws: make([]float64, 0, total), postings: make([][]posting, len(shared))}
	flat := make([]posting, total)
	off := 0
	for i, k := range shared {
		v.postings[i] = flat[off : off : off+int(df[k])]
		off += int(df[k])
	}
	for i, vec := range vecs {
		for _, e := range vec {
			v.terms = append(v.terms, e.term)
			v.ws = append(v.ws, e.w)
			v.postings[e.term] = append(v.postings[e.term], posting{int32(i), e.w})
		}
		v.start[i+1] = len(v.terms)
		vecs[i] = nil
	}
	v.suffix = make([]float64, len(v.ws))
	for i := range n {
		var s2 float64
		for j := v.start[i+1] - 1; j >= v.start[i]; j-- {
			s2 += v.ws[j] * v.ws[j]
			v.suffix[j] = math.Sqrt(s2)
		}
	}
	return v
}

// cosineSlack is how far under the threshold a computed cosine may fall and
// still link: summation order moves a cosine by about 1e-16 per term.
const cosineSlack = 1e-9

// similar returns the documents y > x whose cosine with x is at least t
// (less cosineSlack), in no particular order: union-find does not care. acc must hold len(docs) zeros and is
// left so; touched is scratch.
//
// x's terms split at a term id cut into a prefix (rarer terms) and a
// suffix whose norm, rest, is below t (unless maxPostings cut the prefix
// shorter). Only the prefix is looked up; it
// gives acc[y], the dot product of the prefix with y. The suffix adds
// dot(suffix, y's terms from cut on), at most rest times the norm of
// those terms of y: pairs that cannot reach t stop there, and the others
// get the exact sum from a merge of the two short tails.
func (v *vectors) similar(x int, t float64, maxPostings int, acc []float64, touched *[]int32) []int32 {
	// Rounding must not decide a link: identical vectors come out a hair
	// under 1. Every comparison with t allows cosineSlack, and so may
	// extend the prefix a term further than needed, never less.
	t -= cosineSlack
	lo, hi := v.start[x], v.start[x+1]
	end := lo
	for end < hi && v.suffix[end] >= t {
		end++
	}
	// Terms are ordered by document frequency, so the ones with more
	// postings than maxPostings end the vector: stop the prefix at the
	// first. They join the suffix, which is still summed exactly; only
	// pairs that share none of the terms looked up go unfound.
	if maxPostings >= 0 {
		for j := lo; j < end; j++ {
			if len(v.postings[v.terms[j]]) > maxPostings {
				end = j
				break
			}
		}
	}
	tl := (*touched)[:0]
	for j := lo; j < end; j++ {
		ps := v.postings[v.terms[j]]
		// Postings are sorted by document: skip to those after x.
		k, _ := slices.BinarySearchFunc(ps, int32(x+1), func(p posting, d int32) int { return cmp.Compare(p.doc, d) })
		for _, p := range ps[k:] {
			if acc[p.doc] == 0 {
				tl = append(tl, p.doc)
			}
			acc[p.doc] += v.ws[j] * p.w
		}
	}
	var out []int32
	if end == hi { // no suffix: acc is the whole dot product
		for _, y := range tl {
			if acc[y] >= t {
				out = append(out, y)
			}
			acc[y] = 0
		}
		*touched = tl
		return out
	}
	cut, rest := v.terms[end], v.suffix[end]
	xs, xw := v.terms[end:hi], v.ws[end:hi]
	for _, y := range tl {
		dot := acc[y]
		acc[y] = 0
		if dot+rest < t { // the suffix adds at most rest: |y| <= 1
			continue
		}
		ylo, yhi := v.start[y], v.start[y+1]
		k, _ := slices.BinarySearch(v.terms[ylo:yhi], cut)
		k += ylo
		if k == yhi {
			if dot >= t {
				out = append(out, y)
			}
			continue
		}
		if dot+rest*v.suffix[k] < t {
			continue
		}
		if dot+mergeDot(xs, xw, v.terms[k:yhi], v.ws[k:yhi]) >= t {
			out = append(out, y)
		}
	}
	*touched = tl
	return out
}

// mergeDot is the dot product of two sparse vectors with ascending term
// ids, summed in term order.
func mergeDot(a []int32, aw []float64, b []int32, bw []float64) float64 {
	var dot float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			dot += aw[i] * bw[j]
			i++
			j++
		}
	}
	return dot
}

// forest is union-find in which the smaller index is always the root, so
// a cluster's root is its first document in input order, whatever the
// order of the unions.
type forest []int32

func newForest(n int) forest {
	f := make(forest, n)
	for i := range f {
		f[i] = int32(i)
	}
	return f
}

func (f forest) find(x int) int {
	for int(f[x]) != x {
		f[x] = f[f[x]] // path halving
		x = int(f[x])
	}
	return x
}

func (f forest) union(x, y int) {
	x, y = f.find(x), f.find(y)
	if y < x {
		x, y = y, x
	}
	f[y] = int32(x)
}

// labels names each document's cluster by the ID of its root.
func (f forest) labels(docs []retold.Document) []string {
	out := make([]string, len(docs))
	for i := range docs {
		out[i] = docs[f.find(i)].ID
	}
	return out
}

// parallel calls fn(w, i) for every i in [0, n) from workers goroutines;
// w identifies the goroutine, so fn can keep scratch per worker.
func parallel(workers, n int, fn func(w, i int)) {
	workers = max(1, min(workers, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(w, i)
			}
		})
	}
	wg.Wait()
}
