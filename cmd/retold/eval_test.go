package main

import (
	"bytes"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The hand-computed case. Stories: truth {1 2 3} {4 5 6}, predicted
// {1 2} {3 4} {5 6}: TP = 2 of SA = 6 true and SB = 3 predicted pairs out
// of T = 15, ARI = 2(2*15 - 6*3) / (6*12 + 3*9) = 8/33 = 0.242; pairwise
// P 2/3, R 1/3, F1 4/9; B-cubed P 5/6, R 5/9, F1 2/3. Events: the truth is
// one event, the prediction splits it in halves: TP = SB = 6, SA = T = 15,
// ARI = 2(6*15 - 15*6) / ... = 0; P 1, R 6/15, F1 4/7; B-cubed P 1, R 1/2,
// F1 2/3.
const (
	evalTruth = `{"id": "d1", "story": "a", "event": "E", "text": "First.", "title": "One"}
{"id": "d2", "story": "a", "event": "E", "text": "Second."}
{"id": "d3", "story": "a", "event": "E", "text": "Third."}

{"id": "d4", "story": "b", "event": "E", "text": "Fourth."}
{"id": "d5", "story": "b", "event": "E", "text": "Fifth."}
{"id": "d6", "story": "b", "event": "E", "text": "Sixth."}
`
	// In another order than the truth, with other names.
	evalPred = `{"id": "d6", "story": "z", "event": "e2"}
{"id": "d1", "story": "x", "event": "e1"}
{"id": "d2", "story": "x", "event": "e1"}
{"id": "d3", "story": "y", "event": "e1"}
{"id": "d4", "story": "y", "event": "e2"}
{"id": "d5", "story": "z", "event": "e2"}`

	evalTable = `| level | items | truth clusters | pred clusters |   ARI | pair P | pair R | pair F1 | B-cubed F1 |
| ----- | ----: | -------------: | ------------: | ----: | -----: | -----: | ------: | ---------: |
| story |     6 |              2 |             3 | 0.242 |  0.667 |  0.333 |   0.444 |      0.667 |
| event |     6 |              1 |             2 | 0.000 |  1.000 |  0.400 |   0.571 |      0.667 |
`
)

// evalFiles writes truth and pred into a temporary directory.
func evalFiles(t *testing.T, truth, pred string) (truthPath, predPath string) {
	t.Helper()
	dir := t.TempDir()
	return writeFile(t, dir, "truth.jsonl", []byte(truth)), writeFile(t, dir, "pred.jsonl", []byte(pred))
}

func TestEvalTable(t *testing.T) {
	truth, pred := evalFiles(t, evalTruth, evalPred)
	r := runCLI(t, "", "eval", "--truth", truth, "--pred", pred)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if r.stdout != evalTable {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, evalTable)
	}
	if r.stderr != "" {
		t.Errorf("stderr should be empty, got:\n%s", r.stderr)
	}
}

func TestEvalJSON(t *testing.T) {
	truth, pred := evalFiles(t, evalTruth, evalPred)
	r := runCLI(t, "", "eval", "--json", "--truth", truth, "--pred", pred)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	top := decodeJSON(t, r.stdout)
	if got := slices.Sorted(maps.Keys(top)); !slices.Equal(got, []string{"event", "story"}) {
		t.Errorf("top-level keys %v, want event and story", got)
	}
	fields := []string{"items", "truth_clusters", "pred_clusters", "ari", "precision", "recall", "f1",
		"bcubed_precision", "bcubed_recall", "bcubed_f1"}
	want := map[string]map[string]float64{
		"story": {"items": 6, "truth_clusters": 2, "pred_clusters": 3, "ari": 8.0 / 33,
			"precision": 2.0 / 3, "recall": 1.0 / 3, "f1": 4.0 / 9,
			"bcubed_precision": 5.0 / 6, "bcubed_recall": 5.0 / 9, "bcubed_f1": 2.0 / 3},
		"event": {"items": 6, "truth_clusters": 1, "pred_clusters": 2, "ari": 0,
			"precision": 1, "recall": 0.4, "f1": 4.0 / 7,
			"bcubed_precision": 1, "bcubed_recall": 0.5, "bcubed_f1": 2.0 / 3},
	}
	for level, w := range want {
		obj := keys(t, level, top[level], fields...)
		if len(obj) != len(fields) {
			t.Errorf("%s: keys %v, want exactly %v", level, slices.Sorted(maps.Keys(obj)), fields)
		}
		for k, v := range w {
			if g, ok := obj[k].(float64); !ok || math.Abs(g-v) > 1e-12 {
				t.Errorf("%s.%s = %v, want %v", level, k, obj[k], v)
			}
		}
	}
}

func TestEvalLevelsAndKeys(t *testing.T) {
	tests := []struct {
		name        string
		truth, pred string
		flags       []string
		// stdout must hold every line of want; stderr, every part of
		// wantStderr.
		want       []string
		wantStderr []string
	}{
		{
			// As in ecbplus.jsonl: events only.
			name:  "truth without stories",
			truth: `{"id":"a","event":"1"}` + "\n" + `{"id":"b","event":"1"}` + "\n" + `{"id":"c","event":"2"}` + "\n",
			pred:  `{"id":"a","story":"s1","event":"x"}` + "\n" + `{"id":"b","story":"s2","event":"x"}` + "\n" + `{"id":"c","story":"s3","event":"y"}` + "\n",
			want: []string{
				"| event |     3 |              2 |             2 | 1.000 |  1.000 |  1.000 |   1.000 |      1.000 |",
				"story: skipped (truth has no story labels)",
			},
		},
		{
			// As in wmt-versions.jsonl: one group label for both levels.
			name:  "truth keys renamed",
			truth: `{"id":"a","group":"g1"}` + "\n" + `{"id":"b","group":"g1"}` + "\n" + `{"id":"c","group":"g2"}` + "\n",
			pred:  `{"id":"a","story":"s1","event":"x"}` + "\n" + `{"id":"b","story":"s1","event":"x"}` + "\n" + `{"id":"c","story":"s1","event":"x"}` + "\n",
			flags: []string{"--truth-story-key", "group", "--truth-event-key=group"},
			want: []string{
				"| story |     3 |              2 |             1 | 0.000 |  0.333 |  1.000 |   0.500 |      0.714 |",
				"| event |     3 |              2 |             1 | 0.000 |  0.333 |  1.000 |   0.500 |      0.714 |",
			},
		},
		{
			name:  "pred ids beyond the truth are ignored",
			truth: `{"id":"a","story":"1","event":"1"}` + "\n" + `{"id":"b","story":"1","event":"1"}` + "\n",
			pred: `{"id":"a","story":"s","event":"e"}` + "\n" + `{"id":"zz","story":"s","event":"e"}` + "\n" +
				`{"id":"b","story":"s","event":"e"}` + "\n" + `{"id":"yy"}` + "\n",
			want: []string{
				"| story |     2 |              1 |             1 | 1.000 |  1.000 |  1.000 |   1.000 |      1.000 |",
			},
			wantStderr: []string{"pred.jsonl", "ignored 2 ids", `"zz", "yy"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			truth, pred := evalFiles(t, tt.truth, tt.pred)
			args := append([]string{"eval", "--truth", truth, "--pred", pred}, tt.flags...)
			r := runCLI(t, "", args...)
			if r.code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
			}
			lines := strings.Split(r.stdout, "\n")
			for _, w := range tt.want {
				if !slices.Contains(lines, w) {
					t.Errorf("stdout lacks the line\n%s\ngot:\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q: %q", w, r.stderr)
				}
			}
			if len(tt.wantStderr) == 0 && r.stderr != "" {
				t.Errorf("stderr should be empty, got:\n%s", r.stderr)
			}
		})
	}
}

// In JSON mode a skipped level is absent and its note goes to stderr, so
// that stdout stays one JSON value.
func TestEvalJSONSkippedLevel(t *testing.T) {
	truth, pred := evalFiles(t, `{"id":"a","event":"1"}`+"\n", `{"id":"a","story":"s","event":"e"}`+"\n")
	r := runCLI(t, "", "eval", "--truth", truth, "--pred", pred, "--json")
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	top := decodeJSON(t, r.stdout)
	if _, ok := top["story"]; ok {
		t.Errorf("skipped story level present in JSON: %s", r.stdout)
	}
	keys(t, "top level", top, "event")
	if !strings.Contains(r.stderr, "story: skipped (truth has no story labels)") {
		t.Errorf("stderr lacks the skip note: %q", r.stderr)
	}
}

func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.jsonl", []byte(evalTruth))
	goodPred := writeFile(t, dir, "goodpred.jsonl", []byte(evalPred))
	file := func(name, data string) string { return writeFile(t, dir, name, []byte(data)) }

	// A line just past the 16 MiB limit, as the second line.
	var huge bytes.Buffer
	huge.WriteString(`{"id":"d1","story":"a","event":"E"}` + "\n" + `{"id":"d2","story":"a","event":"E","text":"`)
	huge.Write(bytes.Repeat([]byte("x"), 16<<20))
	huge.WriteString(`"}` + "\n")
	hugePath := writeFile(t, dir, "huge.jsonl", huge.Bytes())

	tests := []struct {
		name string
		args []string
		code int
		// want are substrings the one-line message must hold.
		want []string
	}{
		{
			name: "line not JSON",
			args: []string{"--truth", file("notjson.jsonl", `{"id":"d1","story":"a","event":"E"}`+"\nnot json\n"), "--pred", goodPred},
			code: 1, want: []string{"notjson.jsonl:2: ", "not a JSON object"},
		},
		{
			name: "JSON array, not an object",
			args: []string{"--truth", good, "--pred", file("array.jsonl", `["d1","x","e"]`)},
			code: 1, want: []string{"array.jsonl:1: ", "not a JSON object"},
		},
		{
			name: "missing id",
			args: []string{"--truth", file("noid.jsonl", `{"id":"d1","story":"a"}`+"\n"+`{"story":"a"}`+"\n"), "--pred", goodPred},
			code: 1, want: []string{"noid.jsonl:2: ", `no "id" field`},
		},
		{
			name: "numeric id",
			args: []string{"--truth", file("numid.jsonl", `{"id":7,"story":"a"}`+"\n"), "--pred", goodPred},
			code: 1, want: []string{"numid.jsonl:1: ", `"id" is not a string`},
		},
		{
			name: "label not a string",
			args: []string{"--truth", good, "--pred", file("numlabel.jsonl", `{"id":"d1","story":null,"event":"e"}`+"\n")},
			code: 1, want: []string{"numlabel.jsonl:1: ", `"story" is not a string`},
		},
		{
			name: "empty label",
			args: []string{"--truth", file("emptylabel.jsonl", `{"id":"d1","story":""}`+"\n"), "--pred", goodPred},
			code: 1, want: []string{"emptylabel.jsonl:1: ", `empty "story"`},
		},
		{
			name: "duplicate id in truth",
			args: []string{"--truth", file("duptruth.jsonl", evalTruth+`{"id":"d2","story":"c","event":"E"}`+"\n"), "--pred", goodPred},
			code: 1, want: []string{"duptruth.jsonl:8: ", `duplicate id "d2" (first on line 2)`},
		},
		{
			name: "duplicate id in pred",
			args: []string{"--truth", good, "--pred", file("duppred.jsonl", evalPred+"\n"+`{"id":"d1","story":"x","event":"e1"}`)},
			code: 1, want: []string{"duppred.jsonl:7: ", `duplicate id "d1" (first on line 2)`},
		},
		{
			name: "line longer than 16 MiB",
			args: []string{"--truth", hugePath, "--pred", goodPred},
			code: 1, want: []string{"huge.jsonl:2: ", "input too large", "16 MiB"},
		},
		{
			name: "invalid UTF-8",
			args: []string{"--truth", good, "--pred", file("latin1.jsonl", `{"id":"d1","story":"caf`+"\xe9"+`","event":"e"}`)},
			code: 1, want: []string{"latin1.jsonl:1: ", "invalid UTF-8"},
		},
		{
			name: "truth ids missing from pred",
			args: []string{"--truth", good, "--pred", file("short.jsonl", `{"id":"d2","story":"x","event":"e"}`+"\n")},
			code: 1, want: []string{"short.jsonl lacks 5 of the 6 truth ids", `(first: "d1", "d3", "d4", "d5", "d6")`},
		},
		{
			name: "pred lacks a level the truth has",
			args: []string{"--truth", good, "--pred", file("nostory.jsonl", strings.ReplaceAll(evalPred, `"story"`, `"s"`))},
			code: 1, want: []string{"nostory.jsonl:1: ", `id "d6" has no "story" field`},
		},
		{
			name: "truth labels only on some lines",
			args: []string{"--truth", file("partial.jsonl", `{"id":"d1","story":"a","event":"E"}`+"\n"+`{"id":"d2","event":"E"}`+"\n"), "--pred", goodPred},
			code: 1, want: []string{"partial.jsonl:2: ", `no "story" field, but other lines have one`},
		},
		{
			name: "truth without labels",
			args: []string{"--truth", file("nolabels.jsonl", `{"id":"d1","text":"x"}`+"\n"), "--pred", goodPred},
			code: 1, want: []string{"nolabels.jsonl: ", `looked for "story", "event"`},
		},
		{
			name: "empty truth",
			args: []string{"--truth", file("empty.jsonl", "\n\n"), "--pred", goodPred},
			code: 1, want: []string{"empty.jsonl: ", "no records"},
		},
		{
			name: "missing file",
			args: []string{"--truth", filepath.Join(dir, "absent.jsonl"), "--pred", goodPred},
			code: 1, want: []string{"absent.jsonl", "no such file"},
		},
		{
			name: "no --pred",
			args: []string{"--truth", good},
			code: 2, want: []string{"needs --truth and one of --pred and --kept"},
		},
		{
			name: "positional argument",
			args: []string{"--truth", good, "--pred", goodPred, "extra.jsonl"},
			code: 2, want: []string{"takes no arguments", "extra.jsonl"},
		},
		{
			name: "unknown flag",
			args: []string{"--truth", good, "--pred", goodPred, "--bogus"},
			code: 2, want: []string{"-bogus"},
		},
		{
			name: "empty key",
			args: []string{"--truth", good, "--pred", goodPred, "--truth-story-key="},
			code: 2, want: []string{"must not be empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"eval"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty, got:\n%s", r.stdout)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasSuffix(r.stderr, "\n") {
				t.Errorf("stderr should be one line, got:\n%q", r.stderr)
			}
			msg := lines[len(lines)-1]
			if !strings.HasPrefix(msg, "retold eval: ") {
				t.Errorf("message should start with \"retold eval: \": %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q: %q", w, msg)
				}
			}
		})
	}
}

// TestEvalSharedDataAgainstItself scores each labeled file in shared/data
// against itself: every level present must come out perfect.
func TestEvalSharedDataAgainstItself(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data")
	tests := []struct {
		file    string
		flags   []string
		levels  []string
		skipped string
	}{
		{file: "newsversions-dev.jsonl", levels: []string{"story", "event"}},
		{file: "ecbplus.jsonl", levels: []string{"event"}, skipped: "story"},
		// Every article its own story: all singletons on both sides.
		{file: "basil.jsonl", levels: []string{"story", "event"}},
		{file: "wmt-versions.jsonl", flags: []string{"--truth-story-key", "group", "--truth-event-key", "group"}, levels: []string{"story", "event"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			if _, err := os.Stat(path); os.IsNotExist(err) {
				if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
					t.Fatalf("%s not found and RETOLD_REQUIRE_SHARED is set", path)
				}
				t.Skipf("%s not found: the labeled data lives in ../shared beside the repository; skipping", tt.file)
			}
			r := runCLI(t, "", append([]string{"eval", "--truth", path, "--pred", path, "--json"}, tt.flags...)...)
			if r.code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
			}
			top := decodeJSON(t, r.stdout)
			for _, level := range tt.levels {
				obj := keys(t, level, top[level], "ari", "f1", "bcubed_f1", "items")
				for _, k := range []string{"ari", "f1", "bcubed_f1"} {
					if obj[k] != 1.0 {
						t.Errorf("%s %s = %v, want 1", level, k, obj[k])
					}
				}
			}
			if tt.skipped != "" {
				if _, ok := top[tt.skipped]; ok {
					t.Errorf("%s level should be skipped", tt.skipped)
				}
			}
		})
	}
}

func TestEvalKeptScoresADedup(t *testing.T) {
	dir := t.TempDir()
	truth := writeFile(t, dir, "truth.jsonl", []byte(`{"id":"r1","story":"a"}
{"id":"r2","story":"b"}
{"id":"r3","story":"a"}
{"id":"r4","story":"b"}
{"id":"r5","story":"c"}
`))
	// r3 is a right drop (a was kept before), r5 a wrong one (c's first),
	// r4 a missed version.
	kept := writeFile(t, dir, "kept.jsonl", []byte(`{"id":"r1","text":"x"}
{"id":"r2","text":"y"}
{"id":"r4","text":"z"}
`))
	r := runCLI(t, "", "eval", "--truth", truth, "--kept", kept, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := `{"docs":5,"dropped":2,"later_versions":2,"precision":0.5,"recall":0.5,"right_drops":1}` + "\n"
	if r.stdout != want {
		t.Errorf("got %s want %s", r.stdout, want)
	}
	if r := runCLI(t, "", "eval", "--truth", truth, "--kept", kept, "--pred", kept); r.code != 2 {
		t.Errorf("--kept with --pred: exit %d", r.code)
	}
}
