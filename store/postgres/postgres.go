// Package postgres is the server backend of retold.Store: a PostgreSQL
// database reached through a pgx connection pool, for an index that
// several processes or hosts share.
//
// Readers: View runs in a REPEATABLE READ READ ONLY transaction, one
// snapshot of the database for all its reads, taken at its first
// statement; it neither blocks a writer nor waits for one (MVCC).
//
// Writers: Update runs in a READ COMMITTED transaction whose first
// statement takes a transaction-scoped advisory lock,
// pg_advisory_xact_lock(writeLock), held until the commit or rollback. So
// writers are serialized, across processes and hosts as within one, as
// retold.Store promises; a second writer waits its turn until its context
// ends. PostgreSQL could run writers side by side, but retold's writes are
// read-decide-write (match a document against the stored ones, then file
// it and move stories), which concurrent READ COMMITTED transactions would
// interleave badly and SERIALIZABLE ones would make fail and retry.
//
// The lock also gives Seq its order. Each PutDocument numbers its document
// one above the counter row of the highest number ever given (deleted
// documents included, and a rolled-back Update gives its numbers back),
// not from a SEQUENCE: a sequence hands numbers out when they are asked
// for, so a transaction that took 7 could commit after one that took 8,
// and a reader paging Documents(after) or Keys(after) by Seq, having seen
// 8, would never see 7. Under the lock, numbers are given in commit order,
// and a writer's commit is visible before the next writer can take the
// lock (PostgreSQL releases a transaction's locks after it marks it
// committed), so every document numbered above what a reader has seen is
// committed after its snapshot.
//
// Guarantees: a committed Update is durable as the server makes commits
// durable (synchronous_commit); a failed or interrupted one leaves no
// trace. Within an Update, the expected refusals (retold.ErrExists,
// retold.ErrNotFound) are found by reading before writing, so the
// transaction goes on after them; any other failed statement aborts it,
// and every later call in it fails.
//
// The schema is versioned in the retold_schema table and migrated forward
// on Open, all pending steps in one transaction that holds the writers'
// lock, so two processes opening a new database at once do not race; a
// database written by a newer retold is refused rather than guessed at.
// The tables have plain names (documents, stories, ...) in the first
// schema of the connection's search_path: give retold a database of its
// own, or a schema of its own (search_path=retold in the DSN). Advisory
// locks are per database, so two stores in two schemas of one database
// share the writers' lock.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	retold "github.com/retold/retold"
)

// WriteStats say how this Store's writers shared the writers' lock.
type WriteStats struct {
	// Updates is the number of Updates that took the lock; Waited the
	// time they spent waiting for it, Held the time they held it (to
	// the end of the commit or rollback).
	Updates      int64
	Waited, Held time.Duration
}

// SharedWriters reports that other processes may write to the store at
// once, each waiting for the writers' lock: storyindex then does the
// costly part of adding a batch before its write transaction.
func (s *Store) SharedWriters() bool { return true }

// WriteStats returns the lock statistics of the Updates run so far.
func (s *Store) WriteStats() WriteStats {
	return WriteStats{Updates: s.updates.Load(), Waited: time.Duration(s.waited.Load()), Held: time.Duration(s.held.Load())}
}

// writeLock is the advisory lock key that serializes writers (and
// migrations): "retold" in ASCII, then 1.
const writeLock int64 = 0x7265746f6c640001

// defaultConnectTimeout bounds a connection attempt whose DSN sets no
// connect_timeout: a server that does not answer makes Open fail, not
// hang.
const defaultConnectTimeout = 10 * time.Second

// ErrReadOnly is returned by Update on a store opened with
// Options.ReadOnly.
var ErrReadOnly = errors.New("store opened read-only (Options.ReadOnly): Update refused")

// Options tune Open. A nil *Options means the defaults.
type Options struct {
	// Now gives the time stamped on added documents and copies; nil
	// means time.Now. Tests set it for reproducible data.
	Now func() time.Time
	// NoMigrate opens a database of an older schema with ErrOlderSchema
	// instead of migrating it: a command that only reads changes nothing.
	NoMigrate bool
	// MaxConns is the most connections the pool opens; 0 keeps the DSN's
	// pool_max_conns, or else pgxpool's default (the larger of 4 and the
	// number of CPUs). A View or an Update holds one connection
	// throughout.
	MaxConns int32
	// MinConns is how many connections the pool keeps open when idle; 0
	// keeps the DSN's pool_min_conns, or else none.
	MinConns int32
	// ReadOnly opens the store for reading only: nothing is migrated (an
	// older schema is ErrOlderSchema, as with NoMigrate), Update fails
	// with ErrReadOnly, and every connection's transactions are read-only
	// (default_transaction_read_only), so a hot standby will do.
	ReadOnly bool
}

// Store is a retold.Store in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	// where names the server and database in errors (never the
	// password).
	where     string
	now       func() time.Time
	noMigrate bool
	readOnly  bool
	// The writers' lock statistics (WriteStats), in nanoseconds.
	updates, waited, held atomic.Int64
}

var _ retold.Store = (*Store)(nil)

// Open connects to the database that dsn names (a libpq keyword/value
// string such as "host=/run/postgresql dbname=retold", or a postgres://
// URL; PG* environment variables fill in what it leaves out) and migrates
// its schema to SchemaVersion. A server that cannot be reached fails Open
// within the DSN's connect_timeout (10 s when it sets none) or when ctx
// ends, with an error that names the host or socket.
func Open(ctx context.Context, dsn string, opt *Options) (*Store, error) {
	return open(ctx, dsn, opt, SchemaVersion)
}

// open is Open migrating to version target: tests make older databases
// with it.
func open(ctx context.Context, dsn string, opt *Options, target int) (*Store, error) {
	if opt == nil {
		opt = &Options{}
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: DSN: %w", err)
	}
	s := &Store{where: describe(cfg.ConnConfig), now: time.Now, noMigrate: opt.NoMigrate, readOnly: opt.ReadOnly}
	if opt.Now != nil {
		s.now = opt.Now
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	if opt.MinConns > 0 {
		cfg.MinConns = min(opt.MinConns, cfg.MaxConns)
	}
	if opt.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, s.errorf("%w", err)
	}
	// The pool connects lazily: the version check is the first
	// connection, and the place where a server that is down shows.
	if err := s.migrate(ctx, target); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// describe names a connection's target for errors: the host or socket,
// the port and the database (the socket's file is .s.PGSQL.<port> in the
// host's directory).
func describe(c *pgx.ConnConfig) string {
	host := c.Host
	if strings.HasPrefix(host, "/") {
		host = "socket " + strings.TrimSuffix(host, "/") + "/.s.PGSQL." + strconv.Itoa(int(c.Port))
	} else {
		host = "host " + host + " port " + strconv.Itoa(int(c.Port))
	}
	return host + " database " + c.Database
}

// errorf wraps an error with the package and the server it came from.
func (s *Store) errorf(format string, args ...any) error {
	return fmt.Errorf("postgres: %s: %w", s.where, fmt.Errorf(format, args...))
}

// Close closes the pool, waiting for connections in use to be returned.
// Calls after Close fail.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// View runs fn in a REPEATABLE READ READ ONLY transaction.
func (s *Store) View(ctx context.Context, fn func(retold.ReadTx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx)
	return fn(&readTx{ctx: ctx, q: tx})
}

// Update runs fn in a READ COMMITTED transaction that holds the writers'
// lock.
func (s *Store) Update(ctx context.Context, fn func(retold.Tx) error) error {
	if s.readOnly {
		return s.errorf("%w", ErrReadOnly)
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite})
	if err != nil {
		return s.errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) // after a commit, nothing
	asked := time.Now()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock); err != nil {
		return s.errorf("write lock: %w", err)
	}
	got := time.Now()
	defer func() {
		s.waited.Add(int64(got.Sub(asked)))
		s.held.Add(int64(time.Since(got)))
		s.updates.Add(1)
	}()
	w := &writeTx{readTx: readTx{ctx: ctx, q: tx}, now: s.now}
	w.flush = w.flushStories
	if err := fn(w); err != nil {
		return err
	}
	if err := w.flushStories(); err != nil {
		return err
	}
	if err := w.flushSeq(); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return s.errorf("commit: %w", err)
	}
	return nil
}
