package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/server"
	"github.com/retold/retold/store/postgres"
	"github.com/retold/retold/storyindex"
)

// The story index commands: add, match, stories, story, events, event,
// rm. They share
// --db (default retold.db in the current directory).

func runAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "add", "add [--db FILE] PATH...")
	dbf := addDBFlag(fs, "the index `FILE` (SQLite; created if missing)")
	keys := keyFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("give the files or directories to add")
	}
	srcs, err := extract.Sources(pos)
	if err != nil {
		return err
	}
	line := newStatus(e)
	// Another process adding to the same index has the write lock: say
	// so, now and then, and wait for it.
	var told time.Duration
	st, err := dbf.open(ctx, openCreate, func(waited time.Duration) {
		if waited-told >= 10*time.Second || told == 0 && waited >= 2*time.Second {
			told = waited
			line.message(fmt.Sprintf("add: waiting for another process writing %s (%.0f s so far)", dbf.name(), waited.Seconds()))
		}
	})
	if err != nil {
		return err
	}
	defer st.Close()
	x := storyindex.New(st, dbf.indexOptions())
	start := time.Now()
	var read, added, copies, dups, bad int
	progress := func(path string) {
		line.show(false, "add: %d read, %d added, %.0f docs/s  %s", read, added, float64(read)/max(time.Since(start).Seconds(), 1e-9), path)
	}
	report := func(err error) {
		bad++
		line.bad(err)
	}
	// Documents are added in batches, one transaction each; a document
	// counts as added when its batch has committed.
	adder := x.NewAdder(0, func(_ retold.Document, r storyindex.Result) {
		switch {
		case r.Copy:
			copies++
		case r.Duplicate:
			dups++
		default:
			added++
		}
	})
	var ended []error
	for _, src := range srcs {
		err := extract.ReadSource(src, &extract.SourceOptions{Keys: *keys}, func(r extract.Record) error {
			read++
			if err := adder.Add(ctx, r.Doc); err != nil {
				return fmt.Errorf("add: %w", err)
			}
			progress(src.Path)
			return nil
		}, report)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			report(err)
			ended = append(ended, err)
		}
	}
	if err := adder.Flush(ctx); err != nil {
		return fmt.Errorf("add: %w", err)
	}
	line.clear()
	// The next process to read the index loads it from here.
	saveSnapshot(ctx, e, "add", x)
	var c retold.Counts
	if err := st.View(ctx, func(tx retold.ReadTx) (err error) { c, err = tx.Counts(); return }); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(e.stderr, "add: %d read, %d added, %d copies of stored texts kept, %d already stored, %d bad records skipped, %.1f s (%.0f docs/s); %s holds %d documents, %d copies, %d stories, %d events\n",
		read, added, copies, dups, bad, secs, float64(read)/max(secs, 1e-9), dbf.name(), c.Documents, c.Copies, c.Stories, c.Events)
	if pg, ok := st.(*postgres.Store); ok {
		// How much of the time the writers' lock was this process's,
		// and how long it waited for others: what bounds many writers.
		w := pg.WriteStats()
		fmt.Fprintf(e.stderr, "add: %d write transactions held the writers' lock %.1f s and waited %.1f s for it; %d documents were judged before their transaction\n",
			w.Updates, w.Held.Seconds(), w.Waited.Seconds(), x.Prejudged())
	}
	if len(ended) > 0 {
		return fmt.Errorf("%d inputs ended early (everything before was added): %w", len(ended), errors.Join(ended...))
	}
	if read == 0 && bad == 0 {
		return fmt.Errorf("%w: no records in %s", retold.ErrEmpty, strings.Join(pos, ", "))
	}
	return partial(bad)
}

func runMatch(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "match", "match [--db FILE] [--json] FILE|DIR|-...")
	dbf := addDBFlag(fs, "the index `FILE`")
	asJSON := fs.Bool("json", false, "print the result as JSON (one object a document)")
	keys := keyFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("give the documents to match (files, directories, or - for stdin)")
	}
	// One document from stdin, or every record of the files given, read
	// as `retold add` reads them.
	var docs []retold.Document
	bad := 0
	if len(pos) == 1 && pos[0] == "-" {
		d, err := extract.Read("stdin", e.stdin, nil)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	} else {
		srcs, err := extract.Sources(pos)
		if err != nil {
			return err
		}
		for _, src := range srcs {
			err := extract.ReadSource(src, &extract.SourceOptions{Keys: *keys}, func(r extract.Record) error {
				docs = append(docs, r.Doc)
				return nil
			}, func(err error) { bad++; fmt.Fprintln(e.stderr, err) })
			if err != nil {
				return err
			}
		}
	}
	if len(docs) == 0 {
		return fmt.Errorf("match: no document in %s", strings.Join(pos, ", "))
	}
	st, err := dbf.open(ctx, openRead, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	x := storyindex.New(st, dbf.indexOptions())
	start := time.Now()
	if err := x.Load(ctx); err != nil {
		return err
	}
	load := time.Since(start)
	// Saved after the answers are out: a match that had to build the
	// index from the store's rows leaves the next one the snapshot.
	defer saveSnapshot(ctx, e, "match", x)
	lat := make([]time.Duration, 0, len(docs))
	for _, d := range docs {
		t0 := time.Now()
		res, err := x.Match(ctx, d)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
		if err := printMatch(e, d, res, len(docs) > 1, *asJSON); err != nil {
			return err
		}
	}
	if len(docs) > 1 || bad > 0 {
		is := x.Stats()
		slices.Sort(lat)
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		fmt.Fprintf(e.stderr, "match: %d documents (%d bad records skipped); index of %d documents loaded in %.2f s (%.0f MB in memory); latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
			len(docs), bad, is.Documents, load.Seconds(), float64(is.Bytes)/(1<<20), q(0.5), q(0.9), q(0.99), q(1))
	}
	return nil
}

// printMatch writes one document's match; many names the document.
func printMatch(e *env, d retold.Document, res storyindex.Result, many, asJSON bool) error {
	out := struct {
		ID string `json:"id,omitempty"`
		storyindex.MatchSummary
	}{MatchSummary: res.Summary()}
	if many {
		out.ID = d.ID
	}
	if asJSON {
		if many {
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "%s\n", b)
			return err
		}
		return writeJSON(e.stdout, out)
	}
	if many {
		fmt.Fprintf(e.stdout, "%s: ", d.ID)
	}
	switch {
	case out.Duplicate:
		fmt.Fprintf(e.stdout, "already stored, as %s (story %s, event %s)\n", out.Of, out.Story, out.Event)
	case out.Story != "":
		fmt.Fprintf(e.stdout, "joins story %s (event %s)\n", out.Story, out.Event)
	case out.Event != "":
		fmt.Fprintf(e.stdout, "a new story in event %s\n", out.Event)
	default:
		fmt.Fprintln(e.stdout, "a new story: nothing stored matches")
	}
	for _, ed := range out.Edges {
		fmt.Fprintf(e.stdout, "  %-14s %.2f  %s  %s\n", ed.Verdict, ed.Score, ed.ID, ed.Title)
	}
	return nil
}

// listFlags are the flags the story and event listings share.
type listFlags struct {
	since, until, search *string
	limit                *int
	asJSON               *bool
}

func addListFlags(fs *flag.FlagSet, what string) listFlags {
	return listFlags{
		since:  fs.String("since", "", "only "+what+" first seen on or after `DATE` (YYYY-MM-DD or a prefix)"),
		until:  fs.String("until", "", "only "+what+" first seen on or before `DATE` (YYYY-MM-DD or a prefix)"),
		limit:  fs.Int("limit", 50, "the most "+what+" listed"),
		search: fs.String("search", "", "only "+what+" with a document holding all these `WORDS` in its title or lede"),
		asJSON: fs.Bool("json", false, "print JSON"),
	}
}

// check refuses values a listing cannot take.
func (f listFlags) check() error {
	for _, d := range []struct{ name, v string }{{"since", *f.since}, {"until", *f.until}} {
		if !validSince(d.v) {
			return usageErr("--%s %q: want a date or the start of one: YYYY, YYYY-MM or YYYY-MM-DD", d.name, d.v)
		}
	}
	if *f.limit < 1 || *f.limit > 100000 {
		return usageErr("--limit %d: want 1 to 100000", *f.limit)
	}
	if len(*f.search) > server.MaxSearchBytes || len(strings.Fields(*f.search)) > server.MaxSearchWords {
		return usageErr("--search: at most %d words and %d bytes", server.MaxSearchWords, server.MaxSearchBytes)
	}
	return nil
}

// listing reads one page of a listing and its total from the index
// dbf names, in one snapshot.
func listing[T any](ctx context.Context, dbf dbFlag, page func(retold.ReadTx) ([]T, error), count func(retold.ReadTx) (retold.Total, error)) ([]T, retold.Total, error) {
	st, err := dbf.open(ctx, openRead, nil)
	if err != nil {
		return nil, retold.Total{}, err
	}
	defer st.Close()
	var out []T
	var total retold.Total
	err = st.View(ctx, func(tx retold.ReadTx) (err error) {
		if out, err = page(tx); err != nil {
			return err
		}
		total, err = count(tx)
		return err
	})
	return out, total, err
}

// listed is the last line of a listing: "3 of 120 stories", "50 of
// more than 1,000 stories".
func listed(shown int, total retold.Total, what string) string {
	return fmt.Sprintf("%d of %s %s", shown, explain.TotalText(total), what)
}

// ranIn is "ran in 3 outlets, +2 copies", a listing's count of outlets.
func ranIn(outlets []string, copies int) string {
	ran := fmt.Sprintf("ran in %d outlet", len(outlets))
	if len(outlets) != 1 {
		ran += "s"
	}
	if copies > 0 {
		ran += fmt.Sprintf(", +%d cop", copies) + map[bool]string{true: "y", false: "ies"}[copies == 1]
	}
	return ran
}

func runStories(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "stories", "stories [--db FILE] [--since DATE] [--until DATE] [--event ID] [--outlet NAME] [--search WORDS] [--limit N] [--json]")
	dbf := addDBFlag(fs, "the index `FILE`")
	lf := addListFlags(fs, "stories")
	event := fs.String("event", "", "only the stories of event `ID` (see retold events)")
	outlet := fs.String("outlet", "", "only stories with a version or copy from this outlet (its exact `NAME`)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := lf.check(); err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("takes no arguments")
	}
	q := retold.StoryQuery{Since: *lf.since, Until: *lf.until, Limit: *lf.limit, Words: *lf.search, Event: *event, Outlet: *outlet}
	out, total, err := listing(ctx, dbf,
		func(tx retold.ReadTx) ([]explain.StorySummary, error) { return explain.Summaries(tx, q) },
		func(tx retold.ReadTx) (retold.Total, error) { return tx.CountStories(q, retold.TotalCap) })
	if err != nil {
		return err
	}
	if *lf.asJSON {
		return writeJSON(e.stdout, out)
	}
	for _, s := range out {
		fmt.Fprintf(e.stdout, "%-10s %-10s %4d  %-20s %s  (%s: %s)\n", s.ID, s.Event, s.Size, s.FirstSeen, s.Title,
			ranIn(s.Outlets, s.Copies), strings.Join(s.Outlets, ", "))
	}
	fmt.Fprintln(e.stdout, listed(len(out), total, "stories"))
	return nil
}

func runRm(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "rm", "rm [--db FILE] ID...")
	dbf := addDBFlag(fs, "the index `FILE`")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("give the document IDs to remove")
	}
	st, err := dbf.open(ctx, openWrite, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	// Each id in a transaction of its own, its stories regrouped; an id
	// not stored is reported and the others are still removed.
	x := storyindex.New(st, nil)
	var failed []error
	for _, id := range pos {
		if err := x.Delete(ctx, id); err != nil {
			if ctx.Err() != nil {
				return err
			}
			err = fmt.Errorf("rm %s: %w", id, err)
			fmt.Fprintln(e.stderr, err)
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d ids not removed", len(failed), len(pos))
	}
	return nil
}

// validSince reports whether s is empty or the start of a date: YYYY,
// YYYY-MM or YYYY-MM-DD, optionally followed by the rest of an RFC 3339
// time.
func validSince(s string) bool {
	if s == "" {
		return true
	}
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		if len(s) >= len(layout) {
			if _, err := time.Parse(layout, s[:len(layout)]); err == nil && (len(s) == len(layout) || len(s) > 10 && s[10] == 'T') {
				return true
			}
		}
	}
	return false
}

// exportLine is one line of retold export: the cluster output format
// plus the verified edges of the document.
type exportLine struct {
	ID       string       `json:"id"`
	Title    string       `json:"title"`
	URL      string       `json:"url"`
	Outlet   string       `json:"outlet"`
	Date     string       `json:"date"`
	Story    string       `json:"story"`
	Event    string       `json:"event"`
	Original bool         `json:"original"`
	Version  int          `json:"version"`
	CopyOf   string       `json:"copy_of,omitempty"` // a copy: the id of the record whose text it ran unchanged
	Edges    []exportEdge `json:"edges"`
}

type exportEdge struct {
	With    string         `json:"with"`
	Verdict retold.Verdict `json:"verdict"`
	Score   float64        `json:"score"`
}

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "export", "export [--db FILE] --out FILE.jsonl")
	dbf := addDBFlag(fs, "the index `FILE`")
	out := fs.String("out", "", "output `FILE` (JSONL, one line per stored document in the order added, each followed by its copies; .gz compresses; - for stdout)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *out == "" {
		return usageErr("needs --out and no arguments")
	}
	st, err := dbf.open(ctx, openRead, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	n := 0
	write := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		// One snapshot for the whole file, read page by page.
		return st.View(ctx, func(tx retold.ReadTx) error {
			ids := map[int64]string{}
			originals := map[string]int64{}
			for after := int64(0); ; {
				docs, err := tx.Documents(after, 1000)
				if err != nil {
					return err
				}
				if len(docs) == 0 {
					return nil
				}
				for _, d := range docs {
					ids[d.Seq] = d.ID
					orig, ok := originals[d.Story]
					if !ok {
						s, err := tx.Story(d.Story)
						if err != nil {
							return err
						}
						orig = s.Original
						originals[d.Story] = orig
					}
					es, err := tx.Edges(d.Seq)
					if err != nil {
						return err
					}
					line := exportLine{ID: d.ID, Title: d.Title, URL: d.URL, Outlet: d.Outlet, Date: d.Date,
						Story: d.Story, Event: d.Event, Original: orig == d.Seq, Version: d.Version, Edges: []exportEdge{}}
					for _, ed := range es {
						other := ed.A
						if other == d.Seq {
							other = ed.B
						}
						with, ok := ids[other]
						if !ok {
							od, err := tx.Document(other)
							if err != nil {
								return err
							}
							with = od.ID
						}
						line.Edges = append(line.Edges, exportEdge{with, ed.Verdict, ed.Score})
					}
					if err := enc.Encode(line); err != nil {
						return err
					}
					n++
					// Then each copy of the text, as the outlet ran it.
					cs, err := tx.Copies(d.Seq)
					if err != nil {
						return err
					}
					for _, c := range cs {
						cl := line
						cl.ID, cl.Title, cl.URL, cl.Outlet, cl.Date, cl.Original, cl.Version, cl.CopyOf = c.ID, c.Title, c.URL, c.Outlet, c.Date, false, 1, d.ID
						if err := enc.Encode(cl); err != nil {
							return err
						}
						n++
					}
					after = d.Seq
				}
			}
		})
	}
	if err := withOutput(e, *out, write); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "export: %d records\n", n)
	return nil
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "check", "check [--db FILE]")
	db := fs.String("db", "retold.db", "the index `FILE`")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("takes no arguments")
	}
	if isPostgres(*db) {
		return usageErr("check reads an SQLite file; a PostgreSQL database has its own checks (amcheck, pg_dump)")
	}
	st, err := openExisting(ctx, *db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	problems, err := st.Check(ctx)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(e.stdout, "%s: ok\n", *db)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintf(e.stdout, "%s: %s\n", *db, p)
	}
	return fmt.Errorf("%s: %d problems (a backup from before them, or a new add of the corpus, restores a good index)", *db, len(problems))
}

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backup", "backup [--db FILE] --out COPY")
	db := fs.String("db", "retold.db", "the index `FILE`")
	out := fs.String("out", "", "the `COPY` to write (must not exist)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *out == "" {
		return usageErr("needs --out and no arguments")
	}
	if isPostgres(*db) {
		return usageErr("backup copies an SQLite file; back up a PostgreSQL database with pg_dump (see the README)")
	}
	st, err := openExisting(ctx, *db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "backup: %s written from %s\n", *out, *db)
	return nil
}

// runMigrate brings an index's schema to this retold's version. The
// reading commands (stories, story, match, export, check, backup) refuse
// an older schema rather than change the file; add, rm and serve migrate
// it as they open it.
func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "migrate", "migrate [--db FILE]")
	dbf := addDBFlag(fs, "the index `FILE`")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("migrate takes no arguments")
	}
	st, err := dbf.open(ctx, openWrite, nil)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "migrate: %s is at schema version %d\n", dbf.name(), dbf.schemaVersion())
	return nil
}
