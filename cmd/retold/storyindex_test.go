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
	if r.code != 1 || !strings.Contains(r.stderr, "2 added") || !strings.Contains(r.stderr, "notes.jsonl:2:") {
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

// TestWireCopiesEveryOutletListed: three outlets run one wire text. add
// keeps all three records, story works for each id, the story lists the
// three outlets, and export has a row for each, with its outlet.
func TestWireCopiesEveryOutletListed(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "retold.db")
	text := "SANTIAGO (Wire) — A magnitude 6.2 earthquake shook central Chile on Monday, cracking walls in Valparaiso and cutting power to 40,000 homes, officials said.\n\nNo deaths were reported, the emergency office said."
	var lines []string
	for _, r := range [][3]string{{"w1", "Wire", "2024-06-03"}, {"w2", "Houston Herald (Wire)", "2024-06-03"}, {"w3", "Seattle Daily (Wire)", "2024-06-04"}} {
		b, _ := json.Marshal(map[string]string{"id": r[0], "outlet": r[1], "date": r[2], "title": "Quake shakes Chile", "url": "https://example.org/" + r[0], "text": text})
		lines = append(lines, string(b))
	}
	in := writeFile(t, dir, "wire.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	r := runCLI(t, "", "add", "--db", db, in)
	if r.code != 0 || !strings.Contains(r.stderr, "1 added, 2 copies of stored texts kept") {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	for _, id := range []string{"w1", "w2", "w3"} {
		r = runCLI(t, "", "story", "--db", db, id)
		if r.code != 0 || !strings.Contains(r.stdout, "ran in 3 outlets (2 copies)") || !strings.Contains(r.stdout, "[w3]") {
			t.Errorf("story %s: exit %d: %s %s", id, r.code, r.stdout, r.stderr)
		}
	}
	r = runCLI(t, "", "stories", "--db", db, "--json")
	var ss []struct {
		Outlets []string `json:"outlets"`
		Copies  int      `json:"copies"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ss); err != nil || len(ss) != 1 || len(ss[0].Outlets) != 3 || ss[0].Copies != 2 {
		t.Errorf("stories: %v %s", err, r.stdout)
	}
	r = runCLI(t, "", "export", "--db", db, "--out", "-")
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(rows) != 3 {
		t.Fatalf("export: %d rows: %s %s", len(rows), r.stdout, r.stderr)
	}
	var last struct {
		ID, Outlet, URL, Date, Title, Story string
		CopyOf                              string `json:"copy_of"`
	}
	if err := json.Unmarshal([]byte(rows[2]), &last); err != nil || last.ID != "w3" || last.Outlet != "Seattle Daily (Wire)" ||
		last.CopyOf != "w1" || last.URL != "https://example.org/w3" || last.Date != "2024-06-04" || last.Title == "" || last.Story == "" {
		t.Errorf("export row 3: %v %+v", err, last)
	}
}

// TestReadCommandsNeverCreateAnIndex: stories, story, events, event,
// match, export and serve refuse a missing file, an empty file and a file that is not
// SQLite, and leave it as it was.
func TestReadCommandsNeverCreateAnIndex(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.db", nil)
	text := writeFile(t, dir, "notes.db", []byte("not a database\n"))
	missing := filepath.Join(dir, "typo.db")
	probe := writeFile(t, dir, "probe.txt", []byte("A probe text about a council meeting."))
	for _, db := range []string{empty, text, missing} {
		for _, args := range [][]string{
			{"stories", "--db", db},
			{"story", "--db", db, "s1"},
			{"events", "--db", db},
			{"event", "--db", db, "e1"},
			{"match", "--db", db, probe},
			{"export", "--db", db, "--out", filepath.Join(dir, "out.jsonl")},
			{"serve", "--db", db, "--addr", "127.0.0.1:0"},
		} {
			before, statErr := os.ReadFile(db)
			r := runCLI(t, "", args...)
			if r.code != 1 {
				t.Errorf("%s on %s: exit %d, want 1: %s", args[0], filepath.Base(db), r.code, r.stderr)
			}
			after, err := os.ReadFile(db)
			if statErr != nil {
				if err == nil {
					t.Errorf("%s created %s", args[0], filepath.Base(db))
				}
			} else if string(before) != string(after) {
				t.Errorf("%s changed %s", args[0], filepath.Base(db))
			}
		}
	}
}

// TestFlagsAreValidated: nonsense flag values are usage errors, not
// silently empty or default results; rm removes every id it can.
func TestFlagsAreValidated(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "retold.db")
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	if r := runCLI(t, "", "add", "--db", db, corpus); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, args := range [][]string{
		{"stories", "--db", db, "--since", "garbage"},
		{"stories", "--db", db, "--since", "2024-13"},
		{"stories", "--db", db, "--limit", "0"},
		{"cluster", "--in", corpus, "--out", filepath.Join(dir, "l.jsonl"), "--workers", "-3"},
		{"dedup", "--in", corpus, "--out", filepath.Join(dir, "k.jsonl"), "--workers", "-3"},
	} {
		if r := runCLI(t, "", args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage): %s", args, r.code, r.stderr)
		}
	}
	for _, since := range []string{"2024", "2024-05", "2024-05-01", "2024-05-01T10:00:00Z"} {
		if r := runCLI(t, "", "stories", "--db", db, "--since", since); r.code != 0 {
			t.Errorf("--since %s: exit %d: %s", since, r.code, r.stderr)
		}
	}
	// rm goes on past an unknown id, and says which ones failed.
	var ids []struct {
		ID string `json:"id"`
	}
	r := runCLI(t, "", "export", "--db", db, "--out", "-")
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n")[:2] {
		var x struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(line), &x)
		ids = append(ids, x)
	}
	r = runCLI(t, "", "rm", "--db", db, ids[0].ID, "no-such-id", ids[1].ID)
	if r.code != 1 || !strings.Contains(r.stderr, "no-such-id") {
		t.Errorf("rm with an unknown id: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "export", "--db", db, "--out", "-")
	if strings.Contains(r.stdout, `"id":"`+ids[1].ID+`"`) {
		t.Errorf("rm stopped at the unknown id: %s is still stored", ids[1].ID)
	}
}

// TestCheckAndBackupCommands: check says ok on a good index, backup
// writes a copy that checks ok and lists the same stories.
func TestCheckAndBackupCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "retold.db")
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	if r := runCLI(t, "", "add", "--db", db, corpus); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, "", "check", "--db", db); r.code != 0 || !strings.Contains(r.stdout, ": ok") {
		t.Errorf("check: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	copyDB := filepath.Join(dir, "copy.db")
	if r := runCLI(t, "", "backup", "--db", db, "--out", copyDB); r.code != 0 {
		t.Fatalf("backup: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "backup", "--db", db, "--out", copyDB); r.code != 1 {
		t.Errorf("backup over an existing file: exit %d, want 1", r.code)
	}
	if r := runCLI(t, "", "check", "--db", copyDB); r.code != 0 {
		t.Errorf("check of the copy: exit %d: %s", r.code, r.stdout)
	}
	a := runCLI(t, "", "stories", "--db", db, "--json", "--limit", "1000")
	b := runCLI(t, "", "stories", "--db", copyDB, "--json", "--limit", "1000")
	if a.stdout != b.stdout || a.code != 0 {
		t.Errorf("the copy lists other stories than the index")
	}
}

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	if r := runCLI(t, "", "add", "--db", db, corpus); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "migrate", "--db", db); r.code != 0 || !strings.Contains(r.stderr, "is at schema version") {
		t.Errorf("migrate: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "migrate", "--db", filepath.Join(dir, "typo.db")); r.code != 1 {
		t.Errorf("migrate of a missing file: exit %d, want 1", r.code)
	}
}

// TestMatchUsesThePostingsSnapshot: add leaves FILE.postings beside the
// index, match loads it and answers as without it, and a snapshot that
// is spoilt or stale is noted, ignored, and saved again by the match
// that had to build the index.
func TestMatchUsesThePostingsSnapshot(t *testing.T) {
	defer func(n int64) { snapshotLag = n }(snapshotLag)
	snapshotLag = 1
	dir := t.TempDir()
	db := filepath.Join(dir, "retold.db")
	snap := db + ".postings"
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	if r := runCLI(t, "", "add", "--db", db, corpus); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if _, err := os.Stat(snap); err != nil {
		t.Fatalf("add left no snapshot: %v", err)
	}
	b, err := os.ReadFile(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var first struct{ ID, Text string }
	if err := json.Unmarshal([]byte(strings.SplitN(string(b), "\n", 2)[0]), &first); err != nil {
		t.Fatal(err)
	}
	probe, _ := json.Marshal(map[string]string{"id": "p1", "text": first.Text + "\n\nA sentence only a later edition has."})
	probes := writeFile(t, dir, "probe.jsonl", probe)
	match := func(wantNote string) string {
		t.Helper()
		r := runCLI(t, "", "match", "--db", db, "--json", probes)
		if r.code != 0 || !strings.Contains(r.stdout, `"edges"`) {
			t.Fatalf("match: exit %d, %s %s", r.code, r.stdout, r.stderr)
		}
		if got := strings.Contains(r.stderr, "note: the postings snapshot was not used"); got != (wantNote != "") || !strings.Contains(r.stderr, wantNote) {
			t.Errorf("match's stderr %q, want a note saying %q", r.stderr, wantNote)
		}
		return r.stdout
	}
	want := match("")
	os.Remove(snap)
	if got := match(""); got != want {
		t.Errorf("without the snapshot: %s, with it %s", got, want)
	}
	if _, err := os.Stat(snap); err != nil {
		t.Fatalf("a match that built the index saved no snapshot: %v", err)
	}
	sb, _ := os.ReadFile(snap)
	os.WriteFile(snap, sb[:len(sb)/2], 0o644)
	if got := match("truncated"); got != want {
		t.Errorf("with a truncated snapshot: %s, want %s", got, want)
	}
	if got := match(""); got != want {
		t.Errorf("saved again: %s, want %s", got, want)
	}
	// c08's text is its own (c01's ran in c14 too: removing c01 hands
	// the text to c14 and deletes nothing).
	if r := runCLI(t, "", "rm", "--db", db, "c08"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	match("stale")
	match("")
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
