package explain

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	retold "github.com/retold/retold"
)

// An invented event: a warehouse fire in Port Almer. Story s1 is the wire
// report (four dead, 11 hurt), run unchanged by a second outlet (a copy),
// and its write-thru a day later (seven dead); story s4 is an
// independent feature that gives the toll as seven; story s5 is an
// undated late report (nine dead), stored weeks later.
func fixtureEvent() (retold.Event, []retold.Story, []retold.StoredDocument, []retold.Copy) {
	docs := []retold.StoredDocument{
		{Seq: 1, Story: "s1", Event: "e1", Added: "2031-05-10T07:00:00Z", Document: retold.Document{
			ID: "fire-1", Date: "2031-05-10T06:00:00Z", Outlet: "Karavia Wire", Title: "Warehouse fire kills four in Port Almer",
			URL:  "https://example.test/fire-1",
			Text: "A fire swept through a grain warehouse in the port of Port Almer on Sunday, killing four people and injuring 11, the fire service said. About 60 firefighters fought the blaze through the night."}},
		{Seq: 2, Story: "s1", Event: "e1", Added: "2031-05-11T08:00:00Z", Document: retold.Document{
			ID: "fire-2", Date: "2031-05-11", Outlet: "Karavia Wire", Title: "Port Almer fire toll rises to seven",
			Text: "The toll from a fire at a grain warehouse in Port Almer rose to seven on Monday, and 11 people were injured, the fire service said. About 60 firefighters fought the blaze through the night."}},
		{Seq: 4, Story: "s4", Event: "e1", Added: "2031-05-11T13:00:00Z", Document: retold.Document{
			ID: "fire-feature", Date: "2031-05-11T12:00:00Z", Outlet: "Coast Courier", Title: "Dock workers recall the night the granary burned",
			Text: "Dock workers in Port Almer spent Monday sifting through the ashes of the granary. The fire killed seven people, the city said. Crane driver Ilse Marno said she had worked there for 14 years."}},
		{Seq: 5, Story: "s5", Event: "e1", Added: "2031-06-01T10:00:00Z", Document: retold.Document{
			ID: "fire-late", Outlet: "Almer Weekly", Title: "Granary fire: the toll reaches nine",
			Text: "Nine people died in the fire at the Port Almer granary, the coroner said. An inquiry opens next month."}},
	}
	copies := []retold.Copy{{ID: "fire-1-herald", Title: "Four die in Port Almer warehouse fire", Outlet: "Harbour Herald",
		Date: "2031-05-10T09:00:00Z", Seq: 1, Added: "2031-05-10T09:30:00Z"}}
	stories := []retold.Story{
		{ID: "s1", Event: "e1", Original: 1, Size: 2, Copies: 1, Outlets: []string{"Harbour Herald", "Karavia Wire"}, FirstSeen: "2031-05-10T06:00:00Z"},
		{ID: "s4", Event: "e1", Original: 4, Size: 1, Outlets: []string{"Coast Courier"}, FirstSeen: "2031-05-11T12:00:00Z"},
		{ID: "s5", Event: "e1", Original: 5, Size: 1, Outlets: []string{"Almer Weekly"}, FirstSeen: "2031-06-01T10:00:00Z"},
	}
	e := retold.Event{ID: "e1", Stories: 3, Size: 4, Copies: 1, Original: 1,
		Outlets:   []string{"Almer Weekly", "Coast Courier", "Harbour Herald", "Karavia Wire"},
		FirstSeen: "2031-05-10T06:00:00Z", LastSeen: "2031-06-01T10:00:00Z"}
	return e, stories, docs, copies
}

func fixtureEventReport() *Event {
	e, stories, docs, copies := fixtureEvent()
	return BuildEvent(e, stories, docs, copies)
}

// factLine is a fact as "label: v1 (where) -> v2 (where), in N".
func factLine(f Fact) string {
	var vals []string
	for _, v := range f.Values {
		vals = append(vals, fmt.Sprintf("%s (%s, %d)", v.Value, v.Where(), v.Documents))
	}
	return f.Label() + ": " + strings.Join(vals, " -> ") + fmt.Sprintf(", in %d", f.Documents)
}

func TestKeyFactsFollowTheValuesInDateOrder(t *testing.T) {
	_, _, docs, copies := fixtureEvent()
	var got []string
	for _, f := range KeyFacts(docs, copies) {
		got = append(got, factLine(f))
	}
	want := []string{
		// The toll as it rose; the undated report at the time it was added.
		"dead: 4 (Karavia Wire, 2031-05-10 06:00, 2) -> 7 (Karavia Wire, 2031-05-11, 2) -> 9 (Almer Weekly, added 2031-06-01 10:00, 1), in 5",
		// The same in three documents (the copy is one): it recurs.
		"injured: 11 (Karavia Wire, 2031-05-10 06:00, 3), in 3",
		"firefighters: 60 (Karavia Wire, 2031-05-10 06:00, 3), in 3",
	}
	// The 14 years of one document is no key fact: nothing else says it.
	if !slices.Equal(got, want) {
		t.Errorf("key facts:\n got %q\nwant %q", got, want)
	}
}

func TestKeyFactsDoNotDependOnTheInputOrder(t *testing.T) {
	_, _, docs, copies := fixtureEvent()
	want := KeyFacts(docs, copies)
	slices.Reverse(docs)
	copies = append(copies, retold.Copy{ID: "fire-1-again", Outlet: "Port Radio", Date: "2031-05-12", Seq: 1})
	slices.Reverse(copies)
	got := KeyFacts(docs, copies)
	if len(got) != len(want) {
		t.Fatalf("%d facts, want %d", len(got), len(want))
	}
	for i := range got {
		// The extra copy adds a document to the first values; their order
		// and where they first appeared stay.
		if got[i].Label() != want[i].Label() || len(got[i].Values) != len(want[i].Values) ||
			got[i].Values[0].ID != want[i].Values[0].ID || got[i].Documents != want[i].Documents+1 {
			t.Errorf("fact %d: got %s, want %s plus one document", i, factLine(got[i]), factLine(want[i]))
		}
	}
}

func TestKeyFactsAreFewAndRolesComeFirst(t *testing.T) {
	// Twenty documents, each repeating a dozen counted nouns and the dead.
	nouns := []string{"soldiers", "trucks", "tents", "boats", "villages", "schools", "bridges", "doctors", "pumps", "cranes", "roads", "buses"}
	var docs []retold.StoredDocument
	for i := range 20 {
		var b strings.Builder
		fmt.Fprintf(&b, "The flood killed %d people. ", 10+i/5)
		for j, n := range nouns {
			fmt.Fprintf(&b, "Officials sent %d %s. ", 100+j, n)
		}
		docs = append(docs, retold.StoredDocument{Seq: int64(i + 1), Document: retold.Document{
			ID: fmt.Sprintf("d%02d", i), Date: fmt.Sprintf("2031-07-%02d", i+1), Text: b.String()}})
	}
	facts := KeyFacts(docs, nil)
	if len(facts) != MaxFacts {
		t.Fatalf("%d facts, want MaxFacts (%d)", len(facts), MaxFacts)
	}
	if f := facts[0]; f.Role != "dead" || len(f.Values) != 4 || f.Values[3].Value != "13" || f.Values[3].ID != "d15" {
		t.Errorf("first fact %s, want the dead: 10 -> 11 -> 12 -> 13, 13 first in d15", factLine(f))
	}
	// The nouns, all in 20 documents, by name.
	if got := facts[1].Noun; got != "boats" {
		t.Errorf("second fact %q, want boats (the nouns in name order)", got)
	}
}

func TestBuildEventPutsStoriesVersionsAndCopiesInOrder(t *testing.T) {
	e := fixtureEventReport()
	if e.Headline != "Warehouse fire kills four in Port Almer" || e.Original != "fire-1" {
		t.Errorf("headline %q (%s), want the first story's original", e.Headline, e.Original)
	}
	var ids []string
	for _, s := range e.Stories {
		var vs []string
		for _, v := range s.Versions {
			vs = append(vs, v.Doc.ID)
			if v.Result != nil {
				t.Errorf("%s has changes: the event report compares nothing", v.Doc.ID)
			}
		}
		ids = append(ids, s.ID+":"+strings.Join(vs, ","))
	}
	if want := []string{"s1:fire-1,fire-2", "s4:fire-feature", "s5:fire-late"}; !slices.Equal(ids, want) {
		t.Errorf("stories %q, want %q", ids, want)
	}
	if c := e.Stories[0].Versions[0].Copies; len(c) != 1 || c[0].ID != "fire-1-herald" {
		t.Errorf("the wire report's copies: %+v", c)
	}
	if !e.Stories[0].Versions[0].Original || e.Stories[0].Versions[1].Original {
		t.Error("the original of s1 is not marked on fire-1 alone")
	}
}

func TestEventJSONHasEmptyListsAndTheStoriesTitles(t *testing.T) {
	empty := BuildEvent(retold.Event{ID: "e9"}, nil, nil, nil)
	b, err := json.Marshal(empty.JSON())
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"id":"e9","title":"e9","original":"","first_seen":"","last_seen":"","size":0,"copies":0,"outlets":[],"facts":[],"stories":[]}`
	if string(b) != want {
		t.Errorf("an empty event's JSON:\n got %s\nwant %s", b, want)
	}
	j := fixtureEventReport().JSON()
	if len(j.Stories) != 3 || j.Stories[1].Title != "Dock workers recall the night the granary burned" || j.Stories[0].Original != "fire-1" {
		t.Errorf("stories: %+v", j.Stories)
	}
	if f := j.Facts[0]; f.Label != "dead" || !f.Changed || len(f.Values) != 3 || !f.Values[2].Added || f.Values[2].ID != "fire-late" {
		t.Errorf("the first fact: %+v", f)
	}
}

func TestEventTextListsFactsThenStories(t *testing.T) {
	var buf bytes.Buffer
	if err := EventText(&buf, fixtureEventReport(), 100, false); err != nil {
		t.Fatal(err)
	}
	const want = `event e1: Warehouse fire kills four in Port Almer
3 stories, 4 versions, ran in 4 outlets (1 copy), 2031-05-10 06:00 to 2031-06-01 10:00

Key facts (3)
  dead          four (Karavia Wire, 2031-05-10 06:00) -> seven (Karavia Wire, 2031-05-11) -> nine
                (Almer Weekly, added 2031-06-01 10:00), in 5 documents
  injured       11 (Karavia Wire, 2031-05-10 06:00), in 3 documents
  firefighters  60 (Karavia Wire, 2031-05-10 06:00), in 3 documents

story s1, 2 versions, ran in 2 outlets (1 copy), first seen 2031-05-10T06:00:00Z
* 2031-05-10T06:00:00Z Karavia Wire             Warehouse fire kills four in Port Almer  [fire-1]
  2031-05-10T09:00:00Z Harbour Herald           copy Four die in Port Almer warehouse fire  [fire-1-herald]
  2031-05-11           Karavia Wire             Port Almer fire toll rises to seven  [fire-2]

story s4, 1 version, ran in 1 outlet, first seen 2031-05-11T12:00:00Z
* 2031-05-11T12:00:00Z Coast Courier            Dock workers recall the night the granary burned  [fire-feature]

story s5, 1 version, ran in 1 outlet, first seen 2031-06-01T10:00:00Z
* undated              Almer Weekly             Granary fire: the toll reaches nine  [fire-late]
`
	if got := buf.String(); got != want {
		t.Errorf("event report:\n got:\n%s\nwant:\n%s", got, want)
	}
	if err := EventText(io.Discard, nil, 80, false); err != ErrNoResult {
		t.Errorf("a nil event: %v", err)
	}
}

func timelineOf(t *testing.T, e *Event) string {
	t.Helper()
	svg, err := TimelineSVG(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(svg)
}

func TestTimelineSVGGolden(t *testing.T) {
	got := timelineOf(t, fixtureEventReport())
	path := filepath.Join("testdata", "timeline.golden.svg")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("the timeline chart differs from %s (run go test -update after checking):\n%s", path, got)
	}
	for range 3 {
		if timelineOf(t, fixtureEventReport()) != got {
			t.Fatal("two charts of one event differ")
		}
	}
}

// svgChart is what the structural tests read of a chart.
type svgChart struct {
	XMLName xml.Name `xml:"svg"`
	Role    string   `xml:"role,attr"`
	Labels  string   `xml:"aria-labelledby,attr"`
	Title   string   `xml:"title"`
	Desc    string   `xml:"desc"`
	Rows    []struct {
		Label struct {
			Href string `xml:"href,attr"`
			Text string `xml:"text"`
		} `xml:"a"`
		Marks []struct {
			Class string  `xml:"class,attr"`
			X     float64 `xml:"cx,attr"`
			Title string  `xml:"title"`
		} `xml:"circle"`
	} `xml:"g"`
	Texts []string `xml:"text"`
}

func parseChart(t *testing.T, svg string) svgChart {
	t.Helper()
	var c svgChart
	if err := xml.Unmarshal([]byte(svg), &c); err != nil {
		t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
	}
	var rows = c.Rows[:0]
	for _, r := range c.Rows { // the legend and axis groups have no label
		if r.Label.Href != "" {
			rows = append(rows, r)
		}
	}
	c.Rows = rows
	return c
}

func TestTimelineSVGMarksEveryVersionAndCopy(t *testing.T) {
	svg := timelineOf(t, fixtureEventReport())
	c := parseChart(t, svg)
	if c.Role != "img" || c.Labels != "event-timeline-title event-timeline-desc" ||
		!strings.Contains(c.Title, "event e1") || !strings.Contains(c.Desc, "3 stories, 4 versions and 1 copy") {
		t.Errorf("accessible name: role %q, labelledby %q, title %q, desc %q", c.Role, c.Labels, c.Title, c.Desc)
	}
	if len(c.Rows) != 3 {
		t.Fatalf("%d rows, want one per story (3)", len(c.Rows))
	}
	var classes []string
	for _, m := range c.Rows[0].Marks {
		classes = append(classes, m.Class)
	}
	if !slices.Equal(classes, []string{"original", "copy", "version"}) {
		t.Errorf("the first story's marks %q, want the original, its copy, the write-thru in time order", classes)
	}
	m := c.Rows[0].Marks
	if !(m[0].X < m[1].X && m[1].X < m[2].X) {
		t.Errorf("marks not in time order: %v %v %v", m[0].X, m[1].X, m[2].X)
	}
	if c.Rows[0].Label.Href != "#story-1" || c.Rows[0].Label.Text != "Warehouse fire kills four in Port…" {
		t.Errorf("first row label %+v", c.Rows[0].Label)
	}
	// The undated report sits in its column, right of every dated mark.
	late := c.Rows[2].Marks[0]
	if !strings.HasPrefix(late.Title, "undated · Almer Weekly") || late.X <= c.Rows[1].Marks[0].X {
		t.Errorf("the undated mark: %+v", late)
	}
	if !slices.Contains(c.Texts, "undated") {
		t.Errorf("no undated column label in %q", c.Texts)
	}
	// Nothing a Content-Security-Policy without 'unsafe-inline' refuses.
	for _, bad := range []string{"style=", "<style", "<script", "javascript:", "on" + "load="} {
		if strings.Contains(svg, bad) {
			t.Errorf("the chart holds %q", bad)
		}
	}
}

func TestTimelineSVGCapsRowsAndEscapes(t *testing.T) {
	var e Event
	e.ID = "e2"
	day := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range MaxTimelineRows + 15 {
		date := day.Add(time.Duration(i) * 7 * time.Hour).Format(time.RFC3339)
		e.Stories = append(e.Stories, &Story{ID: fmt.Sprintf("s%d", i), FirstSeen: date, Versions: []StoryVersion{
			{Original: true, Doc: retold.Document{ID: fmt.Sprintf("d%d", i), Date: date, Title: "<b>Story</b> & " + fmt.Sprint(i)}}}})
	}
	svg := timelineOf(t, &e)
	c := parseChart(t, svg)
	if len(c.Rows) != MaxTimelineRows {
		t.Errorf("%d rows, want MaxTimelineRows (%d)", len(c.Rows), MaxTimelineRows)
	}
	if !slices.Contains(c.Texts, "and 15 more stories, listed below") {
		t.Errorf("no line for the stories left out: %q", c.Texts)
	}
	if strings.Contains(svg, "<b>") || !strings.Contains(svg, "&lt;b&gt;Story&lt;/b&gt; &amp; 0") {
		t.Error("a headline is not escaped in the chart")
	}
	if h := regexp.MustCompile(`height="(\d+)"`).FindStringSubmatch(svg); h == nil || h[1] != "738" {
		t.Errorf("height %v, want 46 + 31 rows of 22 + 10 = 738", h)
	}
}

func TestTicks(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		lo, hi string
		want   []string
	}{
		{"2031-05-10T05:00:00Z", "2031-05-10T16:00:00Z", []string{"May 10 06:00", "May 10 09:00", "May 10 12:00", "May 10 15:00"}},
		{"2031-05-09T20:00:00Z", "2031-05-13T02:00:00Z", []string{"2031-05-10", "2031-05-11", "2031-05-12", "2031-05-13"}},
		{"2031-01-15T00:00:00Z", "2031-06-20T00:00:00Z", []string{"2031-02", "2031-03", "2031-04", "2031-05", "2031-06"}},
		{"2024-03-01T00:00:00Z", "2031-06-20T00:00:00Z", []string{"2025", "2026", "2027", "2028", "2029", "2030", "2031"}},
		{"2001-03-01T00:00:00Z", "2031-06-20T00:00:00Z", []string{"2005", "2010", "2015", "2020", "2025", "2030"}},
	}
	for _, tc := range tests {
		var got []string
		for _, k := range ticks(at(tc.lo), at(tc.hi), 520, false) {
			got = append(got, k.label)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ticks %s to %s: %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestEventHTMLIsSelfContainedAndEscaped(t *testing.T) {
	e := fixtureEventReport()
	e.Stories[1].Versions[0].Doc.Title = "<script>alert(1)</script>"
	var buf bytes.Buffer
	if err := EventHTML(&buf, e); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<h1>Warehouse fire kills four in Port Almer</h1>",
		`<li class="changed"><span class="fact">dead</span> <span class="value"><mark class="changed">four</mark> <span class="where">Karavia Wire, 2031-05-10 06:00</span></span> <span class="arrow">→</span>`,
		`<section class="event-story" id="story-2">`, "&lt;script&gt;alert(1)&lt;/script&gt;",
		`<svg xmlns="http://www.w3.org/2000/svg"`, `<span class="badge copy">copy</span>`,
		`<a class="source" href="https://example.test/fire-1" rel="noreferrer">source</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, `href="/`) {
		t.Errorf("the page holds markup from a document or a site address:\n%s", page)
	}
	frag, err := EventFragment(e, EventLinks{JSON: "/api/v1/events/e1", Story: func(id string) string { return "/stories/" + id }})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a href="/api/v1/events/e1">JSON</a>`, `<a href="/stories/s1">Warehouse fire`, `<a href="/stories/s1#v2">Port Almer fire toll`} {
		if !strings.Contains(string(frag), want) {
			t.Errorf("fragment lacks %q", want)
		}
	}
}

func TestKeyFactsLeaveOutWhatCountsNoFact(t *testing.T) {
	// Each text twice, so anything it states would recur.
	for _, text := range []string{
		"The 7.7 quake killed many in the hills.",                   // a fraction is no count of the dead
		"Crews worked at a 45-degree angle on the slope.",           // a singular noun after a count
		"Between 50 and 60 people were injured.",                    // a range
		"The meeting began at 10:30 and 103 people waited outside.", // a time, and a vague noun
		"The man, 54, said he had lived there for 20 years.",        // an age, a duration
	} {
		docs := []retold.StoredDocument{
			{Seq: 1, Document: retold.Document{ID: "a", Date: "2031-01-01", Text: text}},
			{Seq: 2, Document: retold.Document{ID: "b", Date: "2031-01-02", Text: text}},
		}
		if facts := KeyFacts(docs, nil); len(facts) != 0 {
			t.Errorf("%q: key facts %s, want none", text, factLine(facts[0]))
		}
	}
}

func TestTimelineSVGSpreadsMarksOfOneTime(t *testing.T) {
	// A wire story and two copies on one day, and a day-only event: the
	// three marks are set apart around their day, and the axis has days.
	e := &Event{ID: "e3", FirstSeen: "2031-02-01", LastSeen: "2031-02-03", Stories: []*Story{
		{ID: "s1", FirstSeen: "2031-02-01", Versions: []StoryVersion{{Original: true,
			Doc:    retold.Document{ID: "w", Date: "2031-02-01", Title: "Wire"},
			Copies: []retold.Copy{{ID: "c1", Date: "2031-02-01"}, {ID: "c2", Date: "2031-02-01"}}}}},
		{ID: "s2", FirstSeen: "2031-02-03", Versions: []StoryVersion{{Original: true,
			Doc: retold.Document{ID: "x", Date: "2031-02-03", Title: "Later"}}}},
	}}
	c := parseChart(t, timelineOf(t, e))
	m := c.Rows[0].Marks
	if len(m) != 3 || m[1].X-m[0].X != tlMarkGap || m[2].X-m[1].X != tlMarkGap {
		t.Fatalf("marks of one day at %v, want %v apart", m, tlMarkGap)
	}
	for _, label := range []string{"2031-02-01", "2031-02-02", "2031-02-03"} {
		if !slices.Contains(c.Texts, label) && !strings.Contains(timelineOf(t, e), ">"+label+"<") {
			t.Errorf("no tick %s", label)
		}
	}
	if strings.Contains(timelineOf(t, e), ":00<") {
		t.Error("a day-only event has ticks at hours")
	}
}
