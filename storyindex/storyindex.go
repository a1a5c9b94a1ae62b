// Package storyindex keeps a retold.Store up to date one document at a time:
// the incremental counterpart of cluster.Cluster.
//
// Add finds a new document's candidates through the same two channels as
// Cluster: the lexical channel's LSH band keys, and its anchors, the
// rarest of its facts and content stems that earlier documents hold (at
// most MaxAnchorDF of them). The keys live in an inverted index in memory
// (postings.go), built from the one key row per document that the store
// keeps and brought up to date at the start of every transaction, so it
// follows what other processes add and rebuilds when they delete. Each
// candidate is verified with the compare engine (verify.Comparer.Judge),
// and the document is stored with its keys and its edges in one
// transaction. Inside the same transaction the neighbourhood it touches,
// the stories and events of its partners, is regrouped with
// cluster.Group, the very rule Cluster applies to a whole corpus; so a
// story still needs links to enough of its members to grow, one loose
// edge does not merge two stories, and adding documents one at a time
// ends close to clustering them at once.
//
// A batch (AddBatch, or Prepare then AddPrepared to profile the next
// batch while the last is stored) gives exactly what adding its documents
// one by one gives: candidates are found in order, against the store and
// the batch's earlier documents; all its pairs are then judged at once on
// every core; and the documents are stored and regrouped in order.
//
// Labels: a story is "s<Seq of its original>", an event "e<Seq of its
// earliest story's original>", so labels move when an earlier original
// arrives, exactly as in Cluster, where they are the original's ID.
package storyindex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

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
	// between calls; 0 means 1024. A profile is about 0.2 MB for a
	// 1,000-word article: 1,024 of them held `retold add` of 100,000
	// articles at 0.95 GB peak, 2,048 at 1.29 GB, at the same speed.
	Profiles int
	// Snapshot is the path of a file that keeps the in-memory inverted
	// index between processes (snapshot.go): the first transaction
	// reads it, when it is still the index of the store's rows, instead
	// of every key row, and SaveSnapshot writes it. "" means none. Each
	// check of a snapshot reads a few key rows one at a time (Keys with
	// the first row only), which suits a store that reads rows as they
	// are asked for (SQLite); cmd/retold sets it beside an SQLite file.
	Snapshot string
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

	// pmu guards the in-memory inverted index and what it reflects: the
	// documents up to lastSeq, and the store's deletion count when it
	// was built. stale asks for a rebuild (after a failed Update, whose
	// documents were filed before it failed).
	pmu     sync.RWMutex
	post    *postings
	lastSeq int64
	dels    int64
	stale   bool
	gen     int // rebuilds so far

	// The snapshot file (Options.Snapshot): snapTried is set once a
	// rebuild has tried it, snapSeq is the lastSeq of the one loaded or
	// last saved (0: none), snapNote why one that was there was not used.
	snapPath  string
	snapTried bool
	snapSeq   int64
	snapNote  string

	// prejudgedDocs counts the documents whose edges were judged before
	// their write transaction (prejudge) and kept.
	prejudgedDocs atomic.Int64
}

// New returns an Index over st.
func New(st retold.Store, opt *Options) *Index {
	o := cluster.DefaultOptions
	x := &Index{st: st, max: 5000}
	n := 1024
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
		x.snapPath = opt.Snapshot
	}
	x.o = o
	x.cmp = verify.New(o.Compare)
	x.fpr = cluster.NewFingerprinter(&o)
	x.cache = newProfileCache(n)
	x.post = &postings{}
	return x
}

// sync brings the in-memory inverted index up to the store as tx sees it:
// the documents stored since it last looked (by this process or another
// one), or all of them again when documents were deleted since.
func (x *Index) sync(tx retold.ReadTx) error {
	dels, err := tx.Deletions()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	x.pmu.Lock()
	defer x.pmu.Unlock()
	if dels != x.dels || x.stale {
		x.post, x.lastSeq, x.dels, x.stale = &postings{}, 0, dels, false
		x.snapTried, x.snapSeq = false, 0
		x.gen++
	}
	if x.lastSeq == 0 && x.snapPath != "" && !x.snapTried {
		x.snapTried = true
		if err := x.loadSnapshot(tx, dels); err != nil {
			return err
		}
	}
	err = tx.Keys(x.lastSeq, func(seq int64, keys []uint64) error {
		x.lastSeq = seq
		return x.post.add(seq, keys)
	})
	if err != nil {
		// Half loaded: start again next time.
		x.stale = true
		return fmt.Errorf("index: loading keys: %w", err)
	}
	return nil
}

// loadSnapshot puts the snapshot file's index in place of the empty one
// when it is the index of tx's key rows up to its lastSeq; sync then
// catches up from there. A snapshot that is not is noted and left; an
// error is the store's.
func (x *Index) loadSnapshot(tx retold.ReadTx, dels int64) error {
	var storeErr error
	p, h, err := readSnapshot(x.snapPath, func(h *snapHeader) error {
		if h.dels != dels {
			return fmt.Errorf("stale: written at %d deletions, the store has had %d", h.dels, dels)
		}
		ok, err := checkProbes(tx, h.probes)
		if err != nil {
			storeErr = err
			return err
		}
		if !ok {
			return errors.New("of another database, or of one restored or rebuilt: its key rows differ")
		}
		return nil
	})
	switch {
	case storeErr != nil:
		return fmt.Errorf("index: checking the postings snapshot: %w", storeErr)
	case errors.Is(err, errNoSnapshot):
		x.snapNote = ""
	case err != nil:
		x.snapNote = fmt.Sprintf("%s: %v", x.snapPath, err)
	default:
		x.post, x.lastSeq, x.snapSeq, x.snapNote = p, h.lastSeq, h.lastSeq, ""
		x.gen++
	}
	return nil
}

// SaveSnapshot brings the in-memory index up to the store and writes it
// to Options.Snapshot (nothing without one, or for an empty store), so
// that the next process to open the store loads it instead of filing
// every key row. It waits for an Add in progress: an Add files its
// documents in memory before they commit. Writing is atomic (a
// temporary file, synced, renamed over the snapshot), so processes may
// save at once, and a reader sees a whole snapshot, this one or another.
func (x *Index) SaveSnapshot(ctx context.Context) error {
	if x.snapPath == "" {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	var tmp string
	var saved int64
	err := x.st.View(ctx, func(tx retold.ReadTx) error {
		if err := x.sync(tx); err != nil {
			return err
		}
		dels, err := tx.Deletions()
		if err != nil {
			return err
		}
		x.pmu.RLock()
		defer x.pmu.RUnlock()
		// A Match in another goroutine may have synced past this
		// transaction in between: then nothing here can vouch for the
		// index, and the save is left to a later call.
		if x.stale || x.dels != dels || x.lastSeq == 0 {
			return nil
		}
		probes, ok, err := takeProbes(tx, x.lastSeq)
		if err != nil || !ok {
			return err
		}
		h := &snapHeader{lastSeq: x.lastSeq, dels: dels, probes: probes}
		if tmp, err = writeSnapshot(x.snapPath, x.post, h); err != nil {
			return err
		}
		saved = x.lastSeq
		return nil
	})
	if err == nil && tmp != "" {
		err = os.Rename(tmp, x.snapPath)
	}
	if err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		return fmt.Errorf("index: saving the postings snapshot %s: %w", x.snapPath, err)
	}
	if saved > 0 {
		x.pmu.Lock()
		x.snapSeq = saved
		x.pmu.Unlock()
	}
	return nil
}

// Load reads the store's keys into the in-memory inverted index, as the
// first Add or Match would: a caller that wants to time matching apart
// from loading calls it first.
func (x *Index) Load(ctx context.Context) error {
	return x.st.View(ctx, x.sync)
}

// file puts a document just stored into the in-memory index.
func (x *Index) file(seq int64, keys []uint64) error {
	x.pmu.Lock()
	defer x.pmu.Unlock()
	if seq <= x.lastSeq {
		return nil
	}
	x.lastSeq = seq
	// In the order, and as unique, as the store keeps them (ReadTx.Keys),
	// so that this index is the one a rebuild from the store's rows
	// gives, to the slot: a snapshot of it is that of a rebuild.
	return x.post.add(seq, slices.Compact(slices.Sorted(slices.Values(keys))))
}

// IndexStats describe the in-memory inverted index.
type IndexStats struct {
	// Documents is the highest document number the index holds; Keys the
	// distinct keys, Postings the (key, document) pairs, Bytes its memory.
	Documents      int64
	Keys, Postings int
	Bytes          int64
	// FromSnapshot is the highest document number of the snapshot file
	// (Options.Snapshot) the index was loaded from or last saved to, 0
	// when it was built from the store's rows alone; Documents minus it
	// is how far the snapshot lags. SnapshotNote says why a snapshot
	// file that was there was not used ("" when it was, or none was).
	FromSnapshot int64
	SnapshotNote string
}

// Prejudged counts the documents this Index added whose edges were
// judged before their write transaction and kept (see prejudge); the
// others were judged again inside it.
func (x *Index) Prejudged() int64 { return x.prejudgedDocs.Load() }

// Stats describes the in-memory inverted index.
func (x *Index) Stats() IndexStats {
	x.pmu.RLock()
	defer x.pmu.RUnlock()
	return IndexStats{Documents: x.lastSeq, Keys: x.post.keys, Postings: x.post.n, Bytes: x.post.bytes(),
		FromSnapshot: x.snapSeq, SnapshotNote: x.snapNote}
}

// Result is what Add or Match found for a document.
type Result struct {
	// Doc is the stored document (for Add), or the one it duplicates.
	Doc retold.StoredDocument
	// Duplicate is set when the text was stored already. For Add, Copy
	// is then set when the record came under an id of its own and was
	// kept as a copy of Doc (retold.Copy); otherwise nothing changed.
	Duplicate bool
	Copy      bool
	// Story and Event are the labels the document has (Add) or would join
	// (Match: "" when it would start its own).
	Story, Event string
	// Edges are the verified relations to stored documents, strongest
	// first (A is the stored document; B is 0 for a Match).
	Edges []retold.Edge
	// Partners are, for a Match, the stored documents A of Edges, in the
	// same order, as the Match's snapshot holds them.
	Partners []retold.StoredDocument
}

// MatchSummary is a Match's result as `retold match --json` and the match
// API give it.
type MatchSummary struct {
	Duplicate bool   `json:"duplicate"`
	Of        string `json:"duplicate_of,omitempty"`
	// Story and Event are those the document would join ("" for a new
	// one).
	Story string      `json:"story"`
	Event string      `json:"event"`
	Edges []MatchEdge `json:"edges"`
}

// MatchEdge is one stored document a matched one relates to.
type MatchEdge struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Story   string         `json:"story"`
	Verdict retold.Verdict `json:"verdict"`
	Score   float64        `json:"score"`
}

// Summary is r, a Match's result, with its partners named.
func (r Result) Summary() MatchSummary {
	out := MatchSummary{Duplicate: r.Duplicate, Story: r.Story, Event: r.Event, Edges: []MatchEdge{}}
	if r.Duplicate {
		out.Of = r.Doc.ID
	}
	for i, e := range r.Edges {
		p := r.Partners[i]
		out.Edges = append(out.Edges, MatchEdge{ID: p.ID, Title: p.Title, Story: p.Story, Verdict: e.Verdict, Score: e.Score})
	}
	return out
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
	return x.AddPrepared(ctx, x.Prepare(docs))
}

// Batch is a batch of documents being prepared for AddPrepared.
type Batch struct {
	docs     []retold.Document
	profiles []*verify.Profile
	done     chan struct{}
}

// Prepare starts the part of adding docs that depends on them alone (the
// compare engine's profile of each, on every core) and returns at once:
// a caller that prepares the next batch before it adds the current one
// keeps the cores busy while a transaction waits on the store. docs must
// not change until AddPrepared returns.
func (x *Index) Prepare(docs []retold.Document) *Batch {
	b := &Batch{docs: docs, profiles: make([]*verify.Profile, len(docs)), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		var wg sync.WaitGroup
		next := make(chan int)
		for range min(len(docs), runtime.GOMAXPROCS(0)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					b.profiles[i] = x.cmp.Profile(docs[i])
				}
			}()
		}
		for i := range docs {
			next <- i
		}
		close(next)
		wg.Wait()
	}()
	return b
}

// AddPrepared adds a prepared batch, as AddBatch. Batches are added in
// the order of the calls.
func (x *Index) AddPrepared(ctx context.Context, b *Batch) ([]Result, error) {
	select {
	case <-b.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	docs, profiles := b.docs, b.profiles
	out := make([]Result, len(docs))
	// A store that many processes write to (PostgreSQL) gets the batch
	// judged before its write transaction, which then holds the writers'
	// lock for little more than the writing. With one writer it would
	// only find the candidates twice.
	var pre *prejudged
	var err error
	if w, ok := x.st.(interface{ SharedWriters() bool }); ok && w.SharedWriters() {
		if pre, err = x.prejudge(ctx, docs, profiles); err != nil {
			return nil, err
		}
	}
	gen := 0
	err = x.st.Update(ctx, func(tx retold.Tx) error {
		if err := x.sync(tx); err != nil {
			return err
		}
		x.pmu.RLock()
		gen = x.gen
		x.pmu.RUnlock()
		return x.addBatch(ctx, tx, docs, profiles, out, pre)
	})
	x.pmu.Lock()
	// A failed batch was filed in memory, and a rebuild by a Match in
	// the middle of the batch (after another process deleted something)
	// dropped what the batch had filed before it: either way the next
	// transaction starts from the store again.
	if err != nil || x.gen != gen {
		x.stale = true
	}
	x.pmu.Unlock()
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

// Delete removes every version stored under id, with their keys and
// edges, and regroups the stories and events they were in: a removed
// document may have been the link that held a story together, or its
// original. A text that other outlets ran as well is not removed: its
// first copy takes it over. The id of a copy removes that copy. It
// returns retold.ErrNotFound for an id not stored.
func (x *Index) Delete(ctx context.Context, id string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	err := x.st.Update(ctx, func(tx retold.Tx) error {
		versions, err := tx.Versions(id)
		if err != nil {
			return err
		}
		if len(versions) == 0 {
			// A copy's id: the copy goes, the text stays.
			if d, err := tx.DocumentByID(id); err == nil && d.CopyOf != "" {
				return tx.DeleteCopy(id)
			}
			return retold.ErrNotFound
		}
		// A text that other outlets ran stays, owned by its first copy:
		// its edges and story do not change.
		kept := versions[:0]
		for _, v := range versions {
			cs, err := tx.Copies(v.Seq)
			if err != nil {
				return err
			}
			if len(cs) > 0 {
				if err := tx.PromoteCopy(cs[0].ID); err != nil {
					return err
				}
				continue
			}
			kept = append(kept, v)
		}
		if versions = kept; len(versions) == 0 {
			return nil
		}
		members := map[int64]retold.Member{}
		for _, v := range versions {
			if err := x.addMembers(tx, members, v.Story, v.Event); err != nil {
				return err
			}
		}
		if err := tx.DeleteDocument(id); err != nil {
			return err
		}
		for _, v := range versions {
			delete(members, v.Seq)
		}
		return x.group(tx, members, nil)
	})
	if err != nil {
		return fmt.Errorf("index: delete %q: %w", id, err)
	}
	return nil
}

// Match finds what d would join, without storing anything.
func (x *Index) Match(ctx context.Context, d retold.Document) (Result, error) {
	p := x.cmp.Profile(d)
	var res Result
	err := x.st.View(ctx, func(tx retold.ReadTx) error {
		if err := x.sync(tx); err != nil {
			return err
		}
		if sd, err := tx.DocumentByHash(p.ContentHash()); err == nil {
			res = Result{Doc: sd, Duplicate: true, Story: sd.Story, Event: sd.Event}
			return nil
		} else if !errors.Is(err, retold.ErrNotFound) {
			return err
		}
		cands, _, view := x.candidates(p, nil)
		l := newLoader(x)
		jobs, err := l.jobs(tx, nil, 0, p, &view, cands)
		if err != nil {
			return err
		}
		l.profile()
		res.Edges = evidence(x.judge(jobs, l.profiles, 1)[0])
		// The story of the strongest version partner, and the event of
		// the partner most likely of one event with it (at least the
		// event threshold): what Add would most likely give.
		kept := res.Edges[:0]
		bestEvent := x.o.EventThreshold
		for _, e := range res.Edges {
			od, err := tx.Document(e.A)
			if errors.Is(err, retold.ErrNotFound) {
				// Its profile came from the cache, put there by an Add
				// that committed after this snapshot began.
				continue
			}
			if err != nil {
				return err
			}
			kept = append(kept, e)
			res.Partners = append(res.Partners, od)
			if e.Event >= bestEvent && (res.Event == "" || e.Event > bestEvent) {
				res.Event, bestEvent = od.Event, e.Event
			}
			if res.Story == "" && e.Verdict.SameStory() {
				res.Story = od.Story
			}
		}
		res.Edges = kept
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("index: match %q: %w", d.ID, err)
	}
	return res, nil
}

// regroup re-forms the stories and events around d: d, the documents of
// its partners' stories and events, and the edges among them, grouped by
// cluster.Group; every label that changed is written.
func (x *Index) regroup(tx retold.Tx, d *retold.StoredDocument, edges []retold.Edge) error {
	if len(edges) == 0 {
		return nil
	}
	members := map[int64]retold.Member{d.Seq: {Seq: d.Seq, Date: d.Date, Story: d.Story, Event: d.Event}}
	// The partners' stories and events, each read once: the partners of
	// a large story are mostly in it.
	seen := map[[2]string]bool{}
	for _, e := range edges {
		od, ok := members[e.A]
		if !ok {
			sd, err := tx.Document(e.A)
			if err != nil {
				return err
			}
			od = retold.Member{Seq: sd.Seq, Date: sd.Date, Story: sd.Story, Event: sd.Event}
		}
		if k := [2]string{od.Story, od.Event}; !seen[k] {
			seen[k] = true
			if err := x.addMembers(tx, members, od.Story, od.Event); err != nil {
				return err
			}
		}
	}
	return x.group(tx, members, d)
}

// addMembers adds the documents of story and event to members, up to
// MaxNeighbourhood in all: the story's first, then the event's.
func (x *Index) addMembers(tx retold.ReadTx, members map[int64]retold.Member, story, event string) error {
	ms, err := tx.Members(story, event)
	if err != nil {
		return err
	}
	for _, inStory := range []bool{true, false} {
		for _, m := range ms {
			if (m.Story == story) == inStory && len(members) < x.max {
				members[m.Seq] = m
			}
		}
	}
	return nil
}

// group groups members by the edges among them with cluster.Group and
// writes every label that changed, and each story's original; d, when
// one of them, gets its new labels.
func (x *Index) group(tx retold.Tx, members map[int64]retold.Member, d *retold.StoredDocument) error {
	if len(members) == 0 {
		return nil
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
	es, err := tx.EdgesAmong(seqs)
	if err != nil {
		return err
	}
	ces := make([]cluster.Edge, 0, len(es))
	for _, e := range es {
		ces = append(ces, cluster.Edge{A: at[e.A], B: at[e.B], Verdict: e.Verdict, Score: e.Score, Event: e.Event})
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
		if d != nil && s == d.Seq {
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
