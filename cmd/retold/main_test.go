package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	retold "github.com/retold/retold"
)

// The story pair is invented for these tests: a local council report and a
// lightly edited copy in which one number changed (14 -> 16 weeks) and one
// name was respelled (Kowalsky -> Kowalski).
const (
	storyA = `Millbrook council approves Alder Street bridge repair

The Millbrook town council voted 7 to 2 on Monday to repair the Alder Street bridge, which has been closed to trucks since March.
The repairs will cost 1.8 million dollars and should take about 14 weeks, according to the town engineer, Marta Kowalsky.
Kowalsky told the council that two of the steel supports under the bridge had rusted through.
Mayor Dennis Orloff said the town would pay for the work from its reserve fund and a state grant.
Residents who live near the bridge have complained about detours that add 20 minutes to their commute.
Work is expected to begin in early June, weather permitting.
The bridge was built in 1962 and was last repaired in 1994.
Councillor Ruth Abara, who voted against the plan, said the town should build a new bridge instead.
`
	storyB = `Millbrook council approves Alder Street bridge repair

The Millbrook town council voted 7 to 2 on Monday to repair the Alder Street bridge, which has been closed to trucks since March.
The repairs will cost 1.8 million dollars and should take about 16 weeks, according to the town engineer, Marta Kowalski.
Kowalski told the council that two of the steel supports under the bridge had rusted through.
Mayor Dennis Orloff said the town would pay for the work from its reserve fund and a state grant.
Residents who live near the bridge have complained about detours that add 20 minutes to their commute.
Work is expected to begin in early June, weather permitting.
The bridge was built in 1962 and was last repaired in 1994.
Councillor Ruth Abara, who voted against the plan, said the town should build a new bridge instead.
`
)

// result is what one in-process run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command in-process with args, stdin as standard input
// and no terminal, and fails the test if it takes longer than a few
// seconds (a hang or a slow path on bad input).
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(stdin),
		stdout: &stdout,
		stderr: &stderr,
		getenv: func(string) string { return "" },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	code := run(ctx, e, args)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("retold %s took %v", strings.Join(args, " "), d)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeFile writes data to name in dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// storyFiles writes the two story texts and returns their paths.
func storyFiles(t *testing.T) (a, b string) {
	t.Helper()
	dir := t.TempDir()
	return writeFile(t, dir, "a.txt", []byte(storyA)), writeFile(t, dir, "b.txt", []byte(storyB))
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeHugeLine writes a 50 MB file that is one line of letters, without
// holding it in memory.
func writeHugeLine(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "huge.txt")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("abcdefghij"), 100_000) // 1 MB
	for range 50 {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputFailsWithOneLineNamingTheFile(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.txt", []byte(storyA))
	subdir := filepath.Join(dir, "adir")
	if err := os.Mkdir(subdir, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		code int
		// file is the input the message must name; empty when there is none.
		file string
		// want are further substrings the message must hold.
		want []string
		// knownBug, when set, names a bug in the non-test code that
		// makes stderr longer than one line (see check).
		knownBug string
	}{
		{
			name: "missing file",
			args: []string{"compare", filepath.Join(dir, "missing.txt"), good},
			code: 1, file: "missing.txt", want: []string{"no such file"},
		},
		{
			name: "directory",
			args: []string{"compare", subdir, good},
			code: 1, file: "adir", want: []string{"directory"},
		},
		{
			name: "empty file",
			args: []string{"compare", writeFile(t, dir, "empty.txt", nil), good},
			code: 1, file: "empty.txt", want: []string{"empty"},
		},
		{
			name: "white space only",
			args: []string{"compare", good, writeFile(t, dir, "blank.txt", []byte(" \n\t\r\n   \n"))},
			code: 1, file: "blank.txt", want: []string{"white space"},
		},
		{
			name: "NUL bytes",
			args: []string{"compare", writeFile(t, dir, "nul.bin", []byte("some words\x00\x01\x02more words")), good},
			code: 1, file: "nul.bin", want: []string{"binary", "NUL"},
		},
		{
			name: "gzip file",
			args: []string{"compare", good, writeFile(t, dir, "story.txt.gz", gzipped(t, storyB))},
			code: 1, file: "story.txt.gz", want: []string{"binary", "gzip"},
		},
		{
			name: "invalid UTF-8",
			args: []string{"compare", writeFile(t, dir, "latin1.txt", []byte("First line is fine.\nThe caf\xe9 opened on Monday.\n")), good},
			code: 1, file: "latin1.txt", want: []string{"invalid UTF-8", "line 2"},
		},
		{
			name: "50 MB single line",
			args: []string{"compare", writeHugeLine(t, dir), good},
			code: 1, file: "huge.txt", want: []string{"input too large"},
		},
		{
			// Under MaxBytes, so this one reaches the per-line limit.
			name: "2 MB single line",
			args: []string{"compare", good, writeFile(t, dir, "longline.txt", bytes.Repeat([]byte("word "), 400_000))},
			code: 1, file: "longline.txt", want: []string{"input too large", "line 1"},
		},
		{
			name: "empty stdin",
			args: []string{"compare", "-", good},
			code: 1, file: "stdin", want: []string{"empty"},
		},
		{
			name: "one argument",
			args: []string{"compare", good},
			code: 2, want: []string{"want two inputs, got 1"},
		},
		{
			name: "three arguments",
			args: []string{"compare", good, good, good},
			code: 2, want: []string{"want two inputs, got 3"},
		},
		{
			name: "no arguments to compare",
			args: []string{"compare"},
			code: 2, want: []string{"want two inputs, got 0"},
		},
		{
			name: "unknown flag",
			args: []string{"compare", "--bogus", good, good},
			code: 2, want: []string{"-bogus"},
		},
		{
			name: "both inputs stdin",
			args: []string{"compare", "-", "-"},
			code: 2, want: []string{"stdin"},
		},
		{
			name: "unknown subcommand",
			args: []string{"frobnicate", "a", "b"},
			code: 2, want: []string{"frobnicate", "unknown command"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty, got:\n%s", r.stdout)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stderr looks like a panic:\n%s", r.stderr)
			}
			// The message that matters is the last line: run writes it
			// after anything the flag package printed.
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			msg := lines[len(lines)-1]
			if !strings.HasSuffix(r.stderr, "\n") {
				t.Errorf("stderr should end with a newline: %q", r.stderr)
			}
			if tt.file != "" && !strings.Contains(msg, tt.file) {
				t.Errorf("message does not name %s: %q", tt.file, msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q: %q", w, msg)
				}
			}
			oneLine := len(lines) == 1 && msg != ""
			check(t, tt.knownBug, oneLine, "stderr should be exactly one line, got %d:\n%s", len(lines), r.stderr)
		})
	}
}

// check reports a failed expectation (ok false) with t.Errorf, unless
// knownBug names a bug in the non-test code that breaks it: then the test
// is skipped with that bug, and once the expectation holds the test fails
// so that the marker gets removed.
func check(t *testing.T, knownBug string, ok bool, format string, args ...any) {
	t.Helper()
	switch {
	case knownBug != "" && ok:
		t.Errorf("fixed now; drop the knownBug marker %q", knownBug)
	case knownBug != "":
		t.Skipf("known bug: %s; "+format, append([]any{knownBug}, args...)...)
	case !ok:
		t.Errorf(format, args...)
	}
}

// keys fails the test unless m is a JSON object holding every key in want,
// and returns it as one.
func keys(t *testing.T, where string, m any, want ...string) map[string]any {
	t.Helper()
	obj, ok := m.(map[string]any)
	if !ok {
		t.Fatalf("%s: want a JSON object, got %T", where, m)
	}
	for _, k := range want {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: missing key %q (have %v)", where, k, slices.Sorted(maps.Keys(obj)))
		}
	}
	return obj
}

// array fails the test unless v is a JSON array (null is not one: the
// schema promises empty arrays, not null).
func array(t *testing.T, where string, v any) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: want a JSON array, got %T (%v)", where, v, v)
	}
	return a
}

// decodeJSON decodes out as one JSON value into generic maps, so that a
// renamed key in the schema fails the test where a struct would not.
func decodeJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", out)
	}
	return keys(t, "top level", v)
}

func TestCompareJSONSchema(t *testing.T) {
	a, b := storyFiles(t)
	r := runCLI(t, "", "compare", a, b, "--json")
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr should be empty, got:\n%s", r.stderr)
	}
	top := keys(t, "top level", decodeJSON(t, r.stdout),
		"verdict", "score", "alignment", "only_in_a", "only_in_b", "facts")

	switch v := top["verdict"]; v {
	case "duplicate", "near-duplicate", "version":
	default:
		t.Errorf("verdict %v, want duplicate, near-duplicate or version", v)
	}
	if s, ok := top["score"].(float64); !ok || s < 0 || s > 1 {
		t.Errorf("score %v, want a number in [0, 1]", top["score"])
	}

	alignment := array(t, "alignment", top["alignment"])
	if len(alignment) == 0 {
		t.Error("alignment is empty for two near-identical texts")
	}
	for _, p := range alignment {
		keys(t, "alignment item", p, "a", "b", "a_text", "b_text", "similarity")
	}
	array(t, "only_in_a", top["only_in_a"])
	array(t, "only_in_b", top["only_in_b"])

	facts := keys(t, "facts", top["facts"], "numbers", "entities")
	numbers := keys(t, "facts.numbers", facts["numbers"], "same", "changed", "only_in_a", "only_in_b")
	for _, k := range []string{"same", "only_in_a", "only_in_b"} {
		for _, n := range array(t, "facts.numbers."+k, numbers[k]) {
			keys(t, "facts.numbers."+k+" item", n, "value", "context")
		}
	}
	var found bool
	for _, c := range array(t, "facts.numbers.changed", numbers["changed"]) {
		ch := keys(t, "facts.numbers.changed item", c, "a", "b")
		ca := keys(t, "facts.numbers.changed[].a", ch["a"], "value", "context")
		cb := keys(t, "facts.numbers.changed[].b", ch["b"], "value", "context")
		if ca["value"] == "14" && cb["value"] == "16" {
			found = true
			if ctx, _ := ca["context"].(string); !strings.Contains(ctx, "weeks") {
				t.Errorf("context of the changed number %q lacks the word next to it", ctx)
			}
		}
	}
	if !found {
		t.Errorf("facts.numbers.changed lacks 14 -> 16: %v", numbers["changed"])
	}
	if n := len(array(t, "facts.numbers.same", numbers["same"])); n == 0 {
		t.Error("facts.numbers.same is empty, but the texts share 7, 2, 20, 1962 and 1994")
	}

	entities := keys(t, "facts.entities", facts["entities"], "same", "variants", "only_in_a", "only_in_b")
	for _, k := range []string{"same", "only_in_a", "only_in_b"} {
		array(t, "facts.entities."+k, entities[k])
	}
	found = false
	for _, v := range array(t, "facts.entities.variants", entities["variants"]) {
		vr := keys(t, "facts.entities.variants item", v, "a", "b")
		if vr["a"] == "Kowalsky" && vr["b"] == "Kowalski" {
			found = true
		}
	}
	if !found {
		t.Errorf("facts.entities.variants lacks Kowalsky / Kowalski: %v", entities["variants"])
	}
}

func TestCompareArgumentForms(t *testing.T) {
	a, b := storyFiles(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
		// json says whether stdout must be JSON (else the text report).
		json bool
		// nameA is how the report must name the first input.
		nameA string
	}{
		{name: "flag first", args: []string{"compare", "--json", a, b}, json: true, nameA: "a.txt"},
		{name: "flag last", args: []string{"compare", a, b, "--json"}, json: true, nameA: "a.txt"},
		{name: "flag between", args: []string{"compare", a, "--json", b}, json: true, nameA: "a.txt"},
		{name: "single-dash flag last", args: []string{"compare", a, b, "-json"}, json: true, nameA: "a.txt"},
		{name: "stdin first", stdin: storyA, args: []string{"compare", "-", b}, nameA: "stdin"},
		{name: "stdin second with JSON", stdin: storyB, args: []string{"compare", a, "-", "--json"}, json: true, nameA: "a.txt"},
		{name: "double dash ends flags", args: []string{"compare", "--json", a, "--", b}, json: true, nameA: "a.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, tt.args...)
			if r.code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
			}
			if tt.json {
				top := decodeJSON(t, r.stdout)
				info := keys(t, "a", top["a"], "name")
				// The name is the path as given (or "stdin"); only its
				// last element is fixed here.
				if name, _ := info["name"].(string); filepath.Base(name) != tt.nameA {
					t.Errorf("a.name %q, want a name ending in %s", name, tt.nameA)
				}
				return
			}
			if !strings.Contains(r.stdout, "verdict: ") {
				t.Errorf("text report lacks a verdict line:\n%s", r.stdout)
			}
			first, _, _ := strings.Cut(r.stdout, "\n")
			if !strings.HasPrefix(first, "A: ") || !strings.HasSuffix(first, tt.nameA) {
				t.Errorf("text report should start with A: ...%s, got:\n%.80s", tt.nameA, r.stdout)
			}
		})
	}
}

func TestCompareIsDeterministic(t *testing.T) {
	a, b := storyFiles(t)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"compare text", []string{"compare", a, b}},
		{"compare json", []string{"compare", a, b, "--json"}},
		{"demo text", []string{"demo"}},
		{"demo json", []string{"demo", "--json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			first := runCLI(t, "", args...)
			if first.code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", first.code, first.stderr)
			}
			if first.stdout == "" {
				t.Fatal("no output")
			}
			for range 3 {
				again := runCLI(t, "", args...)
				if again.stdout != first.stdout {
					t.Fatalf("second run differs from the first:\n--- first\n%s\n--- again\n%s", first.stdout, again.stdout)
				}
			}
		})
	}
}

func TestDemo(t *testing.T) {
	t.Run("text", func(t *testing.T) {
		r := runCLI(t, "", "demo")
		if r.code != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
		}
		var verdict string
		for _, line := range strings.Split(r.stdout, "\n") {
			if rest, ok := strings.CutPrefix(line, "verdict: "); ok {
				verdict = strings.Fields(rest)[0]
				break
			}
		}
		if verdict == "" {
			t.Fatalf("no verdict line in:\n%s", r.stdout)
		}
	})
	t.Run("json", func(t *testing.T) {
		r := runCLI(t, "", "demo", "--json")
		if r.code != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
		}
		top := keys(t, "top level", decodeJSON(t, r.stdout), "verdict")
		switch v := top["verdict"]; v {
		case "duplicate", "near-duplicate", "version":
		default:
			t.Errorf("demo verdict %v, want version or closer", v)
		}
	})
	t.Run("html", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "demo.html")
		r := runCLI(t, "", "demo", "--html", out)
		if r.code != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
		}
		page := readPage(t, out)
		if strings.Contains(strings.ToLower(page), "<script") {
			t.Error("the demo page holds a <script")
		}
		if !strings.Contains(page, "Sultanov") || !strings.Contains(page, "Soultanov") {
			t.Error("the demo page lacks the text of both articles")
		}
	})
}

// readPage reads the HTML page at path and checks that it is one.
func readPage(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the page was not written: %v", err)
	}
	page := string(data)
	if !strings.HasPrefix(strings.ToLower(page), "<!doctype html>") {
		t.Errorf("page does not start with <!doctype html>: %.40q", page)
	}
	return page
}

func TestCompareHTMLEscapesTitle(t *testing.T) {
	const attack = "<script>alert(1)</script>"
	dir := t.TempDir()
	rec, err := json.Marshal(map[string]string{"id": "council-a", "title": attack, "text": storyA})
	if err != nil {
		t.Fatal(err)
	}
	a := writeFile(t, dir, "a.json", rec)
	b := writeFile(t, dir, "b.txt", []byte(storyB))
	out := filepath.Join(dir, "out.html")

	r := runCLI(t, "", "compare", "--html", out, a, b)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "verdict: ") {
		t.Errorf("--html should still print the report; got:\n%s", r.stdout)
	}
	page := readPage(t, out)
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Errorf("the page holds a <script; the title was not escaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the page lacks the escaped title")
	}
	if !strings.Contains(page, "council-a") {
		t.Errorf("the page lacks the record id")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the directory should hold a.json, b.txt and out.html only, has %v", names)
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"help"}, 0},
		{"-h", []string{"-h"}, 0},
		{"--help", []string{"--help"}, 0},
		{"no arguments", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit status %d, want %d", r.code, tt.code)
			}
			for _, c := range commands() {
				if !strings.Contains(r.stdout, c.name) {
					t.Errorf("help lacks the %s command:\n%s", c.name, r.stdout)
				}
			}
		})
	}
}

// After "--" every argument is an input, even one that looks like a flag.
func TestDoubleDashEndsFlags(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte(storyA))
	writeFile(t, dir, "-b.txt", []byte(storyB))
	t.Chdir(dir)
	const bug = "parseInterspersed hands the arguments after a consumed \"--\" back to fs.Parse"

	tests := []struct {
		name     string
		args     []string
		code     int
		json     bool
		knownBug string
	}{
		{name: "dash-named file after --", args: []string{"compare", "--json", "a.txt", "--", "-b.txt"}, code: 0, json: true},
		{name: "-- before both inputs", args: []string{"compare", "--json", "--", "a.txt", "-b.txt"}, code: 0, json: true},
		{name: "--json after -- is an input", args: []string{"compare", "a.txt", "--", "-b.txt", "--json"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			ok := r.code == tt.code && (!tt.json || json.Valid([]byte(r.stdout)))
			check(t, tt.knownBug, ok, "exit status %d, want %d (JSON output wanted: %v); stderr:\n%s", r.code, tt.code, tt.json, r.stderr)
		})
	}
}

// TestInterruptedRunExits130: a command whose context is cancelled (the
// first Ctrl-C or SIGTERM) stops and exits 130, for each long command.
func TestInterruptedRunExits130(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	for _, args := range [][]string{
		{"cluster", "--in", corpus, "--out", filepath.Join(dir, "labels.jsonl")},
		{"dedup", "--in", corpus, "--out", filepath.Join(dir, "kept.jsonl")},
		{"add", "--db", filepath.Join(dir, "retold.db"), corpus},
		{"compare", corpus, corpus},
		{"demo"},
	} {
		var stdout, stderr bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if code := run(ctx, e, args); code != exitInterrupted {
			t.Errorf("retold %s, interrupted: exit %d, want %d; stderr %q", args[0], code, exitInterrupted, stderr.String())
		}
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		r := runCLI(t, "", arg)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "retold ") || !strings.Contains(r.stdout, "go1.") {
			t.Errorf("retold %s: exit %d, %q", arg, r.code, r.stdout)
		}
	}
}

// TestOutputFiles: an output file gets the umask's permissions, not
// 0600, and an output that is a device is written in place, not replaced.
func TestOutputFiles(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	out := filepath.Join(dir, "labels.jsonl")
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	if r := runCLI(t, "", "cluster", "--in", corpus, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("output mode %v (%v), want 0644 under umask 022", st.Mode().Perm(), err)
	}
	null, err := os.Stat(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	if r := runCLI(t, "", "cluster", "--in", corpus, "--out", os.DevNull); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode() != null.Mode() {
		t.Errorf("%s is now %v (%v), was %v: it was replaced", os.DevNull, st.Mode(), err, null.Mode())
	}
	if ents, _ := os.ReadDir(filepath.Dir(os.DevNull)); slices.ContainsFunc(ents, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), ".null.") }) {
		t.Errorf("a temporary file was left beside %s", os.DevNull)
	}
}

// TestExitCodes is the README's exit-status table for every command
// that reads input: a truncated .gz (everything before the cut is
// processed) and an empty file exit 1, a usage error 2.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf(`{"id":"r%d","text":"Record %d: the river rose near the old bridge on Tuesday, and %d families left their homes, officials said."}`, i, i, i+3))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Join(lines, "\n") + "\n"))
	zw.Close()
	cut := writeFile(t, dir, "cut.jsonl.gz", gz.Bytes()[:gz.Len()*2/3])
	empty := writeFile(t, dir, "empty.jsonl", nil)
	text := writeFile(t, dir, "a.txt", []byte("The river rose near the old bridge on Tuesday, officials said."))
	db := filepath.Join(dir, "retold.db")
	if r := runCLI(t, "", "add", "--db", db, text); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"add, truncated gz", []string{"add", "--db", out("a.db"), cut}, 1},
		{"add, empty file", []string{"add", "--db", out("b.db"), empty}, 1},
		{"add, usage", []string{"add", "--db", out("c.db")}, 2},
		{"cluster, truncated gz", []string{"cluster", "--in", cut, "--out", out("l.jsonl")}, 1},
		{"cluster, empty file", []string{"cluster", "--in", empty, "--out", out("l2.jsonl")}, 1},
		{"cluster, usage", []string{"cluster", "--in", cut}, 2},
		{"dedup, truncated gz", []string{"dedup", "--in", cut, "--out", out("k.jsonl")}, 1},
		{"dedup, empty file", []string{"dedup", "--in", empty, "--out", out("k2.jsonl")}, 1},
		{"dedup, usage", []string{"dedup", "--in", cut}, 2},
		{"match, truncated gz", []string{"match", "--db", db, cut}, 1},
		{"match, empty file", []string{"match", "--db", db, empty}, 1},
		{"match, usage", []string{"match", "--db", db}, 2},
		{"compare, empty file", []string{"compare", text, empty}, 1},
		{"compare, usage", []string{"compare", text}, 2},
		{"eval, empty file", []string{"eval", "--truth", empty, "--pred", empty}, 1},
		{"eval, usage", []string{"eval", "--truth", empty}, 2},
	}
	for _, tt := range tests {
		if r := runCLI(t, "", tt.args...); r.code != tt.want {
			t.Errorf("%s: exit %d, want %d: %s", tt.name, r.code, tt.want, r.stderr)
		}
	}
}

// TestManyBadRecordsPrintACappedNumberOfLines feeds 500 bad records and
// two good ones to cluster, dedup and add: each prints the first
// shownBad, one line saying the rest are only counted, and a summary that
// counts them all.
func TestManyBadRecordsPrintACappedNumberOfLines(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(`{"id":"good-1","text":"The river rose two meters overnight and flooded the old town."}` + "\n")
	for i := range 500 {
		fmt.Fprintf(&b, "not json %d\n", i)
	}
	b.WriteString(`{"id":"good-2","text":"A new bridge opened in the port city after three years of work."}` + "\n")
	in := writeFile(t, dir, "bad.jsonl", []byte(b.String()))
	for _, args := range [][]string{
		{"cluster", "--in", in, "--out", filepath.Join(dir, "labels.jsonl")},
		{"dedup", "--in", in, "--out", filepath.Join(dir, "kept.jsonl")},
		{"add", "--db", filepath.Join(dir, "x.db"), in},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := runCLI(t, "", args...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
			}
			if n := strings.Count(r.stderr, "bad.jsonl:"); n != shownBad {
				t.Errorf("%d bad-record lines, want %d", n, shownBad)
			}
			if !strings.Contains(r.stderr, "bad.jsonl:101:") || strings.Contains(r.stderr, "bad.jsonl:102:") {
				t.Error("not the first 100 bad records")
			}
			if !strings.Contains(r.stderr, "only the first 100 are shown") || !strings.Contains(r.stderr, "500 bad records skipped") {
				t.Errorf("no note of the cap, or no full count:\n%s", r.stderr[strings.LastIndex(r.stderr, "bad.jsonl:"):])
			}
		})
	}
}

// TestIDAndTextKeys reads a corpus whose id is a number under "doc_id"
// and whose text is under "body", in cluster, dedup and add.
func TestIDAndTextKeys(t *testing.T) {
	dir := t.TempDir()
	const text = "The river rose two meters overnight and flooded the old town of Coimbra on Tuesday, officials said."
	corpus := fmt.Sprintf(`{"doc_id":1001,"body":%q,"text":"not this"}`+"\n"+`{"doc_id":"1002","body":%q}`+"\n"+`{"doc_id":1003,"text":"no body"}`+"\n", text, text)
	in := writeFile(t, dir, "keys.jsonl", []byte(corpus))
	keys := []string{"--id-key", "doc_id", "--text-key", "body"}

	out := filepath.Join(dir, "labels.jsonl")
	r := runCLI(t, "", append([]string{"cluster", "--in", in, "--out", out}, keys...)...)
	if r.code != 1 || !strings.Contains(r.stderr, `keys.jsonl:3: bad input format: missing field "body"`) {
		t.Fatalf("cluster: exit %d: %s", r.code, r.stderr)
	}
	if got := readOut(t, out); !strings.Contains(got, `"id":"1001"`) || !strings.Contains(got, `"id":"1002","story":"1001"`) {
		t.Errorf("cluster labels:\n%s", got)
	}

	kept := filepath.Join(dir, "kept.jsonl")
	r = runCLI(t, "", append([]string{"dedup", "--in", in, "--out", kept, "--dropped", "-"}, keys...)...)
	if r.code != 1 || !strings.Contains(r.stdout, `{"id":"1002","dup_of":"1001"`) {
		t.Errorf("dedup: exit %d, dropped %s, stderr %s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, "", append([]string{"add", "--db", filepath.Join(dir, "x.db"), in}, keys...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "1 added, 1 copies") {
		t.Errorf("add: exit %d: %s", r.code, r.stderr)
	}
}

// TestCompareStopsWhenInterrupted cancels a compare of two long texts
// mid-way: it returns the cancellation at once instead of the result.
func TestCompareStopsWhenInterrupted(t *testing.T) {
	var a, b strings.Builder
	for i := range 8000 {
		fmt.Fprintf(&a, "Officials in district %d said %d homes were flooded on day %d. ", i%97, i, i%31)
		fmt.Fprintf(&b, "Officials in district %d reported %d flooded homes on day %d. ", i%97, i+1, i%31)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	r, err := compareOrStop(ctx, retold.Document{ID: "a", Text: a.String()}, retold.Document{ID: "b", Text: b.String()})
	if !errors.Is(err, context.Canceled) || r != nil {
		t.Errorf("interrupted compare: %v, %v; want context.Canceled and no result", r, err)
	}
}
