package main

import (
	"context"
	"flag"
	"net/url"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/postgres"
	"github.com/retold/retold/store/sqlite"
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

// schemaVersion is the schema version of --db's kind of index.
func (f dbFlag) schemaVersion() int {
	if isPostgres(*f.db) {
		return postgres.SchemaVersion
	}
	return sqlite.SchemaVersion
}
