package verify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	retold "github.com/retold/retold"
)

// sharedDir is the project's shared folder, beside the repository. Tests
// that read the team's real data skip when it is absent (a user's clone).
var sharedDir = filepath.Join("..", "..", "shared")

func readShared(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDir, rel))
	if os.IsNotExist(err) {
		if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
			t.Fatalf("%s not found and RETOLD_REQUIRE_SHARED is set", rel)
		}
		t.Skipf("%s not found: the shared data lives beside the repository (../shared); skipping", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSeeds is the founding example: one AP story that reached English
// again through two different machine translations.
func TestSeeds(t *testing.T) {
	a := retold.Document{ID: "000", Text: readShared(t, "seeds/000_46dc9aff5fd7ac6e.txt")}
	b := retold.Document{ID: "003", Text: readShared(t, "seeds/003_f40609e2401cd223.txt")}
	r := New(nil).Compare(a, b)

	if r.Verdict != retold.Version {
		t.Errorf("verdict = %s (%s), want version", r.Verdict, r.Reason)
	}
	// Two machine translations of one wire story: they share little exact
	// wording, yet runs of it and the content words in order.
	if r.Reuse.Class != ReuseWhole && r.Reuse.Class != ReusePartial {
		t.Errorf("reuse %+v, want whole or partial", r.Reuse)
	}
	if len(r.Alignment) < 12 {
		t.Errorf("%d aligned pairs, want at least 12", len(r.Alignment))
	}
	for _, v := range [][2]string{{"Tokaev", "Tokayev"}, {"Massimov", "Masimov"}} {
		if !slices.ContainsFunc(r.Facts.Entities.Variants, func(e EntityVariant) bool { return e.A == v[0] && e.B == v[1] }) {
			t.Errorf("entity variant %s/%s not reported; variants: %+v", v[0], v[1], r.Facts.Entities.Variants)
		}
	}
	same := map[string]NumberItem{}
	for _, n := range r.Facts.Numbers.Same {
		same[n.Value] = n
	}
	for _, v := range []string{"164", "103", "16", "2200"} {
		if _, ok := same[v]; !ok {
			t.Errorf("number %s not among the shared facts", v)
		}
	}
	if _, ok := same["26"]; ok {
		t.Errorf("26 (the earlier civilian toll, only in 000) reported as shared")
	}
	// The four-year-old girl of 000 is the 4-year-old girl of 003.
	if n, ok := same["4"]; !ok || !strings.Contains(n.Context, "girl") {
		t.Errorf("the four-year-old girl is not a shared fact: %+v", n)
	}
}
