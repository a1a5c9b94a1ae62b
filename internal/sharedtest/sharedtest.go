// Package sharedtest finds the team's data and tools in ../shared beside
// the repository for tests: a test skips with a clear message when it is
// not there (a user's clone), and fails when RETOLD_REQUIRE_SHARED is set
// (as .ci/run sets it).
package sharedtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// Path is the file or folder at parts under ../shared.
func Path(t testing.TB, parts ...string) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..", "..", "shared")
	p := filepath.Join(append([]string{root}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
			t.Fatalf("%s: %v (RETOLD_REQUIRE_SHARED is set)", p, err)
		}
		t.Skipf("%s: %v: the team's data and tools are in ../shared beside the repository", p, err)
	}
	return p
}

// Gencorpus writes a gencorpus corpus (../shared/bench: planted copies,
// trims, write-thrus, rewrites and translations; synthetic text, 30%
// planted versions) of about mb megabytes, about 6 KB a document, into
// dir and returns its path.
func Gencorpus(t testing.TB, dir string, seed, mb int) string {
	t.Helper()
	src := Path(t, "bench", "gencorpus")
	gen := filepath.Join(dir, "gencorpus")
	build := exec.Command("go", "build", "-o", gen, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build gencorpus: %v\n%s", err, out)
	}
	corpus := filepath.Join(dir, "corpus.jsonl")
	if out, err := exec.Command(gen, "--seed", strconv.Itoa(seed), "--size-mb", strconv.Itoa(mb), "--dup-rate", "0.3", "--source", "synthetic", "--out", corpus).CombinedOutput(); err != nil {
		t.Fatalf("gencorpus: %v\n%s", err, out)
	}
	return corpus
}
