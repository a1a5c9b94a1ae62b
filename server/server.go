// Package server is retold's HTTP face over a retold.Store: a JSON API
// (api.go) and a web UI (ui.go), served by one http.Handler.
//
// Reads are open or need the token, as Options.OpenReads says (`retold
// serve` opens them on a loopback address only); writes (add, delete)
// always need it, compared in constant time. Request bodies are bounded
// by Options.MaxBody (413 past it). Errors are JSON objects
// {"error": {"code", "message"}}, the status and code from one table,
// statusOf, that maps the domain errors.
package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/storyindex"
	"github.com/retold/retold/verify"
)

// Options tune a Server. A nil *Options means the defaults.
type Options struct {
	// Token is what writes must present (Authorization: Bearer TOKEN, or
	// the X-Retold-Token header); "" refuses every write.
	Token string
	// OpenReads lets reads through without the token.
	OpenReads bool
	// LocalOnly serves only requests addressed to this machine by name:
	// a Host of localhost, 127.0.0.1 or ::1 (any port). Set it when reads
	// are open because the server listens on loopback: a page of another
	// site could otherwise read the index through DNS rebinding (its own
	// name made to point at 127.0.0.1).
	LocalOnly bool
	// MaxBody bounds a request body in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// TotalCap is how far a filtered listing's total is counted (see
	// retold.ReadTx.CountStories); 0 means retold.TotalCap.
	TotalCap int64
	// ErrorLog gets internal errors (their details are not sent to the
	// client); nil means os.Stderr.
	ErrorLog io.Writer
}

// DefaultMaxBody is the default bound of a request body: 32 MiB, what
// the extractors take as one input.
const DefaultMaxBody = 32 << 20

// Server serves the API and the UI over one store.
type Server struct {
	st  retold.Store
	x   *storyindex.Index
	cmp *verify.Comparer
	opt Options
	mux *http.ServeMux
	// logins limits failed sign-ins (login.go).
	logins failures
	// sessions are the signed-in browsers (login.go).
	sessions sessions
}

// New returns a Server over st; x is the index adds and matches go
// through (nil makes one).
func New(st retold.Store, x *storyindex.Index, opt *Options) *Server {
	s := &Server{st: st, x: x, cmp: verify.New(nil), mux: http.NewServeMux()}
	s.logins.now = time.Now
	s.sessions.now = time.Now
	if opt != nil {
		s.opt = *opt
	}
	if s.opt.MaxBody <= 0 {
		s.opt.MaxBody = DefaultMaxBody
	}
	if s.opt.TotalCap <= 0 {
		s.opt.TotalCap = retold.TotalCap
	}
	if s.opt.ErrorLog == nil {
		s.opt.ErrorLog = os.Stderr
	}
	if s.x == nil {
		s.x = storyindex.New(st, nil)
	}
	s.apiRoutes()
	s.uiRoutes()
	return s
}

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler {
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if s.opt.LocalOnly && !localHost(r.Host) {
		s.fail(w, r, fmt.Errorf("%w: host %q is not this machine's (serve on another address to be reached by name)", errMisdirected, r.Host))
		return
	}
	// A client that guessed wrong too often is refused before its token
	// is looked at (login.go).
	if (presentedToken(r) != "" || r.URL.Path == "/login" && r.Method == http.MethodPost) && !s.logins.allow(clientOf(r)) {
		w.Header().Set("Retry-After", strconv.Itoa(int(failureRefill/time.Second)))
		s.fail(w, r, fmt.Errorf("%w: too many wrong tokens from this address; try again in a few seconds", errTooMany))
		return
	}
	// A form of another site may not post here (the match form reads the
	// index for whoever posts): browsers say where a request comes from.
	if r.Method == http.MethodPost && crossSite(r) {
		s.fail(w, r, fmt.Errorf("%w: a cross-site request", errForbidden))
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBody)
	}
	s.mux.ServeHTTP(w, r)
}

// read wraps a handler that only reads: open, or behind the token or the
// session cookie of a signed-in browser (login.go).
func (s *Server) read(h http.HandlerFunc) http.HandlerFunc {
	if s.opt.OpenReads {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) && !s.signedIn(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="retold"`)
			s.fail(w, r, errUnauthorized)
			return
		}
		h(w, r)
	}
}

// write wraps a handler that changes the store: behind the token.
func (s *Server) write(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="retold"`)
			s.fail(w, r, errUnauthorized)
			return
		}
		h(w, r)
	}
}

// authorized compares the request's token with Options.Token in constant
// time (over hashes, so neither length shows either).
func (s *Server) authorized(r *http.Request) bool {
	got := presentedToken(r)
	if s.opt.Token == "" || got == "" {
		return false
	}
	x, y := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(s.opt.Token))
	if subtle.ConstantTimeCompare(x[:], y[:]) != 1 {
		s.logins.failed(clientOf(r))
		return false
	}
	return true
}

// presentedToken is the token a request carries, "" none.
func presentedToken(r *http.Request) string {
	got := r.Header.Get("X-Retold-Token")
	if a := r.Header.Get("Authorization"); got == "" && strings.HasPrefix(a, "Bearer ") {
		got = strings.TrimPrefix(a, "Bearer ")
	}
	return got
}

// localHost reports whether host (a Host header, with or without a port)
// names this machine: localhost, or a loopback address.
func localHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// crossSite reports whether a browser says r comes from another site:
// Sec-Fetch-Site cross-site, or an Origin whose host is not r's.
func crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return origin == "null"
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}
