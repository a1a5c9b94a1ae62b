package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/internal/keyrow"
	"github.com/retold/retold/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() (retold.Store, error) {
		path := filepath.Join(t.TempDir(), "retold.db")
		return func() (retold.Store, error) { return Open(context.Background(), path, nil) }
	})
}

// TestConformanceSearchWalk runs the suite with every search taking the
// plan for common words (walking the stories newest first).
func TestConformanceSearchWalk(t *testing.T) {
	defer func(n int) { searchCap = n }(searchCap)
	searchCap = 0
	storetest.Run(t, func(t *testing.T) func() (retold.Store, error) {
		path := filepath.Join(t.TempDir(), "retold.db")
		return func() (retold.Store, error) { return Open(context.Background(), path, nil) }
	})
}

func TestNewFileGetsTheCurrentSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "retold.db")
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.schemaVersion(context.Background(), s.writer)
	if err != nil || v != SchemaVersion {
		t.Errorf("schema version %d (%v), want %d", v, err, SchemaVersion)
	}
	var mode string
	if err := s.writer.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q (%v), want wal", mode, err)
	}
	s.Close()
	// Opening again migrates nothing and keeps the version.
	s, err = Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "retold.db")
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(context.Background(), path, nil)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), path) {
		t.Errorf("Open of a newer file: %v, want ErrNewerSchema naming the file", err)
	}
}

func TestBadPaths(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, []byte(strings.Repeat("this is not a database\n", 200)), 0o644)
	for _, tc := range []struct{ name, path string }{
		{"directory", dir},
		{"not a database", notDB},
		{"missing directory", filepath.Join(dir, "no", "such", "retold.db")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.path, nil)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded", tc.path)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name %s", err, tc.path)
			}
		})
	}
	// The text file was not touched.
	if b, _ := os.ReadFile(notDB); !strings.HasPrefix(string(b), "this is not") {
		t.Error("Open wrote into a file that is not a database")
	}
}

// fileAtVersion makes a store file of schema version v, as the retold
// of that version made it, and returns its path, the open file and a
// transaction in which the caller writes rows as that retold wrote them
// (then commits, and closes db).
func fileAtVersion(t *testing.T, v int) (string, *sql.DB, *sql.Tx) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "retold.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:v] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			t.Fatal(err)
		}
		if m.fn != nil {
			if err := m.fn(ctx, tx); err != nil {
				t.Fatal(err)
			}
		}
	}
	return path, db, tx
}

// openMigrated commits tx, the rows written into a file of fileAtVersion,
// closes db, and opens path as a Store, which migrates it; the schema must
// then be the current one. The Store is closed when the test ends.
func openMigrated(t *testing.T, path string, db *sql.DB, tx *sql.Tx) *Store {
	t.Helper()
	ctx := context.Background()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if v, _ := s.schemaVersion(ctx, s.writer); v != SchemaVersion {
		t.Errorf("version %d after Open, want %d", v, SchemaVersion)
	}
	return s
}

func TestVersion1FileIsMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "retold.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		migrations[0].sql,
		`INSERT INTO meta (key, value) VALUES ('schema_version', '1')`,
		`INSERT INTO documents (seq, id, version, hash, title, text, url, outlet, date, lang, added, story, event)
			VALUES (1, 'a', 1, 9, '', 'text', '', '', '', '', '2026-01-01T00:00:00Z', 's1', 'e1')`,
		`INSERT INTO documents (seq, id, version, hash, title, text, url, outlet, date, lang, added, story, event)
			VALUES (2, 'b', 1, 8, '', 'other', '', '', '', '', '2026-01-01T00:00:00Z', 's2', 'e2')`,
		`INSERT INTO keys (key, seq) VALUES (6, 1), (5, 1), (-1, 1), (6, 2)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	// Opened only to read, it is refused and left as it was.
	before, _ := os.ReadFile(path)
	if _, err := Open(context.Background(), path, &Options{NoMigrate: true}); !errors.Is(err, ErrOlderSchema) {
		t.Errorf("NoMigrate on version 1: %v, want ErrOlderSchema", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a NoMigrate open changed the file")
	}
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.schemaVersion(context.Background(), s.writer); v != SchemaVersion {
		t.Errorf("version %d after Open, want %d", v, SchemaVersion)
	}
	err = s.View(context.Background(), func(tx retold.ReadTx) error {
		got := map[int64][]uint64{}
		err := tx.Keys(0, func(seq int64, keys []uint64) error {
			got[seq] = slices.Clone(keys)
			return nil
		})
		// Keys are unsigned: -1 as stored by schema 1 is the largest.
		if err != nil || len(got) != 2 || !slices.Equal(got[1], []uint64{5, 6, 1<<64 - 1}) || !slices.Equal(got[2], []uint64{6}) {
			t.Errorf("Keys after migration: %v %v", got, err)
		}
		if d, err := tx.Deletions(); err != nil || d != 0 {
			t.Errorf("Deletions after migration: %d %v", d, err)
		}
		if st, err := tx.Story("s1"); err != nil || st.Size != 1 || st.Original != 1 {
			t.Errorf("story summary after migration: %+v %v", st, err)
		}
		d, err := tx.DocumentByID("a")
		if err != nil || d.Text != "text" {
			t.Errorf("document after migration: %+v %v", d, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Schema 6's copies work on the migrated file.
	err = s.Update(context.Background(), func(tx retold.Tx) error {
		return tx.PutCopy(&retold.Copy{ID: "a-copy", Seq: 1, Outlet: "Other Outlet"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(context.Background(), func(tx retold.ReadTx) error {
		st, err := tx.Story("s1")
		if err != nil || st.Copies != 1 || !slices.Equal(st.Outlets, []string{"Other Outlet"}) {
			t.Errorf("story summary with a copy after migration: %+v %v", st, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVersion6FileGetsEventSummaries: a file of schema 6, before event
// summaries, gets its events summarized from its stories by the
// migration, and the summaries follow the writes after it.
func TestVersion6FileGetsEventSummaries(t *testing.T) {
	ctx := context.Background()
	// Schema 6 as its retold made it, then rows as it wrote them: the
	// documents, a copy, and the stories' summaries.
	path, db, tx := fileAtVersion(t, 6)
	for _, d := range []struct {
		seq                        int64
		story, event, outlet, date string
	}{
		{1, "s1", "e1", "B", "2024-05-03"},
		{2, "s1", "e1", "A", "2024-05-04"},
		{3, "s3", "e1", "", "2024-05-02"},
		{4, "s4", "e4", "C", "2024-05-05"},
	} {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (`+docColumns+`) VALUES (?, ?, 1, ?, 'Title', 'text', '', ?, ?, '', '2024-06-01T00:00:00Z', ?, ?)`,
			d.seq, fmt.Sprint("d", d.seq), d.seq, d.outlet, d.date, d.story, d.event)
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO copies (id, seq, title, url, outlet, date, added) VALUES ('c1', 3, '', '', 'D', '', '2024-06-01T00:00:00Z')`,
		`INSERT INTO stories (` + storyColumns + `) ` + storySummary + ` GROUP BY d.story`,
		`INSERT INTO meta (key, value) VALUES ('schema_version', '6')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s := openMigrated(t, path, db, tx)
	want := []retold.Event{
		{ID: "e4", Stories: 1, Size: 1, Outlets: []string{"C"}, FirstSeen: "2024-05-05", LastSeen: "2024-05-05", Original: 4},
		{ID: "e1", Stories: 2, Size: 3, Copies: 1, Outlets: []string{"A", "B", "D"}, FirstSeen: "2024-05-02", LastSeen: "2024-05-03", Original: 3},
	}
	err := s.View(ctx, func(tx retold.ReadTx) error {
		got, err := tx.Events(retold.EventQuery{})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("events after migration:\n got %+v %v\nwant %+v", got, err, want)
		}
		if c, err := tx.Counts(); err != nil || c.Events != 2 {
			t.Errorf("counts after migration: %+v %v, want 2 events", c, err)
		}
		// The running totals (schema 9) start from the tables.
		if n, err := tx.CountStories(retold.StoryQuery{}, 0); err != nil || n.N != 3 || n.Capped {
			t.Errorf("story total after migration: %+v %v, want 3", n, err)
		}
		if n, err := tx.CountEvents(retold.EventQuery{}, 0); err != nil || n.N != 2 || n.Capped {
			t.Errorf("event total after migration: %+v %v, want 2", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) != 0 {
		t.Errorf("check after migration: %v %v", problems, err)
	}
	// A write after the migration keeps them up to date.
	if err := s.Update(ctx, func(tx retold.Tx) error { return tx.MergeEvents("e4", "e1") }); err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx retold.ReadTx) error {
		got, err := tx.Events(retold.EventQuery{})
		if err != nil || len(got) != 1 || got[0].ID != "e4" || got[0].Stories != 3 || got[0].Size != 4 || got[0].Original != 3 ||
			!slices.Equal(got[0].Outlets, []string{"A", "B", "C", "D"}) {
			t.Errorf("events after a merge: %+v %v, want e4 of all three stories", got, err)
		}
		if n, err := tx.CountEvents(retold.EventQuery{}, 0); err != nil || n.N != 1 {
			t.Errorf("event total after a merge: %+v %v, want 1", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVersion7FileGetsEdgeEvents: a file of schema 7, before the event
// linker's probability, keeps its edges through the rebuild of their
// table, which reads them back with Event 0; event is stored before
// evidence, so EdgesAmong reads no evidence to reach it; and the rebuilt
// table keeps its index and its foreign keys.
func TestVersion7FileGetsEdgeEvents(t *testing.T) {
	ctx := context.Background()
	path, db, tx := fileAtVersion(t, 7)
	for seq := int64(1); seq <= 3; seq++ {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (`+docColumns+`) VALUES (?, ?, 1, ?, 'Title', 'text', '', 'O', '2024-05-01', '', '2024-06-01T00:00:00Z', 's1', 'e1')`,
			seq, fmt.Sprint("d", seq), seq)
		if err != nil {
			t.Fatal(err)
		}
	}
	// Evidence long enough to spill into overflow pages.
	evidence := []byte(`{"verdict":"version","pad":"` + strings.Repeat("x", 6000) + `"}`)
	for _, q := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO edges (a, b, verdict, score, evidence) VALUES (1, 2, 'version', 0.9, ?), (1, 3, 'same-event', 0.4, NULL)`, []any{evidence}},
		{`INSERT INTO stories (` + storyColumns + `) ` + storySummary + ` GROUP BY d.story`, nil},
		{`INSERT INTO events (` + eventColumns + `) ` + eventSummary + ` GROUP BY s.event`, nil},
		{`INSERT INTO meta (key, value) VALUES ('schema_version', '7')`, nil},
	} {
		if _, err := tx.ExecContext(ctx, q.query, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	s := openMigrated(t, path, db, tx)
	v12 := retold.Edge{A: 1, B: 2, Verdict: retold.Version, Score: 0.9, Evidence: evidence}
	v13 := retold.Edge{A: 1, B: 3, Verdict: retold.SameEvent, Score: 0.4}
	err := s.View(ctx, func(tx retold.ReadTx) error {
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
	var columns []string
	rows, err := s.writer.QueryContext(ctx, `SELECT name FROM pragma_table_info('edges') ORDER BY cid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		columns = append(columns, c)
	}
	rows.Close()
	if want := []string{"a", "b", "verdict", "score", "event", "evidence"}; !slices.Equal(columns, want) {
		t.Errorf("edges columns %v, want %v (event before evidence)", columns, want)
	}
	var n int
	if err := s.writer.QueryRowContext(ctx, `SELECT count(*) FROM pragma_index_list('edges') WHERE name = 'edges_b'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("index edges_b after migration: %d %v, want 1", n, err)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) != 0 {
		t.Errorf("check after migration: %v %v", problems, err)
	}
	// Edges written after the migration keep their Event, and still go
	// with their documents.
	err = s.Update(ctx, func(tx retold.Tx) error {
		if err := tx.PutEdge(retold.Edge{A: 2, B: 3, Verdict: retold.SameEvent, Score: 0.5, Event: 0.75}); err != nil {
			return err
		}
		return tx.DeleteDocument("d1")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx retold.ReadTx) error {
		want := []retold.Edge{{A: 2, B: 3, Verdict: retold.SameEvent, Score: 0.5, Event: 0.75}}
		if got, err := tx.EdgesAmong([]int64{1, 2, 3}); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("EdgesAmong after a write and a delete: %+v %v, want %+v", got, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVersion9FileGetsTextLast migrates a schema-9 file, whose documents
// have labels after a text long enough to spill into overflow pages, and
// checks that the rebuilt table has the text last and lost nothing: the
// documents and their seqs, the AUTOINCREMENT high-water mark, keys,
// copies, edges, full-text search, the indexes and triggers, and the
// cascades that delete what references a document.
func TestVersion9FileGetsTextLast(t *testing.T) {
	ctx := context.Background()
	path, db, tx := fileAtVersion(t, 9)
	// Texts of about 9 KB: over two pages each, so the old table's labels
	// sat behind overflow pages.
	text := func(seq int64) string {
		return fmt.Sprintf("Zebra%d crossing. ", seq) + strings.Repeat("words of the text ", 500)
	}
	for seq := int64(1); seq <= 4; seq++ {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (seq, id, version, hash, title, text, url, outlet, date, lang, added, story, event)
			VALUES (?, ?, 1, ?, ?, ?, ?, ?, '2024-05-01', 'en', '2024-06-01T00:00:00Z', ?, 'e1')`,
			seq, fmt.Sprint("d", seq), seq, fmt.Sprint("Title ", seq), text(seq), fmt.Sprint("https://example.com/", seq), fmt.Sprint("O", seq), fmt.Sprint("s", (seq+1)/2))
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []struct {
		query string
		args  []any
	}{
		// Document 4 deleted: the next seq is 5, not 4.
		{`DELETE FROM documents WHERE seq = 4`, nil},
		{`INSERT INTO doc_keys (seq, n, keys) VALUES (1, 2, ?), (2, 1, ?), (3, 1, ?)`, []any{keyrow.Encode([]uint64{7, 9}), keyrow.Encode([]uint64{7}), keyrow.Encode([]uint64{9})}},
		{`INSERT INTO copies (id, seq, title, url, outlet, date, added) VALUES ('c1', 1, 'Copy', 'https://example.org/c1', 'C', '2024-05-02', '2024-06-02T00:00:00Z')`, nil},
		{`INSERT INTO edges (a, b, verdict, score, event, evidence) VALUES (1, 2, 'version', 0.9, 1, NULL), (1, 3, 'same-event', 0.4, 0.7, NULL), (2, 3, 'same-event', 0.5, 0.6, NULL)`, nil},
		{`INSERT INTO stories (` + storyColumns + `) ` + storySummary + ` GROUP BY d.story`, nil},
		{`INSERT INTO events (` + eventColumns + `) ` + eventSummary + ` GROUP BY s.event`, nil},
		{`UPDATE meta SET value = (SELECT count(*) FROM stories) WHERE key = 'stories'`, nil},
		{`UPDATE meta SET value = (SELECT count(*) FROM events) WHERE key = 'events'`, nil},
		{`INSERT INTO meta (key, value) VALUES ('schema_version', '9')`, nil},
	} {
		if _, err := tx.ExecContext(ctx, q.query, q.args...); err != nil {
			t.Fatal(err)
		}
	}

	s := openMigrated(t, path, db, tx)
	names := func(query string) []string {
		t.Helper()
		rows, err := s.writer.QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var all []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			all = append(all, n)
		}
		return all
	}
	if got := names(`SELECT name FROM pragma_table_info('documents') ORDER BY cid`); got[len(got)-1] != "text" || len(got) != 13 {
		t.Errorf("documents columns %v, want 13 with text last", got)
	}
	if got, want := names(`SELECT name FROM sqlite_master WHERE tbl_name = 'documents' AND type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name`),
		[]string{"documents_event", "documents_fts_delete", "documents_fts_insert", "documents_outlet", "documents_story"}; !slices.Equal(got, want) {
		t.Errorf("indexes and triggers on documents %v, want %v", got, want)
	}
	if got := names(`SELECT name FROM sqlite_master WHERE name LIKE '%v10%'`); len(got) > 0 {
		t.Errorf("left behind: %v", got)
	}
	var fk int
	if err := s.writer.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys after the migration: %d %v, want 1", fk, err)
	}
	if got := names(`SELECT "table" FROM pragma_foreign_key_check`); len(got) > 0 {
		t.Errorf("foreign key check: %v", got)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("Check after migration: %v %v", problems, err)
	}

	err := s.View(ctx, func(tx retold.ReadTx) error {
		for seq := int64(1); seq <= 3; seq++ {
			d, err := tx.Document(seq)
			if err != nil || d.ID != fmt.Sprint("d", seq) || d.Text != text(seq) || d.Title != fmt.Sprint("Title ", seq) ||
				d.URL != fmt.Sprint("https://example.com/", seq) || d.Outlet != fmt.Sprint("O", seq) || d.Date != "2024-05-01" || d.Lang != "en" ||
				d.Story != fmt.Sprint("s", (seq+1)/2) || d.Event != "e1" || d.Hash != uint64(seq) {
				t.Errorf("Document(%d) after migration: %+v %v", seq, d, err)
			}
		}
		if c, err := tx.Copies(1); err != nil || len(c) != 1 || c[0].ID != "c1" {
			t.Errorf("Copies(1) after migration: %+v %v", c, err)
		}
		if e, err := tx.EdgesAmong([]int64{1, 2, 3}); err != nil || len(e) != 3 {
			t.Errorf("EdgesAmong after migration: %+v %v", e, err)
		}
		var keys []int64
		if err := tx.Keys(0, func(seq int64, k []uint64) error { keys = append(keys, seq); return nil }); err != nil || !slices.Equal(keys, []int64{1, 2, 3}) {
			t.Errorf("Keys after migration: %v %v", keys, err)
		}
		if m, err := tx.Members("s1", "e1"); err != nil || len(m) != 3 {
			t.Errorf("Members(s1, e1) after migration: %+v %v", m, err)
		}
		if st, err := tx.Stories(retold.StoryQuery{Words: "zebra3"}); err != nil || len(st) != 1 || st[0].ID != "s2" {
			t.Errorf("search zebra3 after migration: %+v %v", st, err)
		}
		if n, err := tx.CountStories(retold.StoryQuery{Outlet: "O2"}, 100); err != nil || n.N != 1 {
			t.Errorf("stories from O2 after migration: %+v %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The cascades reach the rebuilt table: deleting d1 takes its keys,
	// its copy and its edges; the next document gets seq 5.
	err = s.Update(ctx, func(tx retold.Tx) error {
		if err := tx.DeleteDocument("d1"); err != nil {
			return err
		}
		if seq, err := tx.NextSeq(); err != nil || seq != 5 {
			t.Errorf("NextSeq after migration: %d %v, want 5 (document 4 was deleted)", seq, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM doc_keys WHERE seq = 1`,
		`SELECT count(*) FROM copies WHERE seq = 1`,
		`SELECT count(*) FROM edges WHERE a = 1 OR b = 1`,
		`SELECT count(*) FROM doc_fts WHERE doc_fts MATCH 'zebra1'`,
	} {
		var n int
		if err := s.writer.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after deleting d1: %d %v, want 0", q, n, err)
		}
	}
	var n int
	if err := s.writer.QueryRowContext(ctx, `SELECT count(*) FROM edges`).Scan(&n); err != nil || n != 1 {
		t.Errorf("edges after deleting d1: %d %v, want the one between 2 and 3", n, err)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("Check after deleting d1: %v %v", problems, err)
	}
}
