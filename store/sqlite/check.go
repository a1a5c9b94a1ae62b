package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// Check looks the database over and returns what is wrong with it, nil
// when nothing is: SQLite's own integrity check of the file, rows that
// point at documents that are gone (keys, edges, copies, originals),
// edges whose event probability is outside [0, 1], story summaries that
// disagree with the documents they summarize, and event summaries that
// disagree with the stories they summarize (which are checked against
// the documents first), and running counts of stories and events that
// are not the summaries'. It reads only.
func (s *Store) Check(ctx context.Context) ([]string, error) {
	var problems []string
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", s.path, err)
	}
	defer tx.Rollback()
	rows := func(query string, each func(*sql.Rows) error) error {
		rs, err := tx.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			if err := each(rs); err != nil {
				return err
			}
		}
		return rs.Err()
	}
	if err := rows(`PRAGMA integrity_check`, func(r *sql.Rows) error {
		var msg string
		if err := r.Scan(&msg); err != nil {
			return err
		}
		if msg != "ok" {
			problems = append(problems, "integrity: "+msg)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sqlite: %s: integrity check: %w", s.path, err)
	}
	for _, q := range []struct{ what, query string }{
		{"key rows of no document", `SELECT count(*) FROM doc_keys k WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.seq = k.seq)`},
		{"edges to no document", `SELECT count(*) FROM edges e WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.seq = e.a) OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.seq = e.b)`},
		{"edges whose event probability is not in [0, 1]", `SELECT count(*) FROM edges WHERE NOT (event BETWEEN 0 AND 1)`},
		{"copies of no document", `SELECT count(*) FROM copies c WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.seq = c.seq)`},
		{"story originals that are not documents of their story", `SELECT count(*) FROM originals o WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.seq = o.seq AND d.story = o.story)`},
		{"stories with no summary", `SELECT count(DISTINCT story) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.story = d.story)`},
		{"summaries of no story", `SELECT count(*) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.story = s.story)`},
		{"summaries that disagree with their documents", `WITH want (story, event, size, original, outlets, first_seen, copies) AS (` + storySummary + ` GROUP BY d.story)
			SELECT count(*) FROM stories s JOIN want ON want.story = s.story
			WHERE s.event != want.event OR s.size != want.size OR s.original != want.original OR s.first_seen != want.first_seen OR s.copies != want.copies`},
		{"events with no summary", `SELECT count(DISTINCT event) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event = s.event)`},
		{"event summaries of no event", `SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.event = e.event)`},
		{"story counters that disagree with the story summaries (by so many)", `SELECT abs((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stories') - (SELECT count(*) FROM stories))`},
		{"event counters that disagree with the event summaries (by so many)", `SELECT abs((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'events') - (SELECT count(*) FROM events))`},
		{"event summaries that disagree with their stories", `WITH want (event, stories, size, copies, original, outlets, first_seen, last_seen) AS (` + eventSummary + ` GROUP BY s.event)
			SELECT count(*) FROM events e JOIN want ON want.event = e.event
			WHERE e.stories != want.stories OR e.size != want.size OR e.copies != want.copies OR e.original != want.original
				OR e.outlets != want.outlets OR e.first_seen != want.first_seen OR e.last_seen != want.last_seen`},
	} {
		var n int
		if err := tx.QueryRowContext(ctx, q.query).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: %s: check %s: %w", s.path, q.what, err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, q.what))
		}
	}
	return problems, nil
}

// Backup writes a consistent copy of the database to path (VACUUM INTO:
// a snapshot, taken while other processes read and write). path must not
// exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqlite: backup to %s: %w", path, os.ErrExist)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sqlite: backup to %s: %w", path, err)
	}
	if _, err := s.writer.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", path, err)
	}
	return nil
}
