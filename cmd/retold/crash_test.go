package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/pgtest"
	"github.com/retold/retold/store/postgres"
	_ "modernc.org/sqlite"
)

// TestMain lets the test binary stand in for the retold command: with
// RETOLD_TEST_AS_MAIN set it runs main on its arguments, so tests can run
// (and kill) a real child process.
func TestMain(m *testing.M) {
	if os.Getenv("RETOLD_TEST_AS_MAIN") != "" {
		main()
		return
	}
	os.Exit(m.Run())
}

// crashCorpus writes an invented corpus of n records: originals of random
// words and versions of earlier ones, so that adding it builds stories.
func crashCorpus(t *testing.T, path string, n int) {
	r := rand.New(rand.NewPCG(7, 7))
	var texts []string
	var b strings.Builder
	for i := range n {
		var words []string
		if i < 5 || r.IntN(3) > 0 {
			for range 80 + r.IntN(120) {
				words = append(words, fmt.Sprintf("w%d", int(3000*r.Float64()*r.Float64())))
			}
		} else {
			words = strings.Fields(texts[r.IntN(len(texts))])
			for range 1 + len(words)/40 {
				words[r.IntN(len(words))] = fmt.Sprintf("x%d", r.IntN(9999))
			}
		}
		text := strings.Join(words, " ")
		texts = append(texts, text)
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("c%04d", i), "text": text})
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dbState is what the crash test compares: integrity, and each stored
// document's labels.
func dbState(t *testing.T, path string) (integrity string, labels map[string]string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil {
		t.Fatal(err)
	}
	var orphans int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM doc_keys WHERE seq NOT IN (SELECT seq FROM documents)) +
		(SELECT count(*) FROM edges WHERE a NOT IN (SELECT seq FROM documents) OR b NOT IN (SELECT seq FROM documents))`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d key rows or edges point at no document", orphans)
	}
	// Every document with text has its key row: the two are written in
	// one transaction.
	var keyless int
	if err := db.QueryRow(`SELECT count(*) FROM documents WHERE seq NOT IN (SELECT seq FROM doc_keys)`).Scan(&keyless); err != nil {
		t.Fatal(err)
	}
	if keyless != 0 {
		t.Errorf("%d documents have no key row", keyless)
	}
	rows, err := db.Query(`SELECT id, story || ' ' || event FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	labels = map[string]string{}
	for rows.Next() {
		var id, l string
		if err := rows.Scan(&id, &l); err != nil {
			t.Fatal(err)
		}
		labels[id] = l
	}
	return integrity, labels
}

// TestAddSurvivesKill9 kills a real `retold add` at random moments, 20
// times, and checks after each kill that the database is intact and
// consistent, that the documents it holds keep growing (a committed batch
// is never lost), and that re-running the same add finishes the job with
// exactly the labels of an add that was never interrupted.
func TestAddSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills 20 processes")
	}
	dir := t.TempDir()
	killAdds(t, dir, filepath.Join(dir, "clean.db"), filepath.Join(dir, "crashed.db"),
		func(db string) (bool, map[string]string) {
			if _, err := os.Stat(db); err != nil {
				return false, nil // killed before the file existed
			}
			integrity, labels := dbState(t, db)
			if integrity != "ok" {
				t.Fatalf("integrity_check says %q", integrity)
			}
			return true, labels
		},
		func(db string) string {
			os.Remove(db)
			os.Remove(db + "-wal")
			os.Remove(db + "-shm")
			return db
		})
}

// TestAddSurvivesKill9OnPostgres is TestAddSurvivesKill9 against a
// PostgreSQL server.
func TestAddSurvivesKill9OnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills 20 processes")
	}
	killAdds(t, t.TempDir(), pgtest.NewDatabase(t), pgtest.NewDatabase(t),
		func(db string) (bool, map[string]string) { return true, pgState(t, db) },
		func(string) string { return pgtest.NewDatabase(t) }) // start over in an empty database
}

// pgState is each document's labels in a PostgreSQL index, after
// checking that no edge points at a document that is not there.
func pgState(t *testing.T, dsn string) map[string]string {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, &postgres.Options{ReadOnly: true, NoMigrate: true})
	if errors.Is(err, postgres.ErrOlderSchema) {
		return map[string]string{} // killed before the schema was made
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	labels := map[string]string{}
	err = st.View(context.Background(), func(tx retold.ReadTx) error {
		docs, err := tx.Documents(0, 1<<30)
		if err != nil {
			return err
		}
		seqs := map[int64]bool{}
		for _, d := range docs {
			seqs[d.Seq] = true
			labels[d.ID] = d.Story + " " + d.Event
		}
		for _, d := range docs {
			es, err := tx.Edges(d.Seq)
			if err != nil {
				return err
			}
			for _, e := range es {
				if !seqs[e.A] || !seqs[e.B] {
					t.Errorf("edge %d-%d points at a document that is not there", e.A, e.B)
				}
			}
		}
		var keyless int
		err = tx.Keys(0, func(seq int64, _ []uint64) error {
			if !seqs[seq] {
				keyless++
			}
			return nil
		})
		if keyless != 0 {
			t.Errorf("%d key rows of no document", keyless)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return labels
}

// killAdds runs the kill test of an index kind: state reads an index
// (false: there is none yet), reset gives an empty one in place of the
// crashed one, so that a run that finished before its kill can start
// over.
func killAdds(t *testing.T, dir, clean, crashed string, state func(db string) (bool, map[string]string), reset func(db string) string) {
	t.Helper()
	corpus := filepath.Join(dir, "corpus.jsonl")
	crashCorpus(t, corpus, 600)
	child := func(db string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "add", "--db", db, corpus)
		cmd.Env = append(os.Environ(), "RETOLD_TEST_AS_MAIN=1")
		return cmd
	}
	began := time.Now()
	if out, err := child(clean).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted add: %v\n%s", err, out)
	}
	// Kills fall anywhere in the time an uninterrupted add takes.
	run := time.Since(began)
	_, want := state(clean)

	db := crashed
	r := rand.New(rand.NewPCG(1, 9))
	prev := 0
	kills := 0
	var progress []int
	for kills < 20 {
		cmd := child(db)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-time.After(time.Duration(r.Int64N(int64(run)))):
			cmd.Process.Kill() // SIGKILL
			<-done
			kills++
		case err := <-done:
			if err != nil {
				t.Fatalf("add exited with %v before it could be killed", err)
			}
			// It finished: start over from an empty database to get
			// more kills in.
			db = reset(db)
			prev = 0
			progress = append(progress, -1) // finished; started over
			continue
		}
		ok, got := state(db)
		if !ok {
			continue
		}
		if len(got) < prev {
			t.Fatalf("kill %d: %d documents, fewer than the %d of the kill before", kills, len(got), prev)
		}
		prev = len(got)
		progress = append(progress, prev)
	}
	t.Logf("uninterrupted add %v; documents stored after each kill: %v", run.Round(time.Millisecond), progress)
	if slices.Max(progress) <= 0 {
		t.Fatal("no kill came after a commit: the test proved nothing")
	}
	if out, err := child(db).CombinedOutput(); err != nil {
		t.Fatalf("add after the kills: %v\n%s", err, out)
	}
	_, got := state(db)
	if len(got) != len(want) {
		t.Fatalf("after finishing: %d documents, want %d", len(got), len(want))
	}
	for id, l := range want {
		if got[id] != l {
			t.Errorf("%s: labels %q after the kills, %q uninterrupted", id, got[id], l)
		}
	}
}
