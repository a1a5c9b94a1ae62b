package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	retold "github.com/retold/retold"
)

func TestCheckAndBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "retold.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(ctx, func(tx retold.Tx) error {
		for i, text := range []string{"first text", "second text", "third text"} {
			d := &retold.StoredDocument{Document: retold.Document{ID: string(rune('a' + i)), Text: text, Outlet: "O"}, Hash: uint64(i + 1)}
			if err := tx.PutDocument(d, []uint64{uint64(10 + i)}); err != nil {
				return err
			}
		}
		if err := tx.PutEdge(retold.Edge{A: 1, B: 2, Verdict: retold.SameEvent, Score: 0.4, Event: 0.8}); err != nil {
			return err
		}
		return tx.PutCopy(&retold.Copy{ID: "a2", Seq: 1, Outlet: "P"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) != 0 {
		t.Fatalf("a healthy file: %v, %v", problems, err)
	}
	// A backup is a database of its own with the same contents.
	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, backup); !errors.Is(err, os.ErrExist) {
		t.Errorf("a backup over an existing file: %v, want ErrExist", err)
	}
	b, err := Open(ctx, backup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var c1, c2 retold.Counts
	s.View(ctx, func(tx retold.ReadTx) (err error) { c1, err = tx.Counts(); return })
	b.View(ctx, func(tx retold.ReadTx) (err error) { c2, err = tx.Counts(); return })
	if c1 != c2 || c1.Documents != 3 || c1.Copies != 1 || c1.Edges != 1 {
		t.Errorf("backup counts %+v, the original's %+v", c2, c1)
	}
	b.View(ctx, func(tx retold.ReadTx) error {
		if es, err := tx.Edges(1); err != nil || len(es) != 1 || es[0].Event != 0.8 {
			t.Errorf("backup's edges %+v %v, want one with Event 0.8", es, err)
		}
		return nil
	})
	// A summary that disagrees with its documents, and an original that
	// is no document of its story, are found.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`UPDATE stories SET size = 7 WHERE story = 's1'`, `INSERT INTO originals (story, seq) VALUES ('s2', 99)`,
		`UPDATE edges SET event = 1.5`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "; ")
	for _, want := range []string{"summaries that disagree", "originals that are not documents", "1 edges whose event probability is not in [0, 1]"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
}

// TestCheckFindsStaleEventSummaries: each way an event summary can go
// stale is reported, and nothing else is.
func TestCheckFindsStaleEventSummaries(t *testing.T) {
	for _, tc := range []struct {
		name, corrupt, want string
	}{
		{"size", `UPDATE events SET size = 9 WHERE event = 'e1'`, "1 event summaries that disagree with their stories"},
		{"stories", `UPDATE events SET stories = 3 WHERE event = 'e1'`, "1 event summaries that disagree with their stories"},
		{"copies", `UPDATE events SET copies = 0 WHERE event = 'e1'`, "1 event summaries that disagree with their stories"},
		{"original", `UPDATE events SET original = 2 WHERE event = 'e1'`, "1 event summaries that disagree with their stories"},
		{"outlets", `UPDATE events SET outlets = '["O"]' WHERE event = 'e1'`, "1 event summaries that disagree with their stories"},
		{"first seen", `UPDATE events SET first_seen = '2024-01-01' WHERE event = 'e1'`, "1 event summaries that disagree with their stories"},
		{"last seen", `UPDATE events SET last_seen = '2024-12-31' WHERE event = 'e1'`, "1 event summaries that disagree with their stories"},
		{"story counter", `UPDATE meta SET value = '5' WHERE key = 'stories'`, "2 story counters that disagree with the story summaries (by so many)"},
		{"event counter", `UPDATE meta SET value = '0' WHERE key = 'events'`, "2 event counters that disagree with the event summaries (by so many)"},
		// A row deleted or added by hand is counted by no write either.
		{"missing", `DELETE FROM events WHERE event = 'e3'`, "1 events with no summary; 1 event counters that disagree with the event summaries (by so many)"},
		{"left over", `INSERT INTO events SELECT 'gone', stories, size, copies, original, outlets, first_seen, last_seen FROM events WHERE event = 'e3'`,
			"1 event summaries of no event; 1 event counters that disagree with the event summaries (by so many)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "retold.db")
			s, err := Open(ctx, path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// Event e1 of two stories (s1 with a copy, s2), and e3.
			err = s.Update(ctx, func(tx retold.Tx) error {
				for i, text := range []string{"first text", "second text", "third text"} {
					d := &retold.StoredDocument{Document: retold.Document{ID: string(rune('a' + i)), Text: text, Outlet: "O", Date: "2024-05-0" + string(rune('1'+i))},
						Hash: uint64(i + 1)}
					if err := tx.PutDocument(d, nil); err != nil {
						return err
					}
				}
				if err := tx.PutCopy(&retold.Copy{ID: "a2", Seq: 1, Outlet: "P"}); err != nil {
					return err
				}
				return tx.MergeEvents("e1", "e2")
			})
			if err != nil {
				t.Fatal(err)
			}
			if problems, err := s.Check(ctx); err != nil || len(problems) != 0 {
				t.Fatalf("a healthy file: %v, %v", problems, err)
			}
			raw, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec(tc.corrupt); err != nil {
				t.Fatal(err)
			}
			problems, err := s.Check(ctx)
			if err != nil || !slices.Equal(problems, strings.Split(tc.want, "; ")) {
				t.Errorf("problems %q (%v), want %q", problems, err, tc.want)
			}
		})
	}
}
