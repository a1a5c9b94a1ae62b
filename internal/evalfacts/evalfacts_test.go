package evalfacts

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/retold/retold/internal/evalpairs"
)

// TestKindAt checks the audit's own reading on invented sentences, so a
// zero below means the pairing is right, not that the check is blind.
func TestKindAt(t *testing.T) {
	tests := []struct{ s, num, want string }{
		{"The blast killed at least 60 people and injured 145.", "60", "dead"},
		{"The blast killed at least 60 people and injured 145.", "145", "injured"},
		{"with 45 people wounded on Friday", "45", "injured"},
		{"Lucy Letby, 33, was convicted", "33", "age"},
		{"on four occasions", "four", "span"},
		{"the worst quake in 1998 was", "1998", "year"},
		{"on April 3, the quake", "3", "date"},
		{"a fund of $12 million", "12", "money"},
		{"prices rose 7% in May", "7", "percent"},
		{"a wall 60 meters high", "60", ""},
	}
	for _, tt := range tests {
		i := indexWord(tt.s, tt.num)
		if got := kindAt(tt.s, i, i+len(tt.num)); got != tt.want {
			t.Errorf("kindAt(%q, %q) = %q, want %q", tt.s, tt.num, got, tt.want)
		}
	}
}

func indexWord(s, w string) int {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w && (i == 0 || s[i-1] == ' ' || s[i-1] == '$') {
			return i
		}
	}
	return -1
}

// TestNoMispairedChanges is the target: on newsversions-dev and
// -dev2, no changed number pairs two numbers that count different things.
func TestNoMispairedChanges(t *testing.T) {
	for _, name := range []string{"newsversions-dev", "newsversions-dev2"} {
		path := filepath.Join("..", "..", "..", "shared", "data", name+".jsonl")
		if _, err := os.Stat(path); os.IsNotExist(err) {
			if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
				t.Fatalf("%s not found and RETOLD_REQUIRE_SHARED is set", path)
			}
			t.Skipf("%s not found: the labeled data lives in ../shared beside the repository; skipping", path)
		}
		recs, err := evalpairs.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		changes, err := Changes(context.Background(), name, recs)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) == 0 {
			t.Fatalf("%s: no changed numbers at all", name)
		}
		for _, c := range changes {
			if c.Mispaired {
				t.Errorf("%s %s/%s: %s -> %s pairs %s with %s", name, c.A, c.B, c.Change.A.Text, c.Change.B.Text, c.KindA, c.KindB)
			}
		}
	}
}
