package storyindex

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/pgtest"
	"github.com/retold/retold/internal/sharedtest"
	"github.com/retold/retold/store/postgres"
)

// The tests of what only a store with writers in several processes can
// get wrong, on a real PostgreSQL server (internal/pgtest). Each writer
// is an Index over a Store of its own, as each `retold add` process is.

func openPG(t *testing.T, dsn string, conns int32) retold.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, &postgres.Options{MaxConns: conns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// generated is n documents of gencorpus.
func generated(t *testing.T, n int) []retold.Document {
	t.Helper()
	corpus := sharedtest.Gencorpus(t, t.TempDir(), 5, n*6/1000+4)
	f, err := os.Open(corpus)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	var out []retold.Document
	for sc.Scan() && len(out) < n {
		var d retold.Document
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if len(out) < n {
		t.Fatalf("gencorpus gave %d documents, want %d", len(out), n)
	}
	return out
}

// labelsByID is every stored record's story and event, copies included.
func labelsByID(t *testing.T, st retold.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := st.View(context.Background(), func(tx retold.ReadTx) error {
		for after := int64(0); ; {
			docs, err := tx.Documents(after, 1000)
			if err != nil || len(docs) == 0 {
				return err
			}
			for _, d := range docs {
				after = d.Seq
				if _, ok := out[d.ID]; ok {
					return fmt.Errorf("%s stored twice", d.ID)
				}
				out[d.ID] = d.Story + " " + d.Event
				cs, err := tx.Copies(d.Seq)
				if err != nil {
					return err
				}
				for _, c := range cs {
					if _, ok := out[c.ID]; ok {
						return fmt.Errorf("%s stored twice", c.ID)
					}
					out[c.ID] = d.Story + " " + d.Event
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// commitOrder is the records as one writer would add them to get what
// the store holds: its texts in Seq order, each text's copies after it.
func commitOrder(t *testing.T, st retold.Store, byID map[string]retold.Document) []retold.Document {
	t.Helper()
	var out []retold.Document
	err := st.View(context.Background(), func(tx retold.ReadTx) error {
		docs, err := tx.Documents(0, 1<<30)
		if err != nil {
			return err
		}
		for _, d := range docs {
			out = append(out, byID[d.ID])
			cs, err := tx.Copies(d.Seq)
			if err != nil {
				return err
			}
			for _, c := range cs {
				out = append(out, byID[c.ID])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSixteenWritersSplitNoStory: 16 writers add newsversions-dev and
// 5,000 generated documents at once, in shuffled order and small
// batches. Every record is stored once, and the labels equal those of
// one writer adding the same records in the order the store committed
// them: no story was split, none merged by the concurrency.
func TestSixteenWritersSplitNoStory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 5,121 documents added twice")
	}
	dsn := pgtest.NewDatabase(t)
	var docs []retold.Document
	for _, l := range readLabeled(t, sharedtest.Path(t, "data", "newsversions-dev.jsonl")) {
		docs = append(docs, l.Document)
	}
	docs = append(docs, generated(t, 5000)...)
	byID := map[string]retold.Document{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	rand.New(rand.NewPCG(16, 16)).Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })

	const writers = 16
	var wg sync.WaitGroup
	errs := make([]error, writers)
	prejudged := make([]int64, writers)
	stores := make([]retold.Store, writers)
	for w := range writers {
		stores[w] = openPG(t, dsn, 2)
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := New(stores[w], nil)
			var mine []retold.Document
			for i := w; i < len(docs); i += writers {
				mine = append(mine, docs[i])
			}
			for lo := 0; lo < len(mine); lo += 8 {
				if _, err := x.AddBatch(context.Background(), mine[lo:min(len(mine), lo+8)]); err != nil {
					errs[w] = err
					return
				}
			}
			prejudged[w] = x.Prejudged()
		}()
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	got := labelsByID(t, stores[0])
	if len(got) != len(byID) {
		t.Fatalf("%d records stored, want %d", len(got), len(byID))
	}

	one := openPG(t, pgtest.NewDatabase(t), 4)
	x := New(one, nil)
	order := commitOrder(t, stores[0], byID)
	for lo := 0; lo < len(order); lo += 64 {
		if _, err := x.AddBatch(context.Background(), order[lo:min(len(order), lo+64)]); err != nil {
			t.Fatal(err)
		}
	}
	want := labelsByID(t, one)
	differ := 0
	for id, l := range want {
		if got[id] != l {
			if differ++; differ <= 10 {
				t.Errorf("%s: %q with 16 writers, %q with one", id, got[id], l)
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d records labelled otherwise than by one writer", differ, len(want))
	}
	stories := map[string]bool{}
	for _, l := range got {
		stories[strings.Fields(l)[0]] = true
	}
	var pre int64
	for _, n := range prejudged {
		pre += n
	}
	t.Logf("%d records, %d stories; %d documents kept the edges judged before their write transaction", len(got), len(stories), pre)
}

// TestWritersSeeEachOther: a version added by one writer finds the
// original another writer added a moment before (the postings catch-up),
// and a reader paging by Seq while 8 writers add misses no document.
func TestWritersSeeEachOther(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	docs := inventedDocs(t)
	a, b := New(openPG(t, dsn, 2), nil), New(openPG(t, dsn, 2), nil)
	if _, err := a.Add(context.Background(), docs[0]); err != nil {
		t.Fatal(err)
	}
	// Load b's index first, then let a add more: b must catch up.
	if err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	v := docs[0]
	v.ID, v.Text = v.ID+"-v", v.Text+" A sentence added in a later version of the story."
	r1, err := a.Add(context.Background(), docs[1])
	if err != nil {
		t.Fatal(err)
	}
	r2, err := b.Add(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	if len(r2.Edges) == 0 || r2.Edges[0].A != 1 {
		t.Errorf("the version's edges %+v, want one to the original (seq 1)", r2.Edges)
	}
	if r2.Doc.Seq <= r1.Doc.Seq {
		t.Errorf("b stored seq %d after a stored %d", r2.Doc.Seq, r1.Doc.Seq)
	}

	// Paging by Seq while others write: Seq order is commit order.
	st := openPG(t, dsn, 2)
	stop := make(chan struct{})
	seen := map[int64]bool{}
	var pages sync.WaitGroup
	pages.Add(1)
	go func() {
		defer pages.Done()
		after := int64(0)
		for done := false; !done; {
			select {
			case <-stop:
				done = true // one more pass after the writers end
			default:
			}
			err := st.View(context.Background(), func(tx retold.ReadTx) error {
				return tx.Keys(after, func(seq int64, _ []uint64) error {
					seen[seq], after = true, seq
					return nil
				})
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := New(openPG(t, dsn, 2), nil)
			for i := 2 + w; i < len(docs); i += 8 {
				if _, err := x.Add(context.Background(), docs[i]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	pages.Wait()
	var all []int64
	err = st.View(context.Background(), func(tx retold.ReadTx) error {
		return tx.Keys(0, func(seq int64, _ []uint64) error { all = append(all, seq); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	var missed []int64
	for _, s := range all {
		if !seen[s] {
			missed = append(missed, s)
		}
	}
	if len(missed) > 0 {
		t.Errorf("the reader paging by Seq missed %v of %d documents", missed, len(all))
	}
}

// TestDeleteRacingAdds: one writer deletes documents while others add
// versions of them. Afterwards no edge or label points at a document
// that is gone, and the index of every writer agrees with the store.
func TestDeleteRacingAdds(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	docs := inventedDocs(t)
	x := New(openPG(t, dsn, 2), nil)
	if _, err := x.AddBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < len(docs); i += 3 {
			if err := x.Delete(context.Background(), docs[i].ID); err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		y := New(openPG(t, dsn, 2), nil)
		for i := 0; i < len(docs); i += 3 {
			v := docs[i]
			v.ID, v.Text = v.ID+"-later", v.Text+" It was updated with a new paragraph after the first report."
			if _, err := y.Add(context.Background(), v); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	st := openPG(t, dsn, 2)
	err := st.View(context.Background(), func(tx retold.ReadTx) error {
		ds, err := tx.Documents(0, 1<<30)
		if err != nil {
			return err
		}
		seqs := make([]int64, 0, len(ds))
		stories := map[string]bool{}
		for _, d := range ds {
			seqs = append(seqs, d.Seq)
			stories[d.Story] = true
		}
		for _, d := range ds {
			es, err := tx.Edges(d.Seq)
			if err != nil {
				return err
			}
			for _, e := range es {
				if _, ok := slices.BinarySearch(seqs, e.A); !ok {
					t.Errorf("edge %d-%d: %d is gone", e.A, e.B, e.A)
				}
				if _, ok := slices.BinarySearch(seqs, e.B); !ok {
					t.Errorf("edge %d-%d: %d is gone", e.A, e.B, e.B)
				}
			}
			s, err := tx.Story(d.Story)
			if err != nil {
				return fmt.Errorf("story %s of %s: %w", d.Story, d.ID, err)
			}
			if _, ok := slices.BinarySearch(seqs, s.Original); !ok {
				t.Errorf("story %s: its original %d is gone", d.Story, s.Original)
			}
		}
		for i := 0; i < len(docs); i += 3 {
			if _, err := tx.DocumentByID(docs[i].ID); err == nil {
				t.Errorf("%s is still there after its delete", docs[i].ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
