package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
)

func runEvents(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "events", "events [--db FILE] [--since DATE] [--until DATE] [--search WORDS] [--limit N] [--json]")
	dbf := addDBFlag(fs, "the index `FILE`")
	lf := addListFlags(fs, "events")
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
	q := retold.EventQuery{Since: *lf.since, Until: *lf.until, Limit: *lf.limit, Words: *lf.search}
	out, total, err := listing(ctx, dbf,
		func(tx retold.ReadTx) ([]explain.EventSummary, error) { return explain.EventSummaries(tx, q) },
		func(tx retold.ReadTx) (retold.Total, error) { return tx.CountEvents(q, retold.TotalCap) })
	if err != nil {
		return err
	}
	if *lf.asJSON {
		return writeJSON(e.stdout, out)
	}
	for _, ev := range out {
		stories := fmt.Sprintf("%d stor", ev.Stories) + map[bool]string{true: "y", false: "ies"}[ev.Stories == 1]
		fmt.Fprintf(e.stdout, "%-10s %-11s %4d  %-20s %s  (%s: %s)\n", ev.ID, stories, ev.Size, ev.FirstSeen, ev.Title,
			ranIn(ev.Outlets, ev.Copies), strings.Join(ev.Outlets, ", "))
	}
	fmt.Fprintln(e.stdout, listed(len(out), total, "events"))
	return nil
}

func runEvent(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "event", "event [--db FILE] [--json] [--html FILE] ID (an event's, or one of its stories' or documents')")
	dbf := addDBFlag(fs, "the index `FILE`")
	asJSON := fs.Bool("json", false, "print JSON (schema: explain.EventJSON)")
	htmlOut := fs.String("html", "", "also write a self-contained HTML page of the event to `FILE`")
	width := fs.Int("width", 100, "terminal width for the report")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("give one event ID (see retold events)")
	}
	st, err := dbf.open(ctx, openRead, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	var rows explain.EventReads
	err = st.View(ctx, func(tx retold.ReadTx) error {
		id := pos[0]
		if _, err := tx.Event(id); errors.Is(err, retold.ErrNotFound) {
			// A story's id, or a document's, names its event too.
			if s, serr := tx.Story(id); serr == nil {
				id = s.Event
			} else if d, derr := tx.DocumentByID(id); derr == nil {
				id = d.Event
			}
		}
		var err error
		if rows, err = explain.ReadEvent(tx, id); err != nil {
			return fmt.Errorf("%w (give an event ID from retold events, or a story's or document's id)", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The report is built after the read transaction: reading each
	// document's numbers needs nothing more from the store.
	ev := rows.Build()
	if *htmlOut != "" {
		if err := writeFileAtomic(*htmlOut, func(w io.Writer) error { return explain.EventHTML(w, ev) }); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, ev.JSON())
	}
	color := e.stdoutIsTerminal && e.getenv("NO_COLOR") == ""
	return explain.EventText(e.stdout, ev, *width, color)
}
