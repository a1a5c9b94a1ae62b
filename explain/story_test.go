package explain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// fixtureStory is the fixture pair as a story: A the original, B a later
// undated version of it.
func fixtureStory() *Story {
	r, a, b := fixture()
	return &Story{ID: "s7", Event: "e3", FirstSeen: "2031-03-04", Versions: []StoryVersion{
		{Doc: a, Original: true},
		{Doc: b, Result: r},
	}}
}

func storyText(t *testing.T, s *Story, width int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := StoryText(&buf, s, width, false); err != nil {
		t.Fatalf("StoryText: %v", err)
	}
	return buf.String()
}

func storyHTML(t *testing.T, s *Story) string {
	t.Helper()
	var buf bytes.Buffer
	if err := StoryHTML(&buf, s); err != nil {
		t.Fatalf("StoryHTML: %v", err)
	}
	return buf.String()
}

func TestSummarizeBriefsTheVersionAgainstTheOriginal(t *testing.T) {
	r, _, _ := fixture()
	// Given out of order: the brief lists sentences in document order.
	r.OnlyInB = append([]verify.SentenceRef{{Index: 5, Text: "The mayor will visit them."}}, r.OnlyInB...)
	c := Summarize(r)
	if c.Verdict != retold.Version || c.Score != 0.83 || c.Aligned != 3 {
		t.Errorf("verdict %s score %v aligned %d, want version 0.83 3", c.Verdict, c.Score, c.Aligned)
	}
	if want := []string{"Repairs will cost $2 million.", "The mayor will visit them."}; !slices.Equal(c.Added, want) {
		t.Errorf("added %q, want %q", c.Added, want)
	}
	if want := []string{"The building dates from 1890."}; !slices.Equal(c.Dropped, want) {
		t.Errorf("dropped %q, want %q", c.Dropped, want)
	}
	if ch := c.Numbers.Changed; len(ch) != 1 || ch[0].A.Text != "12" || ch[0].B.Text != "14" {
		t.Errorf("changed numbers %+v, want 12 -> 14", ch)
	}
	if o, v := c.Numbers.OnlyInOriginal, c.Numbers.OnlyInVersion; len(o) != 1 || o[0].Text != "1890" || len(v) != 1 || v[0].Text != "$2 million" {
		t.Errorf("one-sided numbers %+v / %+v, want 1890 / $2 million", o, v)
	}
	if v := c.Entities.Variants; len(v) != 1 || v[0].A != "Kowalsky" || v[0].B != "Kowalski" {
		t.Errorf("variants %+v, want Kowalsky ~ Kowalski", v)
	}
}

func TestSummarizeGivesEmptyListsNotNull(t *testing.T) {
	if Summarize(nil) != nil {
		t.Error("Summarize(nil) is not nil")
	}
	out, err := json.Marshal(Summarize(&verify.Result{Verdict: retold.Duplicate, Score: 1}))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"verdict":"duplicate","score":1,"reuse":{"class":"","share_a":0,"share_b":0,"longest_run":0,"structure":0},"aligned":0,"added":[],"dropped":[],` +
		`"numbers":{"changed":[],"only_in_original":[],"only_in_version":[]},"entities":{"variants":[]}}`
	if string(out) != want {
		t.Errorf("JSON of an empty brief:\n got %s\nwant %s", out, want)
	}
}

func TestStoryTextListsVersionsWithTheirChanges(t *testing.T) {
	got := storyText(t, fixtureStory(), 72)
	const want = `story s7, event e3, 2 versions, ran in 2 outlets, first seen 2031-03-04
* 2031-03-04           Daily Example            Twelve hurt in Lomza town hall fire  [lomza-a]
  undated              Example Wire             Fire at Lomza town hall: 14 hurt  [lomza-b]
    version 0.83   3 aligned, 1 added, 1 dropped
    numbers   12 -> 14 (people hurt)
              only in original: 1890
              only in this version: $2 million
    names     Kowalsky ~ Kowalski
    + Repairs will cost $2 million.
    - The building dates from 1890.
`
	if got != want {
		t.Errorf("story report:\n got:\n%s\nwant:\n%s", got, want)
	}
}

func TestStoryTextCutsSentencesToOneLine(t *testing.T) {
	s := fixtureStory()
	r := s.Versions[1].Result
	long := strings.Repeat("The council will meet again next week to discuss the repairs. ", 4)
	for i := range 5 {
		r.OnlyInB = append(r.OnlyInB, verify.SentenceRef{Index: 10 + i, Text: fmt.Sprintf("%d %s", i, long)})
	}
	const w = 50
	out := storyText(t, s, w)
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if i == 0 || strings.HasSuffix(l, "]") {
			continue // the header and the version lines are never cut
		}
		if width(l) > w {
			t.Errorf("line wider than %d: %q", w, l)
		}
	}
	if !strings.Contains(out, "    + 0 The council will meet again next week to…\n") {
		t.Errorf("a long added sentence is not cut to one line with …:\n%s", out)
	}
	if !strings.Contains(out, "+ 1 The council") || strings.Contains(out, "+ 2 The council") || !strings.Contains(out, "and 3 more added\n") {
		t.Errorf("want the first 3 added sentences and a count of the rest:\n%s", out)
	}
}

func TestStoryTextFlattensControlCharacters(t *testing.T) {
	s := fixtureStory()
	s.Versions[1].Doc.Title = "Fire\x1b[2J at\nthe hall"
	s.Versions[1].Result.OnlyInB[0].Text = "Repairs\x1b]0;owned\x07 will cost more."
	out := storyText(t, s, 72)
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("a control character from a document reached the terminal: %q", out)
	}
	if !strings.Contains(out, "Fire\uFFFD[2J at the hall  [lomza-b]") {
		t.Errorf("the title is not flattened to one line:\n%s", out)
	}
}

func TestStoryOfOneVersionHasNoChanges(t *testing.T) {
	_, a, _ := fixture()
	s := &Story{ID: "s1", Event: "e1", FirstSeen: a.Date, Versions: []StoryVersion{{Doc: a, Original: true}}}
	const want = "story s1, event e1, 1 versions, ran in 1 outlet, first seen 2031-03-04\n" +
		"* 2031-03-04           Daily Example            Twelve hurt in Lomza town hall fire  [lomza-a]\n"
	if got := storyText(t, s, 100); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	page := storyHTML(t, s)
	if strings.Contains(page, "Numbers changed") || !strings.Contains(page, `<span class="badge original">original</span>`) {
		t.Errorf("a one-version page should mark the original and show no changes")
	}
}

func TestStoryHTMLIsSelfContained(t *testing.T) {
	s := fixtureStory()
	s.Versions[0].Doc.URL = "https://example.test/a"
	page := storyHTML(t, s)
	if !strings.HasPrefix(page, "<!doctype html>") || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
		t.Errorf("not a complete page: %.40q ... %q", page, page[max(0, len(page)-20):])
	}
	if !strings.Contains(page, `<a href="https://example.test/a" rel="noreferrer">source</a>`) {
		t.Error("the page lacks the link to the version's own URL")
	}
	rest := strings.ReplaceAll(page, `href="https://example.test/a"`, "")
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "url(", "src="} {
		if strings.Contains(rest, bad) {
			t.Errorf("page refers outside itself or runs code: has %q", bad)
		}
	}
	for _, want := range []string{`name="viewport"`, "max-width: 52rem", "overflow-wrap: anywhere"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q, for phone widths", want)
		}
	}
}

func TestStoryHTMLShowsTimelineAndHighlightsChanges(t *testing.T) {
	page := storyHTML(t, fixtureStory())
	for _, want := range []string{
		`<li class="version-line original"><span class="when">2031-03-04</span> <span class="outlet">Daily Example</span> <a href="#v1">Twelve hurt in Lomza town hall fire</a> <span class="badge original">original</span></li>`,
		`<li class="version-line"><span class="when">undated</span> <span class="outlet">Example Wire</span> <a href="#v2">Fire at Lomza town hall: 14 hurt</a> <span class="badge" data-verdict="version">version</span></li>`,
		`<mark class="changed">12</mark> → <mark class="changed">14</mark>`,
		`said <span class="w-rep"><mark class="changed" title="this version has 14">12</mark></span> people`,
		`said <span class="w-rep"><mark class="changed" title="the original has 12">14</mark></span> people`,
		`<mark class="variant">Kowalsky</mark> ~ <mark class="variant">Kowalski</mark>`,
		`<ul class="sents added">` + "\n" + `<li>Repairs will cost <mark class="only" title="only in this version">$2 million</mark>.</li>`,
		`<ul class="sents dropped">` + "\n" + `<li>The building dates from <mark class="only" title="only in the original">1890</mark>.</li>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if i, j := strings.Index(page, `id="v1"`), strings.Index(page, `id="v2"`); i < 0 || j < i {
		t.Error("the version sections are not in timeline order")
	}
}

func TestStoryHTMLEscapesDocumentText(t *testing.T) {
	const attack = "<script>alert(1)</script>"
	const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
	tests := []struct {
		name   string
		change func(s *Story)
	}{
		{"title", func(s *Story) { s.Versions[1].Doc.Title = attack }},
		{"outlet", func(s *Story) { s.Versions[0].Doc.Outlet = attack }},
		{"story id", func(s *Story) { s.ID = attack }},
		{"added sentence", func(s *Story) { s.Versions[1].Result.OnlyInB[0] = verify.SentenceRef{Index: 2, Text: attack} }},
		{"variant", func(s *Story) { s.Versions[1].Result.Facts.Entities.Variants[0].B = attack }},
		{"changed number", func(s *Story) { s.Versions[1].Result.Facts.Numbers.Changed[0].B.Text = attack }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixtureStory()
			tt.change(s)
			page := storyHTML(t, s)
			if strings.Contains(page, "<script") {
				t.Error("the raw tag reached the page")
			}
			if !strings.Contains(page, escaped) {
				t.Errorf("the page lacks the escaped text %q", escaped)
			}
		})
	}
	s := fixtureStory()
	s.Versions[1].Doc.URL = "javascript:alert(1)"
	if page := storyHTML(t, s); strings.Contains(page, "javascript:") {
		t.Error("a javascript: URL became a link")
	}
}

func TestStoryErrors(t *testing.T) {
	if err := StoryText(&bytes.Buffer{}, nil, 80, false); !errors.Is(err, ErrNoResult) {
		t.Errorf("StoryText(nil): got %v, want ErrNoResult", err)
	}
	if err := StoryHTML(&bytes.Buffer{}, nil); !errors.Is(err, ErrNoResult) {
		t.Errorf("StoryHTML(nil): got %v, want ErrNoResult", err)
	}
	if err := StoryText(failingWriter{}, fixtureStory(), 80, false); !errors.Is(err, errDiskFull) {
		t.Errorf("StoryText to a failing writer: got %v, want it wrapped", err)
	}
	if err := StoryHTML(failingWriter{}, fixtureStory()); !errors.Is(err, errDiskFull) {
		t.Errorf("StoryHTML to a failing writer: got %v, want it wrapped", err)
	}
}
