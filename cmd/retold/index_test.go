package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddMatchStoriesStoryRm(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "retold.db")
	orig, err := os.ReadFile(filepath.Join("demo", "original.txt"))
	if err != nil {
		t.Fatal(err)
	}
	version, err := os.ReadFile(filepath.Join("demo", "version.txt"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	writeFile(t, in, "a.txt", orig)
	writeFile(t, in, "notes.jsonl", []byte(`{"id":"n1","text":"A council meeting about the budget for the new library was postponed to June."}`+"\n"+"broken line\n"))
	v := writeFile(t, dir, "version.txt", version)

	r := runCLI(t, "", "match", "--db", db, v)
	if r.code == 0 || !strings.Contains(r.stderr, "no index there") {
		t.Errorf("match on a missing index: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "add", "--db", db, in)
	if r.code != 0 || !strings.Contains(r.stderr, "2 added") || !strings.Contains(r.stderr, "notes.jsonl:2:") {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "match", "--db", db, "--json", v)
	var m struct {
		Story string `json:"story"`
		Edges []struct {
			Verdict string `json:"verdict"`
		} `json:"edges"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || m.Story == "" || len(m.Edges) == 0 || m.Edges[0].Verdict != "version" {
		t.Fatalf("match: %v %s %s", err, r.stdout, r.stderr)
	}
	if r = runCLI(t, "", "add", "--db", db, v); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r = runCLI(t, "", "add", "--db", db, v); !strings.Contains(r.stderr, "1 already stored") {
		t.Errorf("second add of the same file: %s", r.stderr)
	}
	r = runCLI(t, "", "stories", "--db", db, "--json")
	var ss []struct {
		ID   string `json:"id"`
		Size int    `json:"size"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ss); err != nil || len(ss) != 2 {
		t.Fatalf("stories: %v %s", err, r.stdout)
	}
	big := ss[0]
	if ss[1].Size > big.Size {
		big = ss[1]
	}
	if big.Size != 2 || big.ID != m.Story {
		t.Errorf("stories %+v: want the matched story %s with both versions", ss, m.Story)
	}
	r = runCLI(t, "", "story", "--db", db, big.ID)
	// The header, then the two versions (each line ends with its [id]),
	// the original marked *; the version's brief lines are indented.
	if r.code != 0 || strings.Count(r.stdout, "]\n") != 2 || strings.Count(r.stdout, "\n* ") != 1 {
		t.Errorf("story: %s %s", r.stdout, r.stderr)
	}
	r = runCLI(t, "", "export", "--db", db, "--out", "-")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var first struct {
		ID       string `json:"id"`
		Story    string `json:"story"`
		Original bool   `json:"original"`
		Edges    []struct {
			With    string `json:"with"`
			Verdict string `json:"verdict"`
		} `json:"edges"`
	}
	if r.code != 0 || len(lines) != 3 || json.Unmarshal([]byte(lines[0]), &first) != nil {
		t.Fatalf("export: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if first.Story != big.ID || !first.Original || len(first.Edges) != 1 || first.Edges[0].Verdict != "version" {
		t.Errorf("export's first line: %+v", first)
	}
	if r = runCLI(t, "", "rm", "--db", db, "n1"); r.code != 0 {
		t.Errorf("rm: %s", r.stderr)
	}
	if r = runCLI(t, "", "rm", "--db", db, "n1"); r.code == 0 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("rm of a removed document: exit %d %s", r.code, r.stderr)
	}
	if r = runCLI(t, "", "add", "--db", db, filepath.Join(dir, "missing")); r.code == 0 || !strings.Contains(r.stderr, "missing") {
		t.Errorf("add of a missing path: exit %d %s", r.code, r.stderr)
	}
}

// TestMatchMany matches a JSONL file of documents: one line a document,
// named, and a summary with the index size and latencies.
func TestMatchMany(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "retold.db")
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	if r := runCLI(t, "", "add", "--db", db, corpus); r.code != 0 {
		t.Fatal(r.stderr)
	}
	b, err := os.ReadFile(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var first struct {
		ID, Text string
	}
	if err := json.Unmarshal([]byte(strings.SplitN(string(b), "\n", 2)[0]), &first); err != nil {
		t.Fatal(err)
	}
	probe, _ := json.Marshal(map[string]string{"id": "p1", "text": first.Text + "\n\nA sentence only a later edition has."})
	stranger, _ := json.Marshal(map[string]string{"id": "p2", "text": "The village choir rehearsed a new hymn on Thursday evening in the old chapel by the river."})
	probes := writeFile(t, dir, "probes.jsonl", []byte(string(probe)+"\n"+string(stranger)+"\nnot json\n"))
	r := runCLI(t, "", "match", "--db", db, "--json", probes)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("match: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	var m1, m2 struct {
		ID    string `json:"id"`
		Story string `json:"story"`
		Edges []any  `json:"edges"`
	}
	json.Unmarshal([]byte(lines[0]), &m1)
	json.Unmarshal([]byte(lines[1]), &m2)
	if m1.ID != "p1" || m1.Story == "" || len(m1.Edges) == 0 || m2.ID != "p2" || m2.Story != "" {
		t.Errorf("match lines: %+v %+v", m1, m2)
	}
	if !strings.Contains(r.stderr, "probes.jsonl:3:") || !strings.Contains(r.stderr, "match: 2 documents (1 bad records skipped)") ||
		!strings.Contains(r.stderr, "p99") {
		t.Errorf("match summary: %s", r.stderr)
	}
}
