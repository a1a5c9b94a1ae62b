package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/sqlite"
)

// uiCorpus is invented: a flood story in three versions (an original, a
// write-thru that raises the toll from 12 to 19 and spells the minister
// Soultanov, and a trim), a council story, and a document whose headline
// is markup.
var uiCorpus = []retold.Document{
	{ID: "ui-flood-1", Date: "2031-06-10", Outlet: "Steppe Herald", Title: "Flash floods kill 12 in Oral district",
		Text: "Flash floods swept through the Oral district of Karavia on Monday, killing at least 12 people and forcing more than 2,400 residents from their homes, the Emergency Ministry said.\n\n" +
			"Minister Zhanibek Sultanov said rescue teams had pulled 180 people from flooded villages overnight. \"We have never seen the river rise so fast,\" he told reporters in Oral.\n\n" +
			"The regional governor said three dams upstream were being watched around the clock.\n\n" +
			"Rainfall in the district reached 120 millimetres in 36 hours, three times the monthly average, the weather service said.\n\n" +
			"Schools in the valley will stay closed until Friday."},
	{ID: "ui-flood-2", Date: "2031-06-11", Outlet: "Caspian Wire", Title: "Oral flood toll rises to 19",
		Text: "Flash floods swept through the Oral district of Karavia this week, killing at least 19 people and forcing more than 2,400 residents from their homes, the Emergency Ministry said on Tuesday.\n\n" +
			"Minister Zhanibek Soultanov said rescue teams had pulled 180 people from flooded villages overnight. \"We have never seen the river rise so fast,\" he told reporters in Oral.\n\n" +
			"The regional governor said three dams upstream were being watched around the clock.\n\n" +
			"Rainfall in the district reached 120 millimetres in 36 hours, three times the monthly average, the weather service said.\n\n" +
			"The government announced an emergency fund for the families of the victims.\n\n" +
			"Schools in the valley will stay closed until Friday."},
	{ID: "ui-flood-3", Date: "2031-06-11T18:00:00Z", Outlet: "Evening Ledger", Title: "Floods in Oral district kill 12",
		Text: "Flash floods swept through the Oral district of Karavia on Monday, killing at least 12 people and forcing more than 2,400 residents from their homes, the Emergency Ministry said.\n\n" +
			"Minister Zhanibek Sultanov said rescue teams had pulled 180 people from flooded villages overnight.\n\n" +
			"Rainfall in the district reached 120 millimetres in 36 hours, three times the monthly average, the weather service said."},
	{ID: "ui-council", Date: "2031-07-01", Outlet: "Town Post", Title: "Council delays library budget vote",
		Text: "The town council of Lindenford postponed its vote on the library budget to September after a long debate on Thursday evening.\n\n" +
			"Councillors said the cost of the new reading room had doubled since the plan was first drawn up two years ago."},
	{ID: "ui-markup", Date: "2031-06-20", Outlet: "<b>Bold</b> Outlet", Title: "<script>alert(1)</script>",
		Text: "A bakery in Westholm won the regional bread prize for the third year in a row, the judges announced on Saturday.\n\n" +
			"Its sourdough rye, baked in a wood-fired oven built in 1912, beat 40 other entries from across the province."},
}

// uiEventCorpus is invented: two more reports of uiCorpus's flood, each
// written on its own (a feature the day after the write-thru, and a
// government statement with a higher toll after that), and a copy of the
// write-thru that another outlet ran unchanged. With the flood's three
// versions they make one event of three stories, the toll going 12, 19,
// 23.
var uiEventCorpus = []retold.Document{
	{ID: "ui-flood-feature", Date: "2031-06-12", Outlet: "Karavia Review", Title: "In Oral, a bakery owner wades back to what the river left",
		Text: "Aigerim Dosova returned to her bakery on Wednesday to find the ovens buried in mud and the flour sacks split open on the floor.\n\n" +
			"The Oral district was hit by flash floods on Monday after 120 millimetres of rain fell in 36 hours. Officials now say 19 people died and more than 2,400 residents had to leave their homes.\n\n" +
			"Dosova, 41, said the water reached the counter within twenty minutes. Her neighbours carried her two children to the roof of the school.\n\n" +
			"Emergency Minister Zhanibek Sultanov visited the valley on Tuesday and promised compensation for small businesses in Oral, but gave no figure.\n\n" +
			"\"I will bake again,\" Dosova said, scraping the floor. \"Just not this month.\""},
	{ID: "ui-flood-aid", Date: "2031-06-13T09:30:00Z", Outlet: "Government Press Office", Title: "Karavia pledges aid as Oral flood toll reaches 23",
		Text: "The government of Karavia will pay 500 families in the Oral district for the loss of their homes, the cabinet announced on Thursday, as the toll from Monday's flash floods reached 23 dead.\n\n" +
			"Emergency Minister Zhanibek Sultanov told the cabinet that 2,400 residents were still in shelters and that army engineers had reopened the road to Oral.\n\n" +
			"The weather service recorded 120 millimetres of rain in 36 hours before the river broke its banks, the heaviest fall in the district since records began."},
	{ID: "ui-flood-2-relay", Date: "2031-06-11T15:00:00Z", Outlet: "Valley Relay", Title: "Oral flood toll rises to 19",
		Text: uiCorpus[1].Text},
}

// uiEventOf is the event document id is in now.
func uiEventOf(t *testing.T, s *Server, id string) string {
	t.Helper()
	var d retold.StoredDocument
	if err := s.st.View(context.Background(), func(tx retold.ReadTx) (err error) { d, err = tx.DocumentByID(id); return }); err != nil {
		t.Fatal(err)
	}
	return d.Event
}

// uiEventServer is a server over uiCorpus and uiEventCorpus, and the
// flood's event.
func uiEventServer(t *testing.T) (*Server, string) {
	t.Helper()
	s := newUIServer(t, nil, append(slices.Clone(uiCorpus), uiEventCorpus...))
	event := uiEventOf(t, s, "ui-flood-1")
	for _, id := range []string{"ui-flood-feature", "ui-flood-aid"} {
		if e := uiEventOf(t, s, id); e != event {
			t.Fatalf("%s is in event %s, not %s with the flood", id, e, event)
		}
	}
	return s, event
}

const uiToken = "ui-token"

// newUIServer is a Server over a temporary store holding docs.
func newUIServer(t *testing.T, opt *Options, docs []retold.Document) *Server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "retold.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o := Options{Token: uiToken, OpenReads: true, ErrorLog: io.Discard}
	if opt != nil {
		o = *opt
	}
	s := New(st, nil, &o)
	if len(docs) > 0 {
		if _, err := s.x.AddBatch(context.Background(), docs); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// uiStoryOf is the story document id is in now.
func uiStoryOf(t *testing.T, s *Server, id string) string {
	t.Helper()
	var story string
	err := s.st.View(context.Background(), func(tx retold.ReadTx) error {
		d, err := tx.DocumentByID(id)
		story = d.Story
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return story
}

type uiResponse struct {
	status int
	header http.Header
	body   string
}

func uiDo(t *testing.T, h http.Handler, req *http.Request) uiResponse {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return uiResponse{rec.Code, rec.Header(), rec.Body.String()}
}

func uiGet(t *testing.T, h http.Handler, target string) uiResponse {
	t.Helper()
	return uiDo(t, h, httptest.NewRequest(http.MethodGet, target, nil))
}

func uiPostForm(t *testing.T, h http.Handler, target string, form url.Values) uiResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return uiDo(t, h, req)
}

// uiPostFile posts a multipart match form with a file.
func uiPostFile(t *testing.T, h http.Handler, target, filename, content string) uiResponse {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("text", "")
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, target, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return uiDo(t, h, req)
}

// uiWantPage checks what every UI page must be: HTML of the status
// given, under a script-free Content-Security-Policy, the markup headline
// never raw, and each of want in the body.
func uiWantPage(t *testing.T, r uiResponse, status int, want ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, part := range []string{"default-src 'self'", "script-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, part)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q allows inline code", csp)
	}
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, "<b>Bold") {
		t.Errorf("markup from a document is not escaped:\n%s", r.body)
	}
	if !strings.Contains(r.body, `<meta name="viewport"`) {
		t.Error("no viewport meta")
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("page lacks %q; body:\n%s", w, r.body)
		}
	}
}

const uiEscapedScript = "&lt;script&gt;alert(1)&lt;/script&gt;"

func TestUIStoryList(t *testing.T) {
	s := newUIServer(t, nil, uiCorpus)
	flood := uiStoryOf(t, s, "ui-flood-1")
	if flood != uiStoryOf(t, s, "ui-flood-2") || flood != uiStoryOf(t, s, "ui-flood-3") {
		t.Fatal("the three flood versions are not one story")
	}

	all := uiGet(t, s, "/")
	uiWantPage(t, all, http.StatusOK,
		`href="/stories/`+flood+`"`, "Flash floods kill 12 in Oral district", "3 versions",
		"Caspian Wire, Evening Ledger, Steppe Herald", "first seen <span class=\"first-seen\">2031-06-10",
		"Council delays library budget vote", uiEscapedScript, `name="q"`, `name="since"`,
		`<link rel="stylesheet" href="/static/retold.css">`)

	tests := []struct {
		name, target string
		want, not    []string
	}{
		{"search by title", "/?q=flood", []string{"Flash floods kill 12", `value="flood"`}, []string{"Council delays"}},
		{"search by lede", "/?q=Lindenford", []string{"Council delays"}, []string{"Flash floods"}},
		{"search folds case", "/?q=LIBRARY", []string{"Council delays"}, []string{"Flash floods"}},
		{"no match", "/?q=volcano", []string{"No story matches"}, []string{"Flash floods", "Council delays"}},
		{"since", "/?since=2031-06-15", []string{"Council delays", `value="2031-06-15"`}, []string{"Flash floods"}},
		{"first page", "/?limit=1", []string{"Council delays", `rel="next" href="/?after=`, `&amp;from=2&amp;limit=1"`}, []string{"Flash floods", `rel="prev"`}},
		{"last page by offset", "/?limit=1&offset=2", []string{"Flash floods", `rel="prev" href="/?limit=1"`, "stories 3–3"}, []string{"Council delays", `rel="next"`}},
		{"paging keeps the search", "/?q=the&limit=1", []string{`rel="next" href="/?after=`, `&amp;from=2&amp;limit=1&amp;q=the"`}, nil},
		{"past the end", "/?offset=50", []string{"No more stories"}, []string{"Flash floods"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := uiGet(t, s, tc.target)
			uiWantPage(t, r, http.StatusOK, tc.want...)
			for _, n := range tc.not {
				if strings.Contains(r.body, n) {
					t.Errorf("page has %q", n)
				}
			}
		})
	}
	uiWantPage(t, uiGet(t, s, "/?after=notacursor"), http.StatusBadRequest, "not a cursor")
	// Following the next links walks every story once, in order.
	var walked []string
	for next, n := "/?limit=1", 0; next != "" && n < 10; n++ {
		r := uiGet(t, s, strings.ReplaceAll(next, "&amp;", "&"))
		for _, h := range []string{"Council delays", "Flash floods", uiEscapedScript} {
			if strings.Contains(r.body, ">"+h) {
				walked = append(walked, h)
			}
		}
		next = ""
		if _, rest, ok := strings.Cut(r.body, `rel="next" href="`); ok {
			next, _, _ = strings.Cut(rest, `"`)
		}
	}
	if len(walked) != 3 || walked[0] != "Council delays" {
		t.Errorf("the next links walked %q, want the three stories newest first", walked)
	}
	if r := uiGet(t, s, "/?q=bread"); !strings.Contains(r.body, uiEscapedScript) {
		t.Errorf("the markup headline is not shown escaped:\n%s", r.body)
	}
}

func TestUIStoryPage(t *testing.T) {
	s := newUIServer(t, nil, uiCorpus)
	flood := uiStoryOf(t, s, "ui-flood-1")
	r := uiGet(t, s, "/stories/"+flood)
	uiWantPage(t, r, http.StatusOK,
		"<h1>Flash floods kill 12 in Oral district</h1>",
		// the timeline, oldest first, the original marked
		`<li class="version-line original"><span class="when">2031-06-10</span> <span class="outlet">Steppe Herald</span>`,
		`<span class="badge original">original</span>`,
		"2031-06-11</span> <span class=\"outlet\">Caspian Wire</span> <a href=\"#v2\">Oral flood toll rises to 19</a>",
		"Evening Ledger",
		// the write-thru's changes against the original
		`<mark class="changed">12</mark> → <mark class="changed">19</mark>`,
		`<mark class="variant">Sultanov</mark> ~ <mark class="variant">Soultanov</mark>`,
		"The government announced an emergency fund",
		// each version's link to the side-by-side view, and the pick-two form
		`href="/compare?a=ui-flood-1&amp;av=1&amp;b=ui-flood-2&amp;bv=1"`,
		`href="/compare?a=ui-flood-1&amp;av=1&amp;b=ui-flood-3&amp;bv=1"`,
		`<form class="pick" method="get" action="/stories/`+flood+`/compare">`,
		`<select name="from">`, `<select name="to">`)
	if n := strings.Count(r.body, `<span class="badge original">`); n != 2 { // timeline and section
		t.Errorf("the original is marked %d times, want 2 (one version)", n)
	}

	markup := uiStoryOf(t, s, "ui-markup")
	uiWantPage(t, uiGet(t, s, "/stories/"+markup), http.StatusOK, "<h1>"+uiEscapedScript+"</h1>", "&lt;b&gt;Bold&lt;/b&gt; Outlet")

	missing := uiGet(t, s, "/stories/no-such-story")
	uiWantPage(t, missing, http.StatusNotFound, "404 Not Found", "not found")
}

func TestUIPickTwoVersions(t *testing.T) {
	s := newUIServer(t, nil, uiCorpus)
	flood := uiStoryOf(t, s, "ui-flood-1")
	var seq2, seq3 int64
	s.st.View(context.Background(), func(tx retold.ReadTx) error {
		d2, _ := tx.DocumentByID("ui-flood-2")
		d3, _ := tx.DocumentByID("ui-flood-3")
		seq2, seq3 = d2.Seq, d3.Seq
		return nil
	})
	r := uiGet(t, s, "/stories/"+flood+"/compare?from="+strconv.FormatInt(seq3, 10)+"&to="+strconv.FormatInt(seq2, 10))
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", r.status)
	}
	if got, want := r.header.Get("Location"), "/compare?a=ui-flood-3&av=1&b=ui-flood-2&bv=1"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	uiWantPage(t, uiGet(t, s, "/stories/"+flood+"/compare?from=x&to=2"), http.StatusBadRequest, "pick two versions")
	uiWantPage(t, uiGet(t, s, "/stories/"+flood+"/compare?from=999&to=2"), http.StatusNotFound)
}

// uiStyleHash is the CSP source of the first inline <style> of page.
func uiStyleHash(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no inline style")
	}
	sum := sha256.Sum256([]byte(m[1]))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func TestUIComparePage(t *testing.T) {
	s := newUIServer(t, nil, uiCorpus)
	flood := uiStoryOf(t, s, "ui-flood-1")
	r := uiGet(t, s, "/compare?a=ui-flood-1&av=1&b=ui-flood-2&bv=1")
	uiWantPage(t, r, http.StatusOK,
		`<nav class="retold-bar"`, `<a href="/stories/`+flood+`">story of A</a>`,
		`href="/compare?a=ui-flood-2&amp;av=1&amp;b=ui-flood-1&amp;bv=1">swap A and B</a>`,
		`<link rel="stylesheet" href="/static/bar.css">`,
		`<tr class="added">`, "The government announced an emergency fund")
	for _, re := range []string{
		`<mark class="changed"[^>]*>12</mark>`, `<mark class="changed"[^>]*>19</mark>`,
		`<mark class="variant"[^>]*>Sultanov</mark>`, `<mark class="variant"[^>]*>Soultanov</mark>`,
	} {
		if !regexp.MustCompile(re).MatchString(r.body) {
			t.Errorf("the compare page has no %s", re)
		}
	}
	// The report's inline style is allowed by its hash, nothing else inline.
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' "+uiStyleHash(t, r.body)) {
		t.Errorf("Content-Security-Policy %q does not allow the page's style by its hash", csp)
	}
	if strings.Index(r.body, "<nav class=\"retold-bar\"") < strings.Index(r.body, "<body>") {
		t.Error("the bar is not inside <body>")
	}

	markup := uiGet(t, s, "/compare?a=ui-markup&b=ui-council")
	uiWantPage(t, markup, http.StatusOK, uiEscapedScript)

	uiWantPage(t, uiGet(t, s, "/compare?a=ui-flood-1"), http.StatusBadRequest, "give two document ids")
	uiWantPage(t, uiGet(t, s, "/compare?a=ui-flood-1&b=nope"), http.StatusNotFound)
	uiWantPage(t, uiGet(t, s, "/compare?a=ui-flood-1&av=7&b=ui-flood-2"), http.StatusNotFound)
}

func TestUIMatch(t *testing.T) {
	s := newUIServer(t, nil, uiCorpus)
	flood := uiStoryOf(t, s, "ui-flood-1")
	uiWantPage(t, uiGet(t, s, "/match"), http.StatusOK,
		`<form class="match" method="post" action="/match" enctype="multipart/form-data">`,
		`<textarea id="text" name="text"`, `<input type="file" name="file"`)

	// A new write-thru of the flood story, pasted.
	pasted := "Flood toll in Oral reaches 23\n\n" +
		"Flash floods swept through the Oral district of Karavia this week, killing at least 23 people and forcing more than 2,400 residents from their homes, the Emergency Ministry said on Wednesday.\n\n" +
		"Minister Zhanibek Soultanov said rescue teams had pulled 180 people from flooded villages overnight.\n\n" +
		"Rainfall in the district reached 120 millimetres in 36 hours, three times the monthly average, the weather service said."
	r := uiPostForm(t, s, "/match", url.Values{"text": {pasted}})
	uiWantPage(t, r, http.StatusOK,
		`It belongs to the story <a class="story-link" href="/stories/`+flood+`">Flash floods kill 12 in Oral district</a>`,
		"Evidence: related stored documents", `data-verdict="version"`, "ui-flood-1",
		`<mark class="changed">`, ">23</mark>",
		`<textarea id="text" name="text" rows="10">Flood toll in Oral reaches 23`) // the form keeps the text

	uploaded := uiPostFile(t, s, "/match", "article.txt", pasted)
	uiWantPage(t, uploaded, http.StatusOK, `href="/stories/`+flood+`"`, "It belongs to the story")

	// The stored text itself is a duplicate.
	dup := uiPostForm(t, s, "/match", url.Values{"text": {uiCorpus[3].Title + "\n\n" + uiCorpus[3].Text}})
	uiWantPage(t, dup, http.StatusOK)

	// A text about the markup story shows its headline escaped.
	bakery := uiPostForm(t, s, "/match", url.Values{"text": {"Westholm bakery wins again\n\n" + uiCorpus[4].Text}})
	uiWantPage(t, bakery, http.StatusOK, uiEscapedScript)

	unrelated := uiPostForm(t, s, "/match", url.Values{"text": {"Tide tables\n\nThe harbour office published new tide tables for the autumn, with the highest tide expected on October 3."}})
	uiWantPage(t, unrelated, http.StatusOK, "No stored story matches")

	uiWantPage(t, uiPostForm(t, s, "/match", url.Values{"text": {"  "}}), http.StatusBadRequest, "paste a text or choose a file")

	small := newUIServer(t, &Options{OpenReads: true, MaxBody: 1 << 10, ErrorLog: io.Discard}, nil)
	big := strings.Repeat("A long sentence about nothing at all. ", 200)
	uiWantPage(t, uiPostForm(t, small, "/match", url.Values{"text": {big}}), http.StatusRequestEntityTooLarge)
	uiWantPage(t, uiPostFile(t, small, "/match", "big.txt", big), http.StatusRequestEntityTooLarge)
}

func TestUIStaticFiles(t *testing.T) {
	s := newUIServer(t, nil, nil)
	for _, name := range []string{"/static/retold.css", "/static/bar.css", "/static/report.css"} {
		r := uiGet(t, s, name)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
			t.Errorf("%s: status %d, Content-Type %q", name, r.status, r.header.Get("Content-Type"))
		}
	}

	// Over a real connection, so the raw paths reach the server as sent;
	// redirects (ServeMux cleans paths) are followed to the end.
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, p := range []string{
		"/static/", "/static", "/static/nope.css",
		"/static/../server.go", "/static/../ui.go", "/static/%2e%2e/ui.go", "/static/%2e%2e%2fui.go",
		"/static/..%2fserver.go", "/static/..%5cserver.go", "/static/../templates/layout.tmpl",
		"/static/%2e%2e/%2e%2e/go.mod", "/static//etc/passwd", "/static/./../ui_test.go",
		"/templates/layout.tmpl", "/server.go", "/ui.go",
	} {
		t.Run(p, func(t *testing.T) {
			resp, err := http.Get(ts.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 404 or 400", resp.StatusCode)
			}
			for _, leak := range []string{"package server", "go:embed", "{{define", "module github.com", "root:"} {
				if bytes.Contains(body, []byte(leak)) {
					t.Errorf("the answer holds %q", leak)
				}
			}
		})
	}
}

func TestUIErrorsAndAuth(t *testing.T) {
	s := newUIServer(t, nil, uiCorpus)
	uiWantPage(t, uiGet(t, s, "/no-such-page"), http.StatusNotFound, "no page /no-such-page")
	uiWantPage(t, uiGet(t, s, "/?limit=0"), http.StatusBadRequest, "limit must be a whole number")
	uiWantPage(t, uiGet(t, s, "/"+url.PathEscape("<script>alert(1)</script>")), http.StatusNotFound)
	// The API's unknown routes still answer in JSON.
	if r := uiGet(t, s, "/api/v1/nope"); r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("/api/v1/nope: status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
	}

	closed := newUIServer(t, &Options{Token: uiToken, ErrorLog: io.Discard}, uiCorpus)
	for _, p := range []string{"/", "/stories/x", "/events", "/events/x", "/compare?a=ui-flood-1&b=ui-flood-2", "/match"} {
		r := uiGet(t, closed, p)
		if want := "/login?next=" + url.QueryEscape(p); r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("%s without the token: status %d to %q, want 303 to %q", p, r.status, r.header.Get("Location"), want)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+uiToken)
	uiWantPage(t, uiDo(t, closed, req), http.StatusOK, "Flash floods kill 12")
}

// TestUISignIn: with reads closed, a browser signs in with the token once;
// its cookie opens the pages and the API's reads, never a write, and
// sign-in sends nobody to another site.
func TestUISignIn(t *testing.T) {
	closed := newUIServer(t, &Options{Token: uiToken, ErrorLog: io.Discard}, uiCorpus)
	login := func(token, next string) uiResponse {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {token}, "next": {next}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return uiDo(t, closed, req)
	}
	uiWantPage(t, uiGet(t, closed, "/login?next=/match"), http.StatusOK, `name="next" value="/match"`)
	uiWantPage(t, login("wrong", "/match"), http.StatusUnauthorized, "That is not the token.")
	r := login(uiToken, "/match")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/match" {
		t.Fatalf("sign in: %d to %q", r.status, r.header.Get("Location"))
	}
	cookie := r.header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") || strings.Contains(cookie, uiToken) {
		t.Errorf("session cookie %q: want HttpOnly, SameSite=Strict and not the token itself", cookie)
	}
	with := func(method, target, body string) uiResponse {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Cookie", strings.SplitN(cookie, ";", 2)[0])
		return uiDo(t, closed, req)
	}
	uiWantPage(t, with("GET", "/", ""), http.StatusOK, "Flash floods kill 12", `action="/logout"`)
	if r := with("GET", "/api/v1/stories", ""); r.status != http.StatusOK {
		t.Errorf("API read with the cookie: %d", r.status)
	}
	// Every sign-in gets a session of its own.
	if other := login(uiToken, "/").header.Get("Set-Cookie"); strings.SplitN(other, ";", 2)[0] == strings.SplitN(cookie, ";", 2)[0] {
		t.Errorf("two sign-ins got the same session cookie %q", other)
	}
	if r := with("POST", "/api/v1/documents", `{"id":"x","text":"A text."}`); r.status != http.StatusUnauthorized {
		t.Errorf("API write with only the cookie: %d, want 401", r.status)
	}
	if r := with("DELETE", "/api/v1/documents/ui-flood-1", ""); r.status != http.StatusUnauthorized {
		t.Errorf("API delete with only the cookie: %d, want 401", r.status)
	}
	// Signing out ends the session: the same cookie opens nothing after.
	if r := with("POST", "/logout", ""); r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("sign out: %d, cookie %q", r.status, r.header.Get("Set-Cookie"))
	}
	if r := with("GET", "/", ""); r.status != http.StatusSeeOther {
		t.Errorf("the page with the cookie after sign-out: %d, want a redirect to sign in", r.status)
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "match"} {
		if r := login(uiToken, next); r.header.Get("Location") != "/" {
			t.Errorf("next %q: sent to %q, want /", next, r.header.Get("Location"))
		}
	}
	// A forged cookie opens nothing.
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", sessionCookie+"=00ff")
	if r := uiDo(t, closed, req); r.status != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", r.status)
	}
}

// TestUISignInIsRateLimited: past maxFailures wrong tokens /login answers
// 429 without checking, even the right token, until the bucket refills.
func TestUISignInIsRateLimited(t *testing.T) {
	s := newUIServer(t, &Options{Token: uiToken, ErrorLog: io.Discard}, nil)
	now := time.Unix(1e9, 0)
	s.logins.now = func() time.Time { return now }
	login := func(token string) int {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return uiDo(t, s, req).status
	}
	for i := range maxFailures {
		if got := login("guess"); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, got)
		}
	}
	if got := login(uiToken); got != http.StatusTooManyRequests {
		t.Errorf("after %d failures the right token got %d, want 429", maxFailures, got)
	}
	now = now.Add(failureRefill)
	if got := login(uiToken); got != http.StatusSeeOther {
		t.Errorf("after a refill the right token got %d, want 303", got)
	}
}

// TestSessionExpires: a session ends after sessionTTL.
func TestSessionExpires(t *testing.T) {
	now := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
	ss := sessions{now: func() time.Time { return now }}
	id := ss.start()
	if !ss.valid(id) {
		t.Fatal("a new session is not valid")
	}
	now = now.Add(sessionTTL + time.Second)
	if ss.valid(id) {
		t.Error("a session is still valid after sessionTTL")
	}
	if ss.valid("") || ss.valid("00ff") {
		t.Error("an unknown id is valid")
	}
}

func TestUIEventPage(t *testing.T) {
	s, event := uiEventServer(t)
	flood := uiStoryOf(t, s, "ui-flood-1")
	r := uiGet(t, s, "/events/"+event)
	uiWantPage(t, r, http.StatusOK,
		"<title>Flash floods kill 12 in Oral district · retold</title>",
		"<h1>Flash floods kill 12 in Oral district</h1>",
		"event "+event+" · 3 stories · 5 versions", `<a href="/api/v1/events/`+event+`">JSON</a>`,
		// the toll as it rose, where each value first appeared
		`<span class="fact">dead</span> <span class="value"><mark class="changed">12</mark> <span class="where">Steppe Herald, 2031-06-10</span></span> <span class="arrow">→</span> <span class="value"><mark class="changed">19</mark> <span class="where">Caspian Wire, 2031-06-11</span></span> <span class="arrow">→</span> <span class="value"><mark class="changed">23</mark> <span class="where">Government Press Office, 2031-06-13 09:30</span></span>`,
		// the chart, inline, accessible, its rows linking to the stories
		`<figure class="timeline-chart">`, `<svg xmlns="http://www.w3.org/2000/svg"`, `role="img"`,
		`<title id="event-timeline-title">`, `<a href="#story-3">`,
		// the stories oldest first, each linking to its page and its versions to their sections
		`<section class="event-story" id="story-1">`, `<a href="/stories/`+flood+`">Flash floods kill 12 in Oral district</a>`,
		`<a href="/stories/`+flood+`#v2">Oral flood toll rises to 19</a>`,
		`<span class="outlet">Valley Relay</span> <span class="badge copy">copy</span>`,
		`<section class="event-story" id="story-3">`)
	if i, j := strings.Index(r.body, "In Oral, a bakery owner"), strings.Index(r.body, "Karavia pledges aid"); i < 0 || j < i {
		t.Error("the stories are not oldest first")
	}
	// Nothing inline to allow: the page's policy is the site's.
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self';") || strings.Contains(r.body, "style=") {
		t.Errorf("the event page needs inline style: %q", csp)
	}

	// The story page links to its event.
	uiWantPage(t, uiGet(t, s, "/stories/"+flood), http.StatusOK, `event <a href="/events/`+event+`">`+event+`</a>`)

	markup := uiEventOf(t, s, "ui-markup")
	uiWantPage(t, uiGet(t, s, "/events/"+markup), http.StatusOK, "<h1>"+uiEscapedScript+"</h1>", "&lt;b&gt;Bold&lt;/b&gt; Outlet")
	uiWantPage(t, uiGet(t, s, "/events/e999"), http.StatusNotFound, "404 Not Found", "not found")
}

func TestUIEventList(t *testing.T) {
	s, event := uiEventServer(t)
	uiWantPage(t, uiGet(t, s, "/events"), http.StatusOK,
		"<h1>Events</h1>", "events 1–3 of 3",
		`<a class="headline" href="/events/`+event+`">Flash floods kill 12 in Oral district</a>`,
		`<a class="event-stories" href="/?event=`+event+`">3 stories</a>`, "5 versions + 1 copy",
		`<span class="first-seen">2031-06-10</span> to <span class="last-seen">2031-06-13T09:30:00Z</span>`,
		uiEscapedScript, `<a href="/events">events</a>`)
	tests := []struct {
		name, target string
		want, not    []string
	}{
		{"search", "/events?q=dosova", []string{"events 1–1 of 1", "Flash floods kill 12", `value="dosova"`}, []string{"Council delays"}},
		{"until", "/events?until=2031-06-15", []string{"Flash floods kill 12", `value="2031-06-15"`}, []string{"Council delays"}},
		{"no match", "/events?q=volcano", []string{"No event matches"}, []string{"Flash floods"}},
		{"first page", "/events?limit=1", []string{"events 1–1 of 3", `rel="next" href="/events?after=`}, []string{`rel="prev"`}},
		{"last page", "/events?limit=1&offset=2", []string{"events 3–3 of 3", `rel="prev" href="/events?limit=1"`}, []string{`rel="next"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := uiGet(t, s, tc.target)
			uiWantPage(t, r, http.StatusOK, tc.want...)
			for _, n := range tc.not {
				if strings.Contains(r.body, n) {
					t.Errorf("page has %q", n)
				}
			}
		})
	}
	uiWantPage(t, uiGet(t, s, "/events?limit=0"), http.StatusBadRequest, "limit must be a whole number")
}

// TestUIStoryListFilters: the story list by event, outlet and dates, with
// its total and each story's event.
func TestUIStoryListFilters(t *testing.T) {
	s, event := uiEventServer(t)
	council := uiEventOf(t, s, "ui-council")
	uiWantPage(t, uiGet(t, s, "/"), http.StatusOK, "stories 1–5 of 5",
		`event <a class="event" href="/events/`+event+`">`+event+`</a>`,
		`event <a class="event" href="/events/`+council+`">`+council+`</a>`,
		`name="until"`, `name="outlet"`, `name="event"`)
	tests := []struct {
		name, target string
		want, not    []string
	}{
		{"event", "/?event=" + event, []string{`Stories of event <a href="/events/` + event + `">` + event + `</a>`, "stories 1–3 of 3",
			"Flash floods kill 12", "In Oral, a bakery owner", "Karavia pledges aid", `value="` + event + `"`}, []string{"Council delays"}},
		{"outlet of a copy", "/?outlet=Valley+Relay", []string{"stories 1–1 of 1", "Flash floods kill 12", "from Valley Relay"}, []string{"Council delays", "Karavia pledges"}},
		{"since and until", "/?since=2031-06-12&until=2031-06-30", []string{"stories 1–3 of 3", "In Oral, a bakery owner", "Karavia pledges aid", uiEscapedScript}, []string{"Flash floods kill 12", "Council delays"}},
		{"paging keeps the filters", "/?event=" + event + "&limit=1", []string{"stories 1–1 of 3", `&amp;event=` + event + `&amp;from=2&amp;limit=1"`}, nil},
		{"no match", "/?outlet=Nobody", []string{"No story matches"}, []string{"Flash floods"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := uiGet(t, s, tc.target)
			uiWantPage(t, r, http.StatusOK, tc.want...)
			for _, n := range tc.not {
				if strings.Contains(r.body, n) {
					t.Errorf("page has %q", n)
				}
			}
		})
	}
}
