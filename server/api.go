package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/storyindex"
)

// The JSON API, under /api/v1. Every response is JSON; docs/server.md lists
// the routes and their fields.
func (s *Server) apiRoutes() {
	s.route("/api/v1/stories", map[string]http.HandlerFunc{"GET": s.read(s.apiStories)})
	s.route("/api/v1/stories/{id}", map[string]http.HandlerFunc{"GET": s.read(s.apiStory)})
	s.route("/api/v1/events", map[string]http.HandlerFunc{"GET": s.read(s.apiEvents)})
	s.route("/api/v1/events/{id}", map[string]http.HandlerFunc{"GET": s.read(s.apiEvent)})
	s.route("/api/v1/documents", map[string]http.HandlerFunc{"POST": s.write(s.apiAdd)})
	s.route("/api/v1/documents/{id}", map[string]http.HandlerFunc{"GET": s.read(s.apiDocument), "DELETE": s.write(s.apiDelete)})
	s.route("/api/v1/compare", map[string]http.HandlerFunc{"GET": s.read(s.apiCompare)})
	s.route("/api/v1/match", map[string]http.HandlerFunc{"POST": s.read(s.apiMatch)})
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, fmt.Errorf("%w: %s", errNoRoute, r.URL.Path))
	})
}

// route serves path with a handler per method, answering any other
// method with a JSON 405 that lists the allowed ones (GET allows HEAD).
func (s *Server) route(path string, byMethod map[string]http.HandlerFunc) {
	var allowed []string
	for m := range byMethod {
		allowed = append(allowed, m)
	}
	slices.Sort(allowed)
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		m := r.Method
		if m == http.MethodHead {
			m = http.MethodGet
		}
		h := byMethod[m]
		if h == nil {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			s.fail(w, r, fmt.Errorf("%w: %s %s (allowed: %s)", errMethod, r.Method, r.URL.Path, strings.Join(allowed, ", ")))
			return
		}
		h(w, r)
	})
}

// Errors of the HTTP layer itself, beside the domain errors.
var (
	errUnauthorized = errors.New("a token is needed (Authorization: Bearer TOKEN)")
	errBadRequest   = errors.New("bad request")
	errNoRoute      = errors.New("no such route")
	errMethod       = errors.New("method not allowed")
	errTooMany      = errors.New("too many requests")
	errForbidden    = errors.New("forbidden")
	errMisdirected  = errors.New("misdirected request")
)

// statusOf is the one table from errors to HTTP status and error code.
func statusOf(err error) (int, string) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, retold.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, errNoRoute):
		return http.StatusNotFound, "no_route"
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, "method_not_allowed"
	case errors.Is(err, errTooMany):
		return http.StatusTooManyRequests, "too_many_requests"
	case errors.Is(err, errForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, errMisdirected):
		return http.StatusMisdirectedRequest, "misdirected"
	case errors.Is(err, retold.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, retold.ErrExists):
		return http.StatusConflict, "exists"
	case errors.Is(err, errBadRequest), errors.Is(err, retold.ErrFormat), errors.Is(err, retold.ErrEmpty),
		errors.Is(err, retold.ErrBinary):
		return http.StatusBadRequest, "bad_request"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// fail answers with err as a JSON error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code := statusOf(err)
	var e apiError
	e.Error.Code, e.Error.Message = code, err.Error()
	if status == http.StatusInternalServerError {
		e.Error.Message = "internal error" // the details stay in the log
		fmt.Fprintf(s.opt.ErrorLog, "retold serve: %s %s: %v\n", r.Method, r.URL.Path, err)
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true) // a headline is never markup, even in JSON
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"encoding the response failed"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// StoryList is the body of GET /api/v1/stories.
type StoryList struct {
	Stories []explain.StorySummary `json:"stories"`
	Limit   int                    `json:"limit"`
	Offset  int                    `json:"offset"`
	// Next is the cursor of the page after this one (pass it as after=),
	// "" on the last page.
	Next string `json:"next,omitempty"`
	// Total is how many stories the query selects, on every page; when
	// TotalCapped, the count stopped there and the query selects more.
	Total       int64 `json:"total"`
	TotalCapped bool  `json:"total_capped"`
}

// EventList is the body of GET /api/v1/events: StoryList's fields, for
// events.
type EventList struct {
	Events      []explain.EventSummary `json:"events"`
	Limit       int                    `json:"limit"`
	Offset      int                    `json:"offset"`
	Next        string                 `json:"next,omitempty"`
	Total       int64                  `json:"total"`
	TotalCapped bool                   `json:"total_capped"`
}

// listCursor is the after= of the page that follows the story or event
// with this place in the listing order, base64url-coded.
func listCursor(firstSeen, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(firstSeen + "\n" + id))
}

// parseCursor reads an after= cursor.
func parseCursor(c string) (*retold.StoryKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	first, id, ok := strings.Cut(string(b), "\n")
	if err != nil || !ok || id == "" || len(c) > 512 {
		return nil, fmt.Errorf("%w: after: not a cursor of this listing", errBadRequest)
	}
	return &retold.StoryKey{FirstSeen: first, ID: id}, nil
}

// pageOf is one page of a listing read with one item more than limit:
// the first limit items, and the cursor of the page after them ("" when
// that extra item was not there, on the last page).
func pageOf[T any](items []T, limit int, key func(T) (firstSeen, id string)) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, listCursor(key(items[limit-1]))
}

func storyKey(s explain.StorySummary) (string, string) { return s.FirstSeen, s.ID }
func eventKey(e explain.EventSummary) (string, string) { return e.FirstSeen, e.ID }

// MaxListLimit bounds limit in GET /api/v1/stories.
const MaxListLimit = 500

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: %s must be a whole number from %d to %d", errBadRequest, name, lo, hi)
	}
	return n, nil
}

// listStories reads one page of story summaries (q's Limit of them), and
// how many stories q selects in all (counted to Options.TotalCap), in
// one snapshot.
func (s *Server) listStories(ctx context.Context, q retold.StoryQuery) (out []explain.StorySummary, total retold.Total, err error) {
	err = s.st.View(ctx, func(tx retold.ReadTx) error {
		if out, err = explain.Summaries(tx, q); err != nil {
			return err
		}
		total, err = tx.CountStories(q, s.opt.TotalCap)
		return err
	})
	return out, total, err
}

// listEvents is listStories for events.
func (s *Server) listEvents(ctx context.Context, q retold.EventQuery) (out []explain.EventSummary, total retold.Total, err error) {
	err = s.st.View(ctx, func(tx retold.ReadTx) error {
		if out, err = explain.EventSummaries(tx, q); err != nil {
			return err
		}
		total, err = tx.CountEvents(q, s.opt.TotalCap)
		return err
	})
	return out, total, err
}

// listParams are the parameters every listing takes: since, until, q,
// limit, offset and after.
type listParams struct {
	Since, Until, Words string
	Limit, Offset       int
	After               *retold.StoryKey
}

func readListParams(r *http.Request) (listParams, error) {
	v := r.URL.Query()
	p := listParams{Since: v.Get("since"), Until: v.Get("until"), Words: v.Get("q")}
	var err error
	if p.Limit, err = intParam(r, "limit", 50, 1, MaxListLimit); err != nil {
		return p, err
	}
	if p.Offset, err = intParam(r, "offset", 0, 0, MaxListOffset); err != nil {
		return p, err
	}
	if c := v.Get("after"); c != "" {
		if p.After, err = parseCursor(c); err != nil {
			return p, err
		}
	}
	if len(p.Words) > MaxSearchBytes || len(strings.Fields(p.Words)) > MaxSearchWords {
		return p, fmt.Errorf("%w: q: at most %d words and %d bytes", errBadRequest, MaxSearchWords, MaxSearchBytes)
	}
	for _, k := range []string{"since", "until", "event", "outlet"} {
		if len(v.Get(k)) > MaxFilterBytes {
			return p, fmt.Errorf("%w: %s: at most %d bytes", errBadRequest, k, MaxFilterBytes)
		}
	}
	return p, nil
}

func (s *Server) storyQuery(r *http.Request) (retold.StoryQuery, error) {
	p, err := readListParams(r)
	return retold.StoryQuery{Since: p.Since, Until: p.Until, Words: p.Words, Limit: p.Limit, Offset: p.Offset, After: p.After,
		Event: r.URL.Query().Get("event"), Outlet: r.URL.Query().Get("outlet")}, err
}

func (s *Server) eventQuery(r *http.Request) (retold.EventQuery, error) {
	p, err := readListParams(r)
	return retold.EventQuery{Since: p.Since, Until: p.Until, Words: p.Words, Limit: p.Limit, Offset: p.Offset, After: p.After}, err
}

// Bounds of a listing's cost: a search of many words, or an offset that
// walks every story, would take seconds of CPU a request. A filter (an
// event, an outlet, a date) is a short string.
const (
	MaxListOffset  = 10000
	MaxSearchWords = 16
	MaxSearchBytes = 256
	MaxFilterBytes = 256
)

func (s *Server) apiStories(w http.ResponseWriter, r *http.Request) {
	q, err := s.storyQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// One story more than the page says whether there is a next one.
	more := q
	more.Limit++
	ss, total, err := s.listStories(r.Context(), more)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := StoryList{Limit: q.Limit, Offset: q.Offset, Total: total.N, TotalCapped: total.Capped}
	list.Stories, list.Next = pageOf(ss, q.Limit, storyKey)
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	q, err := s.eventQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	more := q
	more.Limit++
	es, total, err := s.listEvents(r.Context(), more)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := EventList{Limit: q.Limit, Offset: q.Offset, Total: total.N, TotalCapped: total.Capped}
	list.Events, list.Next = pageOf(es, q.Limit, eventKey)
	writeJSON(w, http.StatusOK, list)
}

// loadStory reads a story and compares each version with its original.
func (s *Server) loadStory(ctx context.Context, id string) (*explain.Story, error) {
	var st retold.Story
	var docs []retold.StoredDocument
	var copies []retold.Copy
	err := s.st.View(ctx, func(tx retold.ReadTx) error {
		var err error
		if st, err = tx.Story(id); err != nil {
			return fmt.Errorf("story %s: %w", id, err)
		}
		if docs, err = tx.StoryDocuments(st.ID); err != nil {
			return err
		}
		copies, err = tx.StoryCopies(st.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return explain.BuildStory(st, docs, copies, s.cmp), nil
}

func (s *Server) apiStory(w http.ResponseWriter, r *http.Request) {
	story, err := s.loadStory(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, story.JSON())
}

// loadEvent reads an event and builds its report.
func (s *Server) loadEvent(ctx context.Context, id string) (*explain.Event, error) {
	var rows explain.EventReads
	err := s.st.View(ctx, func(tx retold.ReadTx) (err error) {
		rows, err = explain.ReadEvent(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rows.Build(), nil
}

func (s *Server) apiEvent(w http.ResponseWriter, r *http.Request) {
	e, err := s.loadEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e.JSON())
}

// DocumentJSON is the body of GET /api/v1/documents/{id}.
type DocumentJSON struct {
	ID      string     `json:"id"`
	Version int        `json:"version"`
	Seq     int64      `json:"seq"`
	Title   string     `json:"title"`
	Text    string     `json:"text"`
	URL     string     `json:"url"`
	Outlet  string     `json:"outlet"`
	Date    string     `json:"date"`
	Lang    string     `json:"lang"`
	Added   string     `json:"added"`
	Story   string     `json:"story"`
	Event   string     `json:"event"`
	CopyOf  string     `json:"copy_of,omitempty"` // a copy: the id of the document whose text it ran
	Edges   []EdgeJSON `json:"edges"`
}

// EdgeJSON is a verified relation to another stored document.
type EdgeJSON struct {
	With    string         `json:"with"`
	Version int            `json:"with_version"`
	Verdict retold.Verdict `json:"verdict"`
	Score   float64        `json:"score"`
}

// document reads the latest version of id, or version v when v > 0.
func document(tx retold.ReadTx, id string, v int) (retold.StoredDocument, error) {
	if v <= 0 {
		d, err := tx.DocumentByID(id)
		if err != nil {
			return d, fmt.Errorf("document %s: %w", id, err)
		}
		return d, nil
	}
	vs, err := tx.Versions(id)
	if err != nil {
		return retold.StoredDocument{}, err
	}
	for _, d := range vs {
		if d.Version == v {
			return d, nil
		}
	}
	return retold.StoredDocument{}, fmt.Errorf("document %s version %d: %w", id, v, retold.ErrNotFound)
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) {
	v, err := intParam(r, "version", 0, 1, 1<<30)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out DocumentJSON
	err = s.st.View(r.Context(), func(tx retold.ReadTx) error {
		d, err := document(tx, r.PathValue("id"), v)
		if err != nil {
			return err
		}
		out = DocumentJSON{ID: d.ID, Version: d.Version, Seq: d.Seq, Title: d.Title, Text: d.Text, URL: d.URL,
			Outlet: d.Outlet, Date: d.Date, Lang: d.Lang, Added: d.Added, Story: d.Story, Event: d.Event, CopyOf: d.CopyOf, Edges: []EdgeJSON{}}
		es, err := tx.Edges(d.Seq)
		if err != nil {
			return err
		}
		for _, e := range es {
			other := e.A
			if other == d.Seq {
				other = e.B
			}
			od, err := tx.Document(other)
			if err != nil {
				return err
			}
			out.Edges = append(out.Edges, EdgeJSON{With: od.ID, Version: od.Version, Verdict: e.Verdict, Score: e.Score})
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// pair reads the two documents a compare names: ?a=ID&b=ID, each with an
// optional version (av, bv).
func (s *Server) pair(r *http.Request) (a, b retold.StoredDocument, err error) {
	q := r.URL.Query()
	if q.Get("a") == "" || q.Get("b") == "" {
		return a, b, fmt.Errorf("%w: give two document ids, ?a=ID&b=ID", errBadRequest)
	}
	av, err := intParam(r, "av", 0, 1, 1<<30)
	if err != nil {
		return a, b, err
	}
	bv, err := intParam(r, "bv", 0, 1, 1<<30)
	if err != nil {
		return a, b, err
	}
	err = s.st.View(r.Context(), func(tx retold.ReadTx) error {
		if a, err = document(tx, q.Get("a"), av); err != nil {
			return err
		}
		b, err = document(tx, q.Get("b"), bv)
		return err
	})
	return a, b, err
}

func (s *Server) apiCompare(w http.ResponseWriter, r *http.Request) {
	a, b, err := s.pair(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.cmp.Compare(a.Document, b.Document))
}

// readDocument reads the one document a request body holds: a JSON
// record (`{"id", "title", "text", ...}`), an HTML page or plain text, as
// `retold compare` reads a file.
func readDocument(r *http.Request) (retold.Document, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return retold.Document{}, err
	}
	d, err := extract.Parse("request", body, &extract.Options{MaxBytes: int64(len(body)) + 1})
	if err != nil {
		return d, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return d, nil
}

// Match matches d and describes the result: the body of POST
// /api/v1/match, what `retold match --json` prints.
func (s *Server) Match(ctx context.Context, d retold.Document) (storyindex.MatchSummary, error) {
	res, err := s.x.Match(ctx, d)
	if err != nil {
		return storyindex.MatchSummary{}, err
	}
	return res.Summary(), nil
}

func (s *Server) apiMatch(w http.ResponseWriter, r *http.Request) {
	d, err := readDocument(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Match(r.Context(), d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// AddResult is the body of POST /api/v1/documents.
type AddResult struct {
	Added      int          `json:"added"`
	Duplicates int          `json:"duplicates"`
	Documents  []AddedJSON  `json:"documents"`
	Errors     []RecordJSON `json:"errors"`
}

// AddedJSON is one record added (or found stored already).
type AddedJSON struct {
	Line      int    `json:"line"`
	ID        string `json:"id"`
	Version   int    `json:"version"`
	Duplicate bool   `json:"duplicate"`
	// CopyOf is set when the record's text was stored already under
	// another id: it is kept as a copy of that document, under its own id.
	CopyOf string `json:"copy_of,omitempty"`
	Story  string `json:"story"`
	Event  string `json:"event"`
}

// RecordJSON is one record skipped, with why.
type RecordJSON struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// addRecordTimeout bounds the wait for the next record of an add's body
// (a stalled client), and the time to write the answer after the last.
const addRecordTimeout = 2 * time.Minute

// addBatch is how many records of a body go into one transaction.
const addBatch = 64

func (s *Server) apiAdd(w http.ResponseWriter, r *http.Request) {
	// The body is JSON records, one a line (a single record is a body
	// of one line); a bad line is reported and skipped.
	// The server's read and write timeouts bound a request as a whole; an
	// add reads its body while it adds, so a long one would be cut off
	// with part of it stored and no answer. Here they bound the wait for
	// each record instead, and the answer gets time of its own.
	rc := http.NewResponseController(w)
	extend := func() {
		rc.SetReadDeadline(time.Now().Add(addRecordTimeout))
		rc.SetWriteDeadline(time.Now().Add(addRecordTimeout))
	}
	extend()
	// MaxBody bounds the body as sent; a gzip body is bounded again after
	// decompression, so 4 MB of gzip cannot become a gigabyte.
	jr, err := extract.NewJSONL("request", r.Body, &extract.JSONLOptions{MaxBytes: s.opt.MaxBody})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := AddResult{Documents: []AddedJSON{}, Errors: []RecordJSON{}}
	var lines []int // the lines of the records queued, in order
	adder := s.x.NewAdder(addBatch, func(d retold.Document, res storyindex.Result) {
		out.Documents = append(out.Documents, addedJSON(lines[0], d.ID, res))
		lines = lines[1:]
		if res.Duplicate {
			out.Duplicates++
		} else {
			out.Added++
		}
	})
	// Not the request's context: a client gone mid-batch does not undo
	// what it sent, and shutdown waits for the batch.
	ctx := context.WithoutCancel(r.Context())
	flush := func() error { return adder.Flush(ctx) }
	for {
		rec, err := jr.Next()
		extend()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *extract.RecordError
		if errors.As(err, &re) {
			out.Errors = append(out.Errors, RecordJSON{Line: re.Line, Message: re.Err.Error()})
			continue
		}
		if err != nil {
			// The body ended badly (too large, cut): what came before is
			// added, and the error says why the rest was not.
			if ferr := flush(); ferr != nil {
				s.fail(w, r, ferr)
				return
			}
			s.fail(w, r, err)
			return
		}
		lines = append(lines, rec.Line)
		if err := adder.Add(ctx, rec.Doc); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := flush(); err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if out.Added > 0 {
		status = http.StatusCreated
	}
	if out.Added+out.Duplicates == 0 && len(out.Errors) > 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, out)
}

// addedJSON is record id's result r: a copy is answered under its own id.
func addedJSON(line int, id string, r storyindex.Result) AddedJSON {
	out := AddedJSON{Line: line, ID: r.Doc.ID, Version: r.Doc.Version, Duplicate: r.Duplicate, Story: r.Story, Event: r.Event}
	if r.Copy {
		out.ID, out.Version, out.CopyOf = id, 1, r.Doc.ID
	}
	return out
}

func (s *Server) apiDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.x.Delete(context.WithoutCancel(r.Context()), id); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
}
