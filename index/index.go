// Package index keeps a retold.Store up to date one document at a time:
// the incremental counterpart of cluster.Cluster.
//
// Add finds a new document's candidates through the same two channels as
// Cluster, but in the store: the lexical channel's LSH band keys, and its
// anchors, the rarest of its facts and content stems that earlier
// documents hold (at most MaxAnchorDF of them). Each candidate is verified
// with the compare engine (verify.Comparer.Judge), and the document is
// stored with its keys and its edges in one transaction. Inside the same
// transaction the neighbourhood it touches, the stories and events of its
// partners, is regrouped with cluster.Group, the very rule Cluster applies
// to a whole corpus; so a story still needs links to enough of its
// members to grow, one loose edge does not merge two stories, and adding
// documents one at a time ends close to clustering them at once.
//
// Labels: a story is "s<Seq of its original>", an event "e<Seq of its
// earliest story's original>", so labels move when an earlier original
// arrives, exactly as in Cluster, where they are the original's ID.
package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/sketch"
	"github.com/retold/retold/verify"
)

// Options tune an Index. A nil *Options means the defaults.
type Options struct {
	// Cluster sets the candidate channels and the grouping rule; nil
	// means cluster.DefaultOptions, the batch path's.
	Cluster *cluster.Options
	// MaxNeighbourhood bounds the documents regrouped per Add; past it
	// the partners' own stories are kept and only the new document joins.
	MaxNeighbourhood int
	// Profiles is how many verify profiles of stored documents are kept
	// between calls.
	Profiles int
}

// Index adds documents to a store and matches them against it. It is
// safe for concurrent use; Adds are serialized.
type Index struct {
	st  retold.Store
	cmp *verify.Comparer
	fpr *cluster.Fingerprinter
	o   cluster.Options
	max int

	mu    sync.Mutex // serializes Add
	cache *profileCache
}

// New returns an Index over st.
func New(st retold.Store, opt *Options) *Index {
	o := cluster.DefaultOptions
	x := &Index{st: st, max: 5000}
	n := 2048
	if opt != nil {
		if opt.Cluster != nil {
			o = *opt.Cluster
		}
		if opt.MaxNeighbourhood > 0 {
			x.max = opt.MaxNeighbourhood
		}
		if opt.Profiles > 0 {
			n = opt.Profiles
		}
	}
	x.o = o
	x.cmp = verify.New(o.Compare)
	x.fpr = cluster.NewFingerprinter(&o)
	x.cache = newProfileCache(n)
	return x
}

// Result is what Add or Match found for a document.
type Result struct {
	// Doc is the stored document (for Add), or the one it duplicates.
	Doc retold.StoredDocument
	// Duplicate is set when the text was stored already: nothing changed.
	Duplicate bool
	// Story and Event are the labels the document has (Add) or would join
	// (Match: "" when it would start its own).
	Story, Event string
	// Edges are the verified relations to stored documents, strongest
	// first (A is the stored document; B is 0 for a Match).
	Edges []retold.Edge
}

// Key tags keep the two channels' keys apart in the store's one key
// space.
const (
	tagBand   = 0x6c657869 // "lexi"
	tagAnchor = 0x616e6368 // "anch"
)

// tagged moves k into its channel's part of the key space: the keys are
// already uniform 64-bit hashes, so a xor with the tag and a mix keep the
// channels apart without hashing (or allocating) anything per key.
func tagged(k uint64, tag uint64) uint64 { return sketch.Mix64(k ^ tag*0x9e3779b97f4a7c15) }

// Add stores d, matched, verified and grouped; a text already stored
// (same content hash) changes nothing and comes back with Duplicate set.
func (x *Index) Add(ctx context.Context, d retold.Document) (Result, error) {
	rs, err := x.AddBatch(ctx, []retold.Document{d})
	if err != nil {
		return Result{}, err
	}
	return rs[0], nil
}

// AddBatch adds docs in order, in one transaction: each is matched
// against everything stored before it, the batch's earlier documents
// included, and either all of them are stored or, on an error, none.
// A commit costs a disk flush, so batches of some tens of documents add
// many times faster than one at a time.
func (x *Index) AddBatch(ctx context.Context, docs []retold.Document) ([]Result, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	// Profiling depends on the document alone: done in parallel before
	// the write transaction begins.
	profiles := make([]*verify.Profile, len(docs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(len(docs), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				profiles[i] = x.cmp.Profile(docs[i])
			}
		}()
	}
	for i := range docs {
		next <- i
	}
	close(next)
	wg.Wait()
	out := make([]Result, len(docs))
	err := x.st.Update(ctx, func(tx retold.Tx) error {
		for i, d := range docs {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := profiles[i]
			res, file, err := x.match(tx, d, p)
			if err != nil {
				return err
			}
			if res.Duplicate {
				out[i] = res
				continue
			}
			sd := retold.StoredDocument{Document: d, Hash: p.ContentHash()}
			if err := tx.PutDocument(&sd, file); err != nil {
				return fmt.Errorf("index: add %q: %w", d.ID, err)
			}
			for k := range res.Edges {
				res.Edges[k].B = sd.Seq
				if err := tx.PutEdge(res.Edges[k]); err != nil {
					return err
				}
			}
			if err := x.regroup(tx, &sd, res.Edges); err != nil {
				return err
			}
			res.Doc, res.Story, res.Event = sd, sd.Story, sd.Event
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, r := range out {
		if !r.Duplicate {
			x.cache.put(r.Doc.Seq, profiles[i])
		}
	}
	return out, nil
}

// Match finds what d would join, without storing anything.
func (x *Index) Match(ctx context.Context, d retold.Document) (Result, error) {
	p := x.cmp.Profile(d)
	var res Result
	err := x.st.View(ctx, func(tx retold.ReadTx) error {
		var err error
		if res, _, err = x.match(tx, d, p); err != nil || res.Duplicate {
			return err
		}
		// The story of the strongest version partner, and the event of
		// the strongest partner of any kind: what Add would most likely
		// give.
		for _, e := range res.Edges {
			od, err := tx.Document(e.A)
			if err != nil {
				return err
			}
			if res.Event == "" {
				res.Event = od.Event
			}
			if res.Story == "" && e.Verdict.SameStory() {
				res.Story = od.Story
			}
		}
		return nil
	})
	return res, err
}

// match finds and verifies d's candidates. It returns the edges (B unset)
// strongest first, and the keys d is to be filed under: those not yet
// held by more than MaxPostings documents. A saturated key is neither
// filed nor counted any more: its count already says it is common, and
// skipping it spares most of the key writes once a corpus's vocabulary
// is known.
func (x *Index) match(tx retold.ReadTx, d retold.Document, p *verify.Profile) (res Result, file []uint64, err error) {
	var bands, anchors []uint64
	fp := x.fpr.Of(p)
	for _, k := range fp.Bands {
		bands = append(bands, tagged(k, tagBand))
	}
	for _, k := range fp.Keys {
		anchors = append(anchors, tagged(k, tagAnchor))
	}
	type cand struct {
		seq        int64
		lex, share int
	}
	var cands []cand
	var dup *Result
	err = func() error {
		if sd, err := tx.DocumentByHash(p.ContentHash()); err == nil {
			dup = &Result{Doc: sd, Duplicate: true, Story: sd.Story, Event: sd.Event}
			return nil
		} else if !errors.Is(err, retold.ErrNotFound) {
			return err
		}
		found := map[int64]*cand{}
		get := func(seq int64) *cand {
			c := found[seq]
			if c == nil {
				c = &cand{seq: seq}
				found[seq] = c
			}
			return c
		}
		// Lexical channel: every document in one of d's LSH buckets (a
		// bucket is filed for its first MaxPostings documents).
		for _, k := range bands {
			seqs, err := tx.Candidates([]uint64{k}, retold.MaxPostings)
			if err != nil {
				return err
			}
			for _, s := range seqs {
				get(s).lex++
			}
		}
		// Anchors: the rarest keys that earlier documents hold, at most
		// MaxAnchorDF of them.
		dfs, err := tx.KeyCounts(anchors)
		if err != nil {
			return err
		}
		for i, k := range anchors {
			if dfs[i] <= retold.MaxPostings {
				file = append(file, k)
			}
		}
		bdfs, err := tx.KeyCounts(bands)
		if err != nil {
			return err
		}
		for i, k := range bands {
			if bdfs[i] <= retold.MaxPostings {
				file = append(file, k)
			}
		}
		type ranked struct {
			df  int
			key uint64
		}
		var rk []ranked
		for i, k := range anchors {
			if df := dfs[i]; df > 0 && df <= x.o.MaxAnchorDF {
				rk = append(rk, ranked{df, k})
			}
		}
		slices.SortFunc(rk, func(a, b ranked) int {
			if c := cmp.Compare(a.df, b.df); c != 0 {
				return c
			}
			return cmp.Compare(a.key, b.key)
		})
		nAnchors := min(len(rk), x.o.Anchors)
		for _, r := range rk[:nAnchors] {
			seqs, err := tx.Candidates([]uint64{r.key}, x.o.MaxAnchorDF)
			if err != nil {
				return err
			}
			for _, s := range seqs {
				get(s).share++
			}
		}
		bandsN := max(1, len(bands))
		type scored struct {
			seq   int64
			score float64
		}
		var sc []scored
		for _, c := range found {
			lex := float64(c.lex) / float64(bandsN)
			anc := float64(c.share) / float64(max(1, nAnchors))
			if c.lex > 0 || c.share >= x.o.AnchorShared {
				sc = append(sc, scored{c.seq, max(lex, anc)})
			}
		}
		slices.SortFunc(sc, func(a, b scored) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return cmp.Compare(b.seq, a.seq) // nearer first
		})
		for _, s := range sc[:min(len(sc), x.o.MaxCandidates)] {
			cands = append(cands, cand{seq: s.seq})
		}
		// Profiles of the candidates, from the cache or the store.
		for _, c := range cands {
			if x.cache.get(c.seq) != nil {
				continue
			}
			od, err := tx.Document(c.seq)
			if err != nil {
				return err
			}
			x.cache.put(c.seq, x.cmp.Profile(od.Document))
		}
		return nil
	}()
	if err != nil {
		return Result{}, nil, fmt.Errorf("index: match %q: %w", d.ID, err)
	}
	if dup != nil {
		return *dup, nil, nil
	}
	// The candidates are judged in parallel; the edges are sorted after,
	// so the result does not depend on which finishes first.
	judged := make([]retold.Edge, len(cands))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(len(cands), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				if op := x.cache.get(cands[k].seq); op != nil {
					v, score := x.cmp.Judge(op, p)
					judged[k] = retold.Edge{A: cands[k].seq, Verdict: v, Score: score}
				}
			}
		}()
	}
	for k := range cands {
		next <- k
	}
	close(next)
	wg.Wait()
	for _, e := range judged {
		if e.A != 0 && e.Verdict.AtLeast(retold.SameEvent) {
			res.Edges = append(res.Edges, e)
		}
	}
	slices.SortFunc(res.Edges, func(a, b retold.Edge) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.A, b.A)
	})
	return res, file, nil
}

// regroup re-forms the stories and events around d: d, the documents of
// its partners' stories and events, and the edges among them, grouped by
// cluster.Group; every label that changed is written.
func (x *Index) regroup(tx retold.Tx, d *retold.StoredDocument, edges []retold.Edge) error {
	if len(edges) == 0 {
		return nil
	}
	members := map[int64]retold.StoredDocument{d.Seq: *d}
	add := func(docs []retold.StoredDocument) {
		for _, m := range docs {
			if len(members) < x.max {
				members[m.Seq] = m
			}
		}
	}
	for _, e := range edges {
		od, err := tx.Document(e.A)
		if err != nil {
			return err
		}
		docs, err := tx.StoryDocuments(od.Story)
		if err != nil {
			return err
		}
		add(docs)
		docs, err = tx.EventDocuments(od.Event)
		if err != nil {
			return err
		}
		add(docs)
	}
	seqs := make([]int64, 0, len(members))
	for s := range members {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	at := make(map[int64]int32, len(seqs))
	dates := make([]string, len(seqs))
	for i, s := range seqs {
		at[s] = int32(i)
		dates[i] = members[s].Date
	}
	var ces []cluster.Edge
	for _, s := range seqs {
		es, err := tx.Edges(s)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.A != s {
				continue // each edge once, from its earlier end
			}
			if b, ok := at[e.B]; ok {
				ces = append(ces, cluster.Edge{A: at[e.A], B: b, Verdict: e.Verdict, Score: e.Score})
			}
		}
	}
	g := cluster.Group(dates, ces, &x.o)
	for i, s := range seqs {
		m := members[s]
		story := "s" + strconv.FormatInt(seqs[g.Story[i]], 10)
		event := "e" + strconv.FormatInt(seqs[g.Event[i]], 10)
		if m.Story != story || m.Event != event {
			if err := tx.SetStory(s, story, event); err != nil {
				return err
			}
		}
		if s == d.Seq {
			d.Story, d.Event = story, event
		}
	}
	for i, s := range seqs {
		if g.Story[i] == int32(i) {
			if err := tx.SetOriginal("s"+strconv.FormatInt(s, 10), s); err != nil {
				return err
			}
		}
	}
	return nil
}
