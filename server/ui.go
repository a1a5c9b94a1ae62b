package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/storyindex"
)

// The web UI: HTML pages over the helpers the API uses, so a page and
// its API route always say the same thing.
//
//	GET  /                      the story list: search (?q=), since, until, event, outlet, paging
//	GET  /stories/{id}          a story's timeline, each version's changes against the original
//	GET  /events                the event list: search (?q=), since, until, paging
//	GET  /events/{id}           an event: its key facts, timeline chart and stories
//	GET  /stories/{id}/compare  the story page's pick-two form: redirects to /compare
//	GET  /compare               two versions side by side (explain.HTML's page)
//	GET  /match, POST /match    paste or upload a text, see the story it matches
//	GET  /static/...            the embedded style sheets
//
// Every page is rendered by html/template, so every text from a document
// is escaped. No page runs a script: the Content-Security-Policy says
// script-src 'none'. The site's pages take their styles from /static;
// the compare page is explain's self-contained report, whose inline
// <style> is allowed by its hash rather than by 'unsafe-inline', so
// nothing else inline can style the page.

//go:embed templates/*.tmpl static
var uiFiles embed.FS

// The pages, parsed once. Each is the shared templates (layout, bar)
// with the page's own "content"; a parsed template is safe for
// concurrent use and is never changed after this.
var (
	uiShared = template.Must(template.New("").Funcs(template.FuncMap{
		"ratio": func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
	}).ParseFS(uiFiles, "templates/layout.tmpl", "templates/bar.tmpl"))
	listPage   = uiPage("list.tmpl")
	eventsPage = uiPage("events.tmpl")
	reportPage = uiPage("report.tmpl") // a story or an event
	matchPage  = uiPage("match.tmpl")
	errorPage  = uiPage("error.tmpl")
)

func uiPage(name string) *template.Template {
	return template.Must(template.Must(uiShared.Clone()).New(name).ParseFS(uiFiles, "templates/"+name))
}

// pagePolicy is the Content-Security-Policy of a page: everything from
// this origin, styles also from the inline <style> elements styles
// allows (CSP sources, " 'sha256-...'" each), no scripts, no plugins,
// forms only to this origin, and no framing.
func pagePolicy(styles string) string {
	return "default-src 'self'; style-src 'self'" + styles + "; script-src 'none'; object-src 'none'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

func (s *Server) uiRoutes() {
	s.mux.HandleFunc("GET /{$}", s.readPage(s.uiList))
	s.mux.HandleFunc("GET /stories/{id}", s.readPage(s.uiStory))
	s.mux.HandleFunc("GET /stories/{id}/compare", s.readPage(s.uiPick))
	s.mux.HandleFunc("GET /events", s.readPage(s.uiEvents))
	s.mux.HandleFunc("GET /events/{id}", s.readPage(s.uiEvent))
	s.mux.HandleFunc("GET /compare", s.readPage(s.uiCompare))
	s.mux.HandleFunc("GET /match", s.readPage(s.uiMatchForm))
	s.mux.HandleFunc("POST /match", s.readPage(s.uiMatch))
	// The style sheets are part of the binary, not of the store: they are
	// served to anyone, token or not.
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))
	// The reports' own sheet, which the story and match pages use, is
	// explain's.
	s.mux.HandleFunc("GET /static/report.css", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "report.css", time.Time{}, strings.NewReader(explain.StyleSheet))
	})
	s.loginRoutes()
	// Every other path (outside /api/, which answers in JSON) is a page
	// that does not exist. ServeMux sends a path with .. in it here too,
	// redirected to its cleaned form.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.uiFail(w, r, fmt.Errorf("%w: no page %s", errNoRoute, r.URL.Path))
	})
}

// staticFiles serves the files under static/ of uiFiles and nothing else:
// http.FileServerFS over the fs.Sub refuses any path with .. in it, and a
// directory (whose listing FileServer would show) is a 404 here.
func staticFiles() http.Handler {
	sub, err := fs.Sub(uiFiles, "static")
	if err != nil {
		panic(err) // "static" is a valid path, so fs.Sub cannot fail
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if fi, err := fs.Stat(sub, name); !fs.ValidPath(name) || err != nil || !fi.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// pageView is what the layout shows around a page's content.
type pageView struct {
	Title string
	Data  any
	// SignOut shows the sign-out button: reads are closed and this
	// browser signed in.
	SignOut bool
}

// render writes a page of the site's layout with status, or an error page
// when the page fails to render (so a half-written page is never sent).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, title string, data any) {
	var buf bytes.Buffer
	view := pageView{Title: title, Data: data, SignOut: !s.opt.OpenReads && s.signedIn(r)}
	if err := t.ExecuteTemplate(&buf, "layout", view); err != nil {
		if t == errorPage {
			fmt.Fprintf(s.opt.ErrorLog, "retold serve: %s %s: render the error page: %v\n", r.Method, r.URL.Path, err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		s.uiFail(w, r, fmt.Errorf("render %s: %w", t.Name(), err))
		return
	}
	writeHTML(w, status, pagePolicy(""), buf.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, csp string, page []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store") // the store changes under the pages
	w.WriteHeader(status)
	w.Write(page)
}

// errorView is the error page.
type errorView struct {
	Status     int
	StatusText string
	Message    string
}

// uiFail answers with err as an HTML page, its status from statusOf as in
// the API; an internal error's details go to the log, not to the page.
func (s *Server) uiFail(w http.ResponseWriter, r *http.Request, err error) {
	status, _ := statusOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		msg = "internal error"
		fmt.Fprintf(s.opt.ErrorLog, "retold serve: %s %s: %v\n", r.Method, r.URL.Path, err)
	}
	text := http.StatusText(status)
	s.render(w, r, status, errorPage, text, errorView{Status: status, StatusText: text, Message: msg})
}

// storyURL is the page of story id.
func storyURL(id string) string { return "/stories/" + url.PathEscape(id) }

// eventURL is the page of event id.
func eventURL(id string) string { return "/events/" + url.PathEscape(id) }

// compareURL is the compare page of a against b, each at its version.
func compareURL(aID string, av int, bID string, bv int) string {
	q := url.Values{"a": {aID}, "b": {bID}}
	if av > 0 {
		q.Set("av", strconv.Itoa(av))
	}
	if bv > 0 {
		q.Set("bv", strconv.Itoa(bv))
	}
	return "/compare?" + q.Encode()
}

// listView is the story list.
type listView struct {
	Words, Since, Until, Event, Outlet string
	EventURL                           string // the page of Event, when the list is filtered by one
	Stories                            []storyItem
	From, To                           int    // the stories shown, counted from 1
	Total                              string // the stories the query selects: "1,234" or "more than 1,000"
	Prev, Next                         string // the neighbouring pages, "" at either end
}

type storyItem struct {
	explain.StorySummary
	URL, Headline, Outlets, EventURL string
}

// summaryHeadline is what a list calls a story or event by its
// original's id and title: the title, else the id, else its own id.
func summaryHeadline(original, title, id string) string {
	if h := explain.Headline(retold.Document{ID: original, Title: title}); h != "" {
		return h
	}
	return id
}

// listPaging is the From, To, Prev and Next of a list page that shows n
// items of a listing read by q (after: its next cursor, "" on the last
// page), on the list page at path.
func listPaging(r *http.Request, path string, q listParams, n int, after string) (from, to int, prev, next string) {
	// A page reached by a cursor says where it starts (from=, shown
	// only); its way back is to the newest.
	start, _ := intParam(r, "from", 1, 1, math.MaxInt32)
	from = start + q.Offset
	if after != "" {
		next = listURL(r, path, after, from+q.Limit)
	}
	if q.After != nil || q.Offset > 0 {
		prev = listURL(r, path, "", 1)
	}
	return from, q.Offset + n, prev, next
}

func (s *Server) uiList(w http.ResponseWriter, r *http.Request) {
	q, err := s.storyQuery(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	// One story more than the page shows says whether there is a next page.
	more := q
	more.Limit++
	ss, total, err := s.listStories(r.Context(), more)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	ss, after := pageOf(ss, q.Limit, storyKey)
	v := listView{Words: q.Words, Since: q.Since, Until: q.Until, Event: q.Event, Outlet: q.Outlet, Total: explain.TotalText(total)}
	if q.Event != "" {
		v.EventURL = eventURL(q.Event)
	}
	v.From, v.To, v.Prev, v.Next = listPaging(r, "/", listParams{Limit: q.Limit, Offset: q.Offset, After: q.After}, len(ss), after)
	for _, st := range ss {
		v.Stories = append(v.Stories, storyItem{StorySummary: st, URL: storyURL(st.ID),
			Headline: summaryHeadline(st.Original, st.Title, st.ID), Outlets: strings.Join(st.Outlets, ", "), EventURL: eventURL(st.Event)})
	}
	title := "Stories"
	switch {
	case q.Words != "":
		title = "Stories matching " + q.Words
	case q.Event != "":
		title = "Stories of event " + q.Event
	}
	s.render(w, r, http.StatusOK, listPage, title, v)
}

// listURL is the list page at path with r's query after the cursor after
// (the first page when ""), whose first item is number from.
func listURL(r *http.Request, path, after string, from int) string {
	q := url.Values{}
	for _, k := range []string{"q", "since", "until", "event", "outlet", "limit"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if after != "" {
		q.Set("after", after)
		q.Set("from", strconv.Itoa(from))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// eventsView is the event list.
type eventsView struct {
	Words, Since, Until string
	Events              []eventItem
	From, To            int
	Total               string // as listView's
	Prev, Next          string
}

type eventItem struct {
	explain.EventSummary
	URL, Headline, Outlets, StoriesURL string
}

func (s *Server) uiEvents(w http.ResponseWriter, r *http.Request) {
	q, err := s.eventQuery(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	more := q
	more.Limit++
	es, total, err := s.listEvents(r.Context(), more)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	es, after := pageOf(es, q.Limit, eventKey)
	v := eventsView{Words: q.Words, Since: q.Since, Until: q.Until, Total: explain.TotalText(total)}
	v.From, v.To, v.Prev, v.Next = listPaging(r, "/events", listParams{Limit: q.Limit, Offset: q.Offset, After: q.After}, len(es), after)
	for _, e := range es {
		v.Events = append(v.Events, eventItem{EventSummary: e, URL: eventURL(e.ID),
			Headline: summaryHeadline(e.Original, e.Title, e.ID), Outlets: strings.Join(e.Outlets, ", "),
			StoriesURL: "/?" + url.Values{"event": {e.ID}}.Encode()})
	}
	title := "Events"
	if q.Words != "" {
		title = "Events matching " + q.Words
	}
	s.render(w, r, http.StatusOK, eventsPage, title, v)
}

// uiEvent shows an event as explain's event page does, with the site's
// links: the event's JSON, and each story's page.
func (s *Server) uiEvent(w http.ResponseWriter, r *http.Request) {
	e, err := s.loadEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	body, err := explain.EventFragment(e, explain.EventLinks{JSON: "/api/v1/events/" + url.PathEscape(e.ID), Story: storyURL})
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, reportPage, e.Headline, body)
}

// uiStory shows a story as explain's story page does, with the site's
// links: the story's JSON, the pick-two form, and each version side by
// side with the original.
func (s *Server) uiStory(w http.ResponseWriter, r *http.Request) {
	story, err := s.loadStory(r.Context(), r.PathValue("id"))
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	body, err := explain.StoryFragment(story, explain.StoryLinks{
		JSON:  "/api/v1/stories/" + url.PathEscape(story.ID),
		Event: eventURL(story.Event),
		Pick:  storyURL(story.ID) + "/compare",
		Compare: func(o, v explain.StoryVersion) string {
			return compareURL(o.Doc.ID, o.Version, v.Doc.ID, v.Version)
		},
	})
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	// The page's title is the original's headline, else the first
	// version's.
	title := story.ID
	for i, v := range story.Versions {
		if i == 0 || v.Original {
			title = explain.Headline(v.Doc)
		}
	}
	s.render(w, r, http.StatusOK, reportPage, title, body)
}

// uiPick answers the story page's pick-two form (?from=SEQ&to=SEQ, the
// store numbers of two versions) with a redirect to their compare page,
// whose address names documents by id and version like the API's.
func (s *Server) uiPick(w http.ResponseWriter, r *http.Request) {
	var docs [2]retold.StoredDocument
	err := s.st.View(r.Context(), func(tx retold.ReadTx) error {
		for i, k := range []string{"from", "to"} {
			seq, err := strconv.ParseInt(r.URL.Query().Get(k), 10, 64)
			if err != nil || seq <= 0 {
				return fmt.Errorf("%w: pick two versions (%s is not a document number)", errBadRequest, k)
			}
			if docs[i], err = tx.Document(seq); err != nil {
				return fmt.Errorf("document %d: %w", seq, err)
			}
		}
		return nil
	})
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	http.Redirect(w, r, compareURL(docs[0].ID, docs[0].Version, docs[1].ID, docs[1].Version), http.StatusSeeOther)
}

// barLink is one link of the bar above the compare page.
type barLink struct{ Label, URL string }

func (s *Server) uiCompare(w http.ResponseWriter, r *http.Request) {
	a, b, err := s.pair(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	var report bytes.Buffer
	if err := explain.HTML(&report, s.cmp.Compare(a.Document, b.Document), a.Document, b.Document); err != nil {
		s.uiFail(w, r, err)
		return
	}
	links := []barLink{{"story of A", storyURL(a.Story)}}
	if b.Story != a.Story {
		links = append(links, barLink{"story of B", storyURL(b.Story)})
	}
	links = append(links,
		barLink{"swap A and B", compareURL(b.ID, b.Version, a.ID, a.Version)},
		barLink{"JSON", "/api/v1/compare?" + r.URL.RawQuery})
	var bar bytes.Buffer
	if err := uiShared.ExecuteTemplate(&bar, "bar", links); err != nil {
		s.uiFail(w, r, fmt.Errorf("render bar: %w", err))
		return
	}
	page := withBar(report.Bytes(), bar.Bytes())
	writeHTML(w, http.StatusOK, pagePolicy(styleHashes(page)), page)
}

// withBar puts the site's bar into explain's report page: its style
// sheet (scoped to the bar, so it changes nothing of the report) last in
// <head>, the bar first in <body>. Every text of a document in the
// report is escaped, so the first "</head>" and "<body>" are the
// report's own tags. A report without them is served as it is.
func withBar(report, bar []byte) []byte {
	const head, body = "</head>", "<body>"
	i, j := bytes.Index(report, []byte(head)), bytes.Index(report, []byte(body))
	if i < 0 || j < i {
		return report
	}
	var out bytes.Buffer
	out.Write(report[:i])
	out.WriteString("<link rel=\"stylesheet\" href=\"/static/bar.css\">\n")
	out.Write(report[i : j+len(body)])
	out.WriteString("\n")
	out.Write(bar)
	out.Write(report[j+len(body):])
	return out.Bytes()
}

// styleHashes are the CSP sources (" 'sha256-...'") that allow exactly
// the inline <style> elements of page.
func styleHashes(page []byte) string {
	var b strings.Builder
	for {
		i := bytes.Index(page, []byte("<style>"))
		if i < 0 {
			break
		}
		page = page[i+len("<style>"):]
		j := bytes.Index(page, []byte("</style>"))
		if j < 0 {
			break
		}
		sum := sha256.Sum256(page[:j])
		b.WriteString(" 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'")
		page = page[j:]
	}
	return b.String()
}

// matchView is the match page: the form, and after a post what matched.
type matchView struct {
	Text   string // the pasted text, shown again in the form
	Result *matchResult
}

type matchResult struct {
	Doc  retold.Document
	JSON storyindex.MatchSummary
	// StoryURL and StoryTitle name the story the text would join; ""
	// when it would start its own.
	StoryURL, StoryTitle string
	DuplicateURL         string
	Edges                []matchEdgeView
	// Best is the strongest stored partner, and Changes the text against
	// it ("" without one).
	Best    *matchEdgeView
	Changes template.HTML
}

type matchEdgeView struct {
	storyindex.MatchEdge
	StoryURL, Headline string
}

func (s *Server) uiMatchForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, matchPage, "Match a text", matchView{})
}

// uiMatch answers the match form: the text pasted, or the file uploaded
// (which wins when both are given), read as `retold compare` reads a file.
func (s *Server) uiMatch(w http.ResponseWriter, r *http.Request) {
	name, body, err := matchInput(r, s.opt.MaxBody)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	d, err := extract.Parse(name, body, &extract.Options{MaxBytes: int64(len(body)) + 1})
	if err != nil {
		s.uiFail(w, r, fmt.Errorf("%w: %w", errBadRequest, err))
		return
	}
	found, err := s.x.Match(r.Context(), d)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	res := found.Summary()
	mr := &matchResult{Doc: d, JSON: res}
	if res.Of != "" {
		mr.DuplicateURL = storyURL(res.Story)
	}
	for _, e := range res.Edges {
		mr.Edges = append(mr.Edges, matchEdgeView{MatchEdge: e, StoryURL: storyURL(e.Story),
			Headline: explain.Headline(retold.Document{ID: e.ID, Title: e.Title})})
	}
	err = s.st.View(r.Context(), func(tx retold.ReadTx) error {
		if res.Story != "" {
			mr.StoryURL, mr.StoryTitle = storyURL(res.Story), res.Story
			if st, err := tx.Story(res.Story); err == nil {
				if od, err := tx.Document(st.Original); err == nil {
					mr.StoryTitle = explain.Headline(od.Document)
				}
			}
		}
		if len(mr.Edges) > 0 {
			// The very version matched, as the match read it.
			stored := found.Partners[0].Document
			mr.Best = &mr.Edges[0]
			var err error
			mr.Changes, err = explain.ChangesFragment(s.cmp.Compare(stored, d), stored, d, "the stored document", "this text")
			return err
		}
		return nil
	})
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	text := r.FormValue("text")
	s.render(w, r, http.StatusOK, matchPage, "Match: "+explain.Headline(d), matchView{Text: text, Result: mr})
}

// matchInput is the text a match form posted, with the name it is read
// under: the file field's content when a file was chosen, else the text
// field. The body is a form, multipart (with a file) or urlencoded, held
// in memory: ServeHTTP bounds it by maxBody already.
func matchInput(r *http.Request, maxBody int64) (string, []byte, error) {
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxBody)
	} else {
		// Not ParseMultipartForm: it reports any other body as
		// ErrNotMultipart, hiding why ParseForm failed.
		err = r.ParseForm()
	}
	if err != nil {
		// A body past the bound stays a MaxBytesError inside: 413.
		return "", nil, fmt.Errorf("%w: read the form: %w", errBadRequest, err)
	}
	if f, h, err := r.FormFile("file"); err == nil {
		defer f.Close()
		body, err := io.ReadAll(f)
		if err != nil {
			return "", nil, fmt.Errorf("read %s: %w", h.Filename, err)
		}
		if len(body) > 0 {
			// The name keeps its extension, which may say the format
			// (.html, .json); the client's folders are not ours to show.
			return path.Base(strings.ReplaceAll(h.Filename, `\`, "/")), body, nil
		}
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return "", nil, fmt.Errorf("%w: read the file: %w", errBadRequest, err)
	}
	text := r.FormValue("text")
	if strings.TrimSpace(text) == "" {
		return "", nil, fmt.Errorf("%w: paste a text or choose a file", retold.ErrEmpty)
	}
	return "pasted text", []byte(text), nil
}
