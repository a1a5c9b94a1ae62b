package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Signing in, for the pages when reads need the token: a browser cannot
// send an Authorization header from a link, so POST /login takes the
// token once and sets a session cookie that opens reads (pages and API
// reads) but never writes, which keep needing the token itself: a cookie
// is sent by the browser on its own, and a write must not be (CSRF). The
// cookie holds a random session id, new at every sign-in, that the server
// keeps for sessionTTL or until sign-out; a restart ends every session.

const sessionCookie = "retold_session"

// Wrong tokens are limited per client address, on every route that
// takes the token and on /login: maxFailures in a row refill at one per
// failureRefill, and past them the client gets 429 without its token
// being looked at, so guessing is slow, and one client's guesses never
// lock another out.
const (
	maxFailures   = 10
	failureRefill = 6 * time.Second
	// maxClients bounds the table; past it the buckets that have refilled
	// (clients with no recent failure) are dropped first.
	maxClients = 100000
)

// failures is a token bucket of wrong tokens per client address.
type failures struct {
	mu      sync.Mutex
	clients map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	left float64
	last time.Time
}

// allow reports whether client may present a token now.
func (f *failures) allow(client string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.clients[client]
	if !ok {
		return true
	}
	f.refill(b)
	return b.left >= 1
}

// failed spends one attempt of client.
func (f *failures) failed(client string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.clients == nil {
		f.clients = map[string]*bucket{}
	}
	b, ok := f.clients[client]
	if !ok {
		if len(f.clients) >= maxClients {
			f.prune()
		}
		b = &bucket{left: maxFailures, last: f.now()}
		f.clients[client] = b
	}
	f.refill(b)
	b.left = max(0, b.left-1)
}

func (f *failures) refill(b *bucket) {
	now := f.now()
	b.left = min(maxFailures, b.left+float64(now.Sub(b.last))/float64(failureRefill))
	b.last = now
}

// prune drops the buckets that are full again, and if none is, all of
// them: a flood of addresses must not grow the table without end.
func (f *failures) prune() {
	for k, b := range f.clients {
		f.refill(b)
		if b.left >= maxFailures {
			delete(f.clients, k)
		}
	}
	if len(f.clients) >= maxClients {
		clear(f.clients)
	}
}

// clientOf is the address a request came from, without its port.
func clientOf(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

var loginPage = uiPage("login.tmpl")

type loginView struct {
	Next   string
	Failed bool
}

func (s *Server) loginRoutes() {
	s.mux.HandleFunc("GET /login", s.uiLoginForm)
	s.mux.HandleFunc("POST /login", s.uiLogin)
	s.mux.HandleFunc("POST /logout", s.uiLogout)
}

// sessionTTL is how long a sign-in lasts; maxSessions how many the
// server keeps at once (past it the oldest goes).
const (
	sessionTTL  = 12 * time.Hour
	maxSessions = 10000
)

// sessions are the signed-in browsers: a random id each, with its expiry.
type sessions struct {
	mu  sync.Mutex
	ids map[string]time.Time // id -> expiry
	now func() time.Time
}

// start makes a new session and returns its id.
func (t *sessions) start() string {
	var b [32]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ids == nil {
		t.ids = map[string]time.Time{}
	}
	now := t.now()
	if len(t.ids) >= maxSessions {
		// Drop the expired ones, then the one closest to expiring.
		var oldest string
		for k, exp := range t.ids {
			if !exp.After(now) {
				delete(t.ids, k)
			} else if oldest == "" || exp.Before(t.ids[oldest]) || exp.Equal(t.ids[oldest]) && k < oldest {
				oldest = k
			}
		}
		if len(t.ids) >= maxSessions {
			delete(t.ids, oldest)
		}
	}
	t.ids[id] = now.Add(sessionTTL)
	return id
}

// valid reports whether id is a live session.
func (t *sessions) valid(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, ok := t.ids[id]
	if ok && !exp.After(t.now()) {
		delete(t.ids, id)
		return false
	}
	return ok
}

// end revokes id.
func (t *sessions) end(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.ids, id)
}

// signedIn reports whether r carries a live session cookie.
func (s *Server) signedIn(r *http.Request) bool {
	if s.opt.Token == "" {
		return false
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && s.sessions.valid(c.Value)
}

// readPage wraps a page that only reads: open, or for a request with the
// token or the session cookie; anyone else is sent to sign in.
func (s *Server) readPage(h http.HandlerFunc) http.HandlerFunc {
	if s.opt.OpenReads {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(r) || s.signedIn(r) {
			h(w, r)
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
}

// localPath keeps next only if it is a path of this site (no scheme, no
// host, no "//" or "/\" that a browser would take for another host):
// signing in must not send anyone elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

func (s *Server) uiLoginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, loginPage, "Sign in", loginView{Next: localPath(r.URL.Query().Get("next"))})
}

func (s *Server) uiLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.uiFail(w, r, err)
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if !s.logins.allow(clientOf(r)) {
		w.Header().Set("Retry-After", strconv.Itoa(int(failureRefill/time.Second)))
		s.uiFail(w, r, fmt.Errorf("%w: too many failed sign-ins; try again in a few seconds", errTooMany))
		return
	}
	got := r.PostForm.Get("token")
	x, y := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(s.opt.Token))
	if s.opt.Token == "" || subtle.ConstantTimeCompare(x[:], y[:]) != 1 {
		s.logins.failed(clientOf(r))
		s.render(w, r, http.StatusUnauthorized, loginPage, "Sign in", loginView{Next: next, Failed: true})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.sessions.start(), Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) uiLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.end(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
