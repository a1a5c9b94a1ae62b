package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "retold.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--db", db, "extra"}, "takes no arguments"},
		{[]string{"serve", "--db", db, "--addr", "no-port"}, "--addr"},
		{[]string{"serve", "--db", db, "--addr", "0.0.0.0:0"}, "reads need the token, and none is set"},
		{[]string{"serve", "--db", db, "--max-body", "0"}, "--max-body must be positive"},
	} {
		if r := runCLI(t, "", tc.args...); r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to write from the server's goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeAddsAndShutsDown runs `retold serve` on a free loopback port
// with a token from the environment, adds through the API, reads it back,
// and stops it as SIGINT would (its context ends): exit 0, and the add
// is in the database.
func TestServeAddsAndShutsDown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "retold.db")
	var stderr syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr,
		getenv: func(k string) string {
			if k == "RETOLD_TOKEN" {
				return "tok"
			}
			return ""
		}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, []string{"serve", "--db", db, "--create", "--addr", "127.0.0.1:0"}) }()
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(stderr.String()); m != "" {
			base = m
		}
	}
	if base == "" {
		t.Fatalf("serve did not start: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "reads open, writes need the token") {
		t.Errorf("start line: %s", stderr.String())
	}
	body := `{"id":"a1","title":"Bridge reopens","text":"The old bridge over the river reopened on Monday after two years of repairs, the city said."}`
	req, _ := http.NewRequest("POST", base+"/api/v1/documents", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("add: status %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/api/v1/stories?q=bridge")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Stories []struct{ Original, Title string } `json:"stories"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || len(list.Stories) != 1 || list.Stories[0].Original != "a1" {
		t.Errorf("stories: %+v %v", list, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stderr.String(), "shutting down") {
			t.Errorf("exit %d after the signal: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if r := runCLI(t, "", "stories", "--db", db, "--json"); !strings.Contains(r.stdout, `"original": "a1"`) {
		t.Errorf("after shutdown the store lacks the add: %s %s", r.stdout, r.stderr)
	}
}
