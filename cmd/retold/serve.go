package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/server"
	"github.com/retold/retold/storyindex"
)

// runServe serves the story index over HTTP until SIGINT or SIGTERM, then
// shuts down gracefully: it stops accepting, lets the requests in flight
// (an add among them) finish, and closes the store.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [--db FILE] [--addr HOST:PORT] [--token TOKEN] [--public-reads] [--max-body MB]")
	dbf := addDBFlag(fs, "the index `FILE` (SQLite); it must exist unless --create")
	create := fs.Bool("create", false, "create the index if it does not exist (to fill it through the API); a mistyped --db is refused without it")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	token := fs.String("token", "", "the `TOKEN` writes need (default: the RETOLD_TOKEN environment variable; none: writes refused)")
	public := fs.Bool("public-reads", false, "let reads through without the token on a non-loopback address too")
	maxBody := fs.Int64("max-body", server.DefaultMaxBody>>20, "largest request body, in `MB`")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("takes no arguments")
	}
	if *maxBody <= 0 {
		return usageErr("--max-body must be positive")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageErr("--addr %q: %v", *addr, err)
	}
	if *token == "" {
		*token = e.getenv("RETOLD_TOKEN")
	}
	// Reads are open on a loopback address; elsewhere they need the
	// token unless --public-reads says otherwise.
	ip := net.ParseIP(host)
	open := *public || host == "localhost" || ip != nil && ip.IsLoopback()
	if !open && *token == "" {
		return usageErr("on %s reads need the token, and none is set: give --token (or RETOLD_TOKEN), or --public-reads", *addr)
	}
	// serve writes only when it has a token (the add API): then it may
	// migrate, and without one it opens the index read-only (a
	// PostgreSQL server's transactions are read-only too).
	mode := openRead
	switch {
	case *create:
		mode = openCreate
	case *token != "":
		mode = openWrite
	}
	st, err := dbf.open(ctx, mode, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	x := storyindex.New(st, dbf.indexOptions())
	if err := x.Load(ctx); err != nil {
		return err
	}
	saveSnapshot(ctx, e, "serve", x)
	srv := &http.Server{
		Handler:           server.New(st, x, &server.Options{Token: *token, OpenReads: open, LocalOnly: open && !*public, MaxBody: *maxBody << 20, ErrorLog: e.stderr}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var c retold.Counts
	if err := st.View(ctx, func(tx retold.ReadTx) (err error) { c, err = tx.Counts(); return }); err != nil {
		return err
	}
	writes := "writes need the token"
	if *token == "" {
		writes = "writes refused (no --token or RETOLD_TOKEN)"
	}
	reads := "reads open"
	if !open {
		reads = "reads need the token"
	}
	fmt.Fprintf(e.stderr, "retold serve: http://%s (%s: %d documents, %d stories); %s, %s\n", ln.Addr(), dbf.name(), c.Documents, c.Stories, reads, writes)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Requests in flight, an add among them, finish and get their
	// answers however long they take; a second interrupt ends the process
	// at once (main).
	fmt.Fprintln(e.stderr, "retold serve: shutting down; waiting for the requests in flight (interrupt again to stop at once)")
	if err := srv.Shutdown(context.Background()); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
