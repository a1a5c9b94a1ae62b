package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	retold "github.com/retold/retold"
)

// quakeFeature is an invented report of the quake of story_test.go,
// written on its own (a same-event report, not a version): it gives the
// toll as 19 and is dated after the write-thru.
const quakeFeature = "Rescuers in Beskol worked through a second night on Wednesday, lifting concrete by hand where the cranes could not reach. " +
	"Teacher Aliya Nurova, 38, said she had run out of the school with 30 children seconds before its wall fell. " +
	"The Emergency Ministry now counts 19 dead and 85 injured in northern Karavia. " +
	"Interior Minister Zhanibek Sultanov promised to rebuild every home in the town before winter. " +
	"Tents set up by the army still sheltered about 3,400 people."

// quakeEventIndex is quakeIndex with the feature added: one event of two
// stories. It returns the index, the event and the quake story's id.
func quakeEventIndex(t *testing.T) (db, event, story string) {
	t.Helper()
	db, story = quakeIndex(t)
	b, err := json.Marshal(retold.Document{ID: "quake-feature", Title: "In Beskol, a teacher and 30 children ran for the door",
		Text: quakeFeature, Outlet: "Steppe Review", Date: "2031-04-04"})
	if err != nil {
		t.Fatal(err)
	}
	in := writeFile(t, filepath.Dir(db), "feature.jsonl", append(b, '\n'))
	if r := runCLI(t, "", "add", "--db", db, in); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	var ss []struct{ ID, Event string }
	if r := runCLI(t, "", "stories", "--db", db, "--json"); json.Unmarshal([]byte(r.stdout), &ss) != nil || len(ss) != 2 || ss[0].Event != ss[1].Event {
		t.Fatalf("want two stories of one event: %s", r.stdout)
	}
	return db, ss[0].Event, story
}

func TestEventsListsTheEventWithItsStories(t *testing.T) {
	db, event, _ := quakeEventIndex(t)
	r := runCLI(t, "", "events", "--db", db)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{event, "2 stories", "4  2031-04-02", "Earthquake kills 12 in Beskol",
		"ran in 4 outlets", "1 of 1 events\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("events lacks %q:\n%s", want, r.stdout)
		}
	}
	var js []struct {
		ID      string `json:"id"`
		Stories int    `json:"stories"`
		Title   string `json:"title"`
	}
	r = runCLI(t, "", "events", "--db", db, "--json", "--search", "nurova")
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || len(js) != 1 || js[0].ID != event || js[0].Stories != 2 {
		t.Errorf("events --json --search: %v %s", err, r.stdout)
	}
	for _, args := range [][]string{{"--since", "2031-05"}, {"--until", "2031-04-01"}, {"--search", "volcano"}} {
		r := runCLI(t, "", append([]string{"events", "--db", db}, args...)...)
		if r.code != 0 || r.stdout != "0 of 0 events\n" {
			t.Errorf("events %v: exit %d: %q", args, r.code, r.stdout)
		}
	}
}

func TestEventShowsFactsStoriesAndVersions(t *testing.T) {
	db, event, story := quakeEventIndex(t)
	r := runCLI(t, "", "event", "--db", db, event)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out := r.stdout
	for _, want := range []string{
		"event " + event + ": Earthquake kills 12 in Beskol\n",
		"2 stories, 4 versions, ran in 4 outlets, 2031-04-02 to 2031-04-04",
		// The toll as it rose, where each value first appeared. The
		// undated trim counts at the time it was added, today, which is
		// before the fixture's dates in 2031: it gave the 12 first.
		"dead", "12 (Regional Post, added ", ") -> 19 (Example Daily, 2031-04-03), in 4",
		"injured", "85 (Regional Post, added ",
		"story " + story + ", 3 versions",
		"* 2031-04-02           Karavia Wire             Earthquake kills 12 in Beskol  [quake-first]",
		"  undated              Regional Post            Beskol earthquake kills 12  [quake-trim]",
		"In Beskol, a teacher and 30 children ran for the door  [quake-feature]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("event report lacks %q:\n%s", want, out)
		}
	}
	// Stories oldest first: the wire story, then the feature.
	if strings.Index(out, "[quake-first]") > strings.Index(out, "[quake-feature]") {
		t.Errorf("stories not oldest first:\n%s", out)
	}
	// A story's id and a document's name the event too.
	for _, id := range []string{story, "quake-feature"} {
		if r := runCLI(t, "", "event", "--db", db, id); r.code != 0 || r.stdout != out {
			t.Errorf("event %s: exit %d, not the event's report: %s", id, r.code, r.stderr)
		}
	}
	if r := runCLI(t, "", "event", "--db", db, "e999"); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("an unknown event: exit %d: %s", r.code, r.stderr)
	}

	html := filepath.Join(t.TempDir(), "event.html")
	r = runCLI(t, "", "event", "--db", db, "--json", "--html", html, event)
	var js struct {
		ID    string `json:"id"`
		Facts []struct {
			Label  string `json:"label"`
			Values []struct {
				Value string `json:"value"`
			} `json:"values"`
		} `json:"facts"`
		Stories []struct {
			ID       string            `json:"id"`
			Title    string            `json:"title"`
			Versions []json.RawMessage `json:"versions"`
		} `json:"stories"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || js.ID != event || len(js.Stories) != 2 || len(js.Stories[0].Versions) != 3 ||
		len(js.Facts) == 0 || js.Facts[0].Label != "dead" || len(js.Facts[0].Values) != 2 {
		t.Errorf("event --json: %v %s", err, r.stdout)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h1>Earthquake kills 12 in Beskol</h1>", `<svg xmlns="http://www.w3.org/2000/svg"`,
		"Karavia quake toll rises to 19 &lt;script&gt;"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(string(page), "<script>") {
		t.Error("the page holds a document's markup")
	}
}

func TestStoriesByEventOutletAndDate(t *testing.T) {
	db, event, story := quakeEventIndex(t)
	tests := []struct {
		args []string
		want []string // the stories listed, newest first
	}{
		{nil, []string{"s", "s"}},
		{[]string{"--event", event}, []string{"s", "s"}},
		{[]string{"--event", "e999"}, nil},
		{[]string{"--outlet", "Regional Post"}, []string{story}},
		{[]string{"--outlet", "Steppe Review"}, []string{"s"}},
		{[]string{"--until", "2031-04-03"}, []string{story}},
		{[]string{"--since", "2031-04-04"}, []string{"s"}},
	}
	for _, tc := range tests {
		r := runCLI(t, "", append([]string{"stories", "--db", db}, tc.args...)...)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if r.code != 0 || len(lines) != len(tc.want)+1 {
			t.Errorf("stories %v: exit %d:\n%s", tc.args, r.code, r.stdout)
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(lines[i], w) || !strings.Contains(lines[i], " "+event+" ") {
				t.Errorf("stories %v: line %d %q, want %s in event %s", tc.args, i, lines[i], w, event)
			}
		}
	}
	// The total counts every story the query selects, past the limit.
	if r := runCLI(t, "", "stories", "--db", db, "--limit", "1"); !strings.HasSuffix(r.stdout, "1 of 2 stories\n") {
		t.Errorf("stories --limit 1: %q", r.stdout)
	}
	for _, args := range [][]string{{"--until", "garbage"}, {"--until", "2031-13"}} {
		if r := runCLI(t, "", append([]string{"stories", "--db", db}, args...)...); r.code != 2 {
			t.Errorf("stories %v: exit %d, want 2 (usage)", args, r.code)
		}
		if r := runCLI(t, "", append([]string{"events", "--db", db}, args...)...); r.code != 2 {
			t.Errorf("events %v: exit %d, want 2 (usage)", args, r.code)
		}
	}
}
