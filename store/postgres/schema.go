package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migration is one schema step: its statements, then fn (when set), in
// the migration's transaction.
type migration struct {
	sql string
	fn  func(ctx context.Context, tx pgx.Tx) error
}

// migrations are the schema, one step per version: migrations[i] takes a
// database from version i to i+1. Steps are only ever appended.
//
// Columns that are ordered or compared (ids, labels, dates, outlets) are
// COLLATE "C": byte order, as SQLite's BINARY and Go's string comparison,
// whatever the database's locale, so listings and keyset paging give the
// same order on every backend, and the B-tree indexes serve them.
var migrations = []migration{
	// 1: documents, their keys, edges, copies, story originals and
	// summaries, and the counters of the numbers given and deletions.
	{sql: `CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
	INSERT INTO counters (name, value) VALUES ('seq', 0), ('deletions', 0);
	CREATE TABLE documents (
		seq     bigint PRIMARY KEY,
		id      text COLLATE "C" NOT NULL,
		version integer NOT NULL,
		hash    bigint NOT NULL UNIQUE,
		title   text NOT NULL,
		text    text NOT NULL,
		url     text NOT NULL,
		outlet  text COLLATE "C" NOT NULL,
		date    text COLLATE "C" NOT NULL,
		lang    text NOT NULL,
		added   text COLLATE "C" NOT NULL,
		story   text COLLATE "C" NOT NULL,
		event   text COLLATE "C" NOT NULL,
		UNIQUE (id, version)
	);
	CREATE INDEX documents_story ON documents (story);
	CREATE INDEX documents_event ON documents (event);
	CREATE TABLE doc_keys (
		seq  bigint PRIMARY KEY REFERENCES documents (seq) ON DELETE CASCADE,
		n    integer NOT NULL,
		keys bytea NOT NULL
	);
	CREATE TABLE edges (
		a        bigint NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		b        bigint NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		verdict  text NOT NULL,
		score    double precision NOT NULL,
		evidence bytea,
		PRIMARY KEY (a, b)
	);
	CREATE INDEX edges_b ON edges (b);
	CREATE TABLE copies (
		id     text COLLATE "C" PRIMARY KEY,
		seq    bigint NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
		title  text NOT NULL,
		url    text NOT NULL,
		outlet text COLLATE "C" NOT NULL,
		date   text COLLATE "C" NOT NULL,
		added  text COLLATE "C" NOT NULL
	);
	CREATE INDEX copies_seq ON copies (seq);
	CREATE TABLE originals (
		story text COLLATE "C" PRIMARY KEY,
		seq   bigint NOT NULL REFERENCES documents (seq) ON DELETE CASCADE
	);
	CREATE INDEX originals_seq ON originals (seq);
	CREATE TABLE stories (
		story      text COLLATE "C" PRIMARY KEY,
		event      text COLLATE "C" NOT NULL,
		size       integer NOT NULL,
		copies     integer NOT NULL,
		original   bigint NOT NULL,
		outlets    text[] NOT NULL,
		first_seen text COLLATE "C" NOT NULL
	);
	CREATE INDEX stories_first_seen ON stories (first_seen DESC, story);`},
	// 2: full-text search for StoryQuery.Words over each document's title
	// and lede, a generated tsvector column with a GIN index (see
	// createFold for the folding).
	{fn: createFold, sql: `ALTER TABLE documents ADD COLUMN search tsvector
		GENERATED ALWAYS AS (to_tsvector('simple', retold_fold(title || ' ' || left(text, ` + ledeChars + `)))) STORED;
	CREATE INDEX documents_search ON documents USING gin (search);`},
	// 3: event summaries, made from the story summaries and kept up to
	// date with them, so listing the newest events reads an index; the
	// stories of an event, and those with a document or copy from an
	// outlet, by index too.
	{sql: `CREATE TABLE events (
		event      text COLLATE "C" PRIMARY KEY,
		stories    integer NOT NULL,
		size       integer NOT NULL,
		copies     integer NOT NULL,
		original   bigint NOT NULL,
		outlets    text[] NOT NULL,
		first_seen text COLLATE "C" NOT NULL,
		last_seen  text COLLATE "C" NOT NULL
	);
	CREATE INDEX events_first_seen ON events (first_seen DESC, event);
	CREATE INDEX stories_event ON stories (event, first_seen, story);
	CREATE INDEX documents_outlet ON documents (outlet);
	CREATE INDEX copies_outlet ON copies (outlet);
	INSERT INTO events (` + eventColumns + `) ` + eventSummary + ` GROUP BY s.event;`},
	// 4: the event linker's probability on each edge. Adding a column
	// with a constant default changes only the catalog, and reading it
	// past evidence reads no more pages: a long evidence is TOASTed out
	// of the row, a short one is on the row's page (SQLite's schema 8
	// rebuilds its table instead, for its overflow pages).
	{sql: `ALTER TABLE edges ADD COLUMN event double precision NOT NULL DEFAULT 0;`},
	// 5: the number of stories and of events, kept in counters by the
	// writes that add and drop their summaries (writeTx.flushStories and
	// flushEvents), so the total of an unfiltered listing is one row,
	// not a count of the table.
	{sql: `INSERT INTO counters (name, value) SELECT 'stories', count(*) FROM stories;
	INSERT INTO counters (name, value) SELECT 'events', count(*) FROM events;`},
}

// ledeChars is how much of a text's start full-text search covers.
const ledeChars = "1500"

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// ErrOlderSchema is returned by Open with Options.NoMigrate or
// Options.ReadOnly for a database whose schema is older than this
// package's: it must be migrated first.
var ErrOlderSchema = errors.New("database schema is older than this retold: migrate it first (retold migrate --db DSN)")

// ErrNewerSchema is returned by Open for a database whose schema is newer
// than this package knows.
var ErrNewerSchema = errors.New("database schema is newer than this retold")

// createFold makes retold_fold(text), what both the indexed text and a
// query's words go through: accents removed (the unaccent extension),
// punctuation made into spaces, lower case. to_tsvector's 'simple'
// configuration then splits the words (and has no stop words nor
// stemming), so a query matches where SQLite's unicode61 tokenizer with
// remove_diacritics would, except that:
//
//   - unaccent also folds letters whose base is not ASCII (Greek tonos,
//     Cyrillic ё to е) and expands ligatures and ß (æ to ae, ß to ss), so
//     "strasse" finds "Straße" here and not in SQLite;
//   - symbols that are not punctuation (©, €, emoji) separate words in a
//     database with a Unicode locale or ICU; in one whose ctype is C and
//     that has no ICU, non-ASCII punctuation and symbols stay inside words
//     and lower() folds only ASCII;
//   - without the unaccent extension (CREATE EXTENSION refused: not
//     installed, or not allowed) accents are not removed at all, only case
//     is folded: "ecole" then does not find "École".
//
// Punctuation is replaced before the text search parser sees it so that
// "3.5", "x-ray" and "example.org/a" are words as SQLite splits them, not
// the parser's number, compound and URL tokens.
//
// The function is declared IMMUTABLE, as a generated column needs, though
// unaccent's dictionary could change: it is named with its schema, and a
// change of its rules would want the column regenerated.
func createFold(ctx context.Context, tx pgx.Tx) error {
	schema, err := unaccentSchema(ctx, tx)
	if err != nil {
		return err
	}
	// ICU's root collation folds case and knows punctuation in every
	// script, whatever the database's ctype.
	var icu, cType bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'),
		(SELECT datctype IN ('C', 'POSIX') FROM pg_database WHERE datname = current_database())`).Scan(&icu, &cType); err != nil {
		return err
	}
	x := "$1"
	if schema != "" {
		x = fmt.Sprintf("%s.unaccent(%s::regdictionary, %s)", schema, quoteLiteral(schema+".unaccent"), x)
	}
	if icu {
		x += ` COLLATE "und-x-icu"`
	}
	// [:punct:] is Unicode punctuation under ICU or a UTF-8 ctype; the
	// ASCII ranges add the symbols ($ + < = > ^ ` | ~) it leaves out.
	_, err = tx.Exec(ctx, `CREATE FUNCTION retold_fold(text) RETURNS text
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
		AS $fold$ SELECT lower(regexp_replace(`+x+`, '[[:space:][:punct:]!-/:-@[-`+"`"+`{-~]+', ' ', 'g')) $fold$`)
	return err
}

// unaccentSchema installs the unaccent extension when it is not there and
// returns the schema it is in, quoted, or "" when it cannot be installed.
func unaccentSchema(ctx context.Context, tx pgx.Tx) (string, error) {
	find := func() (string, error) {
		var schema string
		err := tx.QueryRow(ctx, `SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'`).Scan(&schema)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", nil
		}
		return schema, err
	}
	if schema, err := find(); schema != "" || err != nil {
		return schema, err
	}
	// In a savepoint: a refusal must not abort the migration.
	sp, err := tx.Begin(ctx)
	if err != nil {
		return "", err
	}
	if _, err := sp.Exec(ctx, `CREATE EXTENSION unaccent`); err != nil {
		if rerr := sp.Rollback(ctx); rerr != nil {
			return "", rerr
		}
		return "", nil
	}
	if err := sp.Commit(ctx); err != nil {
		return "", err
	}
	return find()
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// migrate brings the schema to version target (SchemaVersion, but for
// tests that make an older database).
func (s *Store) migrate(ctx context.Context, target int) error {
	v, err := schemaVersion(ctx, s.pool)
	if err != nil {
		return s.errorf("%w", err)
	}
	if v > SchemaVersion {
		return s.errorf("%w (version %d, this retold knows %d)", ErrNewerSchema, v, SchemaVersion)
	}
	if v >= target {
		return nil
	}
	if s.noMigrate || s.readOnly {
		return s.errorf("%w (version %d, this retold knows %d)", ErrOlderSchema, v, SchemaVersion)
	}
	// Every pending step in one transaction (PostgreSQL's DDL is
	// transactional): a process killed while it migrates leaves the
	// database as it was. The transaction holds the writers' lock, so two
	// processes that open a new database at once migrate it one after
	// the other, and the second, reading the version again under the
	// lock, finds nothing left to do; no writer runs meanwhile.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.errorf("migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock); err != nil {
		return s.errorf("migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS retold_schema (
		version integer PRIMARY KEY,
		applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return s.errorf("migrate: %w", err)
	}
	if v, err = schemaVersion(ctx, tx); err != nil {
		return s.errorf("migrate: %w", err)
	}
	if v > SchemaVersion {
		return s.errorf("%w (version %d, this retold knows %d)", ErrNewerSchema, v, SchemaVersion)
	}
	for ; v < target; v++ {
		m := migrations[v]
		// fn first: a step's statements may use what it makes.
		if m.fn != nil {
			err = m.fn(ctx, tx)
		}
		if err == nil {
			_, err = tx.Exec(ctx, m.sql)
		}
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO retold_schema (version) VALUES ($1)`, v+1)
		}
		if err != nil {
			return s.errorf("migrate to version %d: %w", v+1, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return s.errorf("migrate: %w", err)
	}
	return nil
}

// queryRower is a pool, a connection or a transaction.
type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// schemaVersion is the database's version, 0 for a new one.
func schemaVersion(ctx context.Context, q queryRower) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('retold_schema') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM retold_schema`).Scan(&v)
	return v, err
}
