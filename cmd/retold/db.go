package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/postgres"
	"github.com/retold/retold/store/sqlite"
	"github.com/retold/retold/storyindex"
)

// dbFlag is the --db flag every index command takes: an SQLite file, or
// a PostgreSQL database given by a postgres:// URL, with --db-conns, the
// size of its connection pool.
type dbFlag struct {
	db    *string
	conns *int
}

func addDBFlag(fs *flag.FlagSet, usage string) dbFlag {
	return dbFlag{
		db:    fs.String("db", "retold.db", usage+"; or a PostgreSQL `DSN` (postgres://user@host/db, or ?host=/socket/dir)"),
		conns: fs.Int("db-conns", 0, "with a PostgreSQL --db: the most connections to hold (0: the larger of 4 and the cores)"),
	}
}

// isPostgres reports whether db names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// name is the database as messages name it: a DSN without its password.
func (f dbFlag) name() string {
	if !isPostgres(*f.db) {
		return *f.db
	}
	u, err := url.Parse(*f.db)
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}

// openMode is how a command opens the index.
type openMode int

const (
	// openCreate opens or creates the index and migrates it (add).
	openCreate openMode = iota
	// openWrite opens an index that exists and migrates it (rm, migrate,
	// serve with a token).
	openWrite
	// openRead opens an index that exists and changes nothing: an older
	// schema is refused rather than migrated.
	openRead
)

// open opens the index --db names. waiting, for SQLite, is told how long
// a write has waited for another process's.
func (f dbFlag) open(ctx context.Context, mode openMode, waiting func(time.Duration)) (retold.Store, error) {
	if isPostgres(*f.db) {
		st, err := postgres.Open(ctx, *f.db, &postgres.Options{
			NoMigrate: mode == openRead,
			ReadOnly:  mode == openRead,
			MaxConns:  int32(max(0, *f.conns)),
		})
		if err != nil {
			return nil, err // it names the server and database
		}
		return st, nil
	}
	switch mode {
	case openCreate:
		return sqlite.Open(ctx, *f.db, &sqlite.Options{Waiting: waiting})
	default:
		return openExisting(ctx, *f.db, mode == openRead)
	}
}

// snapshotPath is where the index's postings snapshot lives
// (storyindex.Options.Snapshot): beside an SQLite file, FILE.postings.
// A PostgreSQL database has none: its processes may run on many
// machines, and each checks a snapshot by reading a few key rows, which
// PostgreSQL's Keys reads a page of 1,000 at a time.
func (f dbFlag) snapshotPath() string {
	if isPostgres(*f.db) {
		return ""
	}
	return *f.db + ".postings"
}

// indexOptions are the storyindex options of the index --db names.
func (f dbFlag) indexOptions() *storyindex.Options {
	return &storyindex.Options{Snapshot: f.snapshotPath()}
}

// snapshotLag is how many documents past its snapshot an index may be
// before a command saves the snapshot again: filing a key row costs
// about 7 microseconds, writing the snapshot about 0.15 s (82 MB at
// 95,454 documents, synced), so a lag of this many costs the next
// process half a save. A var, so that tests can lower it.
var snapshotLag int64 = 10000

// saveSnapshot saves x's postings snapshot when the snapshot lags x (or
// there is none) by snapshotLag documents or more, and notes a snapshot
// that was there and not used. A snapshot that cannot be saved is noted,
// not an error: it only saves time.
func saveSnapshot(ctx context.Context, e *env, cmd string, x *storyindex.Index) {
	s := x.Stats()
	if s.SnapshotNote != "" {
		fmt.Fprintf(e.stderr, "%s: note: the postings snapshot was not used (%s); the index was built from the store\n", cmd, s.SnapshotNote)
	}
	if s.Documents-s.FromSnapshot < snapshotLag {
		return
	}
	if err := x.SaveSnapshot(ctx); err != nil {
		fmt.Fprintf(e.stderr, "%s: note: %v\n", cmd, err)
	}
}

// schemaVersion is the schema version of --db's kind of index.
func (f dbFlag) schemaVersion() int {
	if isPostgres(*f.db) {
		return postgres.SchemaVersion
	}
	return sqlite.SchemaVersion
}
