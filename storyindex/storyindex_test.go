package storyindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/internal/metrics"
	"github.com/retold/retold/store/sqlite"
)

type labeled struct {
	retold.Document
	Story string `json:"story"`
	Event string `json:"event"`
}

func readLabeled(t *testing.T, path string) []labeled {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []labeled
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r labeled
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func newIndex(t *testing.T) (*Index, retold.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "retold.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, nil), st
}

// addAll adds docs in the order given and returns each one's story and
// event labels, by position in docs.
func addAll(t *testing.T, x *Index, st retold.Store, docs []retold.Document) (story, event []string, distinct int) {
	t.Helper()
	// A text stored already is not stored again: that document takes its
	// twin's labels, as in Cluster.
	stored := make([]string, len(docs))
	for i, d := range docs {
		res, err := x.Add(context.Background(), d)
		if err != nil {
			t.Fatalf("add %s: %v", d.ID, err)
		}
		stored[i] = res.Doc.ID
	}
	story, event = make([]string, len(docs)), make([]string, len(docs))
	err := st.View(context.Background(), func(tx retold.ReadTx) error {
		for i := range docs {
			sd, err := tx.DocumentByID(stored[i])
			if err != nil {
				return err
			}
			story[i], event[i] = sd.Story, sd.Event
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, id := range stored {
		seen[id] = true
	}
	return story, event, len(seen)
}

func batch(t *testing.T, docs []retold.Document) (story, event []string) {
	as, _, err := cluster.Cluster(context.Background(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		story, event = append(story, a.Story), append(event, a.Event)
	}
	return story, event
}

func ari(t *testing.T, a, b []string) float64 {
	s, err := metrics.Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return s.ARI
}

func TestAddMatchesBatchOnTheInventedCorpus(t *testing.T) {
	recs := readLabeled(t, filepath.Join("..", "testdata", "cluster", "corpus.jsonl"))
	truth := readLabeled(t, filepath.Join("..", "testdata", "cluster", "truth.jsonl"))
	var docs []retold.Document
	var ts, te []string
	for i, r := range recs {
		docs = append(docs, r.Document)
		ts, te = append(ts, truth[i].Story), append(te, truth[i].Event)
	}
	x, st := newIndex(t)
	is, ie, stored := addAll(t, x, st, docs)
	bs, be := batch(t, docs)
	t.Logf("story ARI vs truth: incremental %.3f batch %.3f; event: %.3f %.3f", ari(t, ts, is), ari(t, ts, bs), ari(t, te, ie), ari(t, te, be))
	if got := ari(t, bs, is); got < 0.98 {
		t.Errorf("incremental stories agree with batch at ARI %.3f", got)
	}
	// Adding a text again changes nothing.
	res, err := x.Add(context.Background(), docs[3])
	if err != nil || !res.Duplicate || res.Doc.ID != docs[3].ID {
		t.Errorf("re-add: %+v %v", res, err)
	}
	c := counts(t, st)
	if c.Documents != int64(stored) || stored == len(docs) {
		t.Errorf("%d documents stored, want the %d distinct texts (of %d; the corpus holds copies)", c.Documents, stored, len(docs))
	}
	// Match of a stored story's version names that story and stores
	// nothing.
	v := docs[1]
	v.ID, v.Text = "probe", v.Text+"\n\nA sentence added by a later edition of the story."
	m, err := x.Match(context.Background(), v)
	if err != nil || m.Story != is[1] || len(m.Edges) == 0 {
		t.Errorf("match: story %q (want %q), %d edges, %v", m.Story, is[1], len(m.Edges), err)
	}
	if counts(t, st).Documents != c.Documents {
		t.Error("Match stored something")
	}
}

func counts(t *testing.T, st retold.Store) retold.Counts {
	var c retold.Counts
	if err := st.View(context.Background(), func(tx retold.ReadTx) (err error) { c, err = tx.Counts(); return }); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAddShuffledDevIsCloseToBatch adds newsversions-dev one document at
// a time in a shuffled order and compares with the batch clustering of
// the file: the issue asks for ARI within 0.02 of batch.
func TestAddShuffledDevIsCloseToBatch(t *testing.T) {
	p := filepath.Join("..", "..", "shared", "data", "newsversions-dev.jsonl")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
			t.Fatalf("labeled data missing: %v", err)
		}
		t.Skipf("labeled data not found at %s", p)
	}
	recs := readLabeled(t, p)
	var docs []retold.Document
	var ts, te []string
	for _, r := range recs {
		docs = append(docs, r.Document)
		ts, te = append(ts, r.Story), append(te, r.Event)
	}
	bs, be := batch(t, docs)
	order := rand.New(rand.NewPCG(1, 2)).Perm(len(docs))
	shuffled := make([]retold.Document, len(docs))
	for i, j := range order {
		shuffled[i] = docs[j]
	}
	x, st := newIndex(t)
	ss, se, _ := addAll(t, x, st, shuffled)
	is, ie := make([]string, len(docs)), make([]string, len(docs))
	for i, j := range order {
		is[j], ie[j] = ss[i], se[i]
	}
	storyB, storyI := ari(t, ts, bs), ari(t, ts, is)
	eventB, eventI := ari(t, te, be), ari(t, te, ie)
	t.Logf("dev story ARI: batch %.3f, incremental (shuffled) %.3f; event ARI: batch %.3f, incremental %.3f", storyB, storyI, eventB, eventI)
	if storyI < storyB-0.02 || eventI < eventB-0.02 {
		t.Errorf("incremental is more than 0.02 below batch")
	}
}

func inventedDocs(t *testing.T) []retold.Document {
	t.Helper()
	var docs []retold.Document
	for _, r := range readLabeled(t, filepath.Join("..", "testdata", "cluster", "corpus.jsonl")) {
		docs = append(docs, r.Document)
	}
	return docs
}

// labels are every stored document's story and event, and the edges, by
// document id and version: what two ways of adding must agree on.
func labels(t *testing.T, st retold.Store) []string {
	t.Helper()
	var out []string
	err := st.View(context.Background(), func(tx retold.ReadTx) error {
		docs, err := tx.Documents(0, 1<<30)
		if err != nil {
			return err
		}
		for _, d := range docs {
			es, err := tx.Edges(d.Seq)
			if err != nil {
				return err
			}
			out = append(out, d.ID+" "+d.Story+" "+d.Event)
			for _, e := range es {
				out = append(out, fmt.Sprintf("  %d-%d %s %.3f", e.A, e.B, e.Verdict, e.Score))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBatchesAddAsOneByOne checks AddBatch's three passes (candidates in
// order, all pairs judged at once, stored in order) give exactly what
// adding the documents one at a time gives, copies inside a batch
// included.
func TestBatchesAddAsOneByOne(t *testing.T) {
	docs := inventedDocs(t)
	docs = append(docs, docs[2], docs[5]) // copies inside the last batch
	x1, st1 := newIndex(t)
	addAll(t, x1, st1, docs)
	x2, st2 := newIndex(t)
	for i := 0; i < len(docs); i += 7 {
		rs, err := x2.AddBatch(context.Background(), docs[i:min(i+7, len(docs))])
		if err != nil {
			t.Fatal(err)
		}
		if i+7 >= len(docs) && !rs[len(rs)-1].Duplicate {
			t.Error("a copy inside a batch was stored again")
		}
	}
	if a, b := labels(t, st1), labels(t, st2); !slices.Equal(a, b) {
		t.Errorf("batches of 7 differ from one by one:\n%s\nvs\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// TestIndexesSharingAStore runs two Indexes over one store, as two
// processes would: each sees what the other stored, a delete makes them
// rebuild, and a failed batch leaves nothing behind in memory either.
func TestIndexesSharingAStore(t *testing.T) {
	docs := inventedDocs(t)
	ref, refSt := newIndex(t)
	addAll(t, ref, refSt, docs)
	x1, st := newIndex(t)
	x2 := New(st, nil)
	half := len(docs) / 2
	if _, err := x1.AddBatch(context.Background(), docs[:half]); err != nil {
		t.Fatal(err)
	}
	// A batch that fails on its last document stores none of it.
	bad := append(slices.Clone(docs[half:half+3]), retold.Document{Text: "A text without an id."})
	if _, err := x2.AddBatch(context.Background(), bad); err == nil {
		t.Fatal("a document without an id was accepted")
	}
	for _, d := range docs[half:] {
		if _, err := x2.Add(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := labels(t, refSt), labels(t, st); !slices.Equal(a, b) {
		t.Errorf("two indexes over one store differ from one:\n%s\nvs\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	if s1, s2 := x1.Stats(), x2.Stats(); s1.Documents >= s2.Documents || s2.Postings == 0 {
		t.Errorf("before x1 reads again: stats %+v and %+v", s1, s2)
	}
	// x1 learns of x2's documents when it next reads the store.
	probe := docs[len(docs)-1]
	probe.ID, probe.Text = "probe", probe.Text+"\n\nA sentence a later edition added."
	m, err := x1.Match(context.Background(), probe)
	if err != nil || len(m.Edges) == 0 {
		t.Fatalf("x1 does not see x2's documents: %+v %v", m, err)
	}
	if s1, s2 := x1.Stats(), x2.Stats(); s1 != s2 {
		t.Errorf("after x1 read again: stats %+v, want x2's %+v", s1, s2)
	}
	// Deleting the partners through the store: x1 rebuilds and no
	// longer proposes them.
	err = st.Update(context.Background(), func(tx retold.Tx) error {
		for _, e := range m.Edges {
			d, err := tx.Document(e.A)
			if err != nil {
				return err
			}
			if err := tx.DeleteDocument(d.ID); err != nil && !errors.Is(err, retold.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := x1.Match(context.Background(), probe)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m2.Edges {
		for _, old := range m.Edges {
			if e.A == old.A {
				t.Errorf("deleted document %d still matched", e.A)
			}
		}
	}
	if _, err := x1.Add(context.Background(), probe); err != nil {
		t.Errorf("add after a delete: %v", err)
	}
}

// TestDeleteRegroups removes the original of the largest story: the story
// it held together is regrouped, and ends as if it had never been added.
func TestDeleteRegroups(t *testing.T) {
	docs := inventedDocs(t)
	x, st := newIndex(t)
	addAll(t, x, st, docs)
	var biggest retold.Story
	st.View(context.Background(), func(tx retold.ReadTx) error {
		ss, err := tx.Stories(retold.StoryQuery{Limit: 1000})
		for _, s := range ss {
			if s.Size > biggest.Size {
				biggest = s
			}
		}
		return err
	})
	var gone retold.StoredDocument
	st.View(context.Background(), func(tx retold.ReadTx) (err error) { gone, err = tx.Document(biggest.Original); return })
	if biggest.Size < 3 {
		t.Fatalf("largest story has %d documents", biggest.Size)
	}
	if err := x.Delete(context.Background(), gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := x.Delete(context.Background(), gone.ID); !errors.Is(err, retold.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	// A copy of the deleted text under another id took the text over;
	// delete those too, until no record holds the text.
	for {
		var owner retold.StoredDocument
		err := st.View(context.Background(), func(tx retold.ReadTx) (err error) { owner, err = tx.DocumentByHash(gone.Hash); return })
		if errors.Is(err, retold.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Delete(context.Background(), owner.ID); err != nil {
			t.Fatal(err)
		}
	}
	var rest []retold.Document
	for _, d := range docs {
		if x.cmp.Profile(d).ContentHash() != gone.Hash {
			rest = append(rest, d)
		}
	}
	y, st2 := newIndex(t)
	addAll(t, y, st2, rest)
	if a, b := partition(t, st), partition(t, st2); !slices.Equal(a, b) {
		t.Errorf("after deleting %s:\n%s\nwant, as if never added:\n%s", gone.ID, strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	st.View(context.Background(), func(tx retold.ReadTx) error {
		if _, err := tx.Story(biggest.ID); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("the story named after the deleted original is still there: %v", err)
		}
		return nil
	})
}

// TestMatchWhileAdding runs Matches alongside Adds on one Index (as the
// server does): no error, no race (go test -race), and every match names
// only documents its snapshot holds.
func TestMatchWhileAdding(t *testing.T) {
	docs := inventedDocs(t)
	x, st := newIndex(t)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := range 3 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				d := docs[(i+w)%len(docs)]
				d.ID, d.Text = "probe", d.Text+"\n\nOne more sentence."
				m, err := x.Match(context.Background(), d)
				if err != nil {
					errs <- err
					return
				}
				for _, e := range m.Edges {
					if e.A <= 0 {
						errs <- fmt.Errorf("edge to document %d", e.A)
						return
					}
				}
			}
		}()
	}
	for i := 0; i < len(docs); i += 3 {
		if _, err := x.AddBatch(context.Background(), docs[i:min(i+3, len(docs))]); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ref, refSt := newIndex(t)
	addAll(t, ref, refSt, docs)
	if a, b := partition(t, st), partition(t, refSt); !slices.Equal(a, b) {
		t.Errorf("adding beside matches changed the stories:\n%s\nvs\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// TestRankEdgesVerdictFirst: match lists the closest partner first, by
// verdict, then score; a near-duplicate beats a version that scores
// higher.
func TestRankEdgesVerdictFirst(t *testing.T) {
	es := []retold.Edge{
		{A: 1, Verdict: retold.Version, Score: 0.97},
		{A: 2, Verdict: retold.SameEvent, Score: 0.45},
		{A: 3, Verdict: retold.NearDuplicate, Score: 0.91},
		{A: 4, Verdict: retold.Version, Score: 0.99},
		{A: 5, Verdict: retold.Duplicate, Score: 1},
		{A: 6, Verdict: retold.Version, Score: 0.99},
	}
	rankEdges(es)
	var got []int64
	for _, e := range es {
		got = append(got, e.A)
	}
	if want := []int64{5, 3, 4, 6, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestWireCopiesKeptPerOutlet: three outlets run one wire text. The text
// is stored once, each record is kept as a copy with its own id and
// outlet, the story counts three outlets, and each id can be fetched. A
// deletion of the wire's own record hands the text to the first copy.
func TestWireCopiesKeptPerOutlet(t *testing.T) {
	x, st := newIndex(t)
	text := "LISBON (Wire) — A ferry carrying 212 passengers ran aground off the Tagus estuary on Sunday, " +
		"and all aboard were brought ashore by lifeboats, the port authority said.\n\n" +
		"Captain Rui Almeida said the vessel lost power in heavy fog about 2 km from the terminal."
	docs := []retold.Document{
		{ID: "w1", Outlet: "Wire", Title: "Ferry runs aground", URL: "https://wire.example/1", Date: "2024-05-05", Text: text},
		{ID: "w2", Outlet: "Lisbon Herald (Wire)", Title: "Ferry aground off Lisbon", URL: "https://herald.example/2", Date: "2024-05-05", Text: text},
		{ID: "w3", Outlet: "Porto Daily (Wire)", Title: "Ferry aground", URL: "https://porto.example/3", Date: "2024-05-06", Text: text},
		{ID: "w3", Outlet: "Porto Daily (Wire)", Title: "Ferry aground", URL: "https://porto.example/3", Date: "2024-05-06", Text: text},
	}
	var res []Result
	for _, d := range docs {
		r, err := x.Add(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r)
	}
	if res[0].Duplicate || !res[1].Duplicate || !res[1].Copy || !res[2].Copy || res[3].Copy || !res[3].Duplicate {
		t.Errorf("results: %+v", res)
	}
	err := st.View(context.Background(), func(tx retold.ReadTx) error {
		for _, d := range docs[:3] {
			sd, err := tx.DocumentByID(d.ID)
			if err != nil {
				t.Errorf("DocumentByID(%s): %v", d.ID, err)
				continue
			}
			if sd.Outlet != d.Outlet || sd.URL != d.URL || sd.Title != d.Title || sd.Story != res[0].Story {
				t.Errorf("%s: %+v", d.ID, sd)
			}
		}
		s, err := tx.Story(res[0].Story)
		if err != nil {
			return err
		}
		if s.Size != 1 || s.Copies != 2 || len(s.Outlets) != 3 {
			t.Errorf("story %+v: want 1 text, 2 copies, 3 outlets", s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Delete(context.Background(), "w1"); err != nil {
		t.Fatal(err)
	}
	if err := x.Delete(context.Background(), "w3"); err != nil {
		t.Fatal(err)
	}
	err = st.View(context.Background(), func(tx retold.ReadTx) error {
		sd, err := tx.DocumentByID("w2")
		if err != nil || sd.CopyOf != "" || sd.Outlet != "Lisbon Herald (Wire)" {
			t.Errorf("after deleting w1, w2 = %+v %v, want the text's owner", sd, err)
		}
		c, err := tx.Counts()
		if err != nil {
			return err
		}
		if c.Documents != 1 || c.Copies != 0 {
			t.Errorf("counts %+v", c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAdderAddsInOrderInBatches: every document added comes back once, in
// order, whatever the batch size, and only after Flush for the last batch.
func TestAdderAddsInOrderInBatches(t *testing.T) {
	docs := inventedDocs(t)[:7]
	x, st := newIndex(t)
	var got []string
	a := x.NewAdder(3, func(d retold.Document, r Result) {
		if r.Doc.Seq == 0 {
			t.Errorf("%s: no stored document in its result", d.ID)
		}
		got = append(got, d.ID)
	})
	for _, d := range docs {
		if err := a.Add(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) >= len(docs) {
		t.Errorf("all %d results before Flush: the last batch was added early", len(got))
	}
	if err := a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range docs {
		want = append(want, d.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("results for %v, want %v", got, want)
	}
	var c retold.Counts
	st.View(context.Background(), func(tx retold.ReadTx) (err error) { c, err = tx.Counts(); return })
	if c.Documents+c.Copies != int64(len(docs)) {
		t.Errorf("counts %+v for %d documents", c, len(docs))
	}
}

// TestTwoWritersOnOneFile: two processes (two stores on one file, each
// with its own index) add at once, forced to wait for each other often.
// Both finish, nothing is lost, and the stories are those of one add.
func TestTwoWritersOnOneFile(t *testing.T) {
	docs := inventedDocs(t)
	path := filepath.Join(t.TempDir(), "retold.db")
	var waited atomic.Int64
	open := func() retold.Store {
		st, err := sqlite.Open(context.Background(), path, &sqlite.Options{
			BusyTimeout: time.Millisecond,
			Waiting:     func(time.Duration) { waited.Add(1) },
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	st1, st2 := open(), open()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for k, st := range []retold.Store{st1, st2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := New(st, nil)
			for i := k; i < len(docs); i += 2 {
				if _, err := x.Add(context.Background(), docs[i]); err != nil {
					errs[k] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", k, err)
		}
	}
	var c retold.Counts
	st1.View(context.Background(), func(tx retold.ReadTx) (err error) { c, err = tx.Counts(); return })
	one, st0 := newIndex(t)
	addAll(t, one, st0, docs)
	var c0 retold.Counts
	st0.View(context.Background(), func(tx retold.ReadTx) (err error) { c0, err = tx.Counts(); return })
	if c.Documents+c.Copies != c0.Documents+c0.Copies {
		t.Errorf("two writers stored %d documents and %d copies, one writer %d and %d", c.Documents, c.Copies, c0.Documents, c0.Copies)
	}
	// Which of two records with one text came first decides which is
	// the document and which its copy: compare stories with their copies.
	if a, b := partitionWithCopies(t, st1), partitionWithCopies(t, st0); !slices.Equal(a, b) {
		t.Errorf("two writers' stories:\n%s\none writer's:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	t.Logf("writes waited %d times", waited.Load())
}

// partition lists each story's documents, sorted, one story a string.
func partition(t *testing.T, st retold.Store) []string { return partitionOf(t, st, false) }

// partitionWithCopies is partition with each story's copies among its
// members.
func partitionWithCopies(t *testing.T, st retold.Store) []string { return partitionOf(t, st, true) }

func partitionOf(t *testing.T, st retold.Store, copies bool) []string {
	t.Helper()
	groups := map[string][]string{}
	err := st.View(context.Background(), func(tx retold.ReadTx) error {
		docs, err := tx.Documents(0, 1<<30)
		if err != nil {
			return err
		}
		for _, d := range docs {
			groups[d.Story] = append(groups[d.Story], d.ID)
			if !copies {
				continue
			}
			cs, err := tx.Copies(d.Seq)
			if err != nil {
				return err
			}
			for _, c := range cs {
				groups[d.Story] = append(groups[d.Story], c.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ids := range groups {
		slices.Sort(ids)
		out = append(out, strings.Join(ids, " "))
	}
	slices.Sort(out)
	return out
}
