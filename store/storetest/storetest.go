// Package storetest is the conformance suite every retold.Store backend
// must pass: call Run from the backend's tests with a function that makes
// a new, empty store and returns how to open it (again).
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	retold "github.com/retold/retold"
)

// NewStore makes a new empty store for one test and returns a function
// that opens it; calling that again after Close opens the same data.
type NewStore func(t *testing.T) (open func() (retold.Store, error))

// Run runs the suite.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func() (retold.Store, error))
	}{
		{"PutAndGet", testPutAndGet},
		{"SameTextStoredOnce", testSameTextStoredOnce},
		{"CopiesOfAText", testCopies},
		{"NewTextOfAnIDIsANewVersion", testVersions},
		{"Keys", testKeys},
		{"NextSeqNumbersTheNextPut", testNextSeq},
		{"Edges", testEdges},
		{"StoriesAndEvents", testStories},
		{"StoryListing", testStoryListing},
		{"StorySearch", testStorySearch},
		{"StoryFilters", testStoryFilters},
		{"EventSummaries", testEventSummaries},
		{"EventOriginal", testEventOriginal},
		{"EventListing", testEventListing},
		{"EventListingLimit", testEventListingLimit},
		{"TotalsFollowWrites", testTotalsFollowWrites},
		{"CappedTotals", testCappedTotals},
		{"EventSearch", testEventSearch},
		{"Delete", testDelete},
		{"FailedUpdateLeavesNothing", testRollback},
		{"ReadersSeeASnapshot", testSnapshot},
		{"ReadersAreNotBlockedByAWriter", testReadersNotBlocked},
		{"DataSurvivesReopen", testReopen},
		{"ConcurrentWritersAreSerialized", testConcurrentWriters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

func mustOpen(t *testing.T, open func() (retold.Store, error)) retold.Store {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func doc(id, text string, hash uint64) *retold.StoredDocument {
	return &retold.StoredDocument{Document: retold.Document{ID: id, Title: "T " + id, Text: text, URL: "https://example.org/" + id,
		Outlet: "Outlet " + id, Date: "2024-05-0" + fmt.Sprint(hash%9+1), Lang: "en"}, Hash: hash}
}

// put stores docs in one Update and returns them with their Seq.
func put(t *testing.T, s retold.Store, keys map[uint64][]uint64, docs ...*retold.StoredDocument) {
	t.Helper()
	err := s.Update(context.Background(), func(tx retold.Tx) error {
		for _, d := range docs {
			if err := tx.PutDocument(d, keys[d.Hash]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, s retold.Store, fn func(tx retold.ReadTx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func counts(t *testing.T, s retold.Store) retold.Counts {
	t.Helper()
	var c retold.Counts
	view(t, s, func(tx retold.ReadTx) (err error) { c, err = tx.Counts(); return })
	return c
}

func testPutAndGet(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	a, b := doc("a", "first text", 1<<63+5), doc("b", "second text", 7)
	put(t, s, nil, a, b)
	if a.Seq <= 0 || b.Seq <= a.Seq {
		t.Fatalf("Seq %d then %d: want positive and increasing", a.Seq, b.Seq)
	}
	if a.Version != 1 || a.Added == "" || a.Story == "" || a.Event == "" || a.Story == b.Story || a.Event == b.Event {
		t.Fatalf("assigned fields %+v / %+v", a, b)
	}
	if _, err := time.Parse(time.RFC3339, a.Added); err != nil {
		t.Errorf("Added %q: %v", a.Added, err)
	}
	view(t, s, func(tx retold.ReadTx) error {
		for _, get := range []func() (retold.StoredDocument, error){
			func() (retold.StoredDocument, error) { return tx.Document(a.Seq) },
			func() (retold.StoredDocument, error) { return tx.DocumentByID("a") },
			func() (retold.StoredDocument, error) { return tx.DocumentByHash(a.Hash) },
		} {
			got, err := get()
			if err != nil {
				return err
			}
			if got != *a {
				t.Errorf("got %+v\nwant %+v", got, *a)
			}
		}
		page, err := tx.Documents(0, 1)
		if err != nil || len(page) != 1 || page[0].Seq != a.Seq {
			t.Errorf("Documents(0, 1) = %+v %v", page, err)
		}
		if rest, _ := tx.Documents(a.Seq, 10); len(rest) != 1 || rest[0].Seq != b.Seq {
			t.Errorf("Documents(a, 10) = %+v", rest)
		}
		if _, err := tx.Document(999); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("Document(999): %v, want ErrNotFound", err)
		}
		if _, err := tx.DocumentByID("nope"); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("DocumentByID(nope): %v, want ErrNotFound", err)
		}
		return nil
	})
	if c := counts(t, s); c.Documents != 2 || c.Stories != 2 || c.Events != 2 {
		t.Errorf("counts %+v", c)
	}
}

func testSameTextStoredOnce(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	put(t, s, nil, doc("a", "text", 1))
	err := s.Update(context.Background(), func(tx retold.Tx) error {
		return tx.PutDocument(doc("other-id", "text", 1), []uint64{9})
	})
	if !errors.Is(err, retold.ErrExists) {
		t.Fatalf("second PutDocument of one hash: %v, want ErrExists", err)
	}
	if c := counts(t, s); c.Documents != 1 || c.Keys != 0 {
		t.Errorf("counts after the refused put: %+v", c)
	}
}

func testVersions(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	v1, v2 := doc("a", "old text", 1), doc("a", "new text", 2)
	put(t, s, nil, v1)
	put(t, s, nil, v2)
	if v1.Version != 1 || v2.Version != 2 {
		t.Fatalf("versions %d, %d", v1.Version, v2.Version)
	}
	view(t, s, func(tx retold.ReadTx) error {
		latest, err := tx.DocumentByID("a")
		if err != nil || latest.Seq != v2.Seq {
			t.Errorf("DocumentByID: %+v %v, want version 2", latest, err)
		}
		all, err := tx.Versions("a")
		if err != nil || len(all) != 2 || all[0].Seq != v1.Seq || all[1].Seq != v2.Seq {
			t.Errorf("Versions: %+v %v", all, err)
		}
		return nil
	})
}

// allKeys reads every document's keys after after, by Seq.
func allKeys(t *testing.T, tx retold.ReadTx, after int64) map[int64][]uint64 {
	t.Helper()
	out := map[int64][]uint64{}
	last := after
	err := tx.Keys(after, func(seq int64, keys []uint64) error {
		if seq <= last {
			t.Errorf("Keys: document %d after %d: not in Seq order", seq, last)
		}
		last = seq
		out[seq] = slices.Clone(keys)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testNextSeq(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	next := func() int64 {
		var n int64
		err := s.Update(context.Background(), func(tx retold.Tx) (err error) { n, err = tx.NextSeq(); return })
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := range 3 {
		want := next()
		d := doc(fmt.Sprint("d", i), fmt.Sprint("t", i), uint64(i+1))
		put(t, s, nil, d)
		if d.Seq != want {
			t.Errorf("put %d: Seq %d, NextSeq said %d", i, d.Seq, want)
		}
	}
	// A failed Update gives its numbers back; a delete does not.
	s.Update(context.Background(), func(tx retold.Tx) error {
		tx.PutDocument(doc("gone", "gone", 99), nil)
		return errors.New("roll back")
	})
	if err := s.Update(context.Background(), func(tx retold.Tx) error { return tx.DeleteDocument("d2") }); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != 4 {
		t.Errorf("NextSeq after a rollback and deleting the last = %d, want 4", n)
	}
}

func testKeys(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	var docs []*retold.StoredDocument
	keys := map[uint64][]uint64{}
	for i := range 5 {
		d := doc(fmt.Sprint("d", i), fmt.Sprint("text ", i), uint64(100+i))
		docs = append(docs, d)
		// Unsorted, repeated, the top bit set: stored sorted and unique.
		keys[d.Hash] = []uint64{1 << 63, uint64(i % 2), 1 << 63, uint64(10 + i)}
	}
	keys[docs[4].Hash] = nil // a document without keys is listed with none
	put(t, s, keys, docs...)
	view(t, s, func(tx retold.ReadTx) error {
		got := allKeys(t, tx, 0)
		if k, ok := got[docs[4].Seq]; len(got) != 5 || !ok || len(k) != 0 {
			t.Errorf("Keys gave %v, want 5 documents, the last with no keys", got)
		}
		for i, d := range docs[:4] {
			want := []uint64{uint64(i % 2), uint64(10 + i), 1 << 63}
			if !slices.Equal(got[d.Seq], want) {
				t.Errorf("keys of %s = %v, want %v", d.ID, got[d.Seq], want)
			}
		}
		if after := allKeys(t, tx, docs[2].Seq); len(after) != 2 || after[docs[3].Seq] == nil {
			t.Errorf("Keys after %d = %v, want %d and %d", docs[2].Seq, after, docs[3].Seq, docs[4].Seq)
		}
		stop := errors.New("stop")
		n := 0
		if err := tx.Keys(0, func(int64, []uint64) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("Keys with fn failing: %v after %d calls, want fn's error after 1", err, n)
		}
		if d, err := tx.Deletions(); err != nil || d != 0 {
			t.Errorf("Deletions of a new store = %d %v", d, err)
		}
		return nil
	})
	if c := counts(t, s); c.Keys != 12 {
		t.Errorf("keys %d, want 12", c.Keys)
	}
}

// testEdges: an edge keeps all it was given (Event too) through
// PutEdge, is replaced whole by a later PutEdge of the same two
// documents, whichever way round, and reads back the same from Edges and,
// without its Evidence, from EdgesAmong; an Event out of [0, 1] is
// refused.
func testEdges(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	a, b, c, d := doc("a", "a", 1), doc("b", "b", 2), doc("c", "c", 3), doc("d", "d", 4)
	put(t, s, nil, a, b, c, d)
	evidence := []byte(`{"verdict":"version"}`)
	update := func(es ...retold.Edge) {
		t.Helper()
		err := s.Update(context.Background(), func(tx retold.Tx) error {
			for _, e := range es {
				if err := tx.PutEdge(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	update(
		retold.Edge{A: b.Seq, B: a.Seq, Verdict: retold.SameEvent, Score: 0.2, Event: 0.7},
		retold.Edge{A: a.Seq, B: c.Seq, Verdict: retold.Version, Score: 0.9, Event: 0.35, Evidence: evidence},
		retold.Edge{A: b.Seq, B: c.Seq, Verdict: retold.SameEvent, Score: 0.5, Event: 0.25, Evidence: evidence},
	)
	// Replacements, in a later transaction: a-b's Event goes back to 0
	// (not computed), b-c's changes, and b-c loses its evidence.
	update(
		retold.Edge{A: a.Seq, B: b.Seq, Verdict: retold.NearDuplicate, Score: 0.95},
		retold.Edge{A: c.Seq, B: b.Seq, Verdict: retold.SameEvent, Score: 0.55, Event: 0.85},
	)
	ab := retold.Edge{A: a.Seq, B: b.Seq, Verdict: retold.NearDuplicate, Score: 0.95}
	ac := retold.Edge{A: a.Seq, B: c.Seq, Verdict: retold.Version, Score: 0.9, Event: 0.35, Evidence: evidence}
	bc := retold.Edge{A: b.Seq, B: c.Seq, Verdict: retold.SameEvent, Score: 0.55, Event: 0.85}
	// EdgesAmong leaves the evidence out.
	acBare := ac
	acBare.Evidence = nil
	view(t, s, func(tx retold.ReadTx) error {
		for _, tc := range []struct {
			seq  int64
			want []retold.Edge
		}{
			{a.Seq, []retold.Edge{ab, ac}},
			{b.Seq, []retold.Edge{ab, bc}},
			{c.Seq, []retold.Edge{ac, bc}},
			{d.Seq, nil},
		} {
			es, err := tx.Edges(tc.seq)
			if err != nil || !sameEdges(es, tc.want) {
				t.Errorf("Edges(%d) = %+v %v\nwant %+v", tc.seq, es, err, tc.want)
			}
		}
		for _, tc := range []struct {
			seqs []int64
			want []retold.Edge
		}{
			{[]int64{c.Seq, a.Seq, b.Seq, d.Seq}, []retold.Edge{ab, acBare, bc}},
			{[]int64{a.Seq, c.Seq}, []retold.Edge{acBare}},
			{[]int64{b.Seq, c.Seq}, []retold.Edge{bc}},
			{[]int64{a.Seq, d.Seq}, nil},
			{[]int64{a.Seq}, nil},
			{nil, nil},
		} {
			es, err := tx.EdgesAmong(tc.seqs)
			if err != nil || !sameEdges(es, tc.want) {
				t.Errorf("EdgesAmong(%v) = %+v %v\nwant %+v", tc.seqs, es, err, tc.want)
			}
		}
		return nil
	})
	if n := counts(t, s).Edges; n != 3 {
		t.Errorf("%d edges, want 3", n)
	}
	// An Event that is no probability fails the Update, which stores
	// nothing; the bounds themselves are probabilities.
	for _, event := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		err := s.Update(context.Background(), func(tx retold.Tx) error {
			return tx.PutEdge(retold.Edge{A: a.Seq, B: d.Seq, Verdict: retold.SameEvent, Score: 0.5, Event: event})
		})
		if err == nil {
			t.Errorf("PutEdge with Event %v: no error", event)
		}
	}
	if n := counts(t, s).Edges; n != 3 {
		t.Errorf("%d edges after refused PutEdges, want 3", n)
	}
	ad := retold.Edge{A: a.Seq, B: d.Seq, Verdict: retold.SameEvent, Score: 0.5, Event: 1}
	update(ad)
	view(t, s, func(tx retold.ReadTx) error {
		if es, err := tx.EdgesAmong([]int64{a.Seq, d.Seq}); err != nil || !sameEdges(es, []retold.Edge{ad}) {
			t.Errorf("EdgesAmong(a, d) = %+v %v, want %+v", es, err, ad)
		}
		return nil
	})
}

// sameEdges reports whether got and want hold the same edges in the same
// order, every field compared (an empty Evidence equals a nil one).
func sameEdges(got, want []retold.Edge) bool {
	return slices.EqualFunc(got, want, func(g, w retold.Edge) bool {
		return g.A == w.A && g.B == w.B && g.Verdict == w.Verdict && g.Score == w.Score && g.Event == w.Event &&
			bytes.Equal(g.Evidence, w.Evidence)
	})
}

func testStories(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	a, b, c, d := doc("a", "a", 1), doc("b", "b", 2), doc("c", "c", 3), doc("d", "d", 4)
	put(t, s, nil, a, b, c, d)
	err := s.Update(context.Background(), func(tx retold.Tx) error {
		// b joins a's story; c's story merges into a's; d's event merges
		// into a's.
		if err := tx.SetStory(b.Seq, a.Story, a.Event); err != nil {
			return err
		}
		// A write transaction reads its own moves.
		if st, err := tx.Story(a.Story); err != nil || st.Size != 2 {
			t.Errorf("story inside the transaction that grew it: %+v %v, want size 2", st, err)
		}
		if _, err := tx.Story(b.Story); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("b's emptied story inside the transaction: %v, want ErrNotFound", err)
		}
		if err := tx.MergeStories(a.Story, c.Story); err != nil {
			return err
		}
		if err := tx.MergeEvents(a.Event, d.Event); err != nil {
			return err
		}
		return tx.SetOriginal(a.Story, b.Seq)
	})
	if err != nil {
		t.Fatal(err)
	}
	view(t, s, func(tx retold.ReadTx) error {
		st, err := tx.Story(a.Story)
		if err != nil {
			return err
		}
		if st.Size != 3 || st.Event != a.Event || st.Original != b.Seq ||
			!slices.Equal(st.Outlets, []string{"Outlet a", "Outlet b", "Outlet c"}) || st.FirstSeen != "2024-05-02" {
			t.Errorf("story %+v", st)
		}
		docs, err := tx.StoryDocuments(a.Story)
		if err != nil || len(docs) != 3 || docs[0].Seq != a.Seq || docs[2].Seq != c.Seq || docs[2].Event != a.Event {
			t.Errorf("StoryDocuments %+v %v", docs, err)
		}
		if _, err := tx.Story(c.Story); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("merged-away story: %v, want ErrNotFound", err)
		}
		if got, _ := tx.Document(d.Seq); got.Event != a.Event || got.Story != d.Story {
			t.Errorf("d after the event merge: %+v", got)
		}
		if st, err := tx.Story(d.Story); err != nil || st.Event != a.Event || st.Size != 1 {
			t.Errorf("d's story after the event merge: %+v %v", st, err)
		}
		if all, err := tx.Stories(retold.StoryQuery{}); err != nil || len(all) != 2 {
			t.Errorf("Stories: %+v %v, want a's and d's", all, err)
		}
		if ev, err := tx.EventDocuments(a.Event); err != nil || len(ev) != 4 || ev[3].Seq != d.Seq {
			t.Errorf("EventDocuments: %+v %v, want all four", ev, err)
		}
		// Members: the story's and the event's, each once, in Seq order,
		// with their dates and labels.
		want := []retold.Member{
			{Seq: a.Seq, Date: a.Date, Story: a.Story, Event: a.Event},
			{Seq: b.Seq, Date: b.Date, Story: a.Story, Event: a.Event},
			{Seq: c.Seq, Date: c.Date, Story: a.Story, Event: a.Event},
			{Seq: d.Seq, Date: d.Date, Story: d.Story, Event: a.Event},
		}
		if ms, err := tx.Members(a.Story, a.Event); err != nil || !slices.Equal(ms, want) {
			t.Errorf("Members(story, event):\n got %+v %v\nwant %+v", ms, err, want)
		}
		if ms, err := tx.Members(d.Story, ""); err != nil || !slices.Equal(ms, want[3:]) {
			t.Errorf("Members(d's story, \"\"): %+v %v, want d", ms, err)
		}
		if ms, err := tx.Members("", a.Event); err != nil || !slices.Equal(ms, want) {
			t.Errorf("Members(\"\", event): %+v %v, want all four", ms, err)
		}
		if ms, err := tx.Members("no-such-story", "no-such-event"); err != nil || len(ms) != 0 {
			t.Errorf("Members of nothing: %+v %v", ms, err)
		}
		return nil
	})
	if c := counts(t, s); c.Stories != 2 || c.Events != 1 {
		t.Errorf("counts %+v", c)
	}
	err = s.Update(context.Background(), func(tx retold.Tx) error {
		return tx.SetOriginal(a.Story, d.Seq) // d is not in the story
	})
	if !errors.Is(err, retold.ErrNotFound) {
		t.Errorf("SetOriginal to an outsider: %v, want ErrNotFound", err)
	}
	err = s.Update(context.Background(), func(tx retold.Tx) error { return tx.SetStory(999, "x", "y") })
	if !errors.Is(err, retold.ErrNotFound) {
		t.Errorf("SetStory of a missing document: %v, want ErrNotFound", err)
	}
}

func testStorySearch(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	a := doc("a", "Floods in Aktau: the river rose overnight, Minister Sultanov said.", 1)
	b := doc("b", "The council postponed the budget vote.", 2)
	c := doc("c", "Rescue teams reached Aktau's flooded villages.", 3)
	long := doc("long", strings.Repeat("Words of a long report. ", 100)+"A zebra at the end.", 4)
	put(t, s, nil, a, b, c, long)
	if err := s.Update(context.Background(), func(tx retold.Tx) error { return tx.SetStory(c.Seq, a.Story, a.Event) }); err != nil {
		t.Fatal(err)
	}
	search := func(words string) []string {
		var ids []string
		view(t, s, func(tx retold.ReadTx) error {
			ss, err := tx.Stories(retold.StoryQuery{Words: words})
			for _, st := range ss {
				ids = append(ids, st.ID)
			}
			return err
		})
		return ids
	}
	for _, tc := range []struct {
		words string
		want  []string
	}{
		{"aktau", []string{a.Story}}, // two documents of one story: listed once
		{"AKTAU river", []string{a.Story}},
		{"T b", []string{b.Story}}, // titles are searched too
		{"aktau budget", nil},
		{"sultanov OR budget", nil}, // words, not FTS syntax: "or" is a word here
		{`"*:(`, nil},
		{"zebra", nil}, // past the lede: the search covers a text's first 1,500 characters
		{"long report", []string{long.Story}},
		{"", []string{long.Story, b.Story, a.Story}}, // newest first
	} {
		if got := search(tc.words); !slices.Equal(got, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.words, got, tc.want)
		}
	}
	if err := s.Update(context.Background(), func(tx retold.Tx) error { return tx.DeleteDocument("a") }); err != nil {
		t.Fatal(err)
	}
	// Paging through a search: every title starts with "T".
	var paged []string
	for off := 0; off < 5; off++ {
		view(t, s, func(tx retold.ReadTx) error {
			ss, err := tx.Stories(retold.StoryQuery{Words: "t", Offset: off, Limit: 1})
			for _, st := range ss {
				paged = append(paged, st.ID)
			}
			return err
		})
	}
	if all := search(""); !slices.Equal(paged, all) {
		t.Errorf("search pages %v, want %v", paged, all)
	}
	if keyed := keysetPages(t, s, retold.StoryQuery{Words: "t"}, 1); !slices.Equal(keyed, search("")) {
		t.Errorf("search pages by key %v, want %v", keyed, search(""))
	}
	if got := search("sultanov"); got != nil {
		t.Errorf("a deleted document's words still found: %v", got)
	}
	if got := search("aktau"); !slices.Equal(got, []string{a.Story}) {
		t.Errorf("after the delete, aktau = %v, want c's story %s", got, a.Story)
	}
}

// keysetPages lists q's stories page by page of size, each page after
// the last story of the one before (StoryQuery.After).
func keysetPages(t *testing.T, s retold.Store, q retold.StoryQuery, size int) []string {
	t.Helper()
	var ids []string
	q.Limit = size
	for range 100 {
		var page []retold.Story
		view(t, s, func(tx retold.ReadTx) error {
			var err error
			page, err = tx.Stories(q)
			return err
		})
		for _, st := range page {
			ids = append(ids, st.ID)
		}
		if len(page) < size {
			return ids
		}
		last := page[len(page)-1]
		q.After = &retold.StoryKey{FirstSeen: last.FirstSeen, ID: last.ID}
	}
	t.Fatal("keyset paging did not end")
	return nil
}

func testStoryListing(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	var docs []*retold.StoredDocument
	for i := range 5 {
		d := doc(fmt.Sprint("d", i), fmt.Sprint("t", i), uint64(i)) // dates 2024-05-01 .. 05
		docs = append(docs, d)
	}
	// Three more on the last day: ties on first_seen, ordered by id.
	for i := range 3 {
		d := doc(fmt.Sprint("tie", i), fmt.Sprint("t tie ", i), uint64(10+i))
		d.Date = "2024-05-05"
		docs = append(docs, d)
	}
	put(t, s, nil, docs...)
	view(t, s, func(tx retold.ReadTx) error {
		all, err := tx.Stories(retold.StoryQuery{Limit: 100})
		if err != nil {
			return err
		}
		var ids []string
		for _, st := range all {
			ids = append(ids, st.ID)
		}
		for _, size := range []int{1, 2, 3, 8} {
			if got := keysetPages(t, s, retold.StoryQuery{}, size); !slices.Equal(got, ids) {
				t.Errorf("keyset pages of %d: %v, want %v", size, got, ids)
			}
		}
		if got := keysetPages(t, s, retold.StoryQuery{Since: "2024-05-04"}, 2); !slices.Equal(got, ids[:5]) {
			t.Errorf("keyset pages since 05-04: %v, want %v", got, ids[:5])
		}
		after, _ := tx.Stories(retold.StoryQuery{After: &retold.StoryKey{FirstSeen: all[2].FirstSeen, ID: all[2].ID}, Offset: 1, Limit: 2})
		if len(after) != 2 || after[0].ID != ids[4] || after[1].ID != ids[5] {
			t.Errorf("after the third, skipping one: %+v, want %v", after, ids[4:6])
		}
		return nil
	})
	if err := s.Update(context.Background(), func(tx retold.Tx) error {
		for _, d := range docs[5:] {
			if err := tx.DeleteDocument(d.ID); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	view(t, s, func(tx retold.ReadTx) error {
		all, err := tx.Stories(retold.StoryQuery{})
		if err != nil {
			return err
		}
		var first []string
		for _, st := range all {
			first = append(first, st.FirstSeen)
		}
		if want := []string{"2024-05-05", "2024-05-04", "2024-05-03", "2024-05-02", "2024-05-01"}; !slices.Equal(first, want) {
			t.Errorf("newest first: %v, want %v", first, want)
		}
		page, _ := tx.Stories(retold.StoryQuery{Limit: 2, Offset: 1})
		if len(page) != 2 || page[0].FirstSeen != "2024-05-04" {
			t.Errorf("page %+v", page)
		}
		since, _ := tx.Stories(retold.StoryQuery{Since: "2024-05-04"})
		if len(since) != 2 {
			t.Errorf("since 05-04: %d stories, want 2", len(since))
		}
		return nil
	})
}

func testDelete(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	a1, a2, b := doc("a", "a1", 1), doc("a", "a2", 2), doc("b", "b", 3)
	put(t, s, map[uint64][]uint64{1: {7}, 2: {7}, 3: {7}}, a1, a2, b)
	err := s.Update(context.Background(), func(tx retold.Tx) error {
		if err := tx.PutEdge(retold.Edge{A: a1.Seq, B: b.Seq, Verdict: retold.Version, Score: 1}); err != nil {
			return err
		}
		if err := tx.SetStory(b.Seq, a1.Story, a1.Event); err != nil {
			return err
		}
		return tx.SetOriginal(a1.Story, a1.Seq)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), func(tx retold.Tx) error { return tx.DeleteDocument("a") }); err != nil {
		t.Fatal(err)
	}
	view(t, s, func(tx retold.ReadTx) error {
		if _, err := tx.DocumentByID("a"); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("deleted a: %v", err)
		}
		if got := allKeys(t, tx, 0); len(got) != 1 || !slices.Equal(got[b.Seq], []uint64{7}) {
			t.Errorf("keys after delete: %v, want only %d's", got, b.Seq)
		}
		if d, err := tx.Deletions(); err != nil || d != 2 {
			t.Errorf("Deletions after deleting an id of two versions = %d %v, want 2", d, err)
		}
		if es, _ := tx.Edges(b.Seq); len(es) != 0 {
			t.Errorf("edges after delete: %v", es)
		}
		st, err := tx.Story(a1.Story)
		if err != nil || st.Size != 1 || st.Original != b.Seq {
			t.Errorf("story after its original went: %+v %v", st, err)
		}
		return nil
	})
	if err := s.Update(context.Background(), func(tx retold.Tx) error { return tx.DeleteDocument("a") }); !errors.Is(err, retold.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	// Numbers are not reused after a delete.
	c := doc("c", "c", 4)
	put(t, s, nil, c)
	if c.Seq <= b.Seq {
		t.Errorf("new document got Seq %d after deletes, not above %d", c.Seq, b.Seq)
	}
}

func testRollback(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx retold.Tx) error {
		if err := tx.PutDocument(doc("a", "a", 1), []uint64{5}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if c := counts(t, s); c != (retold.Counts{}) {
		t.Errorf("after a failed update: %+v", c)
	}
}

func testSnapshot(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	put(t, s, nil, doc("a", "a", 1))
	err := s.View(context.Background(), func(tx retold.ReadTx) error {
		before, err := tx.Counts()
		if err != nil {
			return err
		}
		put(t, s, nil, doc("b", "b", 2)) // commits while the view is open
		after, err := tx.Counts()
		if err != nil {
			return err
		}
		if after != before {
			t.Errorf("a view saw a commit made after it began: %+v then %+v", before, after)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := counts(t, s).Documents; n != 2 {
		t.Errorf("a new view sees %d documents, want 2", n)
	}
}

func testReadersNotBlocked(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	put(t, s, nil, doc("a", "a", 1))
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(tx retold.Tx) error {
			if err := tx.PutDocument(doc("b", "b", 2), nil); err != nil {
				return err
			}
			close(inside)
			<-release // hold the write transaction open
			return nil
		})
	}()
	<-inside
	start := time.Now()
	if n := counts(t, s).Documents; n != 1 {
		t.Errorf("reader during a write saw %d documents, want the committed 1", n)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a reader waited %v for a writer", d)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func testReopen(t *testing.T, open func() (retold.Store, error)) {
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	a := doc("a", "a", 1)
	put(t, s, map[uint64][]uint64{1: {3}}, a)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, open)
	view(t, s, func(tx retold.ReadTx) error {
		got, err := tx.DocumentByID("a")
		if err != nil || got != *a {
			t.Errorf("after reopen: %+v %v", got, err)
		}
		if got := allKeys(t, tx, 0); !slices.Equal(got[a.Seq], []uint64{3}) {
			t.Errorf("keys after reopen: %v", got)
		}
		return nil
	})
}

func testConcurrentWriters(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				err := s.Update(context.Background(), func(tx retold.Tx) error {
					return tx.PutDocument(doc(fmt.Sprint(w, "-", i), "x", uint64(w*100+i+1)), []uint64{uint64(i)})
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if c := counts(t, s); c.Documents != 80 || c.Keys != 80 {
		t.Errorf("counts after concurrent writers: %+v", c)
	}
}

// testCopies: a text that several outlets ran is stored once, and each
// of the others is a copy, listed, counted and found by its own id; a
// deletion of the text's owner can promote a copy so the text stays.
func testCopies(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	ap, other := doc("ap", "the wire text", 11), doc("x", "another text", 12)
	put(t, s, nil, ap, other)
	houston := &retold.Copy{ID: "houston", Seq: ap.Seq, Title: "Houston title", URL: "https://h.example/1", Outlet: "Houston Chronicle", Date: "2024-05-02"}
	seattle := &retold.Copy{ID: "seattle", Seq: ap.Seq, Title: "Seattle title", URL: "https://s.example/1", Outlet: "Seattle Times", Date: "2024-05-03"}
	err := s.Update(context.Background(), func(tx retold.Tx) error {
		if err := tx.PutCopy(houston); err != nil {
			return err
		}
		if err := tx.PutCopy(seattle); err != nil {
			return err
		}
		if err := tx.PutCopy(&retold.Copy{ID: "ap", Seq: other.Seq}); !errors.Is(err, retold.ErrExists) {
			t.Errorf("a copy under a document's id: %v, want ErrExists", err)
		}
		if err := tx.PutCopy(&retold.Copy{ID: "houston", Seq: other.Seq}); !errors.Is(err, retold.ErrExists) {
			t.Errorf("a copy under a copy's id: %v, want ErrExists", err)
		}
		if err := tx.PutCopy(&retold.Copy{ID: "nowhere", Seq: 999}); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("a copy of no text: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if houston.Added == "" {
		t.Errorf("Added not set: %+v", houston)
	}
	view(t, s, func(tx retold.ReadTx) error {
		d, err := tx.DocumentByID("houston")
		if err != nil {
			return err
		}
		if d.ID != "houston" || d.CopyOf != "ap" || d.Seq != ap.Seq || d.Outlet != "Houston Chronicle" || d.Title != "Houston title" ||
			d.URL != houston.URL || d.Date != houston.Date || d.Text != ap.Text || d.Story != ap.Story {
			t.Errorf("DocumentByID(houston) = %+v", d)
		}
		if d, _ := tx.DocumentByID("ap"); d.CopyOf != "" || d.Outlet != ap.Outlet {
			t.Errorf("DocumentByID(ap) = %+v", d)
		}
		cs, err := tx.Copies(ap.Seq)
		if err != nil {
			return err
		}
		if len(cs) != 2 || cs[0].ID != "houston" || cs[1].ID != "seattle" || cs[0] != *houston {
			t.Errorf("Copies = %+v", cs)
		}
		if cs, _ := tx.StoryCopies(ap.Story); len(cs) != 2 {
			t.Errorf("StoryCopies = %+v", cs)
		}
		st, err := tx.Story(ap.Story)
		if err != nil {
			return err
		}
		want := []string{"Houston Chronicle", "Outlet ap", "Seattle Times"}
		if st.Size != 1 || st.Copies != 2 || !slices.Equal(st.Outlets, want) {
			t.Errorf("story %+v, want size 1, 2 copies, outlets %v", st, want)
		}
		return nil
	})
	if c := counts(t, s); c.Documents != 2 || c.Copies != 2 {
		t.Errorf("counts %+v", c)
	}
	// The owner goes: its first copy takes the text over.
	err = s.Update(context.Background(), func(tx retold.Tx) error {
		if err := tx.PromoteCopy("houston"); err != nil {
			return err
		}
		return tx.DeleteCopy("seattle")
	})
	if err != nil {
		t.Fatal(err)
	}
	view(t, s, func(tx retold.ReadTx) error {
		d, err := tx.Document(ap.Seq)
		if err != nil {
			return err
		}
		if d.ID != "houston" || d.Outlet != "Houston Chronicle" || d.CopyOf != "" || d.Story != ap.Story {
			t.Errorf("after PromoteCopy: %+v", d)
		}
		if _, err := tx.DocumentByID("ap"); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("the old owner's id: %v, want ErrNotFound", err)
		}
		if _, err := tx.DocumentByID("seattle"); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("a deleted copy: %v, want ErrNotFound", err)
		}
		st, _ := tx.Story(ap.Story)
		if st.Copies != 0 || !slices.Equal(st.Outlets, []string{"Houston Chronicle"}) {
			t.Errorf("story after: %+v", st)
		}
		return nil
	})
	// Deleting a text deletes its copies.
	err = s.Update(context.Background(), func(tx retold.Tx) error {
		if err := tx.PutCopy(&retold.Copy{ID: "y", Seq: other.Seq}); err != nil {
			return err
		}
		return tx.DeleteDocument("x")
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := counts(t, s); c.Documents != 1 || c.Copies != 0 {
		t.Errorf("counts after deleting a copied text: %+v", c)
	}
}
