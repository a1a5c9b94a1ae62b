package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docSchemas returns the example of each command's JSON: the
// ```json block after each "<!-- schema: NAME -->" line.
func docSchemas(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- schema: ([^>]+?) -->\\s*```json\\n(.*?)```")
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	return out
}

// sameShape reports where got differs from want in shape: the fields of
// every object, the JSON type of every value, and the shape of the first
// element of arrays that are not empty on both sides.
func sameShape(path string, want, got any) []string {
	kind := func(v any) string {
		switch v.(type) {
		case map[string]any:
			return "object"
		case []any:
			return "array"
		case string:
			return "string"
		case float64:
			return "number"
		case bool:
			return "bool"
		case nil:
			return "null"
		}
		return fmt.Sprintf("%T", v)
	}
	if kind(want) != kind(got) {
		return []string{fmt.Sprintf("%s: %s in docs/json.md, %s in the output", path, kind(want), kind(got))}
	}
	var diffs []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for _, k := range sortedKeys(w) {
			if _, ok := g[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: in docs/json.md, not in the output", path, k))
				continue
			}
			diffs = append(diffs, sameShape(path+"."+k, w[k], g[k])...)
		}
		for _, k := range sortedKeys(g) {
			if _, ok := w[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: in the output, not in docs/json.md", path, k))
			}
		}
	case []any:
		g := got.([]any)
		if len(w) > 0 && len(g) > 0 {
			diffs = append(diffs, sameShape(path+"[0]", w[0], g[0])...)
		}
	}
	return diffs
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestJSONSchemas runs eval, stories, events, event and match with --json and
// checks each output against the example of it.
func TestJSONSchemas(t *testing.T) {
	schemas := docSchemas(t)
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
	recs := []map[string]string{
		{"id": "flood-1", "outlet": "Karavia Wire", "title": "Floods kill 12", "date": "2031-04-02", "text": string(orig)},
		{"id": "flood-1-herald", "outlet": "Aktau Herald (Wire)", "title": "Floods kill 12", "date": "2031-04-02", "text": string(orig)},
	}
	var lines []string
	for _, r := range recs {
		b, _ := json.Marshal(r)
		lines = append(lines, string(b))
	}
	in := writeFile(t, dir, "in.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	if r := runCLI(t, "", "add", "--db", db, in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	probe := writeFile(t, dir, "version.txt", version)
	truth := filepath.Join("..", "..", "testdata", "cluster", "truth.jsonl")
	corpus := filepath.Join("..", "..", "testdata", "cluster", "corpus.jsonl")
	pred := filepath.Join(dir, "pred.jsonl")
	if r := runCLI(t, "", "cluster", "--in", corpus, "--out", pred); r.code != 0 {
		t.Fatal(r.stderr)
	}
	kept := filepath.Join(dir, "kept.jsonl")
	if r := runCLI(t, "", "dedup", "--mode", "story", "--in", corpus, "--out", kept); r.code != 0 {
		t.Fatal(r.stderr)
	}
	runs := map[string][]string{
		"eval --json":        {"eval", "--json", "--truth", truth, "--pred", pred},
		"eval --kept --json": {"eval", "--json", "--truth", truth, "--kept", kept},
		"stories --json":     {"stories", "--db", db, "--json"},
		"events --json":      {"events", "--db", db, "--json"},
		"event --json":       {"event", "--db", db, "--json", "flood-1"},
		"match --json":       {"match", "--db", db, "--json", probe},
	}
	for name, args := range runs {
		t.Run(name, func(t *testing.T) {
			example, ok := schemas[name]
			if !ok {
				t.Fatalf("docs/json.md has no <!-- schema: %s --> example", name)
			}
			var want, got any
			if err := json.Unmarshal([]byte(example), &want); err != nil {
				t.Fatalf("the example is not JSON: %v", err)
			}
			r := runCLI(t, "", args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("output is not JSON: %v: %s", err, r.stdout)
			}
			for _, d := range sameShape("$", want, got) {
				t.Error(d)
			}
		})
	}
}
