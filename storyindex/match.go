package storyindex

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/verify"
)

// candidates returns the stored documents d (profile p) is to be judged
// against, best first, and the keys d is to be filed under: those fewer
// than MaxPostings documents hold yet. A key held by MaxPostings is not
// filed any more: its count already says it is common, and skipping it
// keeps the index linear in the corpus.
//
// ov, when set, is documents filed on top of the index (see overlay).
// view is d's cluster.EventView: its keys weighed by how many documents
// hold them now, d included (the postings count to MaxPostings, as
// cluster.EventWeight needs).
func (x *Index) candidates(p *verify.Profile, ov *overlay) (cands []int64, file []uint64, view cluster.EventView) {
	fp := x.fpr.Of(p)
	bands := make([]uint64, len(fp.Bands))
	for i, k := range fp.Bands {
		bands[i] = tagged(k, tagBand)
	}
	anchors := make([]uint64, len(fp.Keys))
	isFact := make([]bool, len(fp.Keys))
	for i, k := range fp.Keys {
		anchors[i] = tagged(k, tagAnchor)
		_, isFact[i] = slices.BinarySearch(fp.Facts, k)
	}
	type cand struct{ lex, share int }
	found := map[int64]*cand{}
	get := func(seq int64) *cand {
		c := found[seq]
		if c == nil {
			c = &cand{}
			found[seq] = c
		}
		return c
	}
	x.pmu.RLock()
	var seqs []int64
	// Lexical channel: every document in one of d's LSH buckets (a
	// bucket is filed for its first MaxPostings documents).
	for _, k := range bands {
		seqs = ov.appendSeqs(x.post, seqs[:0], k, retold.MaxPostings)
		for _, s := range seqs {
			get(s).lex++
		}
	}
	dfs := make([]int, len(anchors))
	held := make([]int32, len(anchors))
	for i, k := range anchors {
		if dfs[i] = ov.count(x.post, k); dfs[i] < retold.MaxPostings {
			file = append(file, k)
		}
		held[i] = int32(dfs[i] + 1)
	}
	view = cluster.NewEventView(&fp, held)
	for _, k := range bands {
		if ov.count(x.post, k) < retold.MaxPostings {
			file = append(file, k)
		}
	}
	// Anchors: the rarest keys that earlier documents hold, at most
	// MaxAnchorDF of them, chosen as Cluster chooses them.
	ks := make([]cluster.AnchorKey, 0, len(anchors))
	for i, k := range anchors {
		ks = append(ks, cluster.AnchorKey{Key: k, DF: dfs[i], Fact: isFact[i]})
	}
	chosen := cluster.ChooseAnchors(ks, &x.o, nil)
	nAnchors := len(chosen)
	for _, k := range chosen {
		seqs = ov.appendSeqs(x.post, seqs[:0], k, x.o.MaxAnchorDF)
		for _, s := range seqs {
			get(s).share++
		}
	}
	x.pmu.RUnlock()
	bandsN := max(1, len(bands))
	type scored struct {
		seq   int64
		score float64
	}
	var sc []scored
	for seq, c := range found {
		lex := float64(c.lex) / float64(bandsN)
		anc := float64(c.share) / float64(max(1, nAnchors))
		if c.lex > 0 || c.share >= x.o.AnchorShared {
			sc = append(sc, scored{seq, max(lex, anc)})
		}
	}
	slices.SortFunc(sc, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq) // nearer first
	})
	for _, s := range sc[:min(len(sc), x.o.MaxCandidates)] {
		cands = append(cands, s.seq)
	}
	return cands, file, view
}

// overlay is documents filed on top of the in-memory index without
// changing it: what prejudge sees of its batch's earlier documents. A
// nil overlay is the index alone.
type overlay struct {
	seqs map[uint64][]int64
}

// file files seq under keys (which candidates said to file: keys held by
// fewer than MaxPostings documents, so none is over).
func (ov *overlay) file(seq int64, keys []uint64) {
	for _, k := range keys {
		ov.seqs[k] = append(ov.seqs[k], seq)
	}
}

func (ov *overlay) count(p *postings, k uint64) int {
	n := p.count(k)
	if ov != nil {
		n += len(ov.seqs[k])
	}
	return n
}

// appendSeqs is postings.appendSeqs over the index and then the overlay,
// whose documents come after every indexed one.
func (ov *overlay) appendSeqs(p *postings, dst []int64, k uint64, limit int) []int64 {
	start := len(dst)
	dst = p.appendSeqs(dst, k, limit)
	if ov != nil {
		for _, s := range ov.seqs[k] {
			if len(dst)-start >= limit {
				break
			}
			dst = append(dst, s)
		}
	}
	return dst
}

// loader gathers the profiles a batch's judging needs: from the batch
// itself, the cache, or the store (profiled on every core).
type loader struct {
	x        *Index
	profiles map[int64]*verify.Profile
	texts    map[int64]retold.Document // stored documents to profile
}

func newLoader(x *Index) *loader {
	return &loader{x: x, profiles: map[int64]*verify.Profile{}, texts: map[int64]retold.Document{}}
}

// provide gives the profile of a document of the batch.
func (l *loader) provide(seq int64, p *verify.Profile) { l.profiles[seq] = p }

// need makes sure seq's profile will be there; false means seq is not in
// tx's snapshot.
func (l *loader) need(tx retold.ReadTx, seq int64) (bool, error) {
	if _, ok := l.profiles[seq]; ok {
		return true, nil
	}
	if _, ok := l.texts[seq]; ok {
		return true, nil
	}
	if p := l.x.cache.get(seq); p != nil {
		l.profiles[seq] = p
		return true, nil
	}
	d, err := tx.Document(seq)
	if errors.Is(err, retold.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	l.texts[seq] = d.Document
	return true, nil
}

// jobs appends to dst a judging job of document doc (profile p) against
// each candidate whose profile can be had. A candidate missing from tx's
// snapshot is dropped: the in-memory index can be ahead of a read
// snapshot (an Add of this process committed after it began).
func (l *loader) jobs(tx retold.ReadTx, dst []judgeJob, doc int, p *verify.Profile, v *cluster.EventView, cands []int64) ([]judgeJob, error) {
	for _, c := range cands {
		ok, err := l.need(tx, c)
		if err != nil {
			return dst, err
		}
		if ok {
			dst = append(dst, judgeJob{doc: doc, a: c, p: p, view: v})
		}
	}
	return dst, nil
}

// profile profiles the stored documents needed, in parallel, and caches
// them.
func (l *loader) profile() {
	seqs := make([]int64, 0, len(l.texts))
	for s := range l.texts {
		seqs = append(seqs, s)
	}
	ps := make([]*verify.Profile, len(seqs))
	parallel(len(seqs), func(i int) { ps[i] = l.x.cmp.Profile(l.texts[seqs[i]]) })
	for i, s := range seqs {
		l.profiles[s] = ps[i]
		l.x.cache.put(s, ps[i])
	}
	clear(l.texts)
}

// parallel runs fn(0..n-1) on every core.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// judgeJob is one pair to verify: stored (or earlier) document a against
// the new document doc of the batch, whose profile is p.
type judgeJob struct {
	doc  int
	a    int64
	p    *verify.Profile
	view *cluster.EventView // doc's
}

// judge verifies jobs on every core and returns, for each of the batch's
// n documents, every pair judged, in job order (B unset), with its
// event probability: evidence keeps the edges worth storing. The result
// does not depend on which job finishes first.
func (x *Index) judge(jobs []judgeJob, profiles map[int64]*verify.Profile, n int) [][]retold.Edge {
	// Each document's neighbourhood is the documents it is judged
	// against, as in the batch path (verify.Neighbourhood).
	with := make([][]*verify.Profile, n)
	for _, j := range jobs {
		with[j.doc] = append(with[j.doc], profiles[j.a])
	}
	nbs := make([]*verify.Neighbourhood, n)
	for _, j := range jobs {
		if nbs[j.doc] == nil {
			nbs[j.doc] = verify.NewNeighbourhood(j.p, with[j.doc])
		}
	}
	judged := make([]retold.Edge, len(jobs))
	parallel(len(jobs), func(k int) {
		j := &jobs[k]
		v, score := x.cmp.JudgeIn(profiles[j.a], j.p, nbs[j.doc])
		judged[k] = retold.Edge{A: j.a, Verdict: v, Score: score}
		x.weighEvent(&judged[k], profiles[j.a], j.p, j.view)
	})
	out := make([][]retold.Edge, n)
	for k, e := range judged {
		out[jobs[k].doc] = append(out[jobs[k].doc], e)
	}
	return out
}

// weighEvent sets e.Event: how likely earlier document pa and new
// document p (whose view is v) report one event, given e's verdict.
func (x *Index) weighEvent(e *retold.Edge, pa, p *verify.Profile, v *cluster.EventView) {
	ep := cluster.EventEvidence(pa, p, v)
	ep.Verdict, ep.Score = e.Verdict, e.Score
	e.Event = x.o.Event.Prob(ep)
}

// evidence returns the judged edges worth storing, strongest first: at
// SameEvent or closer, or with an event probability of at least
// cluster.EventKeep, as cluster.Judge keeps them.
func evidence(es []retold.Edge) []retold.Edge {
	var out []retold.Edge
	for _, e := range es {
		if e.Verdict.AtLeast(retold.SameEvent) || e.Event >= cluster.EventKeep {
			out = append(out, e)
		}
	}
	rankEdges(out)
	return out
}

// rankEdges orders a document's edges by verdict first (duplicate,
// near-duplicate, version, same-event), then by score, then by partner:
// a near-duplicate is the closer partner even where a looser version
// scores higher, and it is the one to diff against.
func rankEdges(es []retold.Edge) {
	slices.SortFunc(es, func(a, b retold.Edge) int {
		if c := cmp.Compare(a.Verdict.Rank(), b.Verdict.Rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.A, b.A)
	})
}

// addBatch adds docs (profiles given) inside tx, in three passes with the
// result of adding them one by one. First, in order: each document's
// duplicate check and candidates, against the store and the batch's
// earlier documents, which are filed in memory under the numbers the
// store is to give them. Then all the batch's pairs are judged at once,
// on every core (a document has one or two candidates on average, so
// judging one document at a time left a core idle). Last, in order, each
// document is stored with its edges and its neighbourhood regrouped.
//
// pre, when set, is what prejudge found before the transaction began: a
// document whose candidates are the same now keeps the edges judged
// then, and only the others are judged here.
func (x *Index) addBatch(ctx context.Context, tx retold.Tx, docs []retold.Document, profiles []*verify.Profile, out []Result, pre *prejudged) error {
	next, err := tx.NextSeq()
	if err != nil {
		return err
	}
	type plan struct {
		seq   int64
		file  []uint64
		twin  bool // a text of an earlier document of the batch
		known bool // a text already stored
		// judged: its edges are pre's (the same candidates, so the
		// same verdicts).
		judged bool
	}
	plans := make([]plan, len(docs))
	views := make([]cluster.EventView, len(docs))
	batch := map[uint64]bool{}
	l := newLoader(x)
	var jobs []judgeJob
	renumbered := map[int64]int64{} // prejudge's numbers to Seqs
	reused := make([][]retold.Edge, len(docs))
	for i, d := range docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		h := profiles[i].ContentHash()
		if batch[h] {
			plans[i].twin = true
			continue
		}
		if _, err := tx.DocumentByHash(h); err == nil {
			plans[i].known = true
			continue
		} else if !errors.Is(err, retold.ErrNotFound) {
			return fmt.Errorf("index: add %q: %w", d.ID, err)
		}
		cands, file, view := x.candidates(profiles[i], nil)
		plans[i] = plan{seq: next, file: file}
		views[i] = view
		if es, ok := pre.reuse(i, cands, renumbered); ok {
			// The verdicts stand; the event probabilities are weighed
			// again below, since the key counts may have moved.
			plans[i].judged, reused[i] = true, es
			for _, e := range es {
				if _, err := l.need(tx, e.A); err != nil {
					return fmt.Errorf("index: add %q: %w", d.ID, err)
				}
			}
		} else if jobs, err = l.jobs(tx, jobs, i, profiles[i], &views[i], cands); err != nil {
			return fmt.Errorf("index: add %q: %w", d.ID, err)
		}
		batch[h] = true
		if pre != nil && pre.seq[i] != 0 {
			renumbered[pre.seq[i]] = next
		}
		l.provide(next, profiles[i])
		// Filed in memory at once, for the batch's later documents; if
		// the transaction fails, stale makes the next one rebuild.
		if err := x.file(next, file); err != nil {
			return err
		}
		next++
	}
	l.profile()
	edges := x.judge(jobs, l.profiles, len(docs))
	for i := range docs {
		if plans[i].judged {
			es := reused[i][:0]
			for _, e := range reused[i] {
				if pa := l.profiles[e.A]; pa != nil {
					x.weighEvent(&e, pa, profiles[i], &views[i])
					es = append(es, e)
				}
			}
			edges[i] = es
			x.prejudgedDocs.Add(1)
		}
		edges[i] = evidence(edges[i])
	}
	for i, d := range docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		pl := plans[i]
		if pl.known || pl.twin {
			// A text stored already (a twin's: with its labels as they
			// are now, after the documents between them were added).
			sd, err := tx.DocumentByHash(profiles[i].ContentHash())
			if err != nil {
				return fmt.Errorf("index: add %q: %w", d.ID, err)
			}
			copied, err := keepCopy(tx, d, sd)
			if err != nil {
				return fmt.Errorf("index: add %q: %w", d.ID, err)
			}
			out[i] = Result{Doc: sd, Duplicate: true, Copy: copied, Story: sd.Story, Event: sd.Event}
			continue
		}
		sd := retold.StoredDocument{Document: d, Hash: profiles[i].ContentHash()}
		if err := tx.PutDocument(&sd, pl.file); err != nil {
			return fmt.Errorf("index: add %q: %w", d.ID, err)
		}
		if sd.Seq != pl.seq {
			return fmt.Errorf("index: add %q: the store numbered it %d, not %d as NextSeq said", d.ID, sd.Seq, pl.seq)
		}
		es := edges[i]
		for k := range es {
			es[k].B = sd.Seq
			if err := tx.PutEdge(es[k]); err != nil {
				return err
			}
		}
		if err := x.regroup(tx, &sd, es); err != nil {
			return err
		}
		out[i] = Result{Doc: sd, Story: sd.Story, Event: sd.Event, Edges: es}
	}
	return nil
}

// prejudged is what judging a batch before its transaction found: each
// document's candidates and its edges (cands[i] nil: not judged, being
// a text stored already or having a candidate outside the snapshot), in
// numbers where the batch's own documents are numbered from tentative
// (seq[i] is document i's).
type prejudged struct {
	cands [][]int64
	edges [][]retold.Edge
	seq   []int64
}

// tentative is the number prejudge gives the batch's first document:
// above any Seq a store gives, so the batch's documents come after the
// stored ones, as they will.
const tentative = int64(1) << 52

// prejudge does the costly part of adding a batch, finding and judging
// each document's candidates, in a read transaction, so that the write
// transaction holds the store's write lock for little more than the
// writing. It sees the batch's earlier documents as the write
// transaction will, filed in an overlay under tentative numbers. In the
// write transaction a document whose candidates are still the same keeps
// these edges, and one whose candidates changed (other writers stored
// documents since) is judged again: the result is the same as judging in
// the write transaction alone.
func (x *Index) prejudge(ctx context.Context, docs []retold.Document, profiles []*verify.Profile) (*prejudged, error) {
	pre := &prejudged{cands: make([][]int64, len(docs)), seq: make([]int64, len(docs))}
	err := x.st.View(ctx, func(tx retold.ReadTx) error {
		if err := x.sync(tx); err != nil {
			return err
		}
		ov := &overlay{seqs: map[uint64][]int64{}}
		l := newLoader(x)
		var jobs []judgeJob
		batch := map[uint64]bool{}
		next := tentative
		for i, d := range docs {
			if err := ctx.Err(); err != nil {
				return err
			}
			h := profiles[i].ContentHash()
			if batch[h] {
				continue
			}
			if _, err := tx.DocumentByHash(h); err == nil {
				continue
			} else if !errors.Is(err, retold.ErrNotFound) {
				return fmt.Errorf("index: add %q: %w", d.ID, err)
			}
			cands, file, view := x.candidates(profiles[i], ov)
			k := len(jobs)
			var err error
			if jobs, err = l.jobs(tx, jobs, i, profiles[i], &view, cands); err != nil {
				return fmt.Errorf("index: add %q: %w", d.ID, err)
			}
			if len(jobs)-k == len(cands) {
				pre.cands[i] = append(make([]int64, 0, len(cands)), cands...)
			} else {
				jobs = jobs[:k]
			}
			batch[h] = true
			pre.seq[i] = next
			l.provide(next, profiles[i])
			ov.file(next, file)
			next++
		}
		l.profile()
		pre.edges = x.judge(jobs, l.profiles, len(docs))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pre, nil
}

// reuse returns document i's prejudged edges when its candidates then
// are cands now; m maps the tentative numbers of the batch's earlier
// documents to the Seqs the write transaction gave them.
func (pre *prejudged) reuse(i int, cands []int64, m map[int64]int64) ([]retold.Edge, bool) {
	if pre == nil || pre.cands[i] == nil || len(pre.cands[i]) != len(cands) {
		return nil, false
	}
	at := func(s int64) (int64, bool) {
		if s < tentative {
			return s, true
		}
		r, ok := m[s]
		return r, ok
	}
	for k, c := range pre.cands[i] {
		if r, ok := at(c); !ok || r != cands[k] {
			return nil, false
		}
	}
	es := slices.Clone(pre.edges[i])
	for k := range es {
		es[k].A, _ = at(es[k].A)
	}
	return es, true
}

// keepCopy records d, whose text sd holds already, as a copy of sd when
// it comes under an id of its own: another outlet ran the same text. The
// same record added again (its id is sd's, or a copy's already) is kept
// once. It reports whether a copy was stored.
func keepCopy(tx retold.Tx, d retold.Document, sd retold.StoredDocument) (bool, error) {
	if d.ID == sd.ID {
		return false, nil
	}
	c := retold.Copy{ID: d.ID, Seq: sd.Seq, Title: d.Title, URL: d.URL, Outlet: d.Outlet, Date: d.Date}
	err := tx.PutCopy(&c)
	if errors.Is(err, retold.ErrExists) {
		return false, nil
	}
	return err == nil, err
}
