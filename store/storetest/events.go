package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	retold "github.com/retold/retold"
)

// The event summaries and the filtered listings are checked against a
// reference made the plain way: every document and copy read, grouped
// into stories and events here, and filtered here.

// reference is what the summaries should say, from the documents.
type reference struct {
	stories map[string]*refStory
	events  map[string]*retold.Event
}

type refStory struct {
	retold.Story
	outlets map[string]bool // of its documents and copies
}

// update runs fn in an Update and fails the test on its error.
func update(t *testing.T, s retold.Store, fn func(tx retold.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// referenceOf reads every document and copy and summarizes them. A
// story's original is the store's (Story.Original): which document is
// the original is the caller's to say (SetOriginal), and the store's
// default is checked by the story tests.
func referenceOf(t *testing.T, tx retold.ReadTx) reference {
	t.Helper()
	ref := reference{stories: map[string]*refStory{}, events: map[string]*retold.Event{}}
	firstAdded := map[string]string{}
	for after := int64(0); ; {
		docs, err := tx.Documents(after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) == 0 {
			break
		}
		for _, d := range docs {
			after = d.Seq
			st := ref.stories[d.Story]
			if st == nil {
				st = &refStory{Story: retold.Story{ID: d.Story, Event: d.Event}, outlets: map[string]bool{}}
				ref.stories[d.Story] = st
			}
			st.Size++
			if d.Outlet != "" {
				st.outlets[d.Outlet] = true
			}
			if d.Date != "" && (st.FirstSeen == "" || d.Date < st.FirstSeen) {
				st.FirstSeen = d.Date
			}
			if a := firstAdded[d.Story]; a == "" || d.Added < a {
				firstAdded[d.Story] = d.Added
			}
			cs, err := tx.Copies(d.Seq)
			if err != nil {
				t.Fatal(err)
			}
			st.Copies += len(cs)
			for _, c := range cs {
				if c.Outlet != "" {
					st.outlets[c.Outlet] = true
				}
			}
		}
	}
	for id, st := range ref.stories {
		if st.FirstSeen == "" {
			st.FirstSeen = firstAdded[id]
		}
		st.Outlets = slices.Sorted(maps.Keys(st.outlets))
		if len(st.Outlets) == 0 {
			st.Outlets = nil
		}
		got, err := tx.Story(id)
		if err != nil {
			t.Fatalf("story %s of the documents: %v", id, err)
		}
		st.Original = got.Original
	}
	// Events from their stories, the earliest (by FirstSeen, then ID)
	// first, so that it gives the event's original.
	outlets := map[string]map[string]bool{}
	for _, st := range sortedStories(ref.stories, oldestFirst) {
		ev := ref.events[st.Event]
		if ev == nil {
			ev = &retold.Event{ID: st.Event, FirstSeen: st.FirstSeen, Original: st.Original}
			ref.events[st.Event] = ev
			outlets[st.Event] = map[string]bool{}
		}
		ev.Stories++
		ev.Size += st.Size
		ev.Copies += st.Copies
		ev.LastSeen = max(ev.LastSeen, st.FirstSeen)
		for o := range st.outlets {
			outlets[st.Event][o] = true
		}
	}
	for id, ev := range ref.events {
		ev.Outlets = slices.Sorted(maps.Keys(outlets[id]))
		if len(ev.Outlets) == 0 {
			ev.Outlets = nil
		}
	}
	return ref
}

// oldestFirst orders stories and events by FirstSeen, then ID;
// newestFirst is the listing order, by FirstSeen descending, then ID.
func oldestFirst(a, b retold.StoryKey) int {
	return cmp.Or(strings.Compare(a.FirstSeen, b.FirstSeen), strings.Compare(a.ID, b.ID))
}

func newestFirst(a, b retold.StoryKey) int {
	return cmp.Or(strings.Compare(b.FirstSeen, a.FirstSeen), strings.Compare(a.ID, b.ID))
}

func sortedStories(m map[string]*refStory, order func(a, b retold.StoryKey) int) []*refStory {
	out := slices.Collect(maps.Values(m))
	slices.SortFunc(out, func(a, b *refStory) int {
		return order(retold.StoryKey{FirstSeen: a.FirstSeen, ID: a.ID}, retold.StoryKey{FirstSeen: b.FirstSeen, ID: b.ID})
	})
	return out
}

// eventsIn lists the reference's events that keep says to, newest first.
func (ref reference) eventsIn(keep func(*retold.Event) bool) []retold.Event {
	var out []retold.Event
	for _, ev := range ref.events {
		if keep(ev) {
			out = append(out, *ev)
		}
	}
	slices.SortFunc(out, func(a, b retold.Event) int {
		return newestFirst(retold.StoryKey{FirstSeen: a.FirstSeen, ID: a.ID}, retold.StoryKey{FirstSeen: b.FirstSeen, ID: b.ID})
	})
	return out
}

// checkEvents compares every event summary the store gives (Event,
// Events, EventStories, CountEvents, Counts) with the reference, and
// returns the reference.
func checkEvents(t *testing.T, s retold.Store) reference {
	t.Helper()
	var ref reference
	view(t, s, func(tx retold.ReadTx) error {
		ref = referenceOf(t, tx)
		want := ref.eventsIn(func(*retold.Event) bool { return true })
		got, err := tx.Events(retold.EventQuery{Limit: 1000})
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Events:\n got %+v\nwant %+v", got, want)
		}
		for _, ev := range want {
			if got, err := tx.Event(ev.ID); err != nil || !reflect.DeepEqual(got, ev) {
				t.Errorf("Event(%s) = %+v %v\nwant %+v", ev.ID, got, err, ev)
			}
			var wantStories []string
			for _, st := range sortedStories(ref.stories, oldestFirst) {
				if st.Event == ev.ID {
					wantStories = append(wantStories, st.ID)
				}
			}
			ss, err := tx.EventStories(ev.ID)
			if err != nil {
				return err
			}
			if ids := storyIDs(ss); !slices.Equal(ids, wantStories) {
				t.Errorf("EventStories(%s) = %v, want %v", ev.ID, ids, wantStories)
			}
			for _, st := range ss {
				if w := ref.stories[st.ID]; w != nil && !reflect.DeepEqual(st, w.Story) {
					t.Errorf("EventStories(%s): story %+v, want %+v", ev.ID, st, w.Story)
				}
			}
		}
		if n, err := tx.CountEvents(retold.EventQuery{}, 0); err != nil || n != (retold.Total{N: int64(len(want))}) {
			t.Errorf("CountEvents = %+v %v, want %d", n, err, len(want))
		}
		if c, err := tx.Counts(); err != nil || c.Events != int64(len(want)) || c.Stories != int64(len(ref.stories)) {
			t.Errorf("Counts = %+v %v, want %d events, %d stories", c, err, len(want), len(ref.stories))
		}
		return nil
	})
	return ref
}

func storyIDs(ss []retold.Story) []string {
	var ids []string
	for _, st := range ss {
		ids = append(ids, st.ID)
	}
	return ids
}

func eventIDs(es []retold.Event) []string {
	var ids []string
	for _, ev := range es {
		ids = append(ids, ev.ID)
	}
	return ids
}

// testEventSummaries: event summaries follow every write that moves a
// document or changes what a story counts.
func testEventSummaries(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	// Dates 2024-05-02 (a) to 2024-05-07 (f).
	a, b, c, d, e, f := doc("a", "a", 1), doc("b", "b", 2), doc("c", "c", 3), doc("d", "d", 4), doc("e", "e", 5), doc("f", "f", 6)
	put(t, s, nil, a, b, c, d, e, f)
	checkEvents(t, s)
	view(t, s, func(tx retold.ReadTx) error {
		want := retold.Event{ID: a.Event, Stories: 1, Size: 1, Outlets: []string{"Outlet a"}, FirstSeen: a.Date, LastSeen: a.Date, Original: a.Seq}
		if got, err := tx.Event(a.Event); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("a new document's event: %+v %v, want %+v", got, err, want)
		}
		if _, err := tx.Event("no-such-event"); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("Event of nothing: %v, want ErrNotFound", err)
		}
		if ss, err := tx.EventStories("no-such-event"); err != nil || len(ss) != 0 {
			t.Errorf("EventStories of nothing: %+v %v", ss, err)
		}
		return nil
	})

	update(t, s, func(tx retold.Tx) error {
		if err := tx.SetStory(b.Seq, a.Story, a.Event); err != nil {
			return err
		}
		// A write transaction reads its own moves.
		if ev, err := tx.Event(a.Event); err != nil || ev.Size != 2 || ev.Stories != 1 || ev.LastSeen != a.Date {
			t.Errorf("event inside the transaction that grew it: %+v %v, want 2 documents in 1 story", ev, err)
		}
		if _, err := tx.Event(b.Event); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("b's emptied event inside the transaction: %v, want ErrNotFound", err)
		}
		if err := tx.MergeStories(a.Story, c.Story); err != nil {
			return err
		}
		if err := tx.SetStory(d.Seq, d.Story, a.Event); err != nil { // d's story joins a's event
			return err
		}
		if err := tx.MergeEvents(a.Event, e.Event); err != nil {
			return err
		}
		if n, err := tx.CountEvents(retold.EventQuery{}, 0); err != nil || n != (retold.Total{N: 2}) {
			t.Errorf("CountEvents inside the transaction: %+v %v, want 2", n, err)
		}
		return tx.SetOriginal(a.Story, c.Seq)
	})
	checkEvents(t, s)
	view(t, s, func(tx retold.ReadTx) error {
		want := retold.Event{ID: a.Event, Stories: 3, Size: 5, Outlets: []string{"Outlet a", "Outlet b", "Outlet c", "Outlet d", "Outlet e"},
			FirstSeen: a.Date, LastSeen: e.Date, Original: c.Seq}
		if got, err := tx.Event(a.Event); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("event after the merges:\n got %+v %v\nwant %+v", got, err, want)
		}
		for _, gone := range []string{b.Event, c.Event, d.Event, e.Event} {
			if _, err := tx.Event(gone); !errors.Is(err, retold.ErrNotFound) {
				t.Errorf("merged-away event %s: %v, want ErrNotFound", gone, err)
			}
		}
		ss, err := tx.EventStories(a.Event)
		if ids := storyIDs(ss); err != nil || !slices.Equal(ids, []string{a.Story, d.Story, e.Story}) {
			t.Errorf("EventStories = %v %v, want oldest first %v", ids, err, []string{a.Story, d.Story, e.Story})
		}
		return nil
	})

	// Copies count, and their outlets are listed.
	update(t, s, func(tx retold.Tx) error {
		if err := tx.PutCopy(&retold.Copy{ID: "e-wire", Seq: e.Seq, Outlet: "Wire"}); err != nil {
			return err
		}
		return tx.PutCopy(&retold.Copy{ID: "f-copy", Seq: f.Seq, Outlet: "Outlet a"})
	})
	ref := checkEvents(t, s)
	if ev := ref.events[a.Event]; ev.Copies != 1 || !slices.Contains(ev.Outlets, "Wire") {
		t.Errorf("reference event with a copy: %+v", ev)
	}

	// The earliest story loses its first document, then its original.
	update(t, s, func(tx retold.Tx) error { return tx.DeleteDocument("a") })
	ref = checkEvents(t, s)
	if ev := ref.events[a.Event]; ev.FirstSeen != b.Date || ev.Original != c.Seq || ev.Size != 4 {
		t.Errorf("reference event after deleting a: %+v", ev)
	}
	update(t, s, func(tx retold.Tx) error { return tx.DeleteDocument("c") })
	checkEvents(t, s)

	// A copy takes its text over, another goes.
	update(t, s, func(tx retold.Tx) error {
		if err := tx.PromoteCopy("e-wire"); err != nil {
			return err
		}
		return tx.DeleteCopy("f-copy")
	})
	ref = checkEvents(t, s)
	if ev := ref.events[a.Event]; ev.Copies != 0 || slices.Contains(ev.Outlets, "Outlet e") || !slices.Contains(ev.Outlets, "Wire") {
		t.Errorf("reference event after the promotion: %+v", ev)
	}

	// The event's last documents go, and the event with them.
	update(t, s, func(tx retold.Tx) error {
		for _, id := range []string{"b", "d", "e-wire"} {
			if err := tx.DeleteDocument(id); err != nil {
				return err
			}
		}
		return nil
	})
	checkEvents(t, s)
	view(t, s, func(tx retold.ReadTx) error {
		if _, err := tx.Event(a.Event); !errors.Is(err, retold.ErrNotFound) {
			t.Errorf("the event of deleted documents: %v, want ErrNotFound", err)
		}
		return nil
	})

	// A failed Update changes no summary.
	s.Update(context.Background(), func(tx retold.Tx) error {
		tx.MergeEvents(f.Event, "none")
		tx.PutDocument(doc("g", "g", 7), nil)
		return errors.New("roll back")
	})
	if ref := checkEvents(t, s); len(ref.events) != 1 {
		t.Errorf("events after a rollback: %v", slices.Collect(maps.Keys(ref.events)))
	}
}

// testEventOriginal: an event's original is that of its earliest story,
// by FirstSeen, then story ID: not the smallest Seq.
func testEventOriginal(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	zeta, alpha, later := doc("z", "z", 1), doc("y", "y", 2), doc("x", "x", 3)
	zeta.Story, zeta.Event = "zeta", "ev"
	alpha.Story, alpha.Event = "alpha", "ev"
	later.Story, later.Event = "later", "ev"
	alpha.Date, zeta.Date, later.Date = "2024-05-02", "2024-05-02", "2024-05-03"
	put(t, s, nil, zeta, alpha, later)
	checkEvents(t, s)
	view(t, s, func(tx retold.ReadTx) error {
		if ev, err := tx.Event("ev"); err != nil || ev.Original != alpha.Seq || ev.Stories != 3 || ev.FirstSeen != "2024-05-02" || ev.LastSeen != "2024-05-03" {
			t.Errorf("event %+v %v, want the original of story alpha (%d)", ev, err, alpha.Seq)
		}
		ss, err := tx.EventStories("ev")
		if ids := storyIDs(ss); err != nil || !slices.Equal(ids, []string{"alpha", "zeta", "later"}) {
			t.Errorf("EventStories = %v %v, want alpha, zeta, later", ids, err)
		}
		return nil
	})
	// A story made earlier by a document with an earlier date.
	early := doc("w", "w", 4)
	early.Story, early.Event, early.Date = "later", "ev", "2024-05-01"
	put(t, s, nil, early)
	update(t, s, func(tx retold.Tx) error { return tx.SetOriginal("later", early.Seq) })
	checkEvents(t, s)
	view(t, s, func(tx retold.ReadTx) error {
		if ev, err := tx.Event("ev"); err != nil || ev.Original != early.Seq || ev.FirstSeen != "2024-05-01" || ev.LastSeen != "2024-05-02" {
			t.Errorf("event %+v %v, want the original of story later (%d)", ev, err, early.Seq)
		}
		return nil
	})
}

// eventPages lists q's events page by page of size, each page after the
// last event of the one before (EventQuery.After).
func eventPages(t *testing.T, s retold.Store, q retold.EventQuery, size int) []string {
	t.Helper()
	var ids []string
	q.Limit = size
	for range 1000 {
		var page []retold.Event
		view(t, s, func(tx retold.ReadTx) (err error) { page, err = tx.Events(q); return })
		ids = append(ids, eventIDs(page)...)
		if len(page) < size {
			return ids
		}
		last := page[len(page)-1]
		q.After = &retold.StoryKey{FirstSeen: last.FirstSeen, ID: last.ID}
	}
	t.Fatal("keyset paging did not end")
	return nil
}

// testEventListing: Events newest first, by keyset and offset pages,
// since and until a date prefix, each count the listing's length.
func testEventListing(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	var docs []*retold.StoredDocument
	dates := []string{"2024-04-30", "2024-05-01", "2024-05-01", "2024-05-01T09:00:00Z", "2024-05-02", "2024-05-02",
		"2024-05-31T23:00:00Z", "2024-06-01", "2024-06-01", "2024-06-02", "", "2024-06-02"}
	for i, date := range dates {
		d := doc(fmt.Sprintf("d%02d", i), fmt.Sprint("text ", i), uint64(i+1))
		d.Date = date // "" is first seen when added
		docs = append(docs, d)
	}
	put(t, s, nil, docs...)
	// Some events of several stories.
	update(t, s, func(tx retold.Tx) error {
		if err := tx.MergeEvents(docs[1].Event, docs[8].Event); err != nil {
			return err
		}
		return tx.MergeEvents(docs[4].Event, docs[5].Event)
	})
	ref := checkEvents(t, s)
	for _, q := range []retold.EventQuery{
		{},
		{Since: "2024-05"},
		{Until: "2024-05"},
		{Since: "2024-05-01", Until: "2024-05-02"},
		{Since: "2024-05-01T09"},
		{Until: "2024-05-01"},
		{Since: "2024-06-02", Until: "2024-06-01"},
		{Since: "2099"},
	} {
		want := eventIDs(ref.eventsIn(func(ev *retold.Event) bool {
			return ev.FirstSeen >= q.Since && (q.Until == "" || ev.FirstSeen <= q.Until || strings.HasPrefix(ev.FirstSeen, q.Until))
		}))
		var got []string
		view(t, s, func(tx retold.ReadTx) error {
			es, err := tx.Events(q)
			got = eventIDs(es)
			if n, err := tx.CountEvents(q, 0); err != nil || n != (retold.Total{N: int64(len(want))}) {
				t.Errorf("CountEvents(%+v) = %+v %v, want %d", q, n, err, len(want))
			}
			return err
		})
		if !slices.Equal(got, want) {
			t.Errorf("Events(%+v) = %v, want %v", q, got, want)
		}
		for _, size := range []int{1, 2, 5} {
			if got := eventPages(t, s, q, size); !slices.Equal(got, want) {
				t.Errorf("Events(%+v) by pages of %d = %v, want %v", q, size, got, want)
			}
		}
		var paged []string
		for off := 0; off <= len(want); off += 3 {
			view(t, s, func(tx retold.ReadTx) error {
				q := q
				q.Offset, q.Limit = off, 3
				es, err := tx.Events(q)
				paged = append(paged, eventIDs(es)...)
				return err
			})
		}
		if !slices.Equal(paged, want) {
			t.Errorf("Events(%+v) by offset pages = %v, want %v", q, paged, want)
		}
	}
	all := eventIDs(ref.eventsIn(func(*retold.Event) bool { return true }))
	view(t, s, func(tx retold.ReadTx) error {
		ev, err := tx.Event(all[2])
		if err != nil {
			return err
		}
		es, err := tx.Events(retold.EventQuery{After: &retold.StoryKey{FirstSeen: ev.FirstSeen, ID: ev.ID}, Offset: 1, Limit: 2})
		if got := eventIDs(es); err != nil || !slices.Equal(got, all[4:6]) {
			t.Errorf("after the third, skipping one: %v %v, want %v", got, err, all[4:6])
		}
		return nil
	})
}

// testEventListingLimit: a query without a limit lists 100 events; the
// count has none.
func testEventListingLimit(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	var docs []*retold.StoredDocument
	for i := range 101 {
		docs = append(docs, doc(fmt.Sprint("d", i), fmt.Sprint("text ", i), uint64(i+1)))
	}
	put(t, s, nil, docs...)
	view(t, s, func(tx retold.ReadTx) error {
		es, err := tx.Events(retold.EventQuery{})
		if err != nil || len(es) != 100 {
			t.Errorf("Events without a limit: %d %v, want 100", len(es), err)
		}
		if n, err := tx.CountEvents(retold.EventQuery{}, 0); err != nil || n != (retold.Total{N: 101}) {
			t.Errorf("CountEvents = %+v %v, want 101", n, err)
		}
		if n, err := tx.CountStories(retold.StoryQuery{}, 0); err != nil || n != (retold.Total{N: 101}) {
			t.Errorf("CountStories = %+v %v, want 101", n, err)
		}
		return nil
	})
}

// testStoryFilters: Stories and CountStories by event, outlet (of a
// document or of a copy, exact), since and until, and words, each alone
// and together, listed whole, by keyset and offset pages.
func testStoryFilters(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	mk := func(id, text, outlet, date string, hash uint64) *retold.StoredDocument {
		d := doc(id, text, hash)
		d.Outlet, d.Date = outlet, date
		return d
	}
	a := mk("a", "Floods in Aktau: the river rose overnight.", "Reuters", "2024-05-01", 1)
	b := mk("b", "Aktau rescue teams reached the villages.", "AP", "2024-05-02T08:00:00Z", 2)
	c := mk("c", "The council postponed the budget vote.", "Reuters London", "2024-05-03", 3)
	d := mk("d", "Budget vote postponed, Aktau angry.", "", "2024-05-31T23:00:00Z", 4)
	e := mk("e", "A wire story about the budget.", "AP", "2024-06-01", 5)
	f := mk("f", "Another flood report from Aktau.", "Local", "2024-06-02", 6)
	put(t, s, nil, a, b, c, d, e, f)
	update(t, s, func(tx retold.Tx) error {
		if err := tx.MergeEvents(a.Event, b.Event); err != nil { // floods: a, b, f
			return err
		}
		if err := tx.MergeEvents(a.Event, f.Event); err != nil {
			return err
		}
		if err := tx.MergeEvents(c.Event, d.Event); err != nil { // budget: c, d
			return err
		}
		if err := tx.SetStory(e.Seq, c.Story, c.Event); err != nil { // e joins c's story
			return err
		}
		// Reuters ran d's text; "reuters" and "Reuters London" are other
		// outlets.
		return tx.PutCopy(&retold.Copy{ID: "d-copy", Seq: d.Seq, Outlet: "Reuters", Date: "2024-06-03"})
	})
	ref := checkEvents(t, s)
	type want struct {
		q   retold.StoryQuery
		ids []string // when words are set, the stories expected, newest first
	}
	listing := func(keep func(*refStory) bool) []string {
		var ids []string
		for _, st := range sortedStories(ref.stories, newestFirst) {
			if keep(st) {
				ids = append(ids, st.ID)
			}
		}
		return ids
	}
	byFilters := func(q retold.StoryQuery) []string {
		return listing(func(st *refStory) bool {
			return st.FirstSeen >= q.Since && (q.Until == "" || st.FirstSeen <= q.Until || strings.HasPrefix(st.FirstSeen, q.Until)) &&
				(q.Event == "" || st.Event == q.Event) && (q.Outlet == "" || st.outlets[q.Outlet])
		})
	}
	var cases []want
	for _, q := range []retold.StoryQuery{
		{Event: a.Event},
		{Event: c.Event},
		{Event: "no-such-event"},
		{Outlet: "Reuters"}, // a's document, d's copy
		{Outlet: "AP"},
		{Outlet: "reuters"},
		{Outlet: "Reuters London"},
		{Outlet: "Reu"},
		{Until: "2024-05"},
		{Until: "2024-05-02"},
		{Since: "2024-05-02", Until: "2024-05-31"},
		{Event: a.Event, Since: "2024-05-02"},
		{Event: c.Event, Outlet: "Reuters", Until: "2024-05"},
		{Event: a.Event, Outlet: "Reuters London"},
	} {
		cases = append(cases, want{q, byFilters(q)})
	}
	if ids := byFilters(retold.StoryQuery{Outlet: "Reuters"}); !slices.Equal(ids, []string{d.Story, a.Story}) {
		t.Fatalf("the reference's Reuters stories %v, want d's (by its copy) and a's", ids)
	}
	cases = append(cases,
		want{retold.StoryQuery{Words: "aktau"}, []string{f.Story, d.Story, b.Story, a.Story}},
		want{retold.StoryQuery{Words: "aktau", Event: a.Event}, []string{f.Story, b.Story, a.Story}},
		want{retold.StoryQuery{Words: "aktau", Outlet: "Reuters"}, []string{d.Story, a.Story}},
		want{retold.StoryQuery{Words: "aktau", Outlet: "Reuters", Until: "2024-05-01"}, []string{a.Story}},
		want{retold.StoryQuery{Words: "budget", Event: c.Event, Since: "2024-05-04"}, []string{d.Story}},
		want{retold.StoryQuery{Words: "budget", Outlet: "AP"}, []string{c.Story}}, // e's outlet, in c's story
		want{retold.StoryQuery{Words: "budget", Event: a.Event}, nil},
		want{retold.StoryQuery{Words: "?!", Event: a.Event}, nil},
	)
	for _, tc := range cases {
		var got []string
		view(t, s, func(tx retold.ReadTx) error {
			ss, err := tx.Stories(tc.q)
			got = storyIDs(ss)
			for _, st := range ss {
				if w := ref.stories[st.ID]; !reflect.DeepEqual(st, w.Story) {
					t.Errorf("Stories(%+v): %+v, want %+v", tc.q, st, w.Story)
				}
			}
			if n, err := tx.CountStories(tc.q, 0); err != nil || n != (retold.Total{N: int64(len(tc.ids))}) {
				t.Errorf("CountStories(%+v) = %+v %v, want %d", tc.q, n, err, len(tc.ids))
			}
			return err
		})
		if !slices.Equal(got, tc.ids) {
			t.Errorf("Stories(%+v) = %v, want %v", tc.q, got, tc.ids)
		}
		for _, size := range []int{1, 2} {
			if got := keysetPages(t, s, tc.q, size); !slices.Equal(got, tc.ids) {
				t.Errorf("Stories(%+v) by pages of %d = %v, want %v", tc.q, size, got, tc.ids)
			}
		}
		var paged []string
		for off := 0; off <= len(tc.ids); off++ {
			view(t, s, func(tx retold.ReadTx) error {
				q := tc.q
				q.Offset, q.Limit = off, 1
				ss, err := tx.Stories(q)
				paged = append(paged, storyIDs(ss)...)
				return err
			})
		}
		if !slices.Equal(paged, tc.ids) {
			t.Errorf("Stories(%+v) by offset pages = %v, want %v", tc.q, paged, tc.ids)
		}
	}
	// The outlet filter follows the copies and their promotion.
	update(t, s, func(tx retold.Tx) error { return tx.PromoteCopy("d-copy") })
	update(t, s, func(tx retold.Tx) error { return tx.DeleteDocument("a") })
	view(t, s, func(tx retold.ReadTx) error {
		ss, err := tx.Stories(retold.StoryQuery{Outlet: "Reuters"})
		if ids := storyIDs(ss); err != nil || !slices.Equal(ids, []string{d.Story}) {
			t.Errorf("Reuters stories after the promotion and a's deletion: %v %v, want d's", ids, err)
		}
		if n, err := tx.CountStories(retold.StoryQuery{Outlet: "Reuters"}, 0); err != nil || n != (retold.Total{N: 1}) {
			t.Errorf("CountStories(Reuters) = %+v %v, want 1", n, err)
		}
		return nil
	})
}

// testEventSearch: EventQuery.Words keeps the events with a story that
// has a matching document, and follows the stories when events merge.
func testEventSearch(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	a := doc("a", "Floods in Aktau: the river rose overnight.", 1)
	b := doc("b", "Rescue teams reached the villages.", 2)
	c := doc("c", "The council postponed the budget vote.", 3)
	d := doc("d", "Aktau's mayor spoke of the budget.", 4)
	put(t, s, nil, a, b, c, d)
	update(t, s, func(tx retold.Tx) error { return tx.MergeEvents(a.Event, b.Event) })
	search := func(q retold.EventQuery) []string {
		var ids []string
		view(t, s, func(tx retold.ReadTx) error {
			es, err := tx.Events(q)
			ids = eventIDs(es)
			if q.Offset > 0 || q.Limit > 0 {
				return err // a page: the count is of the whole listing
			}
			if n, err := tx.CountEvents(q, 0); err != nil || n != (retold.Total{N: int64(len(ids))}) {
				t.Errorf("CountEvents(%+v) = %+v %v, the listing has %d", q, n, err, len(ids))
			}
			return err
		})
		return ids
	}
	for _, tc := range []struct {
		q    retold.EventQuery
		want []string
	}{
		{retold.EventQuery{Words: "aktau"}, []string{d.Event, a.Event}},
		{retold.EventQuery{Words: "rescue"}, []string{a.Event}}, // b's story, in a's event
		{retold.EventQuery{Words: "AKTAU budget"}, []string{d.Event}},
		{retold.EventQuery{Words: "aktau", Until: "2024-05-03"}, []string{a.Event}},
		{retold.EventQuery{Words: "aktau", Since: "2024-05-03"}, []string{d.Event}},
		{retold.EventQuery{Words: "zebra"}, nil},
		{retold.EventQuery{Words: `"*:(`}, nil},
		{retold.EventQuery{Words: "t"}, []string{d.Event, c.Event, a.Event}}, // every title
	} {
		if got := search(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Events(%+v) = %v, want %v", tc.q, got, tc.want)
		}
		for _, size := range []int{1, 2} {
			if got := eventPages(t, s, tc.q, size); !slices.Equal(got, tc.want) {
				t.Errorf("Events(%+v) by pages of %d = %v, want %v", tc.q, size, got, tc.want)
			}
		}
		var paged []string
		for off := 0; off <= len(tc.want); off++ {
			q := tc.q
			q.Offset, q.Limit = off, 1
			paged = append(paged, search(q)...)
		}
		if !slices.Equal(paged, tc.want) {
			t.Errorf("Events(%+v) by offset pages = %v, want %v", tc.q, paged, tc.want)
		}
	}
	// d's story moves to a's event: its words are a's event's now.
	update(t, s, func(tx retold.Tx) error { return tx.MergeEvents(a.Event, d.Event) })
	if got := search(retold.EventQuery{Words: "budget"}); !slices.Equal(got, []string{c.Event, a.Event}) {
		t.Errorf("budget after the merge = %v, want c's and a's events", got)
	}
	update(t, s, func(tx retold.Tx) error { return tx.DeleteDocument("d") })
	if got := search(retold.EventQuery{Words: "aktau budget"}); got != nil {
		t.Errorf("a deleted document's words still find %v", got)
	}
}

// totalsMatchListings checks that the running totals (CountStories and
// CountEvents with no filter) are the lengths of the full listings.
func totalsMatchListings(t *testing.T, tx retold.ReadTx, step string) {
	t.Helper()
	ss, err := tx.Stories(retold.StoryQuery{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	es, err := tx.Events(retold.EventQuery{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tx.CountStories(retold.StoryQuery{}, 1); err != nil || n != (retold.Total{N: int64(len(ss))}) {
		t.Errorf("%s: CountStories = %+v %v, the listing has %d", step, n, err, len(ss))
	}
	if n, err := tx.CountEvents(retold.EventQuery{}, 1); err != nil || n != (retold.Total{N: int64(len(es))}) {
		t.Errorf("%s: CountEvents = %+v %v, the listing has %d", step, n, err, len(es))
	}
}

// testTotalsFollowWrites: the running totals equal the listings' lengths
// after adds, merges of stories and events, copies, a promotion and
// deletions, read inside the writing transaction and after it, and they
// are exact past any cap.
func testTotalsFollowWrites(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	check := func(step string, fn func(tx retold.Tx) error) {
		t.Helper()
		update(t, s, func(tx retold.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			totalsMatchListings(t, tx, step+" (inside)")
			return nil
		})
		view(t, s, func(tx retold.ReadTx) error { totalsMatchListings(t, tx, step); return nil })
	}
	check("empty", func(retold.Tx) error { return nil })
	var docs []*retold.StoredDocument
	for i := range 6 {
		docs = append(docs, doc(fmt.Sprint("d", i), fmt.Sprint("text ", i), uint64(i+1)))
	}
	put(t, s, nil, docs...)
	view(t, s, func(tx retold.ReadTx) error { totalsMatchListings(t, tx, "added"); return nil })
	check("stories merged", func(tx retold.Tx) error { return tx.MergeStories(docs[0].Story, docs[1].Story) })
	check("events merged", func(tx retold.Tx) error { return tx.MergeEvents(docs[2].Event, docs[3].Event) })
	check("story moved", func(tx retold.Tx) error { return tx.SetStory(docs[4].Seq, docs[2].Story, "e-new") })
	check("copy", func(tx retold.Tx) error {
		return tx.PutCopy(&retold.Copy{ID: "c1", Seq: docs[5].Seq, Title: "copy", Outlet: "Other"})
	})
	check("promoted", func(tx retold.Tx) error { return tx.PromoteCopy("c1") })
	check("deleted", func(tx retold.Tx) error { return tx.DeleteDocument(docs[0].ID) })
	check("story emptied", func(tx retold.Tx) error {
		if err := tx.DeleteDocument(docs[1].ID); err != nil {
			return err
		}
		return tx.DeleteDocument("c1")
	})
	check("added in the transaction", func(tx retold.Tx) error {
		return tx.PutDocument(doc("late", "late text", 99), nil)
	})
}

// testCappedTotals: a filtered count stops at its cap and says so (N is
// the cap, Capped set); at or under the cap, or with no cap, it is exact.
func testCappedTotals(t *testing.T, open func() (retold.Store, error)) {
	s := mustOpen(t, open)
	var docs []*retold.StoredDocument
	for i := range 5 {
		d := doc(fmt.Sprint("d", i), fmt.Sprint("common words ", i), uint64(i+1))
		d.Outlet = "Wire"
		docs = append(docs, d)
	}
	put(t, s, nil, docs...)
	view(t, s, func(tx retold.ReadTx) error {
		for _, q := range []retold.StoryQuery{{Words: "common"}, {Outlet: "Wire"}, {Since: "2024"}, {Since: "2024", Words: "common"},
			{Outlet: "Wire", Words: "common"}, {Until: "2030", Outlet: "Wire"}} {
			for _, c := range []struct {
				max  int64
				want retold.Total
			}{{0, retold.Total{N: 5}}, {2, retold.Total{N: 2, Capped: true}}, {4, retold.Total{N: 4, Capped: true}}, {5, retold.Total{N: 5}}, {9, retold.Total{N: 5}}} {
				if n, err := tx.CountStories(q, c.max); err != nil || n != c.want {
					t.Errorf("CountStories(%+v, %d) = %+v %v, want %+v", q, c.max, n, err, c.want)
				}
			}
		}
		for _, q := range []retold.EventQuery{{Words: "common"}, {Since: "2024"}, {Since: "2024", Words: "common"}} {
			if n, err := tx.CountEvents(q, 3); err != nil || n != (retold.Total{N: 3, Capped: true}) {
				t.Errorf("CountEvents(%+v, 3) = %+v %v, want 3, capped", q, n, err)
			}
			if n, err := tx.CountEvents(q, 0); err != nil || n != (retold.Total{N: 5}) {
				t.Errorf("CountEvents(%+v, 0) = %+v %v, want 5", q, n, err)
			}
		}
		// The running total is exact past the cap.
		if n, err := tx.CountStories(retold.StoryQuery{}, 2); err != nil || n != (retold.Total{N: 5}) {
			t.Errorf("CountStories({}, 2) = %+v %v, want 5, exact", n, err)
		}
		return nil
	})
}
