// Package sqlite is the embedded backend of retold.Store: one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode.
//
// Guarantees: a committed Update is durable (synchronous=FULL), also
// across a kill -9 or a power cut; a failed or interrupted one leaves no
// trace. One writer at a time, on its own connection, which takes the
// write lock when the transaction begins (BEGIN IMMEDIATE), so two writers
// never deadlock upgrading; readers use a pool of read-only connections
// and see the last commit before their first read, never blocking the
// writer nor blocked by it (WAL).
//
// The schema is versioned in the meta table and migrated forward on Open,
// each step in a transaction of its own; a file written by a newer retold
// is refused rather than guessed at.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	sqlitedriver "modernc.org/sqlite" // the database/sql driver "sqlite"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/internal/datebound"
	"github.com/retold/retold/store/internal/keyrow"
)

// migration is one schema step: its statements, then fn (when set), in
// one transaction.
type migration struct {
	sql string
	fn  func(ctx context.Context, tx *sql.Tx) error
	// rebuildsParent marks a step that drops and recreates a table other
	// tables reference (SQLite's twelve-step table rebuild). With foreign
	// keys enforced, dropping the old table would delete every row that
	// references it (ON DELETE CASCADE), so the migration runs with
	// enforcement off, and checks every reference before it commits.
	rebuildsParent bool
}

// migrations are the schema, one step per version: migrations[i] takes a
// database from version i to i+1. Steps are only ever appended.
var migrations = []migration{
	// 1: documents, their keys, edges, story originals.
	{sql: `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
	CREATE TABLE documents (
		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
		id      TEXT NOT NULL,
		version INTEGER NOT NULL,
		hash    INTEGER NOT NULL UNIQUE,
		title   TEXT NOT NULL,
		text    TEXT NOT NULL,
		url     TEXT NOT NULL,
		outlet  TEXT NOT NULL,
		date    TEXT NOT NULL,
		lang    TEXT NOT NULL,
		added   TEXT NOT NULL,
		story   TEXT NOT NULL,
		event   TEXT NOT NULL,
		UNIQUE (id, version)
	);
	CREATE INDEX documents_story ON documents (story);
	CREATE INDEX documents_event ON documents (event);
	CREATE TABLE keys (
		key INTEGER NOT NULL,
		seq INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		PRIMARY KEY (key, seq)
	) WITHOUT ROWID;
	CREATE INDEX keys_seq ON keys (seq);
	CREATE TABLE edges (
		a        INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		b        INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		verdict  TEXT NOT NULL,
		score    REAL NOT NULL,
		evidence BLOB,
		PRIMARY KEY (a, b)
	) WITHOUT ROWID;
	CREATE INDEX edges_b ON edges (b);
	CREATE TABLE originals (story TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;`},
	// 2: key counts, so that keys are filed for their first MaxPostings
	// documents only.
	{sql: `CREATE TABLE key_df (key INTEGER PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
	INSERT INTO key_df (key, df) SELECT key, count(*) FROM keys GROUP BY key;`},
	// 3: a document's keys in one row, appended in Seq order, in place of
	// one row per (key, document) in a B-tree ordered by random hashes
	// (package storyindex keeps the inverted index in memory); a deletion
	// counter tells such an index when it is stale.
	{sql: `CREATE TABLE doc_keys (
		seq  INTEGER PRIMARY KEY REFERENCES documents (seq) ON DELETE CASCADE,
		n    INTEGER NOT NULL,
		keys BLOB NOT NULL
	);
	INSERT INTO meta (key, value) VALUES ('deletions', '0');`, fn: migrateKeyRows},
	// 4: story summaries kept up to date by every write that moves a
	// document, so listing the newest stories reads an index instead of
	// aggregating every document.
	{sql: `CREATE TABLE stories (
		story      TEXT PRIMARY KEY,
		event      TEXT NOT NULL,
		size       INTEGER NOT NULL,
		original   INTEGER NOT NULL,
		outlets    TEXT NOT NULL,
		first_seen TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX stories_first_seen ON stories (first_seen DESC, story);
	INSERT INTO stories ` + storySummaryV4 + ` GROUP BY d.story;`},
	// 5: full-text search (FTS5) for StoryQuery.Words, over each
	// document's title and the start of its text, where a story's names
	// and its lede are: indexing whole texts cost a quarter of the add
	// throughput. Contentless (the documents table has the text) and
	// without positions (the query is a set of words).
	{sql: `CREATE VIRTUAL TABLE doc_fts USING fts5(title, lede, content = '', contentless_delete = 1, detail = none,
		tokenize = 'unicode61 remove_diacritics 2');
	` + documentsFTSTriggers + `
	INSERT INTO doc_fts (rowid, title, lede) SELECT seq, title, substr(text, 1, ` + ledeChars + `) FROM documents;`},
	// 6: copies: a record whose text is stored already under another id
	// keeps its own id, title, url, outlet and date, so every outlet that
	// ran a wire story is listed and counted. Story summaries count them.
	{sql: `CREATE TABLE copies (
		id     TEXT PRIMARY KEY,
		seq    INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		title  TEXT NOT NULL,
		url    TEXT NOT NULL,
		outlet TEXT NOT NULL,
		date   TEXT NOT NULL,
		added  TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX copies_seq ON copies (seq);
	ALTER TABLE stories ADD COLUMN copies INTEGER NOT NULL DEFAULT 0;`},
	// 7: event summaries, made from the story summaries and kept up to
	// date with them, so listing the newest events reads an index; the
	// stories of an event, and those with a document or copy from an
	// outlet, by index too.
	{sql: `CREATE TABLE events (
		event      TEXT PRIMARY KEY,
		stories    INTEGER NOT NULL,
		size       INTEGER NOT NULL,
		copies     INTEGER NOT NULL,
		original   INTEGER NOT NULL,
		outlets    TEXT NOT NULL,
		first_seen TEXT NOT NULL,
		last_seen  TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX events_first_seen ON events (first_seen DESC, event);
	CREATE INDEX stories_event ON stories (event, first_seen, story);
	CREATE INDEX documents_outlet ON documents (outlet);
	CREATE INDEX copies_outlet ON copies (outlet);
	INSERT INTO events (` + eventColumns + `) ` + eventSummary + ` GROUP BY s.event;`},
	// 8: the event linker's probability on each edge. The table is
	// rebuilt (one copy of its rows) rather than altered: ADD COLUMN
	// would put event after evidence in every row written since, and a
	// WITHOUT ROWID row longer than about 1 KB spills into overflow
	// pages, which SQLite walks to reach a column past them. EdgesAmong
	// (regrouping) would then read the evidence it leaves out: reading
	// event past 6 KB of evidence took ten times as long as reading
	// score, over 20,000 edges. Before evidence, event is read with the
	// verdict and the score.
	{sql: `CREATE TABLE edges_v8 (
		a        INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		b        INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		verdict  TEXT NOT NULL,
		score    REAL NOT NULL,
		event    REAL NOT NULL DEFAULT 0,
		evidence BLOB,
		PRIMARY KEY (a, b)
	) WITHOUT ROWID;
	INSERT INTO edges_v8 (a, b, verdict, score, evidence) SELECT a, b, verdict, score, evidence FROM edges;
	DROP TABLE edges;
	ALTER TABLE edges_v8 RENAME TO edges;
	CREATE INDEX edges_b ON edges (b);`},
	// 9: the number of stories and of events, kept in meta by the writes
	// that add and drop their summaries (writeTx.flushStories and
	// flushEvents), so the total of an unfiltered listing is one row,
	// not a count of the table (10 ms over 70,000 stories).
	{sql: `INSERT INTO meta (key, value) SELECT 'stories', count(*) FROM stories;
	INSERT INTO meta (key, value) SELECT 'events', count(*) FROM events;`},
	// 10: documents rebuilt with the text last, for the reason of step 8:
	// a text longer than a page spills into overflow pages, and every
	// column after it (url, outlet, date, lang, added, story, event) was
	// read by walking the whole text. Reading labels (Members, story
	// summaries, the outlet filter, regrouping on every add) spent a third
	// of the server's CPU there. The labels come first, in the part of a
	// row that always stays on its page (the first 489 bytes at 4 KB
	// pages), then url and title, then the text. Rows keep their seq
	// (doc_fts, the contentless full-text index, is keyed by it and stays
	// as it is) and the table its AUTOINCREMENT high-water mark; its
	// indexes and full-text triggers, dropped with the old table, are made
	// again. The tables that reference documents (doc_keys, copies, edges)
	// name it, so they reference the new table once it is renamed.
	{rebuildsParent: true, sql: `CREATE TABLE documents_v10 (
		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
		id      TEXT NOT NULL,
		version INTEGER NOT NULL,
		hash    INTEGER NOT NULL UNIQUE,
		story   TEXT NOT NULL,
		event   TEXT NOT NULL,
		outlet  TEXT NOT NULL,
		date    TEXT NOT NULL,
		lang    TEXT NOT NULL,
		added   TEXT NOT NULL,
		url     TEXT NOT NULL,
		title   TEXT NOT NULL,
		text    TEXT NOT NULL,
		UNIQUE (id, version)
	);
	INSERT INTO documents_v10 (seq, id, version, hash, story, event, outlet, date, lang, added, url, title, text)
		SELECT seq, id, version, hash, story, event, outlet, date, lang, added, url, title, text FROM documents ORDER BY seq;
	DELETE FROM sqlite_sequence WHERE name = 'documents_v10';
	INSERT INTO sqlite_sequence (name, seq) SELECT 'documents_v10', seq FROM sqlite_sequence WHERE name = 'documents';
	DROP TABLE documents;
	ALTER TABLE documents_v10 RENAME TO documents;
	CREATE INDEX documents_story ON documents (story);
	CREATE INDEX documents_event ON documents (event);
	CREATE INDEX documents_outlet ON documents (outlet);
	` + documentsFTSTriggers},
}

// documentsFTSTriggers keep doc_fts (schema 5) in step with documents:
// the title and the lede of each document added, nothing of one deleted.
const documentsFTSTriggers = `CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
		INSERT INTO doc_fts (rowid, title, lede) VALUES (new.seq, new.title, substr(new.text, 1, ` + ledeChars + `));
	END;
	CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
		DELETE FROM doc_fts WHERE rowid = old.seq;
	END;`

// migrateKeyRows moves the key rows of schema 2 into doc_keys and drops
// the two key tables.
func migrateKeyRows(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, key FROM keys ORDER BY seq`)
	if err != nil {
		return err
	}
	type docKeys struct {
		seq  int64
		keys []uint64
	}
	var all []docKeys
	for rows.Next() {
		var seq, k int64
		if err := rows.Scan(&seq, &k); err != nil {
			rows.Close()
			return err
		}
		if len(all) == 0 || all[len(all)-1].seq != seq {
			all = append(all, docKeys{seq: seq})
		}
		all[len(all)-1].keys = append(all[len(all)-1].keys, uint64(k))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range all {
		keys := slices.Compact(slices.Sorted(slices.Values(d.keys)))
		if _, err := tx.ExecContext(ctx, `INSERT INTO doc_keys (seq, n, keys) VALUES (?, ?, ?)`, d.seq, len(keys), keyrow.Encode(keys)); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE keys; DROP TABLE key_df;`)
	return err
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// ErrOlderSchema is returned by Open with Options.NoMigrate for a file
// whose schema is older than this package's: it must be migrated first.
var ErrOlderSchema = errors.New("database schema is older than this retold: migrate it first (retold migrate --db FILE)")

// ErrNewerSchema is returned by Open for a file whose schema is newer
// than this package knows.
var ErrNewerSchema = errors.New("database schema is newer than this retold")

// Store is a retold.Store in one SQLite file.
type Store struct {
	path   string
	writer *sql.DB // one connection
	reader *sql.DB // read-only pool
	now    func() time.Time
	// waiting is Options.Waiting.
	waiting func(time.Duration)
	// noMigrate is Options.NoMigrate.
	noMigrate bool
}

var _ retold.Store = (*Store)(nil)

// Options tune Open. A nil *Options means the defaults.
type Options struct {
	// Now gives the time stamped on added documents; nil means time.Now.
	// Tests set it for reproducible files.
	Now func() time.Time
	// BusyTimeout is how long one attempt to start a write waits for
	// another process's write to end before it backs off and tries again;
	// 0 means 5 s. A write never fails for waiting: it waits its turn
	// until its context ends.
	BusyTimeout time.Duration
	// Waiting, when set, is called while a write waits for another
	// process's, with how long it has waited so far, so a command can say
	// why it is not moving.
	Waiting func(waited time.Duration)
	// NoMigrate opens a file of an older schema with ErrOlderSchema
	// instead of migrating it: a command that only reads changes nothing.
	NoMigrate bool
}

// Open opens the store at path, creating the file if it does not exist,
// and migrates its schema to SchemaVersion.
func Open(ctx context.Context, path string, opt *Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty path")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("sqlite: %s is a directory", path)
	}
	s := &Store{path: path, now: time.Now}
	busy := 5 * time.Second
	if opt != nil {
		if opt.Now != nil {
			s.now = opt.Now
		}
		if opt.BusyTimeout > 0 {
			busy = opt.BusyTimeout
		}
		s.waiting = opt.Waiting
		s.noMigrate = opt.NoMigrate
	}
	pragmas := []string{"busy_timeout(" + strconv.FormatInt(max(1, busy.Milliseconds()), 10) + ")", "foreign_keys(1)"}
	dsn := func(extra ...string) string {
		q := url.Values{}
		for _, p := range append(pragmas, extra...) {
			q.Add("_pragma", p)
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	var err error
	// The writer gets a 128 MB page cache: adding a document touches
	// hundreds of key pages, and SQLite's 2 MB default turned most of
	// them into read system calls.
	// A file opened only to read keeps its journal mode (setting WAL
	// writes the file's header).
	journal := "journal_mode(WAL)"
	if s.noMigrate {
		journal = "query_only(0)"
	}
	s.writer, err = sql.Open("sqlite", dsn(journal, "synchronous(FULL)", "cache_size(-131072)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.writer.SetMaxOpenConns(1)
	if err := s.migrate(ctx); err != nil {
		s.writer.Close()
		return nil, err
	}
	s.reader, err = sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.reader.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	return s, nil
}

// migrate brings the schema to SchemaVersion.
func (s *Store) migrate(ctx context.Context) error {
	v, err := s.schemaVersion(ctx, s.writer)
	if err != nil {
		return err
	}
	if v > SchemaVersion {
		return fmt.Errorf("sqlite: %s: %w (version %d, this retold knows %d)", s.path, ErrNewerSchema, v, SchemaVersion)
	}
	if v == SchemaVersion {
		return nil
	}
	if s.noMigrate {
		return fmt.Errorf("sqlite: %s: %w (version %d, this retold knows %d)", s.path, ErrOlderSchema, v, SchemaVersion)
	}
	// One connection for the whole migration, as foreign key enforcement
	// is a setting of the connection, and it cannot change inside a
	// transaction: it is turned off before and on again after, when a
	// pending step rebuilds a table others reference.
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: %s: migrate: %w", s.path, err)
	}
	defer conn.Close()
	rebuilds := slices.ContainsFunc(migrations[v:], func(m migration) bool { return m.rebuildsParent })
	if rebuilds {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return fmt.Errorf("sqlite: %s: migrate: %w", s.path, err)
		}
		// On again even when ctx has ended: the connection goes back to
		// the pool, and every write after the migration relies on the
		// cascades. If that fails, the connection is thrown away rather
		// than reused without them.
		defer func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	// Every pending step in one transaction: a process killed while it
	// migrates leaves the file as it was, never half way between two
	// versions. The version is read again under the write lock, as
	// another process may have migrated the file meanwhile.
	tx, err := s.begin(ctx, conn)
	if err != nil {
		return fmt.Errorf("sqlite: %s: migrate: %w", s.path, err)
	}
	defer tx.Rollback()
	if v, err = s.schemaVersion(ctx, tx); err != nil {
		return err
	}
	if rebuilds {
		if err := checkForeignKeysOff(ctx, tx); err != nil {
			return fmt.Errorf("sqlite: %s: migrate: %w", s.path, err)
		}
	}
	for ; v < SchemaVersion; v++ {
		m := migrations[v]
		_, err = tx.ExecContext(ctx, m.sql)
		if err == nil && m.fn != nil {
			err = m.fn(ctx, tx)
		}
		if err != nil {
			return fmt.Errorf("sqlite: %s: migrate to version %d: %w", s.path, v+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('schema_version', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.Itoa(v+1)); err != nil {
			return fmt.Errorf("sqlite: %s: migrate: %w", s.path, err)
		}
	}
	if rebuilds {
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return fmt.Errorf("sqlite: %s: migrate: %w", s.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: migrate: %w", s.path, err)
	}
	return nil
}

// checkForeignKeysOff makes sure foreign keys are not enforced in tx
// before a step drops a table others reference, which would otherwise
// delete every row that references it.
func checkForeignKeysOff(ctx context.Context, tx *sql.Tx) error {
	var on bool
	if err := tx.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil {
		return err
	}
	if on {
		return errors.New("foreign keys still enforced: a table rebuild would delete the rows that reference it")
	}
	return nil
}

// foreignKeyCheck returns an error naming the first reference to a row
// that does not exist, nil when every reference holds (PRAGMA
// foreign_key_check, as SQLite's table rebuild asks before its commit).
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	var table, parent string
	var rowid sql.NullInt64
	var fkid int
	err := tx.QueryRowContext(ctx, `PRAGMA foreign_key_check`).Scan(&table, &rowid, &parent, &fkid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	return fmt.Errorf("foreign key check: a row of %s (rowid %v) references a missing row of %s", table, rowid.Int64, parent)
}

// schemaVersion is the file's version, 0 for a new file.
func (s *Store) schemaVersion(ctx context.Context, q queryer) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", s.path, err)
	}
	if n == 0 {
		return 0, nil
	}
	var v string
	err = q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", s.path, err)
	}
	return strconv.Atoi(v)
}

// Close closes the store.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(retold.ReadTx) error) error {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", s.path, err)
	}
	defer tx.Rollback()
	return fn(&readTx{ctx: ctx, q: tx})
}

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(retold.Tx) error) error {
	tx, err := s.begin(ctx, s.writer)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", s.path, err)
	}
	w := &writeTx{readTx: readTx{ctx: ctx, q: tx}, now: s.now}
	w.flush = w.flushStories
	if err := fn(w); err != nil {
		tx.Rollback()
		return err
	}
	if err := w.flushStories(); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: commit: %w", s.path, err)
	}
	return nil
}

// querier is what both transaction kinds run statements on.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

type readTx struct {
	ctx   context.Context
	q     querier
	mu    sync.Mutex           // guards stmts: a transaction may serve goroutines at once
	stmts map[string]*sql.Stmt // prepared once per transaction
	flush func() error         // writeTx.flushStories, in a write transaction
}

// stmt returns the transaction's prepared statement for query: the
// inserts run for every document of a batch, and preparing them each time
// cost more than running them.
func (t *readTx) stmt(query string) (*sql.Stmt, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.stmts[query]; st != nil {
		return st, nil
	}
	st, err := t.q.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = make(map[string]*sql.Stmt)
	}
	t.stmts[query] = st
	return st, nil
}

// query, queryRow and exec run a query of fixed text through the
// transaction's prepared statement for it (stmt): an add runs the same few
// lookups for every document, and preparing each of them again was 6% of
// its CPU. Queries built from variable parts go to t.q directly, so the
// cache stays as small as the code's list of queries.
func (t *readTx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

func (t *readTx) queryRow(query string, args ...any) rowScanner {
	st, err := t.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(t.ctx, args...)
}

func (t *readTx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

// errRow is a row whose query could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

const docColumns = `seq, id, version, hash, title, text, url, outlet, date, lang, added, story, event`

func scanDoc(row rowScanner) (retold.StoredDocument, error) {
	var d retold.StoredDocument
	var hash int64
	err := row.Scan(&d.Seq, &d.ID, &d.Version, &hash, &d.Title, &d.Text, &d.URL, &d.Outlet, &d.Date, &d.Lang, &d.Added, &d.Story, &d.Event)
	d.Hash = uint64(hash)
	return d, err
}

func (t *readTx) one(query string, args ...any) (retold.StoredDocument, error) {
	d, err := scanDoc(t.queryRow(`SELECT `+docColumns+` FROM documents `+query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return d, retold.ErrNotFound
	}
	return d, err
}

func (t *readTx) many(query string, args ...any) ([]retold.StoredDocument, error) {
	rows, err := t.query(`SELECT `+docColumns+` FROM documents `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retold.StoredDocument
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *readTx) Document(seq int64) (retold.StoredDocument, error) {
	return t.one(`WHERE seq = ?`, seq)
}

func (t *readTx) DocumentByID(id string) (retold.StoredDocument, error) {
	d, err := t.one(`WHERE id = ? ORDER BY version DESC LIMIT 1`, id)
	if !errors.Is(err, retold.ErrNotFound) {
		return d, err
	}
	c, err := t.copyByID(id)
	if err != nil {
		return d, err
	}
	if d, err = t.Document(c.Seq); err != nil {
		return d, err
	}
	d.CopyOf = d.ID
	d.ID, d.Title, d.URL, d.Outlet, d.Date, d.Added, d.Version = c.ID, c.Title, c.URL, c.Outlet, c.Date, c.Added, 1
	return d, nil
}

const copyColumns = `c.id, c.seq, c.title, c.url, c.outlet, c.date, c.added`

func (t *readTx) copies(query string, args ...any) ([]retold.Copy, error) {
	rows, err := t.q.QueryContext(t.ctx, `SELECT `+copyColumns+` FROM copies c `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retold.Copy
	for rows.Next() {
		var c retold.Copy
		if err := rows.Scan(&c.ID, &c.Seq, &c.Title, &c.URL, &c.Outlet, &c.Date, &c.Added); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *readTx) copyByID(id string) (retold.Copy, error) {
	cs, err := t.copies(`WHERE c.id = ?`, id)
	if err != nil {
		return retold.Copy{}, err
	}
	if len(cs) == 0 {
		return retold.Copy{}, retold.ErrNotFound
	}
	return cs[0], nil
}

func (t *readTx) Copies(seq int64) ([]retold.Copy, error) {
	return t.copies(`WHERE c.seq = ? ORDER BY c.added, c.id`, seq)
}

func (t *readTx) StoryCopies(id string) ([]retold.Copy, error) {
	return t.copies(`JOIN documents d ON d.seq = c.seq WHERE d.story = ? ORDER BY c.seq, c.added, c.id`, id)
}

func (t *readTx) DocumentByHash(hash uint64) (retold.StoredDocument, error) {
	return t.one(`WHERE hash = ?`, int64(hash))
}

func (t *readTx) Documents(after int64, limit int) ([]retold.StoredDocument, error) {
	return t.many(`WHERE seq > ? ORDER BY seq LIMIT ?`, after, max(limit, 1))
}

func (t *readTx) Versions(id string) ([]retold.StoredDocument, error) {
	return t.many(`WHERE id = ? ORDER BY version`, id)
}

func (t *readTx) StoryDocuments(id string) ([]retold.StoredDocument, error) {
	return t.many(`WHERE story = ? ORDER BY seq`, id)
}

func (t *readTx) EventDocuments(id string) ([]retold.StoredDocument, error) {
	return t.many(`WHERE event = ? ORDER BY seq`, id)
}

func (t *readTx) Members(story, event string) ([]retold.Member, error) {
	// Each arm uses its column's index; UNION drops the documents both give.
	rows, err := t.query(`SELECT seq, date, story, event FROM documents WHERE story = ?
		UNION SELECT seq, date, story, event FROM documents WHERE event = ? ORDER BY seq`, story, event)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retold.Member
	for rows.Next() {
		var m retold.Member
		if err := rows.Scan(&m.Seq, &m.Date, &m.Story, &m.Event); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t *readTx) Keys(after int64, fn func(seq int64, keys []uint64) error) error {
	rows, err := t.q.QueryContext(t.ctx, `SELECT seq, keys FROM doc_keys WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return err
	}
	defer rows.Close()
	var keys []uint64
	var b []byte
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq, &b); err != nil {
			return err
		}
		if keys, err = keyrow.Decode(keys, b); err != nil {
			return fmt.Errorf("sqlite: keys of document %d: %w", seq, err)
		}
		if err := fn(seq, keys); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *readTx) Deletions() (int64, error) {
	var n int64
	err := t.q.QueryRowContext(t.ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'deletions'`).Scan(&n)
	return n, err
}

func (t *readTx) Edges(seq int64) ([]retold.Edge, error) {
	return t.edges(`SELECT a, b, verdict, score, event, evidence FROM edges WHERE a = ? OR b = ?
		ORDER BY CASE WHEN a = ? THEN b ELSE a END`, nil, seq, seq, seq)
}

func (t *readTx) EdgesAmong(seqs []int64) ([]retold.Edge, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	// One query, however many: the set goes in as a JSON array, each of
	// its members finds its edges by the primary key's first column, and
	// the other end is checked here (cheaper than a second lookup in
	// SQL).
	set, err := json.Marshal(seqs)
	if err != nil {
		return nil, err
	}
	in := make(map[int64]bool, len(seqs))
	for _, s := range seqs {
		in[s] = true
	}
	return t.edges(`SELECT e.a, e.b, e.verdict, e.score, e.event, NULL FROM json_each(?1) j JOIN edges e ON e.a = j.value
		ORDER BY e.a, e.b`, func(e retold.Edge) bool { return in[e.B] }, string(set))
}

// edges runs a query of edge rows (a, b, verdict, score, event, evidence),
// keeping those keep accepts (all, for a nil keep).
func (t *readTx) edges(query string, keep func(retold.Edge) bool, args ...any) ([]retold.Edge, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retold.Edge
	for rows.Next() {
		var e retold.Edge
		var v string
		if err := rows.Scan(&e.A, &e.B, &v, &e.Score, &e.Event, &e.Evidence); err != nil {
			return nil, err
		}
		if keep == nil || keep(e) {
			e.Verdict = retold.Verdict(v)
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// storySummary aggregates a story's documents into its row of the
// stories table.
// storySummaryV4 is the summary of schema 4, before copies: migration 4
// runs it on a database that has no copies table yet.
const storySummaryV4 = `SELECT d.story, min(d.event), count(*),
		coalesce((SELECT o.seq FROM originals o WHERE o.story = d.story), min(d.seq)),
		coalesce(group_concat(DISTINCT nullif(d.outlet, '')), ''),
		coalesce(min(nullif(d.date, '')), min(d.added))
	FROM documents d`

// storySummary is a story's row of the stories table, its outlets those
// of its documents and of their copies.
const storySummary = `SELECT d.story, min(d.event), count(*),
		coalesce((SELECT o.seq FROM originals o WHERE o.story = d.story), min(d.seq)),
		coalesce((SELECT group_concat(outlet) FROM (
			SELECT d2.outlet AS outlet FROM documents d2 WHERE d2.story = d.story AND d2.outlet != ''
			UNION
			SELECT c.outlet FROM copies c JOIN documents d3 ON d3.seq = c.seq WHERE d3.story = d.story AND c.outlet != '')), ''),
		coalesce(min(nullif(d.date, '')), min(d.added)),
		(SELECT count(*) FROM copies c JOIN documents d4 ON d4.seq = c.seq WHERE d4.story = d.story)
	FROM documents d`

const storyColumns = `story, event, size, original, outlets, first_seen, copies`

func scanStory(row rowScanner) (retold.Story, error) {
	var s retold.Story
	var outlets string
	if err := row.Scan(&s.ID, &s.Event, &s.Size, &s.Original, &outlets, &s.FirstSeen, &s.Copies); err != nil {
		return s, err
	}
	if outlets != "" {
		s.Outlets = strings.Split(outlets, ",")
		slices.Sort(s.Outlets)
	}
	return s, nil
}

func (t *readTx) Story(id string) (retold.Story, error) {
	if err := t.flushStories(); err != nil {
		return retold.Story{}, err
	}
	s, err := scanStory(t.queryRow(`SELECT `+storyColumns+` FROM stories WHERE story = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, retold.ErrNotFound
	}
	return s, err
}

func (t *readTx) Stories(q retold.StoryQuery) ([]retold.Story, error) {
	if err := t.flushStories(); err != nil {
		return nil, err
	}
	l := listing[retold.Story]{table: "stories", id: "story", columns: storyColumns, scan: scanStory,
		key:   func(s retold.Story) retold.StoryKey { return retold.StoryKey{FirstSeen: s.FirstSeen, ID: s.ID} },
		after: q.After, offset: q.Offset, limit: q.Limit,
		ofDocuments: `SELECT d.story FROM json_each(?) j JOIN documents d ON d.seq = j.value`,
		documentsOf: `SELECT d.story, d.seq FROM json_each(?) j JOIN documents d ON d.story = j.value`,
	}
	l.where, l.args = storyFilter(q)
	stories, err := list(t, l, q.Words)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stories: %w", err)
	}
	return stories, nil
}

// storyFilter is the condition that q's filters but Words and After put
// on rows of the stories table, with its arguments.
func storyFilter(q retold.StoryQuery) (string, []any) {
	where, args := sinceUntil(q.Since, q.Until)
	if q.Event != "" {
		where += ` AND event = ?`
		args = append(args, q.Event)
	}
	if q.Outlet != "" {
		// Each arm reads its table's outlet index: a rare outlet costs its
		// own documents, not a walk of the stories.
		where += ` AND story IN (SELECT story FROM documents WHERE outlet = ?
			UNION SELECT d.story FROM copies c JOIN documents d ON d.seq = c.seq WHERE c.outlet = ?)`
		args = append(args, q.Outlet, q.Outlet)
	}
	return where, args
}

// sinceUntil is the condition on first_seen of a query's Since and
// Until.
func sinceUntil(since, until string) (string, []any) {
	where, args := `first_seen >= ?`, []any{since}
	if until != "" {
		where += ` AND first_seen <= ?`
		args = append(args, datebound.Until(until))
	}
	return where, args
}

// CountStories picks where to start from the filters, so that the count
// stops after about max stories however common the rest of the filters
// are: an event's few stories; else an outlet's documents and copies (a
// subquery of them, as Stories has, is made in full before the first
// is counted); else the matches of the words; else the stories by date.
// The other filters are checked on each story found.
func (t *readTx) CountStories(q retold.StoryQuery, max int64) (retold.Total, error) {
	if err := t.flushStories(); err != nil {
		return retold.Total{}, err
	}
	if q.Since == "" && q.Until == "" && q.Words == "" && q.Event == "" && q.Outlet == "" {
		return t.total("stories")
	}
	m := ftsQuery(q.Words)
	if m == "" && strings.TrimSpace(q.Words) != "" {
		return retold.Total{}, nil // no word to search for: nothing matches
	}
	// where is the condition on a row of the stories table (unqualified
	// names are its own) but the outlet's and the words'.
	where, args := sinceUntil(q.Since, q.Until)
	if q.Event != "" {
		where += ` AND event = ?`
		args = append(args, q.Event)
	}
	const outlet = ` AND (EXISTS (SELECT 1 FROM documents d WHERE d.story = stories.story AND d.outlet = ?)
		OR EXISTS (SELECT 1 FROM documents d JOIN copies c ON c.seq = d.seq WHERE d.story = stories.story AND c.outlet = ?))`
	// The matches are made once (a full-text query per story, by rowid,
	// walks the word's whole list each time: seconds), and each of the
	// story's documents looked up in them: the + keeps SQLite from
	// walking every match for each story instead (another 0.9 s).
	const words = ` AND EXISTS (SELECT 1 FROM documents d WHERE d.story = stories.story
		AND +d.seq IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?))`
	switch {
	case q.Event != "":
		if q.Outlet != "" {
			where += outlet
			args = append(args, q.Outlet, q.Outlet)
		}
		if m != "" {
			where += words
			args = append(args, m)
		}
		return t.capped("stories", `SELECT story FROM stories WHERE `+where, args, max)
	case q.Outlet != "":
		if m != "" {
			where += words
			args = append(args, m)
		}
		return t.capped("stories", `SELECT DISTINCT o.story FROM (
				SELECT story FROM documents WHERE outlet = ?
				UNION ALL SELECT d.story FROM copies c JOIN documents d ON d.seq = c.seq WHERE c.outlet = ?) o
			WHERE EXISTS (SELECT 1 FROM stories NOT INDEXED WHERE stories.story = o.story AND `+where+`)`,
			append([]any{q.Outlet, q.Outlet}, args...), max)
	case m != "":
		// Newest documents first, as the listing runs and where a Since
		// keeps the stories.
		query, qargs := `SELECT DISTINCT d.story FROM (SELECT rowid FROM doc_fts WHERE doc_fts MATCH ? ORDER BY rowid DESC) f
			JOIN documents d ON d.seq = f.rowid`, []any{m}
		if q.Since != "" || q.Until != "" {
			query += ` WHERE EXISTS (SELECT 1 FROM stories NOT INDEXED WHERE stories.story = d.story AND ` + where + `)`
			qargs = append(qargs, args...)
		}
		return t.capped("stories", query, qargs, max)
	}
	return t.capped("stories", `SELECT story FROM stories WHERE `+where, args, max)
}

// total is the running count of a summary table (stories or events),
// kept in meta.
func (t *readTx) total(table string) (retold.Total, error) {
	var n int64
	if err := t.q.QueryRowContext(t.ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?`, table).Scan(&n); err != nil {
		return retold.Total{}, fmt.Errorf("sqlite: count %s: %w", table, err)
	}
	return retold.Total{N: n}, nil
}

// capped counts the rows query gives, up to max+1 of them (all for max
// <= 0): the LIMIT inside the count stops the query there.
func (t *readTx) capped(table, query string, args []any, max int64) (retold.Total, error) {
	limit := max + 1
	if max <= 0 {
		limit = -1 // no limit
	}
	var n int64
	if err := t.q.QueryRowContext(t.ctx, `SELECT count(*) FROM (`+query+` LIMIT ?)`, append(args, limit)...).Scan(&n); err != nil {
		return retold.Total{}, fmt.Errorf("sqlite: count %s: %w", table, err)
	}
	if max > 0 && n > max {
		return retold.Total{N: max, Capped: true}, nil
	}
	return retold.Total{N: n}, nil
}

// afterKey is the condition (and its arguments) that keeps the rows
// after k in the listing order, by first_seen DESC, then the id column;
// none for a nil k.
func afterKey(k *retold.StoryKey, id string) (string, []any) {
	if k == nil {
		return "", nil
	}
	return ` AND (first_seen < ? OR first_seen = ? AND ` + id + ` > ?)`, []any{k.FirstSeen, k.FirstSeen, k.ID}
}

// listing is a page of a summary table (stories or events) newest first,
// by first_seen DESC then id, the order of the table's first_seen index.
type listing[T any] struct {
	table, id, columns string
	scan               func(rowScanner) (T, error)
	key                func(T) retold.StoryKey
	// where and args are the filters but words and after.
	where string
	args  []any
	after *retold.StoryKey
	// offset and limit are the query's (limit 0 means 100).
	offset, limit int
	// ofDocuments gives the ids of the rows of the documents in the JSON
	// array of Seqs that is its argument; documentsOf gives the (id, Seq)
	// of the documents of the rows in the JSON array of ids that is its
	// argument.
	ofDocuments, documentsOf string
}

// rowScanner is a *sql.Row or the current row of *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// list runs a listing, with words when they are not "".
func list[T any](t *readTx, l listing[T], words string) ([]T, error) {
	if l.limit <= 0 {
		l.limit = 100
	}
	if m := ftsQuery(words); m != "" {
		return search(t, l, m)
	} else if strings.TrimSpace(words) != "" {
		return nil, nil // no word to search for: nothing matches
	}
	after, args := afterKey(l.after, l.id)
	return rowsOf(t, l.scan, `SELECT `+l.columns+` FROM `+l.table+` WHERE `+l.where+after+`
		ORDER BY first_seen DESC, `+l.id+` LIMIT ? OFFSET ?`, slices.Concat(l.args, args, []any{l.limit, max(l.offset, 0)})...)
}

// rowsOf runs a query and scans its rows.
func rowsOf[T any](t *readTx, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.q.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// searchCap is how many matching documents a search lists before it
// takes the other plan.
var searchCap = 2000 // a var so that tests can make every search walk

// matching returns the documents matching the FTS query m, at most max+1
// of them (max < 0: all).
func (t *readTx) matching(m string, max int) (map[int64]bool, error) {
	limit := max + 1
	if max < 0 {
		limit = -1 // no limit
	}
	rows, err := t.q.QueryContext(t.ctx, `SELECT rowid FROM doc_fts WHERE doc_fts MATCH ? LIMIT ?`, m, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seqs := map[int64]bool{}
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		seqs[seq] = true
	}
	return seqs, rows.Err()
}

// search is a listing with words, the FTS query m: a row is kept when
// one of its documents matches. Rare words match few documents: their
// rows are selected by SQL. Common words match thousands: then the rows
// are walked newest first, a chunk at a time, and kept when one of their
// documents matches, which stops as soon as the page is full; a join of
// every match to its story took seconds for a word in every document.
func search[T any](t *readTx, l listing[T], m string) ([]T, error) {
	seqs, err := t.matching(m, searchCap)
	if err != nil {
		return nil, err
	}
	if len(seqs) <= searchCap {
		b, _ := json.Marshal(slices.Sorted(maps.Keys(seqs)))
		after, args := afterKey(l.after, l.id)
		return rowsOf(t, l.scan, `SELECT `+l.columns+` FROM `+l.table+` WHERE `+l.where+after+`
			AND `+l.id+` IN (`+l.ofDocuments+`)
			ORDER BY first_seen DESC, `+l.id+` LIMIT ? OFFSET ?`, slices.Concat(l.args, args, []any{string(b), l.limit, max(l.offset, 0)})...)
	}
	if seqs, err = t.matching(m, -1); err != nil {
		return nil, err
	}
	const chunk = 1000
	var out []T
	skip := max(l.offset, 0)
	// Pages of rows by (first_seen DESC, id), each after the last row of
	// the one before (the first after l.after).
	key := l.after
	for {
		after, args := afterKey(key, l.id)
		page, err := rowsOf(t, l.scan, `SELECT `+l.columns+` FROM `+l.table+` WHERE `+l.where+after+`
			ORDER BY first_seen DESC, `+l.id+` LIMIT ?`, slices.Concat(l.args, args, []any{chunk})...)
		if err != nil || len(page) == 0 {
			return out, err
		}
		last := l.key(page[len(page)-1])
		key = &last
		ids := make([]string, len(page))
		for i, v := range page {
			ids[i] = l.key(v).ID
		}
		b, _ := json.Marshal(ids)
		rows, err := t.q.QueryContext(t.ctx, l.documentsOf, string(b))
		if err != nil {
			return nil, err
		}
		hit := map[string]bool{}
		for rows.Next() {
			var id string
			var seq int64
			if err := rows.Scan(&id, &seq); err != nil {
				rows.Close()
				return nil, err
			}
			if seqs[seq] {
				hit[id] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, v := range page {
			if !hit[l.key(v).ID] {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if out = append(out, v); len(out) == l.limit {
				return out, nil
			}
		}
	}
}

// ledeChars is how much of a text's start full-text search covers.
const ledeChars = "1500"

// ftsQuery makes words into an FTS5 query that matches documents holding
// all of them: each word quoted (so no word is taken for FTS5 syntax),
// words being runs of letters and digits.
func ftsQuery(words string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(words, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, `"`+w+`"`)
	}
	return strings.Join(terms, " ")
}

// flushStories brings the story and event summaries of a write
// transaction up to date before they are read; in a read-only one it
// does nothing.
func (t *readTx) flushStories() error {
	if t.flush == nil {
		return nil
	}
	return t.flush()
}

func (t *readTx) Counts() (retold.Counts, error) {
	var c retold.Counts
	if err := t.flushStories(); err != nil {
		return c, err
	}
	err := t.q.QueryRowContext(t.ctx, `SELECT
		(SELECT count(*) FROM documents),
		(SELECT count(*) FROM copies),
		(SELECT count(*) FROM stories),
		(SELECT count(*) FROM events),
		(SELECT count(*) FROM edges),
		(SELECT coalesce(sum(n), 0) FROM doc_keys)`).Scan(&c.Documents, &c.Copies, &c.Stories, &c.Events, &c.Edges, &c.Keys)
	return c, err
}

type writeTx struct {
	readTx
	now func() time.Time
	// dirty are the stories whose documents changed in this transaction:
	// their summaries are rewritten once, before the next read of
	// summaries or the commit, however many documents moved.
	dirty map[string]bool
	// dirtyEvents are the events whose stories' summaries were rewritten
	// (the events they left and those they joined): their summaries are
	// rewritten next, from the stories'.
	dirtyEvents map[string]bool
}

func (t *writeTx) touch(stories ...string) {
	if t.dirty == nil {
		t.dirty = map[string]bool{}
	}
	for _, s := range stories {
		t.dirty[s] = true
	}
}

// flushStories rewrites the summaries of the dirty stories (deleting
// those left without documents), in name order, then those of the events
// they were in and are in now.
func (t *writeTx) flushStories() error {
	if len(t.dirty) > 0 {
		del, err := t.stmt(`DELETE FROM stories WHERE story = ? RETURNING event`)
		if err != nil {
			return err
		}
		ins, err := t.stmt(`INSERT INTO stories (` + storyColumns + `) ` + storySummary + ` WHERE d.story = ? GROUP BY d.story RETURNING event`)
		if err != nil {
			return err
		}
		if t.dirtyEvents == nil {
			t.dirtyEvents = map[string]bool{}
		}
		var added int64 // rows inserted less rows deleted
		for _, s := range slices.Sorted(maps.Keys(t.dirty)) {
			// The event of the row that goes, and of the one that comes
			// (none for a story that is new, or left empty).
			for i, st := range []*sql.Stmt{del, ins} {
				var event string
				err := st.QueryRowContext(t.ctx, s).Scan(&event)
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
				if err != nil {
					return fmt.Errorf("sqlite: story summary %q: %w", s, err)
				}
				t.dirtyEvents[event] = true
				added += int64(2*i - 1)
			}
		}
		clear(t.dirty)
		if err := t.addTotal("stories", added); err != nil {
			return err
		}
	}
	return t.flushEvents()
}

// flushEvents rewrites the summaries of the dirty events (deleting those
// left without stories), in name order.
func (t *writeTx) flushEvents() error {
	if len(t.dirtyEvents) == 0 {
		return nil
	}
	del, err := t.stmt(`DELETE FROM events WHERE event = ?`)
	if err != nil {
		return err
	}
	ins, err := t.stmt(`INSERT INTO events (` + eventColumns + `) ` + eventSummary + ` WHERE s.event = ? GROUP BY s.event`)
	if err != nil {
		return err
	}
	var added int64 // rows inserted less rows deleted
	for _, e := range slices.Sorted(maps.Keys(t.dirtyEvents)) {
		for i, st := range []*sql.Stmt{del, ins} {
			res, err := st.ExecContext(t.ctx, e)
			if err != nil {
				return fmt.Errorf("sqlite: event summary %q: %w", e, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("sqlite: event summary %q: %w", e, err)
			}
			added += int64(2*i-1) * n
		}
	}
	clear(t.dirtyEvents)
	return t.addTotal("events", added)
}

// addTotal adds n to the running count of a summary table (see
// readTx.total).
func (t *writeTx) addTotal(table string, n int64) error {
	if n == 0 {
		return nil
	}
	if _, err := t.q.ExecContext(t.ctx, `UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = ?`, n, table); err != nil {
		return fmt.Errorf("sqlite: count %s: %w", table, err)
	}
	return nil
}

// storiesOf lists the distinct stories of the documents a query selects.
func (t *writeTx) storiesOf(query string, args ...any) ([]string, error) {
	rows, err := t.q.QueryContext(t.ctx, `SELECT DISTINCT story FROM documents `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *writeTx) PutDocument(d *retold.StoredDocument, keys []uint64) error {
	if d.ID == "" {
		return fmt.Errorf("sqlite: PutDocument: %w: empty id", retold.ErrFormat)
	}
	if _, err := t.DocumentByHash(d.Hash); err == nil {
		return retold.ErrExists
	} else if !errors.Is(err, retold.ErrNotFound) {
		return err
	}
	var version int
	if err := t.queryRow(`SELECT coalesce(max(version), 0) + 1 FROM documents WHERE id = ?`, d.ID).Scan(&version); err != nil {
		return err
	}
	seq, err := t.NextSeq()
	if err != nil {
		return err
	}
	d.Seq, d.Version, d.Added = seq, version, t.now().UTC().Format(time.RFC3339)
	if d.Story == "" {
		d.Story = "s" + strconv.FormatInt(seq, 10)
	}
	if d.Event == "" {
		d.Event = "e" + strconv.FormatInt(seq, 10)
	}
	_, err = t.exec(`INSERT INTO documents (`+docColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Seq, d.ID, d.Version, int64(d.Hash), d.Title, d.Text, d.URL, d.Outlet, d.Date, d.Lang, d.Added, d.Story, d.Event)
	if err != nil {
		return fmt.Errorf("sqlite: PutDocument %q: %w", d.ID, err)
	}
	if err := t.fileKeys(seq, keys); err != nil {
		return fmt.Errorf("sqlite: PutDocument %q: keys: %w", d.ID, err)
	}
	t.touch(d.Story)
	return nil
}

// fileKeys stores seq's keys, sorted and unique, in one row (an empty
// one for no keys: every document has its row).
func (t *writeTx) fileKeys(seq int64, keys []uint64) error {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	_, err := t.exec(`INSERT INTO doc_keys (seq, n, keys) VALUES (?, ?, ?)`, seq, len(keys), keyrow.Encode(keys))
	return err
}

// NextSeq reads the highest number ever given: AUTOINCREMENT keeps it in
// sqlite_sequence, so numbers are never reused, even after deletes, and
// one writer at a time makes reading it here safe.
func (t *writeTx) NextSeq() (int64, error) {
	var seq int64
	err := t.queryRow(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'documents'), 0) + 1`).Scan(&seq)
	return seq, err
}

func (t *writeTx) PutEdge(e retold.Edge) error {
	if e.A > e.B {
		e.A, e.B = e.B, e.A
	}
	// Checked here, not left to the column: SQLite stores NaN as NULL
	// (refused by NOT NULL) where PostgreSQL keeps it, and neither knows
	// the range.
	if !(e.Event >= 0 && e.Event <= 1) {
		return fmt.Errorf("sqlite: PutEdge %d-%d: event probability %v is not in [0, 1]", e.A, e.B, e.Event)
	}
	_, err := t.exec(`INSERT INTO edges (a, b, verdict, score, event, evidence) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (a, b) DO UPDATE SET verdict = excluded.verdict, score = excluded.score, event = excluded.event, evidence = excluded.evidence`,
		e.A, e.B, string(e.Verdict), e.Score, e.Event, e.Evidence)
	if err != nil {
		return fmt.Errorf("sqlite: PutEdge %d-%d: %w", e.A, e.B, err)
	}
	return nil
}

func (t *writeTx) SetStory(seq int64, story, event string) error {
	var old string
	err := t.queryRow(`SELECT story FROM documents WHERE seq = ?`, seq).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: SetStory: %w", retold.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: SetStory: %w", err)
	}
	res, err := t.exec(`UPDATE documents SET story = ?, event = ? WHERE seq = ?`, story, event, seq)
	t.touch(old, story)
	return changed(res, err, "SetStory")
}

func (t *writeTx) MergeStories(into, from string) error {
	if into == from {
		return nil
	}
	var event string
	err := t.queryRow(`SELECT event FROM documents WHERE story = ? LIMIT 1`, into).Scan(&event)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: MergeStories: story %q: %w", into, retold.ErrNotFound)
	}
	if err != nil {
		return err
	}
	res, err := t.exec(`UPDATE documents SET story = ?, event = ? WHERE story = ?`, into, event, from)
	if err := changed(res, err, "MergeStories"); err != nil {
		return err
	}
	t.touch(into, from)
	_, err = t.exec(`DELETE FROM originals WHERE story = ?`, from)
	return err
}

func (t *writeTx) MergeEvents(into, from string) error {
	if into == from {
		return nil
	}
	moved, err := t.storiesOf(`WHERE event = ?`, from)
	if err != nil {
		return fmt.Errorf("sqlite: MergeEvents: %w", err)
	}
	res, err := t.exec(`UPDATE documents SET event = ? WHERE event = ?`, into, from)
	t.touch(moved...)
	return changed(res, err, "MergeEvents")
}

func (t *writeTx) SetOriginal(story string, seq int64) error {
	var n int
	if err := t.queryRow(`SELECT count(*) FROM documents WHERE seq = ? AND story = ?`, seq, story).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlite: SetOriginal: document %d in story %q: %w", seq, story, retold.ErrNotFound)
	}
	_, err := t.exec(`INSERT INTO originals (story, seq) VALUES (?, ?)
		ON CONFLICT (story) DO UPDATE SET seq = excluded.seq`, story, seq)
	t.touch(story)
	return err
}

func (t *writeTx) DeleteDocument(id string) error {
	// Originals pointing at the versions go too; keys and edges follow
	// by ON DELETE CASCADE.
	stories, err := t.storiesOf(`WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: DeleteDocument: %w", err)
	}
	t.touch(stories...)
	if _, err := t.q.ExecContext(t.ctx, `DELETE FROM originals WHERE seq IN (SELECT seq FROM documents WHERE id = ?)`, id); err != nil {
		return err
	}
	res, err := t.q.ExecContext(t.ctx, `DELETE FROM documents WHERE id = ?`, id)
	if err := changed(res, err, "DeleteDocument"); err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	_, err = t.q.ExecContext(t.ctx, `UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'deletions'`, n)
	return err
}

// changed turns an update that touched no row into ErrNotFound.
func changed(res sql.Result, err error, op string) error {
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, retold.ErrNotFound)
	}
	return nil
}

func (t *writeTx) PutCopy(c *retold.Copy) error {
	if c.ID == "" {
		return fmt.Errorf("sqlite: PutCopy: %w: empty id", retold.ErrFormat)
	}
	d, err := t.Document(c.Seq)
	if err != nil {
		return fmt.Errorf("sqlite: PutCopy %q: text %d: %w", c.ID, c.Seq, err)
	}
	if _, err := t.one(`WHERE id = ? LIMIT 1`, c.ID); err == nil {
		return retold.ErrExists
	} else if !errors.Is(err, retold.ErrNotFound) {
		return err
	}
	if _, err := t.copyByID(c.ID); err == nil {
		return retold.ErrExists
	} else if !errors.Is(err, retold.ErrNotFound) {
		return err
	}
	c.Added = t.now().UTC().Format(time.RFC3339)
	if _, err := t.q.ExecContext(t.ctx, `INSERT INTO copies (id, seq, title, url, outlet, date, added) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Seq, c.Title, c.URL, c.Outlet, c.Date, c.Added); err != nil {
		return fmt.Errorf("sqlite: PutCopy %q: %w", c.ID, err)
	}
	t.touch(d.Story)
	return nil
}

func (t *writeTx) DeleteCopy(id string) error {
	c, err := t.copyByID(id)
	if err != nil {
		return fmt.Errorf("sqlite: DeleteCopy %q: %w", id, err)
	}
	stories, err := t.storiesOf(`WHERE seq = ?`, c.Seq)
	if err != nil {
		return err
	}
	t.touch(stories...)
	res, err := t.q.ExecContext(t.ctx, `DELETE FROM copies WHERE id = ?`, id)
	return changed(res, err, "DeleteCopy")
}

func (t *writeTx) PromoteCopy(id string) error {
	c, err := t.copyByID(id)
	if err != nil {
		return fmt.Errorf("sqlite: PromoteCopy %q: %w", id, err)
	}
	var version int
	if err := t.q.QueryRowContext(t.ctx, `SELECT coalesce(max(version), 0) + 1 FROM documents WHERE id = ?`, c.ID).Scan(&version); err != nil {
		return err
	}
	res, err := t.q.ExecContext(t.ctx, `UPDATE documents SET id = ?, version = ?, title = ?, url = ?, outlet = ?, date = ? WHERE seq = ?`,
		c.ID, version, c.Title, c.URL, c.Outlet, c.Date, c.Seq)
	if err := changed(res, err, "PromoteCopy"); err != nil {
		return err
	}
	// The search index has the old title.
	if _, err := t.q.ExecContext(t.ctx, `DELETE FROM doc_fts WHERE rowid = ?`, c.Seq); err != nil {
		return err
	}
	if _, err := t.q.ExecContext(t.ctx, `INSERT INTO doc_fts (rowid, title, lede) SELECT seq, title, substr(text, 1, `+ledeChars+`) FROM documents WHERE seq = ?`, c.Seq); err != nil {
		return err
	}
	if _, err := t.q.ExecContext(t.ctx, `DELETE FROM copies WHERE id = ?`, id); err != nil {
		return err
	}
	stories, err := t.storiesOf(`WHERE seq = ?`, c.Seq)
	if err != nil {
		return err
	}
	t.touch(stories...)
	return nil
}

// begin starts the write transaction (BEGIN IMMEDIATE: it takes the write
// lock at once). While another process writes, each attempt waits the
// busy timeout and then backs off, longer each time up to a few seconds,
// and tries again until ctx ends: a second writer waits its turn and
// never fails for waiting, however long the first one writes.
func (s *Store) begin(ctx context.Context, on beginner) (*sql.Tx, error) {
	start := time.Now()
	backoff := 50 * time.Millisecond
	for {
		tx, err := on.BeginTx(ctx, nil)
		if err == nil || !isBusy(err) {
			return tx, err
		}
		if s.waiting != nil {
			s.waiting(time.Since(start))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff + time.Duration(rand.Int64N(int64(backoff)))):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// isBusy reports an SQLITE_BUSY or SQLITE_LOCKED error: another
// connection holds the lock.
func isBusy(err error) bool {
	var se *sqlitedriver.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		}
	}
	return false
}

// beginner is what begin starts a transaction on: the writer, or the
// one connection of a migration.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// queryer is what schemaVersion reads through: the writer, or a
// transaction of it.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
