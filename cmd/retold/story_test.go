package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	retold "github.com/retold/retold"
)

// An invented story told three times: the first report of an earthquake;
// a write-thru a day later with a higher toll (12 -> 19 killed), the
// minister's name respelled (Sultanov -> Soultanov), an added sentence
// and a headline with markup in it; and an undated trim without the last
// sentence. They are added write-thru first, so that the timeline order
// (by date, undated last) is not the order of adding.
const (
	quakeFirst = "An earthquake struck the mountain town of Beskol in northern Karavia on Tuesday, killing 12 people and injuring 85, the Emergency Ministry said. " +
		"Interior Minister Zhanibek Sultanov said rescue teams had reached all 14 villages near the epicentre by evening. " +
		"The quake had a magnitude of 6.1 and was felt as far away as the capital, Aktau. " +
		"About 3,400 residents spent the night in tents set up by the army. " +
		"Schools in the district will stay closed until Monday."
	quakeAdded  = "The government announced an emergency fund for the families of the victims."
	quakeUpdate = "An earthquake struck the mountain town of Beskol in northern Karavia on Tuesday, killing 19 people and injuring 85, the Emergency Ministry said. " +
		"Interior Minister Zhanibek Soultanov said rescue teams had reached all 14 villages near the epicentre by evening. " +
		"The quake had a magnitude of 6.1 and was felt as far away as the capital, Aktau. " +
		"About 3,400 residents spent the night in tents set up by the army. " +
		quakeAdded + " " +
		"Schools in the district will stay closed until Monday."
	quakeDropped = "Schools in the district will stay closed until Monday."
	quakeTrim    = "An earthquake struck the mountain town of Beskol in northern Karavia on Tuesday, killing 12 people and injuring 85, the Emergency Ministry said. " +
		"Interior Minister Zhanibek Sultanov said rescue teams had reached all 14 villages near the epicentre by evening. " +
		"The quake had a magnitude of 6.1 and was felt as far away as the capital, Aktau. " +
		"About 3,400 residents spent the night in tents set up by the army."
	quakeUpdateTitle = "Karavia quake toll rises to 19 <script>alert(1)</script>"
	quakeFirstURL    = "https://example.test/quake/first"
	quakeUpdateURL   = "https://example.test/quake/update"
)

// quakeIndex adds the three versions to a new index and returns the
// index's path and the story's ID.
func quakeIndex(t *testing.T) (db, story string) {
	t.Helper()
	dir := t.TempDir()
	var lines []string
	for _, d := range []retold.Document{
		{ID: "quake-update", Title: quakeUpdateTitle, Text: quakeUpdate, Outlet: "Example Daily", Date: "2031-04-03", URL: quakeUpdateURL},
		{ID: "quake-first", Title: "Earthquake kills 12 in Beskol", Text: quakeFirst, Outlet: "Karavia Wire", Date: "2031-04-02", URL: quakeFirstURL},
		{ID: "quake-trim", Title: "Beskol earthquake kills 12", Text: quakeTrim, Outlet: "Regional Post"},
	} {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	in := writeFile(t, dir, "quake.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	db = filepath.Join(dir, "retold.db")
	if r := runCLI(t, "", "add", "--db", db, in); r.code != 0 || !strings.Contains(r.stderr, "3 added") {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	r := runCLI(t, "", "stories", "--db", db, "--json")
	var ss []struct {
		ID   string `json:"id"`
		Size int    `json:"size"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ss); err != nil || len(ss) != 1 || ss[0].Size != 3 {
		t.Fatalf("want the three versions in one story, got %v %s", err, r.stdout)
	}
	return db, ss[0].ID
}

func TestStoryTextShowsTimelineOriginalAndChanges(t *testing.T) {
	db, id := quakeIndex(t)
	r := runCLI(t, "", "story", "--db", db, id)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if want := "story " + id + ", "; !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], "3 versions, ran in 3 outlets, first seen 2031-04-02") {
		t.Errorf("header %q, want %q... 3 versions, ran in 3 outlets, first seen 2031-04-02", lines[0], want)
	}
	// blocks maps each version to the lines of its brief, and order lists
	// the versions as shown.
	blocks := map[string][]string{}
	var order, marked []string
	for _, l := range lines[1:] {
		if i := strings.LastIndex(l, "  ["); i >= 0 && strings.HasSuffix(l, "]") && !strings.HasPrefix(l, "    ") { // a brief is indented 4
			v := l[i+3 : len(l)-1]
			order = append(order, v)
			if strings.HasPrefix(l, "* ") {
				marked = append(marked, v)
			}
			continue
		}
		if len(order) == 0 {
			t.Fatalf("a brief before any version: %q", l)
		}
		blocks[order[len(order)-1]] = append(blocks[order[len(order)-1]], l)
	}
	if want := []string{"quake-first", "quake-update", "quake-trim"}; !slices.Equal(order, want) {
		t.Errorf("versions in the order %v, want %v (by date, undated last)\n%s", order, want, r.stdout)
	}
	if !slices.Equal(marked, []string{"quake-first"}) {
		t.Errorf("versions marked original: %v, want quake-first alone", marked)
	}
	if len(blocks["quake-first"]) != 0 {
		t.Errorf("the original has a brief: %q", blocks["quake-first"])
	}
	update := strings.Join(blocks["quake-update"], "\n")
	for _, want := range []string{
		"    version 1.00   5 aligned, 1 added, 0 dropped",
		"    numbers   12 -> 19 dead (Karavia on Tuesday, killing 12 people and injuring 85,)",
		"    names     Sultanov ~ Soultanov",
		"    + " + quakeAdded,
	} {
		if !strings.Contains(update, want) {
			t.Errorf("the write-thru's brief lacks %q:\n%s", want, update)
		}
	}
	if !strings.Contains(r.stdout, "\n  undated              Regional Post            Beskol earthquake kills 12  [quake-trim]\n") {
		t.Errorf("the undated trim's line is not marked undated:\n%s", r.stdout)
	}
	if trim := strings.Join(blocks["quake-trim"], "\n"); !strings.Contains(trim, "    - "+quakeDropped) || strings.Contains(trim, "->") {
		t.Errorf("the trim's brief should list its dropped sentence and no changed number:\n%s", trim)
	}
}

func TestStoryJSONSchema(t *testing.T) {
	db, id := quakeIndex(t)
	r := runCLI(t, "", "story", "--db", db, "--json", id)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if again := runCLI(t, "", "story", "--db", db, "--json", id); again.stdout != r.stdout {
		t.Error("two runs on one index give different JSON")
	}
	top := decodeJSON(t, r.stdout)
	keys(t, "top level", top, "id", "event", "first_seen", "original", "versions")
	if top["id"] != id || top["first_seen"] != "2031-04-02" || top["original"] != "quake-first" {
		t.Errorf("id %v first_seen %v original %v, want %s 2031-04-02 quake-first", top["id"], top["first_seen"], top["original"], id)
	}
	vs := array(t, "versions", top["versions"])
	if len(vs) != 3 {
		t.Fatalf("%d versions, want 3", len(vs))
	}
	versionKeys := []string{"id", "seq", "date", "outlet", "title", "url", "original", "changes"}
	first := keys(t, "versions[0]", vs[0], versionKeys...)
	if first["id"] != "quake-first" || first["original"] != true || first["changes"] != nil || first["url"] != quakeFirstURL {
		t.Errorf("versions[0] = %v, want the original with changes null", first)
	}
	update := keys(t, "versions[1]", vs[1], versionKeys...)
	if update["id"] != "quake-update" || update["original"] != false || update["title"] != quakeUpdateTitle || update["date"] != "2031-04-03" {
		t.Errorf("versions[1] = %v, want quake-update with its title and date", update)
	}
	if s0, s1 := first["seq"].(float64), update["seq"].(float64); s1 >= s0 {
		t.Errorf("seq of the original %v, of the write-thru %v: the write-thru was added first", s0, s1)
	}
	ch := keys(t, "versions[1].changes", update["changes"], "verdict", "score", "aligned", "added", "dropped", "numbers", "entities")
	if ch["verdict"] != "version" || ch["aligned"] != float64(5) {
		t.Errorf("verdict %v aligned %v, want version 5", ch["verdict"], ch["aligned"])
	}
	if added := array(t, "added", ch["added"]); len(added) != 1 || added[0] != quakeAdded {
		t.Errorf("added %q, want [%q]", added, quakeAdded)
	}
	if dropped := array(t, "dropped", ch["dropped"]); len(dropped) != 0 {
		t.Errorf("dropped %q, want []", dropped)
	}
	nums := keys(t, "numbers", ch["numbers"], "changed", "only_in_original", "only_in_version")
	changed := array(t, "numbers.changed", nums["changed"])
	if len(changed) != 1 {
		t.Fatalf("numbers.changed %v, want one", changed)
	}
	c := keys(t, "numbers.changed[0]", changed[0], "a", "b")
	a := keys(t, "changed[0].a", c["a"], "value", "text", "context", "sentence", "start", "end")
	b := keys(t, "changed[0].b", c["b"], "value", "text", "context", "sentence", "start", "end")
	if a["value"] != "12" || a["text"] != "12" || b["value"] != "19" || b["text"] != "19" {
		t.Errorf("changed number %v -> %v, want 12 -> 19", a["value"], b["value"])
	}
	if !strings.Contains(a["context"].(string), "killing 12 people") || !strings.Contains(b["context"].(string), "killing 19 people") {
		t.Errorf("contexts %q / %q, want the words around each number", a["context"], b["context"])
	}
	if start, end := int(b["start"].(float64)), int(b["end"].(float64)); quakeUpdate[start:end] != "19" {
		t.Errorf("b's offsets [%d,%d) do not point at 19 in the version's text", start, end)
	}
	array(t, "only_in_original", nums["only_in_original"])
	array(t, "only_in_version", nums["only_in_version"])
	ents := keys(t, "entities", ch["entities"], "variants")
	variants := array(t, "variants", ents["variants"])
	if len(variants) != 1 {
		t.Fatalf("variants %v, want one", variants)
	}
	if v := keys(t, "variants[0]", variants[0], "a", "b"); v["a"] != "Sultanov" || v["b"] != "Soultanov" {
		t.Errorf("variant %v ~ %v, want Sultanov ~ Soultanov", v["a"], v["b"])
	}
	trim := keys(t, "versions[2]", vs[2], versionKeys...)
	tc := keys(t, "versions[2].changes", trim["changes"], "dropped")
	if trim["id"] != "quake-trim" || trim["date"] != "" {
		t.Errorf("versions[2] = %v, want the undated trim last", trim)
	}
	if dropped := array(t, "dropped", tc["dropped"]); len(dropped) != 1 || dropped[0] != quakeDropped {
		t.Errorf("the trim dropped %q, want [%q]", dropped, quakeDropped)
	}
}

func TestStoryHTMLPage(t *testing.T) {
	db, id := quakeIndex(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "story.html")
	r := runCLI(t, "", "story", "--db", db, "--html", out, id)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "12 -> 19") {
		t.Errorf("--html should still print the report; got:\n%s", r.stdout)
	}
	page := readPage(t, out)
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("the page holds a <script: the headline was not escaped")
	}
	if !strings.Contains(page, "Karavia quake toll rises to 19 &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the page lacks the escaped headline")
	}
	for _, want := range []string{
		`<mark class="changed">12</mark> → <mark class="changed">19</mark>`,
		`killing <span class="w-rep"><mark class="changed" title="the original has 12">19</mark></span> people`,
		`<mark class="variant">Sultanov</mark> ~ <mark class="variant">Soultanov</mark>`,
		"<li>" + quakeAdded + "</li>",
		"<li>" + quakeDropped + "</li>",
		`<span class="badge original">original</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The versions' own URLs are links; nothing else may point outside.
	rest := strings.NewReplacer(`href="`+quakeFirstURL+`"`, "", `href="`+quakeUpdateURL+`"`, "").Replace(page)
	for _, bad := range []string{"http://", "https://", "<link", "src=", "@import", "url("} {
		if strings.Contains(rest, bad) {
			t.Errorf("the page refers outside itself: has %q", bad)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the directory should hold story.html only (no temporary file left), has %d entries", len(entries))
	}
}

func TestStoryOfOneDocument(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "retold.db")
	in := writeFile(t, dir, "a.txt", []byte(storyA))
	if r := runCLI(t, "", "add", "--db", db, in); r.code != 0 {
		t.Fatalf("add: %s", r.stderr)
	}
	r := runCLI(t, "", "stories", "--db", db, "--json")
	var ss []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ss); err != nil || len(ss) != 1 {
		t.Fatalf("stories: %v %s", err, r.stdout)
	}
	id := ss[0].ID
	page := filepath.Join(dir, "one.html")
	r = runCLI(t, "", "story", "--db", db, "--html", page, id)
	if lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n"); r.code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[1], "* ") {
		t.Errorf("want the header and the original's line only; exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if p := readPage(t, page); strings.Contains(p, "Numbers changed") {
		t.Error("the page of a one-document story shows changes")
	}
	r = runCLI(t, "", "story", "--db", db, "--json", id)
	top := decodeJSON(t, r.stdout)
	vs := array(t, "versions", top["versions"])
	if len(vs) != 1 {
		t.Fatalf("%d versions, want 1", len(vs))
	}
	v := keys(t, "versions[0]", vs[0], "original", "changes")
	if v["original"] != true || v["changes"] != nil || top["original"] != v["id"] {
		t.Errorf("versions[0] = %v, original %v: want the original, changes null", v, top["original"])
	}
}

func TestStoryErrors(t *testing.T) {
	db, _ := quakeIndex(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown story", []string{"story", "--db", db, "s999"}, 1, "retold story: story s999: not found (give a story ID from retold stories, or a document's id)\n"},
		{"missing index", []string{"story", "--db", filepath.Join(t.TempDir(), "none.db"), "s1"}, 1, "no index there"},
		{"no id", []string{"story", "--db", db}, 2, "give one story ID"},
		{"two ids", []string{"story", "--db", db, "s1", "s2"}, 2, "give one story ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and one line with %q", r.code, r.stderr, r.stdout, tt.code, tt.want)
			}
		})
	}
}

// TestStoryByDocumentID: a document's id names its story.
func TestStoryByDocumentID(t *testing.T) {
	db, id := quakeIndex(t)
	byStory := runCLI(t, "", "story", "--db", db, "--json", id)
	byDoc := runCLI(t, "", "story", "--db", db, "--json", "quake-update")
	if byStory.code != 0 || byDoc.code != 0 || byStory.stdout != byDoc.stdout {
		t.Errorf("story by a document's id differs from by the story's:\n%s\n%s%s", byStory.stdout, byDoc.stdout, byDoc.stderr)
	}
}
