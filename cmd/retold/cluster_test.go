package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
)

func TestClusterSkipsBadRecordsAndKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	a, b := storyFiles(t)
	textA, _ := os.ReadFile(a)
	textB, _ := os.ReadFile(b)
	rec := func(id string, text []byte) string {
		j, _ := json.Marshal(map[string]string{"id": id, "text": string(text)})
		return string(j)
	}
	lines := []string{
		rec("a", textA),
		`not json`,
		rec("b", textB),
		`{"id": "no-text"}`,
		rec("a", textB), // repeated id: the first is kept
		"{\"id\": \"bad\", \"text\": \"caf\xe9\"}",
		rec("c", textA), // an exact copy of a
	}
	in := writeFile(t, dir, "in.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	out := filepath.Join(dir, "out.jsonl")
	r := runCLI(t, "", "cluster", "--in", in, "--out", out)
	// Everything good is clustered; the exit status says records were
	// skipped.
	if r.code != 1 {
		t.Fatalf("exit %d, want 1, stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"in.jsonl:2:", "in.jsonl:4:", "in.jsonl:5: duplicate id", "in.jsonl:6:", "3 docs", "4 bad records skipped"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []clusterLine
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c clusterLine
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatalf("bad output line %q: %v", l, err)
		}
		got = append(got, c)
	}
	if len(got) != 3 || got[0].ID != "a" || got[1].ID != "b" || got[2].ID != "c" {
		t.Fatalf("output ids = %+v, want a, b, c in input order", got)
	}
	if got[2].Story != "a" || !got[0].Original || got[2].Original {
		t.Errorf("the copy c should join a's story with a as original: %+v", got)
	}

	if r := runCLI(t, "", "cluster", "--in", in, "--out", out, "--strict"); r.code != 1 || !strings.Contains(r.stderr, "in.jsonl:2:") {
		t.Errorf("--strict: exit %d, stderr %q; want 1 naming line 2", r.code, r.stderr)
	}
	if r := runCLI(t, "", "cluster", "--in", in); r.code != 2 {
		t.Errorf("missing --out: exit %d, want 2", r.code)
	}
	if r := runCLI(t, "", "cluster", "--in", filepath.Join(dir, "missing.jsonl"), "--out", out); r.code != 1 || !strings.Contains(r.stderr, "missing.jsonl") {
		t.Errorf("missing input: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestClusterTruncatedGzipKeepsRecordsBeforeTheCut(t *testing.T) {
	dir := t.TempDir()
	a, b := storyFiles(t)
	textA, _ := os.ReadFile(a)
	textB, _ := os.ReadFile(b)
	var sb strings.Builder
	for i := range 40 {
		text := textA
		if i%2 == 1 {
			text = textB
		}
		j, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("r%02d", i), "text": string(text)})
		sb.Write(j)
		sb.WriteByte('\n')
	}
	gz := gzipped(t, sb.String())
	in := writeFile(t, dir, "cut.jsonl.gz", gz[:len(gz)*2/3])
	out := filepath.Join(dir, "out.jsonl")
	r := runCLI(t, "", "cluster", "--in", in, "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "cut.jsonl.gz") || !strings.Contains(r.stderr, "truncated") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(data), "\n")
	if n == 0 || n >= 40 {
		t.Errorf("%d output lines, want the records before the cut (1 to 39)", n)
	}
	if r := runCLI(t, "", "cluster", "--in", in, "--out", out, "--strict"); r.code != 1 {
		t.Errorf("--strict on a truncated gzip: exit %d, want 1", r.code)
	}
}

func TestClusterSkipsHugeLine(t *testing.T) {
	dir := t.TempDir()
	a, _ := storyFiles(t)
	textA, _ := os.ReadFile(a)
	good, _ := json.Marshal(map[string]string{"id": "good", "text": string(textA)})
	p := filepath.Join(dir, "huge.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(good)
	f.WriteString("\n{\"id\": \"huge\", \"text\": \"")
	chunk := bytes.Repeat([]byte("abcdefghij"), 100_000)
	for range 50 {
		f.Write(chunk)
	}
	f.WriteString("\"}\n")
	f.Write(good[:len(good)-1])
	f.WriteString(`, "x": 1}` + "\n")
	f.Close()
	out := filepath.Join(dir, "out.jsonl")
	r := runCLI(t, "", "cluster", "--in", p, "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "huge.jsonl:2:") || !strings.Contains(r.stderr, "huge.jsonl:3: duplicate id") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// The command spools the corpus to disk; its labels must be those of
// clustering the same documents held in memory.
func TestClusterSpooledMatchesInMemory(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var docs []retold.Document
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var d retold.Document
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	as, _, err := cluster.Cluster(context.Background(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	for _, a := range as {
		j, _ := json.Marshal(clusterLine{ID: a.ID, Story: a.Story, Event: a.Event, Original: a.Original})
		want.Write(append(j, '\n'))
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jsonl")
	if r := runCLI(t, "", "cluster", "--in", in, "--out", out, "--tmp", dir); r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("spooled run:\n%s\nin memory:\n%s", got, want.Bytes())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "retold-spool-*")); len(left) != 0 {
		t.Errorf("spool files left behind: %v", left)
	}
	missing := filepath.Join(dir, "no-such-dir")
	if r := runCLI(t, "", "cluster", "--in", in, "--out", out, "--tmp", missing); r.code != 1 || !strings.Contains(r.stderr, "no-such-dir") {
		t.Errorf("--tmp missing: exit %d, stderr %q; want 1 naming the directory", r.code, r.stderr)
	}
}

// On a terminal the read shows its progress, and a bad record's report
// replaces the progress line instead of running on after it.
func TestClusterProgressOnATerminal(t *testing.T) {
	var b strings.Builder
	for i := range 1100 {
		if i == 1050 {
			b.WriteString("not json\n")
		}
		fmt.Fprintf(&b, "{\"id\": \"r%d\", \"text\": \"Record %d says the bridge over the river Aske reopened on day %d.\"}\n", i, i, i)
	}
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", []byte(b.String()))
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, stderrIsTerminal: true, getenv: func(string) string { return "" }}
	if code := run(context.Background(), e, []string{"cluster", "--in", in, "--out", filepath.Join(dir, "out.jsonl")}); code != 1 {
		t.Fatalf("exit %d, stderr:\n%q", code, stderr.String())
	}
	got := stderr.String()
	for _, want := range []string{"\r\033[Kreading 1024 records", "\r\033[K" + in + ":1051: ", "\r\033[Kcluster ", "cluster: 1100 docs"} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%q", want, got)
		}
	}
}

// TestClusterReadsAFolderOfPages clusters a folder as add reads one: a
// JSONL file and a text page, the page's id its path.
func TestClusterReadsAFolderOfPages(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	os.MkdirAll(corpus, 0o755)
	const text = "Floodwaters forced 2,300 residents of the river town from their homes on Monday, the civil protection agency said. The river rose 4.2 meters in twelve hours after three days of rain."
	j, _ := json.Marshal(map[string]string{"id": "first", "text": text})
	writeFile(t, corpus, "a.jsonl", append(j, '\n'))
	page := writeFile(t, corpus, "b.txt", []byte(text+"\n"))
	out := filepath.Join(dir, "out.jsonl")
	if r := runCLI(t, "", "cluster", "--in", corpus, "--out", out); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []clusterLine
	data, _ := os.ReadFile(out)
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c clusterLine
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatalf("bad output line %q: %v", l, err)
		}
		got = append(got, c)
	}
	if len(got) != 2 || got[0].ID != "first" || got[1].ID != page || got[0].Story != got[1].Story {
		t.Errorf("labels %+v: want first and %s in one story", got, page)
	}
}
