package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/pgtest"
	"github.com/retold/retold/store/storetest"
)

// The tests need a PostgreSQL server: internal/pgtest gives each one a
// database of its own on the server RETOLD_TEST_POSTGRES names, and skips
// without one (fails, with RETOLD_REQUIRE_POSTGRES=1).

func mustOpen(t *testing.T, dsn string, opt *Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() (retold.Store, error) {
		dsn := pgtest.NewDatabase(t)
		return func() (retold.Store, error) { return Open(context.Background(), dsn, nil) }
	})
}

// version reads the store's schema version.
func version(t *testing.T, s *Store) int {
	t.Helper()
	v, err := schemaVersion(context.Background(), s.pool)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNewDatabaseGetsTheCurrentSchema(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s := mustOpen(t, dsn, nil)
	if v := version(t, s); v != SchemaVersion {
		t.Errorf("schema version %d, want %d", v, SchemaVersion)
	}
	s.Close()
	// Opening again migrates nothing and keeps the version.
	s = mustOpen(t, dsn, &Options{NoMigrate: true})
	if v := version(t, s); v != SchemaVersion {
		t.Errorf("schema version after reopening %d, want %d", v, SchemaVersion)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s := mustOpen(t, dsn, nil)
	if _, err := s.pool.Exec(context.Background(), `INSERT INTO retold_schema (version) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, opt := range []*Options{nil, {NoMigrate: true}, {ReadOnly: true}} {
		_, err := Open(context.Background(), dsn, opt)
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "database retold_test_") {
			t.Errorf("Open(%+v) of a newer schema: %v, want ErrNewerSchema naming the database", opt, err)
		}
	}
}

// TestOlderSchema: a database of schema 1 (no full-text search) is
// refused by a reader and left as it was, then migrated by a plain Open,
// which indexes the documents it has for search.
func TestOlderSchema(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	old, err := open(ctx, dsn, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := &retold.StoredDocument{Document: retold.Document{ID: "a", Title: "École de Montréal", Text: "Les élèves", Date: "2024-05-01"},
		Hash: 1, Seq: 1, Version: 1, Added: "2024-05-01T10:00:00Z", Story: "s1", Event: "e1"}
	writeOld(t, old, []*retold.StoredDocument{d}, nil)
	old.Close()
	for _, opt := range []*Options{{NoMigrate: true}, {ReadOnly: true}} {
		_, err := Open(ctx, dsn, opt)
		if !errors.Is(err, ErrOlderSchema) || !strings.Contains(err.Error(), "retold migrate --db DSN") {
			t.Errorf("Open(%+v) of schema 1: %v, want ErrOlderSchema saying how to migrate", opt, err)
		}
	}
	s := mustOpen(t, dsn, nil)
	if v := version(t, s); v != SchemaVersion {
		t.Fatalf("schema version %d after Open, want %d", v, SchemaVersion)
	}
	err = s.View(ctx, func(tx retold.ReadTx) error {
		got, err := tx.DocumentByID("a")
		if err != nil || got != *d {
			t.Errorf("document after migration: %+v %v, want %+v", got, err, *d)
		}
		ss, err := tx.Stories(retold.StoryQuery{Words: "montreal"})
		if err != nil || len(ss) != 1 || ss[0].ID != d.Story {
			t.Errorf("search of a document stored before the search index: %+v %v", ss, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeOld writes documents and copies into a store of an older schema
// (1 to 3) as its retold did, with their stories' summaries (schema 3's
// event summaries are the caller's): an Update of this package would
// write the tables of the current schema.
func writeOld(t *testing.T, s *Store, docs []*retold.StoredDocument, copies []retold.Copy) {
	t.Helper()
	ctx := context.Background()
	var stories []string
	var last int64
	for _, d := range docs {
		_, err := s.pool.Exec(ctx, `INSERT INTO documents (`+docColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			d.Seq, d.ID, d.Version, int64(d.Hash), d.Title, d.Text, d.URL, d.Outlet, d.Date, d.Lang, d.Added, d.Story, d.Event)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.pool.Exec(ctx, `INSERT INTO doc_keys (seq, n, keys) VALUES ($1, 0, '')`, d.Seq); err != nil {
			t.Fatal(err)
		}
		stories = append(stories, d.Story)
		last = max(last, d.Seq)
	}
	for _, c := range copies {
		_, err := s.pool.Exec(ctx, `INSERT INTO copies (id, seq, title, url, outlet, date, added) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, c.Seq, c.Title, c.URL, c.Outlet, c.Date, c.Added)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO stories (`+storyColumns+`) `+storySummary, stories); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE counters SET value = $1 WHERE name = 'seq'`, last); err != nil {
		t.Fatal(err)
	}
}

// TestEventsMigration: a database of schema 2, before event summaries,
// gets its events summarized from its stories by the migration, and the
// summaries follow the writes after it.
func TestEventsMigration(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	old, err := open(ctx, dsn, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	doc := func(seq int64, story, event, outlet, date string) *retold.StoredDocument {
		id := fmt.Sprint("d", seq)
		return &retold.StoredDocument{Document: retold.Document{ID: id, Title: "Title " + id, Text: "text " + id, Outlet: outlet, Date: date},
			Seq: seq, Hash: uint64(seq), Version: 1, Added: "2024-06-01T00:00:00Z", Story: story, Event: event}
	}
	writeOld(t, old, []*retold.StoredDocument{
		doc(1, "s1", "e1", "B", "2024-05-03"),
		doc(2, "s1", "e1", "A", "2024-05-04"),
		doc(3, "s3", "e1", "", "2024-05-02"),
		doc(4, "s4", "e4", "C", "2024-05-05"),
	}, []retold.Copy{{ID: "c1", Seq: 3, Outlet: "D", Added: "2024-06-01T00:00:00Z"}})
	old.Close()
	s := mustOpen(t, dsn, nil)
	if v := version(t, s); v != SchemaVersion {
		t.Fatalf("schema version %d after Open, want %d", v, SchemaVersion)
	}
	want := []retold.Event{
		{ID: "e4", Stories: 1, Size: 1, Outlets: []string{"C"}, FirstSeen: "2024-05-05", LastSeen: "2024-05-05", Original: 4},
		{ID: "e1", Stories: 2, Size: 3, Copies: 1, Outlets: []string{"A", "B", "D"}, FirstSeen: "2024-05-02", LastSeen: "2024-05-03", Original: 3},
	}
	err = s.View(ctx, func(tx retold.ReadTx) error {
		got, err := tx.Events(retold.EventQuery{})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("events after migration:\n got %+v %v\nwant %+v", got, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A write after the migration keeps them up to date.
	err = s.Update(ctx, func(tx retold.Tx) error { return tx.MergeEvents("e4", "e1") })
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx retold.ReadTx) error {
		got, err := tx.Events(retold.EventQuery{})
		if err != nil || len(got) != 1 || got[0].ID != "e4" || got[0].Stories != 3 || got[0].Size != 4 || got[0].Original != 3 ||
			!slices.Equal(got[0].Outlets, []string{"A", "B", "C", "D"}) {
			t.Errorf("events after a merge: %+v %v, want e4 of all three stories", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEdgeEventsMigration: a database of schema 3, before the event
// linker's probability, keeps its edges, which read back with Event 0,
// and edges written after the migration keep theirs.
func TestEdgeEventsMigration(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	old, err := open(ctx, dsn, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	var docs []*retold.StoredDocument
	for seq := int64(1); seq <= 3; seq++ {
		id := fmt.Sprint("d", seq)
		docs = append(docs, &retold.StoredDocument{Document: retold.Document{ID: id, Text: "text " + id, Date: "2024-05-01"},
			Seq: seq, Hash: uint64(seq), Version: 1, Added: "2024-06-01T00:00:00Z", Story: "s1", Event: "e1"})
	}
	writeOld(t, old, docs, nil)
	// Evidence long enough to be TOASTed out of the row.
	evidence := []byte(`{"verdict":"version","pad":"` + strings.Repeat("x", 6000) + `"}`)
	_, err = old.pool.Exec(ctx, `INSERT INTO edges (a, b, verdict, score, evidence) VALUES (1, 2, 'version', 0.9, $1), (1, 3, 'same-event', 0.4, NULL)`, evidence)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.pool.Exec(ctx, `INSERT INTO events (`+eventColumns+`) `+eventSummary+` GROUP BY s.event`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	s := mustOpen(t, dsn, nil)
	if v := version(t, s); v != SchemaVersion {
		t.Fatalf("schema version %d after Open, want %d", v, SchemaVersion)
	}
	v12 := retold.Edge{A: 1, B: 2, Verdict: retold.Version, Score: 0.9, Evidence: evidence}
	v13 := retold.Edge{A: 1, B: 3, Verdict: retold.SameEvent, Score: 0.4}
	err = s.View(ctx, func(tx retold.ReadTx) error {
		if got, err := tx.Edges(1); err != nil || !reflect.DeepEqual(got, []retold.Edge{v12, v13}) {
			t.Errorf("Edges(1) after migration: %+v %v", got, err)
		}
		bare := v12
		bare.Evidence = nil
		if got, err := tx.EdgesAmong([]int64{1, 2, 3}); err != nil || !reflect.DeepEqual(got, []retold.Edge{bare, v13}) {
			t.Errorf("EdgesAmong after migration: %+v %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx retold.Tx) error {
		return tx.PutEdge(retold.Edge{A: 3, B: 2, Verdict: retold.SameEvent, Score: 0.5, Event: 0.75})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx retold.ReadTx) error {
		want := []retold.Edge{{A: 1, B: 2, Verdict: retold.Version, Score: 0.9}, v13, {A: 2, B: 3, Verdict: retold.SameEvent, Score: 0.5, Event: 0.75}}
		if got, err := tx.EdgesAmong([]int64{1, 2, 3}); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("EdgesAmong after a write: %+v %v, want %+v", got, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadOnly(t *testing.T) {
	t.Run("refuses writes", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t)
		w := mustOpen(t, dsn, nil)
		d := &retold.StoredDocument{Document: retold.Document{ID: "a", Text: "a"}, Hash: 1}
		if err := w.Update(context.Background(), func(tx retold.Tx) error { return tx.PutDocument(d, nil) }); err != nil {
			t.Fatal(err)
		}
		r := mustOpen(t, dsn, &Options{ReadOnly: true})
		called := false
		err := r.Update(context.Background(), func(tx retold.Tx) error { called = true; return nil })
		if !errors.Is(err, ErrReadOnly) || called {
			t.Errorf("Update of a read-only store: %v (fn called: %v), want ErrReadOnly before fn", err, called)
		}
		err = r.View(context.Background(), func(tx retold.ReadTx) error {
			got, err := tx.DocumentByID("a")
			if err != nil || got.Seq != d.Seq {
				t.Errorf("read-only View: %+v %v", got, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Its connections refuse writes too.
		if _, err := r.pool.Exec(context.Background(), `DELETE FROM documents`); err == nil {
			t.Error("a read-only store's connection deleted documents")
		}
	})
	t.Run("migrates nothing", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t)
		if _, err := Open(context.Background(), dsn, &Options{ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
			t.Errorf("read-only Open of an empty database: %v, want ErrOlderSchema", err)
		}
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var tables int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables); err != nil || tables != 0 {
			t.Errorf("a read-only Open left %d tables (%v), want none", tables, err)
		}
	})
}

func TestServerDown(t *testing.T) {
	pgtest.Admin(t) // these need no server, but run with the others
	noSocket := t.TempDir()
	// A port nothing listens on, and a server that accepts and never
	// answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := mute.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	mutePort := mute.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct {
		name, dsn, names string
		within           time.Duration
	}{
		{"no server on the socket", "host=" + noSocket + " user=postgres dbname=postgres", noSocket + "/.s.PGSQL.5432", 5 * time.Second},
		{"no server on the port", fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres", closedPort),
			fmt.Sprintf("host 127.0.0.1 port %d", closedPort), 5 * time.Second},
		{"a server that never answers", fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres connect_timeout=1 sslmode=disable", mutePort),
			fmt.Sprintf("host 127.0.0.1 port %d", mutePort), 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			s, err := Open(context.Background(), tc.dsn, nil)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			t.Log(err)
			if d := time.Since(start); d > tc.within {
				t.Errorf("Open failed after %v, want within %v", d, tc.within)
			}
			if !strings.Contains(err.Error(), tc.names) || !strings.HasPrefix(err.Error(), "postgres: ") {
				t.Errorf("error %q does not name %s", err, tc.names)
			}
		})
	}
	t.Run("context ends first", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		s, err := Open(ctx, fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", mutePort), nil)
		if err == nil {
			s.Close()
			t.Fatal("Open succeeded")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Open returned %v after its context ended", d)
		}
	})
}

// TestConcurrentOpens: processes that open a new database at once all
// succeed, the migration running once.
func TestConcurrentOpens(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*Store, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A pool each, as separate processes would have.
			stores[i], errs[i] = Open(context.Background(), dsn, &Options{MaxConns: 2})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	var rows int
	if err := stores[0].pool.QueryRow(context.Background(), `SELECT count(*) FROM retold_schema`).Scan(&rows); err != nil || rows != SchemaVersion {
		t.Errorf("%d migration rows (%v), want %d", rows, err, SchemaVersion)
	}
}

// TestWritersInTwoProcessesAreSerialized: a writer of another pool (as of
// another process) waits for the first writer's commit, and numbers its
// document after the first one's.
func TestWritersInTwoProcessesAreSerialized(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	p1, p2 := mustOpen(t, dsn, nil), mustOpen(t, dsn, nil)
	inside, release := make(chan struct{}), make(chan struct{})
	first := &retold.StoredDocument{Document: retold.Document{ID: "first", Text: "1"}, Hash: 1}
	second := &retold.StoredDocument{Document: retold.Document{ID: "second", Text: "2"}, Hash: 2}
	done1 := make(chan error, 1)
	go func() {
		done1 <- p1.Update(ctx, func(tx retold.Tx) error {
			if err := tx.PutDocument(first, nil); err != nil {
				return err
			}
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	done2 := make(chan error, 1)
	go func() {
		done2 <- p2.Update(ctx, func(tx retold.Tx) error { return tx.PutDocument(second, nil) })
	}()
	select {
	case err := <-done2:
		t.Fatalf("the second writer finished (%v) while the first held its transaction", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-done1; err != nil {
		t.Fatal(err)
	}
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	if second.Seq != first.Seq+1 {
		t.Errorf("Seq %d then %d: want the later commit numbered next", first.Seq, second.Seq)
	}
	// A writer waiting for the lock gives up when its context ends.
	hold, stop := make(chan struct{}), make(chan struct{})
	go p1.Update(ctx, func(tx retold.Tx) error { close(hold); <-stop; return nil })
	<-hold
	defer close(stop)
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := p2.Update(wctx, func(tx retold.Tx) error { return nil }); err == nil {
		t.Error("a writer waiting for the lock did not give up when its context ended")
	}
}

// TestKeysPagesMayUseTheTransaction: Keys reads in pages, and fn may
// read through the transaction between rows.
func TestKeysPagesMayUseTheTransaction(t *testing.T) {
	defer func(n int) { keysPage = n }(keysPage)
	keysPage = 2
	s := mustOpen(t, pgtest.NewDatabase(t), nil)
	ctx := context.Background()
	var seqs []int64
	err := s.Update(ctx, func(tx retold.Tx) error {
		for i := range 5 {
			d := &retold.StoredDocument{Document: retold.Document{ID: fmt.Sprint(i), Text: fmt.Sprint(i)}, Hash: uint64(i + 1)}
			if err := tx.PutDocument(d, []uint64{uint64(i), 1<<64 - 1}); err != nil {
				return err
			}
			seqs = append(seqs, d.Seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	err = s.View(ctx, func(tx retold.ReadTx) error {
		return tx.Keys(0, func(seq int64, keys []uint64) error {
			d, err := tx.Document(seq)
			if err != nil {
				return err
			}
			if want := []uint64{uint64(d.Hash - 1), 1<<64 - 1}; !slices.Equal(keys, want) {
				t.Errorf("keys of %d = %v, want %v", seq, keys, want)
			}
			got = append(got, seq)
			return nil
		})
	})
	if err != nil || !slices.Equal(got, seqs) {
		t.Errorf("Keys gave %v (%v), want %v", got, err, seqs)
	}
}

// TestSearchFolding: case, accents and punctuation fold as in SQLite's
// store (see createFold for where they differ).
func TestSearchFolding(t *testing.T) {
	s := mustOpen(t, pgtest.NewDatabase(t), nil)
	ctx := context.Background()
	var unaccent bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent')`).Scan(&unaccent); err != nil {
		t.Fatal(err)
	}
	d := &retold.StoredDocument{Document: retold.Document{ID: "a", Title: "ÉCOLE de Montréal",
		Text: "Les élèves, l'enseignant: 3.5 millions (x-ray) — voir example.org/page."}, Hash: 1}
	if err := s.Update(ctx, func(tx retold.Tx) error { return tx.PutDocument(d, nil) }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words    string
		accented bool // needs unaccent
		want     bool
	}{
		{"école", false, true},
		{"ECOLE montreal", true, true},
		{"eleves", true, true},
		{"enseignant", false, true},
		{"3 5 millions", false, true},
		{"x ray", false, true},
		{"x-ray", false, true},
		{"example page", false, true},
		{"ecole budget", false, false},
		{"écol", false, false}, // words, not prefixes
	} {
		if tc.accented && !unaccent {
			continue
		}
		var ss []retold.Story
		err := s.View(ctx, func(tx retold.ReadTx) (err error) {
			ss, err = tx.Stories(retold.StoryQuery{Words: tc.words})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(ss) == 1; got != tc.want {
			t.Errorf("search %q found %v, want %v", tc.words, got, tc.want)
		}
	}
}
