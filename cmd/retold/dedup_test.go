package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dedupCorpus = `{"id":"a","title":"Flood","text":"The river rose two meters overnight and flooded the old town of Coimbra on Tuesday, officials said."}
{"id":"b","text":"A new bridge opened in Porto after three years of work on the riverside, the mayor said."}
{"id":"c","title":"Flood (update)","text":"The river rose two meters overnight and flooded the old town of Coimbra on Tuesday, officials said."}
{"id":"d","text":"the river rose two meters overnight and flooded the old town of Coimbra on Tuesday officials said"}
{"id":"e","text":"Rescue teams reached the last cut-off village in the hills north of Lisbon on Wednesday."}
`

func readOut(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return string(b)
}

func TestDedupKeepsFirstOfEachGroupAndExplainsDrops(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", []byte(dedupCorpus))
	kept, dropped := filepath.Join(dir, "kept.jsonl.gz"), filepath.Join(dir, "dropped.jsonl")
	r := runCLI(t, "", "dedup", "--in", in, "--out", kept, "--dropped", dropped)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(dedupCorpus, "\n")
	if got, want := readOut(t, kept), lines[0]+"\n"+lines[1]+"\n"+lines[4]+"\n"; got != want {
		t.Errorf("kept:\n%s\nwant:\n%s", got, want)
	}
	want := `{"id":"c","dup_of":"a","similarity":1,"kind":"exact","kept":"a"}
{"id":"d","dup_of":"a","similarity":1,"kind":"near","kept":"a"}
`
	if got := readOut(t, dropped); got != want {
		t.Errorf("dropped:\n%s\nwant:\n%s", got, want)
	}
	for _, s := range []string{"5 docs", "kept 3", "dropped 2 (exact 1, near 1)", "MB/s", "bytes/doc", "peak RSS"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("summary %q lacks %q", r.stderr, s)
		}
	}
}

func TestDedupReadsDirectoriesInNameOrderAndAgainstReferences(t *testing.T) {
	dir := t.TempDir()
	lines := strings.Split(dedupCorpus, "\n")
	sub := filepath.Join(dir, "corpus", "2024")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "corpus"), "b.jsonl", []byte(lines[2]+"\n"))
	writeFile(t, sub, "a.jsonl.gz", gzipped(t, lines[0]+"\n"+lines[1]+"\n"))
	writeFile(t, filepath.Join(dir, "corpus"), ".hidden.jsonl", []byte(lines[4]+"\n"))
	ref := writeFile(t, dir, "ref.jsonl", []byte(lines[4]+"\n"+strings.Replace(lines[1], `"b"`, `"ref-b"`, 1)+"\n"))
	out := filepath.Join(dir, "kept.jsonl")
	// corpus/2024/a.jsonl.gz (a, b) sorts before corpus/b.jsonl (c), and
	// .hidden.jsonl is skipped. b is in the reference and c is a copy of
	// a, so only a is kept.
	r := runCLI(t, "", "dedup", "--in", filepath.Join(dir, "corpus"), "--against", ref, "--out", out, "--dropped", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := readOut(t, out); got != lines[0]+"\n" {
		t.Errorf("kept:\n%s", got)
	}
	want := `{"id":"b","dup_of":"ref-b","similarity":1,"kind":"exact","kept":"ref-b","against":true}
{"id":"c","dup_of":"a","similarity":1,"kind":"exact","kept":"a"}
`
	if r.stdout != want {
		t.Errorf("dropped:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestDedupBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.jsonl", []byte("{\"id\":\"a\",\"text\":\"one two three\"}\nnot json\n{\"id\":\"b\"}\n{\"id\":\"c\",\"text\":\"four five six\"}\n"))
	full := gzipped(t, dedupCorpus+dedupCorpus)
	trunc := writeFile(t, dir, "trunc.jsonl.gz", full[:len(full)-20])
	empty := writeFile(t, dir, "empty.jsonl", nil)
	huge := filepath.Join(dir, "huge.jsonl")
	if err := os.Rename(writeHugeLine(t, dir), huge); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   []string
		keptRecs int
	}{
		{"bad records are reported and skipped", []string{"--in", bad}, 1, []string{"bad.jsonl:2:", "bad.jsonl:3:", "2 bad records skipped"}, 2},
		{"truncated gzip keeps what came before", []string{"--in", trunc}, 1, []string{"trunc.jsonl.gz:", "truncated gzip"}, -1},
		{"empty file", []string{"--in", empty}, 1, []string{"0 docs"}, 0},
		{"50 MB line", []string{"--in", huge}, 1, []string{"huge.jsonl:1:", "longer than"}, 0},
		{"50 MB page", []string{"--in", writeHugeLine(t, dir)}, 1, []string{"huge.txt: input too large"}, 0},
		{"missing file", []string{"--in", filepath.Join(dir, "nope.jsonl")}, 1, []string{"nope.jsonl", "no such file"}, -2},
		{"missing --out", []string{"--in", bad, "--out", ""}, 2, []string{"--in and --out are required"}, -2},
		{"bad threshold", []string{"--in", bad, "--threshold", "1.5"}, 2, []string{"--threshold"}, -2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "kept.jsonl")
			args := append([]string{"dedup", "--out", out}, tc.args...)
			r := runCLI(t, "", args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q lacks %q", r.stderr, s)
				}
			}
			if tc.keptRecs == -2 {
				return
			}
			got := readOut(t, out)
			if tc.keptRecs >= 0 && strings.Count(got, "\n") != tc.keptRecs {
				t.Errorf("kept %d records, want %d:\n%s", strings.Count(got, "\n"), tc.keptRecs, got)
			}
			if tc.keptRecs == -1 && !strings.HasPrefix(got, strings.Split(dedupCorpus, "\n")[0]) {
				t.Errorf("records before the cut were not kept: %q", got)
			}
		})
	}
}

func TestDedupStoryModeDropsRewrites(t *testing.T) {
	dir := t.TempDir()
	// Two versions of one invented story that share almost no 5-gram
	// (a rewrite with the same facts), an unrelated story, and a copy.
	corpus := `{"id":"s1","date":"2024-03-04","text":"Floodwaters from the Mondego river forced 2,300 residents of Coimbra from their homes on Monday, the civil protection agency said. The river rose 4.2 meters in twelve hours after three days of rain. Mayor Ana Ribeiro said 14 schools would stay closed until Thursday. Two people were reported missing near the village of Ceira, and rescue teams with boats searched the area through the night. The agency said 61 roads were cut in the district."}
{"id":"other","date":"2024-03-04","text":"A new metro line opened in Porto on Monday after six years of construction, linking the airport to the city centre in 18 minutes. The line cost 310 million euros and has 9 stations. Transport minister Jorge Lima said 40,000 passengers a day were expected by the end of the year."}
{"id":"s2","date":"2024-03-04","text":"Some 2,300 people had to leave their houses in Coimbra on Monday as the Mondego burst its banks, according to civil protection officials. After three days of rainfall the water level climbed 4.2 meters within twelve hours. Schools - 14 of them - will remain shut until Thursday, Mayor Ana Ribeiro announced. Boats were used overnight to look for two residents missing close to Ceira. In the district, 61 roads were closed, officials said."}
`
	in := writeFile(t, dir, "in.jsonl", []byte(corpus))
	out := filepath.Join(dir, "kept.jsonl")
	r := runCLI(t, "", "dedup", "--mode", "story", "--in", in, "--out", out, "--dropped", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(corpus, "\n")
	if got := readOut(t, out); got != lines[0]+"\n"+lines[1]+"\n" {
		t.Errorf("kept:\n%s", got)
	}
	if !strings.HasPrefix(r.stdout, `{"id":"s2","dup_of":"s1",`) || !strings.Contains(r.stdout, `"kind":"version"`) {
		t.Errorf("dropped: %s", r.stdout)
	}
	// Shingle mode keeps the rewrite: it shares few 5-grams.
	r = runCLI(t, "", "dedup", "--in", in, "--out", out)
	if got := readOut(t, out); strings.Count(got, "\n") != 3 {
		t.Errorf("shingle mode dropped the rewrite: %s", r.stderr)
	}
}

// TestDedupReadsPagesAndFeedsAsRecords dedups a folder of a JSONL file, a
// feed and plain-text pages, as add reads them: the kept records that
// were not JSONL lines come out as JSON lines of their fields, and a page
// that holds no text is reported and skipped.
func TestDedupReadsPagesAndFeedsAsRecords(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(dedupCorpus, "\n")
	writeFile(t, corpus, "1.jsonl", []byte(lines[0]+"\n"))
	const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Tagus Wire</title>
<item><guid>wire-1</guid><title>Flood</title><description>The river rose two meters overnight and flooded the old town of Coimbra on Tuesday, officials said.</description></item>
<item><guid>wire-2</guid><title>Harbour</title><description>Fishing boats stayed in the harbour of Peniche for a third day as storms closed the coast, the port authority said.</description></item>
</channel></rss>`
	writeFile(t, corpus, "2.rss", []byte(feed))
	writeFile(t, corpus, "3.txt", []byte("Fishing boats stayed in the harbour of Peniche for a third day as storms closed the coast, the port authority said.\n"))
	writeFile(t, corpus, "4.txt", []byte(" \n"))
	out := filepath.Join(dir, "kept.jsonl")
	for _, mode := range []string{"shingle", "story"} {
		r := runCLI(t, "", "dedup", "--mode", mode, "--in", corpus, "--out", out, "--dropped", "-")
		if r.code != 1 { // one bad record: the empty page
			t.Fatalf("%s: exit %d: %s", mode, r.code, r.stderr)
		}
		want := lines[0] + "\n" + `{"id":"wire-2","title":"Harbour","text":"Fishing boats stayed in the harbour of Peniche for a third day as storms closed the coast, the port authority said.","outlet":"Tagus Wire"}` + "\n"
		if got := readOut(t, out); got != want {
			t.Errorf("%s: kept:\n%s\nwant:\n%s", mode, got, want)
		}
		if !strings.Contains(r.stdout, `{"id":"wire-1","dup_of":"a"`) || !strings.Contains(r.stdout, `"dup_of":"wire-2"`) {
			t.Errorf("%s: dropped:\n%s", mode, r.stdout)
		}
		if !strings.Contains(r.stderr, "4.txt") {
			t.Errorf("%s: the empty page is not reported: %s", mode, r.stderr)
		}
	}
}
