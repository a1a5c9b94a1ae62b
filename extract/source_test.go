package extract

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retold/retold"
)

func TestSourcesWalkDirectoriesAndTellKinds(t *testing.T) {
	dir := t.TempDir()
	feed, err := os.ReadFile(filepath.Join("testdata", "feeds", "wire.atom"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"a.jsonl":          `{"id":"j1","text":"One record of a corpus."}` + "\n" + "not json\n" + `{"id":"j2","text":"Another record."}` + "\n",
		"b/news.xml":       string(feed),
		"b/page.html":      "<!doctype html><html><head><title>Page</title></head><body><article><p>An invented article body that is long enough to be kept by the extractor, about a bridge that reopened.</p></article></body></html>",
		"b/crawl.warc.gz":  "not read here",
		"b/home.html":      "<!doctype html><html><head><title>Example Daily - Home</title></head><body><nav><a href=/>Home</a> <a href=/world>World</a> <a href=/sport>Sport</a></nav><footer>Copyright Example Daily</footer></body></html>",
		"c.txt":            "Plain text story about the river.",
		"d.txt":            "   \n",
		".hidden/x.jsonl":  "{}",
		"b/.skipped.jsonl": "{}",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srcs, err := Sources([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range srcs {
		rel, _ := filepath.Rel(dir, s.Path)
		got = append(got, rel+" "+string(s.Kind))
	}
	want := []string{"a.jsonl jsonl", "b/crawl.warc.gz warc", "b/home.html page", "b/news.xml feed", "b/page.html page", "c.txt page", "d.txt page"}
	if !slices.Equal(got, want) {
		t.Fatalf("Sources:\n got %q\nwant %q", got, want)
	}
	var ids []string
	var bad []error
	for _, s := range srcs {
		if s.Kind == KindWARC {
			continue // the WARC reader has its own tests
		}
		err := ReadSource(s, nil, func(r Record) error { ids = append(ids, r.Doc.ID); return nil }, func(err error) { bad = append(bad, err) })
		if err != nil {
			t.Fatalf("%s: %v", s.Path, err)
		}
	}
	wantIDs := []string{"j1", "j2", "urn:example:wire:0001", "urn:example:wire:0002", filepath.Join(dir, "b/page.html"), filepath.Join(dir, "c.txt")}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("ids:\n got %q\nwant %q", ids, wantIDs)
	}
	// The short plain text c.txt is kept: only an HTML page must hold an
	// article.
	if len(bad) != 3 || !errors.Is(bad[0], retold.ErrFormat) || !errors.Is(bad[1], retold.ErrEmpty) ||
		!strings.Contains(bad[1].Error(), "home.html: ") || !strings.Contains(bad[1].Error(), "not an article") || !errors.Is(bad[2], retold.ErrEmpty) {
		t.Errorf("bad = %v, want the JSONL line 2, home.html (not an article) and the blank d.txt", bad)
	}
	// Given to compare (ReadFile without ArticlesOnly), the same page is
	// read, whatever its text.
	if d, err := ReadFile(filepath.Join(dir, "b/home.html"), nil); err != nil || d.Title == "" {
		t.Errorf("ReadFile of the home page: %+v %v", d, err)
	}
	if _, err := Sources([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing path gave no error")
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		name, head string
		want       Kind
	}{
		{"x.jsonl.gz", "\x1f\x8b", KindJSONL},
		{"x.NDJSON", "{", KindJSONL},
		{"crawl.warc", "", KindWARC},
		{"noext", "WARC/1.1\r\n", KindWARC},
		{"x.rss", "", KindFeed},
		{"feed.xml", "<?xml version=\"1.0\"?>\n<!-- c -->\n<rss version=\"2.0\">", KindFeed},
		{"atom.xml", "\ufeff<feed xmlns=\"http://www.w3.org/2005/Atom\">", KindFeed},
		{"sitemap.xml", "<?xml version=\"1.0\"?><urlset>", KindPage},
		{"page.html", "<!doctype html>", KindPage},
		{"rsstext.txt", "<rssish>", KindPage},
		// A corpus under another name is JSONL when its first line is
		// one JSON object; a .json file is one record, read as a page.
		{"corpus.txt", "{\"id\":\"a\",\"text\":\"x\"}\r\n{\"id\"", KindJSONL},
		{"corpus", "\ufeff {\"id\":\"a\"}", KindJSONL},
		{"huge.txt", "{\"id\":\"a\",\"text\":\"" + strings.Repeat("x", 1024), KindJSONL},
		{"record.json", "{\"id\":\"a\",\"text\":\"x\"}\n", KindPage},
		{"notes.txt", "{not json}\nmore", KindPage},
		{"brace.txt", "{ and then words", KindPage},
	}
	for _, tc := range tests {
		if got := KindOf(tc.name, []byte(tc.head)); got != tc.want {
			t.Errorf("KindOf(%q, %q) = %s, want %s", tc.name, tc.head, got, tc.want)
		}
	}
}

func TestNotArticle(t *testing.T) {
	for _, tc := range []struct {
		name, title, text string
		article           bool
	}{
		{"home page link labels", "Example Daily", "Example Daily - Home Home World Sport About us Storm hits coast Budget vote delayed Copyright 2026", false},
		{"too short", "Photo", "Photo gallery: 12 pictures", false},
		{"a brief", "Bridge reopens", "Bridge reopens\nThe old bridge over the river reopened on Monday after two years of repairs.", true},
		{"question", "Q", "Q\nWill the council approve the new budget for the library next week?\nMore soon", true},
		{"short sentences only", "Menu", "Menu\nHome. About. Contact us. Log in. Sign up. Help. Terms. Privacy. Jobs. Press.", false},
		{"sentence across lines does not count", "Nav", "Nav\nNews World Business Sport\nCulture Science Travel.\nFood Games Puzzles Jobs", false},
		{"the same words on one line", "Nav", "Nav\nNews World Business Sport Culture Science Travel. Food Games Puzzles Jobs", true},
		{"Japanese full stop", "地震", "地震\nThe quake struck the coast at dawn and five towns lost power。 More later here now", true},
	} {
		d := retold.Document{Title: tc.title, Text: tc.text}
		if why := notArticle(d); (why == "") != tc.article {
			t.Errorf("%s: notArticle = %q, want article %v", tc.name, why, tc.article)
		}
	}
}

// TestOpenAllReadsFilesOfEveryKindInOrder reads a directory of mixed
// files and stdin as one corpus: every good record in file order, each
// named by its file, the bad ones and a broken file reported and skipped,
// and the files after a broken one still read.
func TestOpenAllReadsFilesOfEveryKindInOrder(t *testing.T) {
	dir := t.TempDir()
	var cut bytes.Buffer
	zw := gzip.NewWriter(&cut)
	zw.Write([]byte(`{"id":"g1","text":"First record of the gzipped file."}` + "\n" + `{"id":"g2","text":"Second record, cut off below."}` + "\n"))
	zw.Close()
	files := map[string]string{
		"1.jsonl":    `{"id":"j1","text":"One record of a corpus."}` + "\n" + "not json\n" + `{"id":"j2","text":"Another record."}` + "\n",
		"2.jsonl.gz": string(cut.Bytes()[:cut.Len()-12]),
		"3.txt":      "Plain text story about the river.",
		"4.txt":      "   \n",
		"5.jsonl":    `{"id":"j3","text":"The last file is read too."}` + "\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdin := strings.NewReader(`{"id":"s1","text":"From standard input."}` + "\n")
	for _, each := range []bool{false, true} {
		r, err := OpenAll([]string{dir, "-"}, stdin, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got, bad []string
		fn := func(rec Record, err error) error {
			if err != nil {
				bad = append(bad, err.Error())
				return nil
			}
			got = append(got, filepath.Base(rec.Name)+":"+strconv.Itoa(rec.Line)+" "+rec.Doc.ID)
			return nil
		}
		if each {
			err = Each(r, 2, fn)
		} else {
			err = Each(struct{ Reader }{r}, 0, fn) // hides the type: the plain Next loop
		}
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		// The cut gzip's records before the break are kept; a page's id
		// is its path.
		want := []string{"1.jsonl:1 j1", "1.jsonl:3 j2", "2.jsonl.gz:1 g1", "2.jsonl.gz:2 g2",
			"3.txt:1 " + filepath.Join(dir, "3.txt"), "5.jsonl:1 j3", "stdin:1 s1"}
		if !slices.Equal(got, want) {
			t.Errorf("each=%v: records\n got %q\nwant %q", each, got, want)
		}
		if len(bad) != 3 || !strings.HasPrefix(bad[0], filepath.Join(dir, "1.jsonl")+":2:") ||
			!strings.Contains(bad[1], "2.jsonl.gz") || !strings.Contains(bad[2], "4.txt") {
			t.Errorf("each=%v: bad records %q, want 1.jsonl:2, the cut gzip and the blank page", each, bad)
		}
		stdin.Reset(`{"id":"s1","text":"From standard input."}` + "\n")
	}
	if _, err := OpenAll([]string{filepath.Join(dir, "nope.jsonl")}, nil, nil); err == nil || !strings.Contains(err.Error(), "nope.jsonl") {
		t.Errorf("a missing path: %v, want an error naming it", err)
	}
}

func TestReadCorpusNamesTheFileOfARepeatedID(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"id":"x","text":"One."}`+"\n"+`{"id":"y","text":"Two."}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(`{"id":"y","text":"Again."}`+"\n"+`{"id":"x","text":"Again."}`+"\n"+`{"id":"x","text":"Thrice."}`+"\n"), 0o644)
	r, err := OpenAll([]string{dir}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var reported []string
	var ids []string
	bad, err := ReadCorpus(r, dir, CorpusOptions{Report: func(err error) { reported = append(reported, err.Error()) }},
		func(d retold.Document) error { ids = append(ids, d.ID); return nil })
	if err != nil || bad != 3 || !slices.Equal(ids, []string{"x", "y"}) {
		t.Fatalf("ReadCorpus: %d bad, %v, ids %q", bad, err, ids)
	}
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	want := []string{
		b + `:1: duplicate id "y" (first at ` + a + `:2): skipped`,
		b + `:2: duplicate id "x" (first at ` + a + `:1): skipped`,
		b + `:3: duplicate id "x" (first at ` + a + `:1): skipped`,
	}
	if !slices.Equal(reported, want) {
		t.Errorf("reported\n got %q\nwant %q", reported, want)
	}
}
