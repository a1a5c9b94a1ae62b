package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/store/sqlite"
	"github.com/retold/retold/storyindex"
)

const testToken = "s3cret-token"

// Invented versions of one story (an original, a write-thru with a new
// toll and a respelled name, a trim), an unrelated brief, and a record
// whose headline is markup.
var apiCorpus = []map[string]string{
	{"id": "flood-1", "date": "2031-04-02", "outlet": "Karavia Wire", "title": "Floods kill 12 in Aktau region",
		"text": "Floods swept through the Aktau region of Karavia on Tuesday, killing at least 12 people and forcing more than 3,000 from their homes.\n" +
			"Minister Zhanibek Sultanov said rescue teams had pulled 230 people from flooded villages overnight.\n" +
			"The river Ural rose by four metres in two days after heavy rain, the weather service said.\n" +
			"Schools in the district will stay closed until Monday, local officials said."},
	{"id": "flood-2", "date": "2031-04-03", "outlet": "Example Daily", "title": "Aktau flood toll rises to 19",
		"text": "Floods swept through the Aktau region of Karavia this week, killing at least 19 people and forcing more than 3,000 from their homes.\n" +
			"Minister Zhanibek Soultanov said rescue teams had pulled 230 people from flooded villages overnight.\n" +
			"The river Ural rose by four metres in two days after heavy rain, the weather service said.\n" +
			"Schools in the district will stay closed until Monday, local officials said.\n" +
			"The government announced an emergency fund of 12 million for the families of the victims."},
	{"id": "council", "date": "2031-04-02", "outlet": "Town Post", "title": "<script>alert(1)</script> Council delays budget vote",
		"text": "The town council postponed its vote on the library budget to June after a long debate on Thursday evening.\n" +
			"Councillors said the cost of the new roof had doubled since the plan was first drawn up last year."},
}

func jsonl(t *testing.T, recs ...map[string]string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func newTestServer(t *testing.T, opt *Options) (*Server, retold.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "retold.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o := Options{Token: testToken, OpenReads: true, ErrorLog: io.Discard}
	if opt != nil {
		o = *opt
	}
	return New(st, nil, &o), st
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, h http.Handler, method, target, token, contentType, body string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.String()}
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("not JSON (%d): %v: %s", r.status, err, r.body)
	}
	return v
}

// wantError checks r is the JSON error of the status and code.
func wantError(t *testing.T, r response, status int, code string) {
	t.Helper()
	e := decode[apiError](t, r)
	if r.status != status || e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("got %d %+v, want %d %q", r.status, e, status, code)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q", ct)
	}
}

func TestAPI(t *testing.T) {
	s, _ := newTestServer(t, nil)
	h := s.Handler()
	body := jsonl(t, apiCorpus...) + "this line is not JSON\n" + jsonl(t, apiCorpus[0])

	// Writes need the token, compared exactly.
	wantError(t, do(t, h, "POST", "/api/v1/documents", "", "application/x-ndjson", body), 401, "unauthorized")
	wantError(t, do(t, h, "POST", "/api/v1/documents", testToken+"x", "application/x-ndjson", body), 401, "unauthorized")

	r := do(t, h, "POST", "/api/v1/documents", testToken, "application/x-ndjson", body)
	added := decode[AddResult](t, r)
	if r.status != 201 || added.Added != 3 || added.Duplicates != 1 || len(added.Errors) != 1 || added.Errors[0].Line != 4 {
		t.Fatalf("add: %d %+v", r.status, added)
	}
	story := added.Documents[0].Story
	if added.Documents[1].Story != story || added.Documents[2].Story == story || !added.Documents[3].Duplicate {
		t.Errorf("add results: %+v", added.Documents)
	}

	list := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories", "", "", ""))
	if len(list.Stories) != 2 || list.Limit != 50 {
		t.Fatalf("stories: %+v", list)
	}
	found := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories?q=soultanov&limit=10", "", "", ""))
	if len(found.Stories) != 1 || found.Stories[0].ID != story || found.Stories[0].Size != 2 || found.Stories[0].Original != "flood-1" {
		t.Errorf("search: %+v", found)
	}
	wantError(t, do(t, h, "GET", "/api/v1/stories?limit=0", "", "", ""), 400, "bad_request")
	wantError(t, do(t, h, "GET", "/api/v1/stories?offset=x", "", "", ""), 400, "bad_request")
	wantError(t, do(t, h, "GET", "/api/v1/stories?after=x", "", "", ""), 400, "bad_request")
	// Keyset paging: next leads through both stories, then ends.
	if list.Next != "" {
		t.Errorf("a full listing has next %q", list.Next)
	}
	p1 := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories?limit=1", "", "", ""))
	p2 := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories?limit=1&after="+p1.Next, "", "", ""))
	if len(p1.Stories) != 1 || p1.Next == "" || len(p2.Stories) != 1 || p2.Next != "" ||
		p1.Stories[0].ID != list.Stories[0].ID || p2.Stories[0].ID != list.Stories[1].ID {
		t.Errorf("keyset pages: %+v then %+v, want %+v", p1, p2, list.Stories)
	}

	sj := decode[struct {
		ID       string `json:"id"`
		Original string `json:"original"`
		Versions []struct {
			ID      string `json:"id"`
			Changes *struct {
				Verdict string `json:"verdict"`
				Numbers struct {
					Changed []struct {
						A struct{ Value string } `json:"a"`
						B struct{ Value string } `json:"b"`
					} `json:"changed"`
				} `json:"numbers"`
				Entities struct {
					Variants []struct{ A, B string } `json:"variants"`
				} `json:"entities"`
			} `json:"changes"`
		} `json:"versions"`
	}](t, do(t, h, "GET", "/api/v1/stories/"+story, "", "", ""))
	if sj.ID != story || sj.Original != "flood-1" || len(sj.Versions) != 2 || sj.Versions[1].Changes == nil {
		t.Fatalf("story: %+v", sj)
	}
	ch := sj.Versions[1].Changes
	if len(ch.Numbers.Changed) == 0 || ch.Numbers.Changed[0].A.Value != "12" || ch.Numbers.Changed[0].B.Value != "19" ||
		len(ch.Entities.Variants) == 0 || ch.Entities.Variants[0].A != "Sultanov" || ch.Entities.Variants[0].B != "Soultanov" {
		t.Errorf("story changes: %+v", ch)
	}
	wantError(t, do(t, h, "GET", "/api/v1/stories/s999", "", "", ""), 404, "not_found")

	doc := decode[DocumentJSON](t, do(t, h, "GET", "/api/v1/documents/flood-2", "", "", ""))
	if doc.ID != "flood-2" || doc.Story != story || len(doc.Edges) != 1 || doc.Edges[0].With != "flood-1" || doc.Edges[0].Verdict != retold.Version {
		t.Errorf("document: %+v", doc)
	}
	wantError(t, do(t, h, "GET", "/api/v1/documents/nope", "", "", ""), 404, "not_found")
	wantError(t, do(t, h, "GET", "/api/v1/documents/flood-2?version=2", "", "", ""), 404, "not_found")

	cmp := decode[struct {
		Verdict string `json:"verdict"`
		Align   []any  `json:"alignment"`
	}](t, do(t, h, "GET", "/api/v1/compare?a=flood-1&b=flood-2", "", "", ""))
	if cmp.Verdict != "version" || len(cmp.Align) < 3 {
		t.Errorf("compare: %+v", cmp)
	}
	wantError(t, do(t, h, "GET", "/api/v1/compare?a=flood-1", "", "", ""), 400, "bad_request")

	// Match: plain text, and a JSON record; nothing is stored.
	probe := apiCorpus[1]["text"] + "\nRelief convoys reached the last cut-off village on Friday."
	m := decode[storyindex.MatchSummary](t, do(t, h, "POST", "/api/v1/match", "", "text/plain", probe))
	if m.Story != story || len(m.Edges) == 0 || m.Duplicate {
		t.Errorf("match: %+v", m)
	}
	m = decode[storyindex.MatchSummary](t, do(t, h, "POST", "/api/v1/match", "", "application/json", jsonl(t, apiCorpus[0])))
	if !m.Duplicate || m.Of != "flood-1" {
		t.Errorf("match of a stored text: %+v", m)
	}
	wantError(t, do(t, h, "POST", "/api/v1/match", "", "text/plain", "  \n"), 400, "bad_request")
	if n := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories", "", "", "")); len(n.Stories) != 2 {
		t.Errorf("match stored something: %+v", n)
	}

	// Routes and methods.
	wantError(t, do(t, h, "GET", "/api/v1/nothing", "", "", ""), 404, "no_route")
	r = do(t, h, "GET", "/api/v1/match", "", "", "")
	wantError(t, r, 405, "method_not_allowed")
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}

	// Delete: token, then gone, then 404.
	wantError(t, do(t, h, "DELETE", "/api/v1/documents/council", "", "", ""), 401, "unauthorized")
	if r := do(t, h, "DELETE", "/api/v1/documents/council", testToken, "", ""); r.status != 200 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	wantError(t, do(t, h, "DELETE", "/api/v1/documents/council", testToken, "", ""), 404, "not_found")
	wantError(t, do(t, h, "GET", "/api/v1/documents/council", "", "", ""), 404, "not_found")
}

// TestAPIEscapesMarkup: a headline of markup never reaches a client as
// markup, not even in JSON.
func TestAPIEscapesMarkup(t *testing.T) {
	s, _ := newTestServer(t, nil)
	h := s.Handler()
	if r := do(t, h, "POST", "/api/v1/documents", testToken, "", jsonl(t, apiCorpus[2])); r.status != 201 {
		t.Fatal(r.body)
	}
	for _, target := range []string{"/api/v1/stories", "/api/v1/documents/council", "/api/v1/stories/s1"} {
		r := do(t, h, "GET", target, "", "", "")
		if r.status != 200 || strings.Contains(r.body, "<script>") || !strings.Contains(r.body, `\u003cscript\u003e`) {
			t.Errorf("%s: %d %s", target, r.status, r.body)
		}
	}
}

func TestAPIBodyLimit(t *testing.T) {
	s, st := newTestServer(t, &Options{Token: testToken, OpenReads: true, MaxBody: 1024, ErrorLog: io.Discard})
	h := s.Handler()
	big := jsonl(t, map[string]string{"id": "big", "text": strings.Repeat("A long sentence about the flood. ", 100)})
	wantError(t, do(t, h, "POST", "/api/v1/match", "", "text/plain", big), 413, "too_large")
	// An add whose body runs past the limit keeps the records before it.
	small := jsonl(t, apiCorpus[2])
	wantError(t, do(t, h, "POST", "/api/v1/documents", testToken, "", small+big), 413, "too_large")
	var n retold.Counts
	st.View(context.Background(), func(tx retold.ReadTx) (err error) { n, err = tx.Counts(); return })
	if n.Documents != 1 {
		t.Errorf("%d documents stored, want the 1 before the limit", n.Documents)
	}
}

// TestAPIReadsNeedTheTokenWhenClosed: with OpenReads off every route
// needs the token; with no Token configured every write is refused.
func TestAPIReadsNeedTheTokenWhenClosed(t *testing.T) {
	s, _ := newTestServer(t, &Options{Token: testToken, ErrorLog: io.Discard})
	h := s.Handler()
	wantError(t, do(t, h, "GET", "/api/v1/stories", "", "", ""), 401, "unauthorized")
	wantError(t, do(t, h, "GET", "/api/v1/events", "", "", ""), 401, "unauthorized")
	wantError(t, do(t, h, "GET", "/api/v1/events/e1", "", "", ""), 401, "unauthorized")
	if r := do(t, h, "GET", "/api/v1/stories", testToken, "", ""); r.status != 200 {
		t.Errorf("with the token: %d %s", r.status, r.body)
	}
	req := httptest.NewRequest("GET", "/api/v1/stories", nil)
	req.Header.Set("X-Retold-Token", testToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("X-Retold-Token: %d", rec.Code)
	}
	open, _ := newTestServer(t, &Options{OpenReads: true, ErrorLog: io.Discard})
	wantError(t, do(t, open.Handler(), "POST", "/api/v1/documents", "", "", jsonl(t, apiCorpus[0])), 401, "unauthorized")
	wantError(t, do(t, open.Handler(), "DELETE", "/api/v1/documents/x", "anything", "", ""), 401, "unauthorized")
}

// TestShutdownFinishesAnAddInFlight starts a real HTTP server, begins an
// add whose body is still arriving, shuts the server down, and checks
// the add completes and is stored.
func TestShutdownFinishesAnAddInFlight(t *testing.T) {
	s, st := newTestServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/documents", pr)
	req.Header.Set("Authorization", "Bearer "+testToken)
	type result struct {
		status int
		body   AddResult
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var a AddResult
		err = json.NewDecoder(resp.Body).Decode(&a)
		got <- result{resp.StatusCode, a, err}
	}()
	fmt.Fprint(pw, jsonl(t, apiCorpus[0]))
	time.Sleep(200 * time.Millisecond) // the request is in flight
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	time.Sleep(200 * time.Millisecond)
	fmt.Fprint(pw, jsonl(t, apiCorpus[1:]...))
	pw.Close()
	r := <-got
	if r.err != nil || r.status != 201 || r.body.Added != 3 {
		t.Fatalf("add across a shutdown: %+v", r)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatal(err)
	}
	var n retold.Counts
	st.View(context.Background(), func(tx retold.ReadTx) (err error) { n, err = tx.Counts(); return })
	if n.Documents != 3 {
		t.Errorf("%d documents stored after the shutdown, want 3", n.Documents)
	}
}

// TestAPICopies: a record whose text is stored under another id is
// answered under its own id as a copy, and can be fetched by that id.
func TestAPICopies(t *testing.T) {
	s, _ := newTestServer(t, nil)
	h := s.Handler()
	wire := apiCorpus[0]
	copyRec := map[string]string{"id": "herald-7", "outlet": "Aktau Herald (Wire)", "date": "2031-04-03", "title": "Floods kill 12", "text": wire["text"]}
	r := do(t, h, "POST", "/api/v1/documents", testToken, "", jsonl(t, wire, copyRec))
	added := decode[AddResult](t, r)
	if r.status != 201 || added.Added != 1 || added.Duplicates != 1 || len(added.Documents) != 2 {
		t.Fatalf("add: %d %+v", r.status, added)
	}
	if d := added.Documents[1]; d.ID != "herald-7" || d.CopyOf != "flood-1" || !d.Duplicate || d.Story != added.Documents[0].Story {
		t.Errorf("the copy's answer: %+v", d)
	}
	doc := decode[DocumentJSON](t, do(t, h, "GET", "/api/v1/documents/herald-7", "", "", ""))
	if doc.ID != "herald-7" || doc.CopyOf != "flood-1" || doc.Outlet != "Aktau Herald (Wire)" || doc.Text != wire["text"] {
		t.Errorf("GET the copy: %+v", doc)
	}
	list := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories", "", "", ""))
	if len(list.Stories) != 1 || list.Stories[0].Copies != 1 || len(list.Stories[0].Outlets) != 2 {
		t.Errorf("stories: %+v", list.Stories)
	}
}

// TestAPIGzipBodyBoundedAfterDecompression: a gzip body small on the wire
// but large once decompressed is refused at the body limit, not read to
// its end (a gzip bomb).
func TestAPIGzipBodyBoundedAfterDecompression(t *testing.T) {
	s, st := newTestServer(t, &Options{Token: testToken, OpenReads: true, MaxBody: 64 << 10, ErrorLog: io.Discard})
	h := s.Handler()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(jsonl(t, apiCorpus[2])))
	line := jsonl(t, map[string]string{"id": "bomb", "text": strings.Repeat("flood ", 4<<20)})
	zw.Write([]byte(line)) // 24 MB of text, a few KB of gzip
	zw.Close()
	if gz.Len() > 64<<10 {
		t.Fatalf("the gzip body is %d bytes: the test needs it under the limit", gz.Len())
	}
	wantError(t, do(t, h, "POST", "/api/v1/documents", testToken, "", gz.String()), 413, "too_large")
	var n retold.Counts
	st.View(context.Background(), func(tx retold.ReadTx) (err error) { n, err = tx.Counts(); return })
	if n.Documents != 1 {
		t.Errorf("%d documents stored, want the 1 before the limit", n.Documents)
	}
}

// TestLocalOnlyAndCrossSite: a loopback server with open reads answers
// only requests addressed to this machine (DNS rebinding), and no server
// takes a POST a browser says comes from another site.
func TestLocalOnlyAndCrossSite(t *testing.T) {
	s, _ := newTestServer(t, &Options{Token: testToken, OpenReads: true, LocalOnly: true, ErrorLog: io.Discard})
	h := s.Handler()
	for _, host := range []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080", "localhost"} {
		req := httptest.NewRequest("GET", "/api/v1/stories", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("Host %s: %d, want 200", host, rec.Code)
		}
	}
	for _, host := range []string{"evil.example:8080", "evil.example", "10.0.0.1:8080"} {
		req := httptest.NewRequest("GET", "/api/v1/stories", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: %d, want 421", host, rec.Code)
		}
	}
	post := func(header, value string) int {
		req := httptest.NewRequest("POST", "/api/v1/match", strings.NewReader("A text about a flood in the valley."))
		req.Host = "127.0.0.1:8080"
		req.Header.Set("Content-Type", "text/plain")
		if header != "" {
			req.Header.Set(header, value)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if c := post("", ""); c != 200 {
		t.Errorf("a POST from no browser: %d, want 200", c)
	}
	if c := post("Origin", "http://127.0.0.1:8080"); c != 200 {
		t.Errorf("a same-origin POST: %d, want 200", c)
	}
	if c := post("Origin", "https://evil.example"); c != http.StatusForbidden {
		t.Errorf("a POST with another site's Origin: %d, want 403", c)
	}
	if c := post("Sec-Fetch-Site", "cross-site"); c != http.StatusForbidden {
		t.Errorf("a cross-site POST: %d, want 403", c)
	}
}

// TestSearchCostIsBounded: a huge query, too many words or a huge offset
// are refused with 400, not run.
func TestSearchCostIsBounded(t *testing.T) {
	s, _ := newTestServer(t, nil)
	h := s.Handler()
	for _, target := range []string{
		"/api/v1/stories?q=" + strings.Repeat("flood+", 60000),
		"/api/v1/stories?q=" + strings.Repeat("a+", MaxSearchWords+1),
		"/api/v1/stories?offset=" + strconv.Itoa(MaxListOffset+1),
	} {
		if r := do(t, h, "GET", target, "", "", ""); r.status != http.StatusBadRequest {
			t.Errorf("%.60s...: %d, want 400", target, r.status)
		}
	}
	if r := do(t, h, "GET", "/api/v1/stories?q=flood+river&offset=100", "", "", ""); r.status != 200 {
		t.Errorf("a normal search: %d", r.status)
	}
}

// TestTokenGuessingIsLimitedPerClient: past maxFailures wrong tokens from
// one address, that address gets 429 on every route that takes the token
// (the right token too) until its bucket refills; another address is not
// locked out.
func TestTokenGuessingIsLimitedPerClient(t *testing.T) {
	s, _ := newTestServer(t, nil)
	now := time.Unix(1e9, 0)
	s.logins.now = func() time.Time { return now }
	h := s.Handler()
	del := func(addr, token string) int {
		req := httptest.NewRequest("DELETE", "/api/v1/documents/nothing-here", nil)
		req.RemoteAddr = addr
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range maxFailures {
		if c := del("192.0.2.1:5000", "guess"); c != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, c)
		}
	}
	if c := del("192.0.2.1:5001", testToken); c != http.StatusTooManyRequests {
		t.Errorf("the right token from the guessing address: %d, want 429", c)
	}
	if c := del("192.0.2.2:5000", testToken); c != http.StatusNotFound {
		t.Errorf("the right token from another address: %d, want 404 (allowed, nothing to delete)", c)
	}
	now = now.Add(failureRefill)
	if c := del("192.0.2.1:5002", testToken); c != http.StatusNotFound {
		t.Errorf("after a refill: %d, want 404", c)
	}
}

// TestLongAddOutlastsTheServerTimeouts: an add whose body arrives over
// longer than the server's read and write timeouts (a client sending
// records as it makes them) is read to its end and answered: the
// timeouts bound the wait for each record, not the request.
func TestLongAddOutlastsTheServerTimeouts(t *testing.T) {
	s, _ := newTestServer(t, nil)
	srv := httptest.NewUnstartedServer(s.Handler())
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	pr, pw := io.Pipe()
	go func() {
		for i := range 12 {
			fmt.Fprintf(pw, `{"id":"slow-%d","text":"Record %d of a slow upload: the river rose again near the bridge, officials said."}`+"\n", i, i)
			time.Sleep(60 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/documents", pr)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("the add got no answer: %v", err)
	}
	defer resp.Body.Close()
	var out AddResult
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated || out.Added+out.Duplicates != 12 {
		t.Errorf("status %d, %+v, %v: want all 12 records answered", resp.StatusCode, out, err)
	}
}

// TestAPIEvents: the events listing and one event, with the stories
// routes' paging, errors and escaping; the stories listing by event,
// outlet and dates, with its total.
func TestAPIEvents(t *testing.T) {
	s, event := uiEventServer(t)
	h := s.Handler()

	list := decode[EventList](t, do(t, h, "GET", "/api/v1/events", "", "", ""))
	if len(list.Events) != 3 || list.Total != 3 || list.Limit != 50 || list.Next != "" {
		t.Fatalf("events: %+v", list)
	}
	var flood explain.EventSummary
	for _, e := range list.Events {
		if e.ID == event {
			flood = e
		}
	}
	if flood.Stories != 3 || flood.Size != 5 || flood.Copies != 1 || flood.Original != "ui-flood-1" ||
		flood.Title != "Flash floods kill 12 in Oral district" || flood.FirstSeen != "2031-06-10" || len(flood.Outlets) != 6 {
		t.Errorf("the flood's summary: %+v", flood)
	}
	// Keyset paging walks the three events newest first, the total on
	// every page.
	var walked []string
	next := ""
	for range 5 {
		target := "/api/v1/events?limit=2"
		if next != "" {
			target += "&after=" + next
		}
		p := decode[EventList](t, do(t, h, "GET", target, "", "", ""))
		if p.Total != 3 {
			t.Errorf("page %s: total %d, want 3", target, p.Total)
		}
		for _, e := range p.Events {
			walked = append(walked, e.ID)
		}
		if next = p.Next; next == "" {
			break
		}
	}
	if len(walked) != 3 || walked[0] != list.Events[0].ID || walked[2] != list.Events[2].ID {
		t.Errorf("paging walked %q, want %+v", walked, list.Events)
	}
	for _, tc := range []struct {
		target string
		want   []string
	}{
		{"/api/v1/events?q=dosova", []string{event}},
		{"/api/v1/events?since=2031-06-15", []string{"e", "e"}}, // the council and the bakery prize
		{"/api/v1/events?until=2031-06-10", []string{event}},
		{"/api/v1/events?q=volcano", nil},
	} {
		got := decode[EventList](t, do(t, h, "GET", tc.target, "", "", ""))
		if len(got.Events) != len(tc.want) || got.Total != int64(len(tc.want)) {
			t.Errorf("%s: %d events (total %d), want %d", tc.target, len(got.Events), got.Total, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(got.Events[i].ID, w) {
				t.Errorf("%s: event %d is %s, want %s", tc.target, i, got.Events[i].ID, w)
			}
		}
	}
	wantError(t, do(t, h, "GET", "/api/v1/events?limit=0", "", "", ""), 400, "bad_request")
	wantError(t, do(t, h, "GET", "/api/v1/events?after=x", "", "", ""), 400, "bad_request")
	wantError(t, do(t, h, "GET", "/api/v1/events?q="+strings.Repeat("a+", MaxSearchWords+1), "", "", ""), 400, "bad_request")
	wantError(t, do(t, h, "GET", "/api/v1/events?since="+strings.Repeat("2", MaxFilterBytes+1), "", "", ""), 400, "bad_request")
	r := do(t, h, "POST", "/api/v1/events", "", "", "")
	wantError(t, r, 405, "method_not_allowed")
	if r.header.Get("Allow") != "GET" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}

	ej := decode[explain.EventJSON](t, do(t, h, "GET", "/api/v1/events/"+event, "", "", ""))
	var stories []string
	for _, st := range ej.Stories {
		stories = append(stories, st.Title)
	}
	if want := []string{"Flash floods kill 12 in Oral district", "In Oral, a bakery owner wades back to what the river left",
		"Karavia pledges aid as Oral flood toll reaches 23"}; !slices.Equal(stories, want) {
		t.Errorf("the event's stories %q, want %q (oldest first)", stories, want)
	}
	if v := ej.Stories[0].Versions; len(v) != 3 || !v[0].Original || len(v[1].Copies) != 1 || v[1].Copies[0].ID != "ui-flood-2-relay" || v[1].Changes != nil {
		t.Errorf("the first story's versions: %+v", v)
	}
	if len(ej.Facts) == 0 || ej.Facts[0].Label != "dead" || !ej.Facts[0].Changed {
		t.Fatalf("facts: %+v", ej.Facts)
	}
	var toll []string
	for _, v := range ej.Facts[0].Values {
		toll = append(toll, v.Value+" "+v.ID)
	}
	if want := []string{"12 ui-flood-1", "19 ui-flood-2", "23 ui-flood-aid"}; !slices.Equal(toll, want) {
		t.Errorf("the toll went %q, want %q", toll, want)
	}
	wantError(t, do(t, h, "GET", "/api/v1/events/e999", "", "", ""), 404, "not_found")

	// The stories of one event, of one outlet, between two dates; the
	// total counts them all whatever the page.
	for _, tc := range []struct {
		target string
		want   int
	}{
		{"/api/v1/stories", 5},
		{"/api/v1/stories?event=" + event, 3},
		{"/api/v1/stories?event=" + event + "&limit=1", 3},
		{"/api/v1/stories?outlet=Valley+Relay", 1}, // a copy's outlet
		{"/api/v1/stories?outlet=Karavia", 0},      // names are exact
		{"/api/v1/stories?since=2031-06-11&until=2031-06-20", 3},
		{"/api/v1/stories?event=e999", 0},
	} {
		got := decode[StoryList](t, do(t, h, "GET", tc.target, "", "", ""))
		if got.Total != int64(tc.want) || len(got.Stories) != min(tc.want, got.Limit) {
			t.Errorf("%s: %d stories, total %d, want %d", tc.target, len(got.Stories), got.Total, tc.want)
		}
		for _, st := range got.Stories {
			if strings.Contains(tc.target, "event="+event) && st.Event != event {
				t.Errorf("%s lists %s of event %s", tc.target, st.ID, st.Event)
			}
		}
	}
	wantError(t, do(t, h, "GET", "/api/v1/stories?outlet="+strings.Repeat("x", MaxFilterBytes+1), "", "", ""), 400, "bad_request")

	// Markup in a headline stays text in the events' JSON too.
	for _, target := range []string{"/api/v1/events", "/api/v1/events/" + uiEventOf(t, s, "ui-markup")} {
		r := do(t, h, "GET", target, "", "", "")
		if r.status != 200 || strings.Contains(r.body, "<script>") || !strings.Contains(r.body, `\u003cscript\u003e`) {
			t.Errorf("%s: %d %s", target, r.status, r.body)
		}
	}
}

// TestAPITotalCapped: an unfiltered total is exact whatever the cap; a
// filtered one stops at the cap and says so (total_capped), and is exact
// below it.
func TestAPITotalCapped(t *testing.T) {
	s, _ := newTestServer(t, &Options{Token: testToken, OpenReads: true, ErrorLog: io.Discard, TotalCap: 1})
	h := s.Handler()
	if r := do(t, h, "POST", "/api/v1/documents", testToken, "application/x-ndjson", jsonl(t, apiCorpus...)); r.status != 201 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	all := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories", "", "", ""))
	if all.Total != int64(len(all.Stories)) || all.Total < 2 || all.TotalCapped {
		t.Errorf("unfiltered: total %d capped %v, %d listed", all.Total, all.TotalCapped, len(all.Stories))
	}
	since := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories?since=1970", "", "", ""))
	if since.Total != 1 || !since.TotalCapped || len(since.Stories) != len(all.Stories) {
		t.Errorf("filtered past the cap: total %d capped %v, %d listed", since.Total, since.TotalCapped, len(since.Stories))
	}
	one := decode[StoryList](t, do(t, h, "GET", "/api/v1/stories?event="+all.Stories[0].Event, "", "", ""))
	if one.Total != int64(len(one.Stories)) || one.TotalCapped {
		t.Errorf("filtered to one event: total %d capped %v, %d listed", one.Total, one.TotalCapped, len(one.Stories))
	}
}
