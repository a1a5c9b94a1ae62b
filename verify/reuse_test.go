package verify

import (
	"os"
	"path/filepath"
	"testing"

	retold "github.com/retold/retold"
)

// TestReuseFixtures holds the reuse measure and the verdict to the cases
// they exist for, on an invented ferry disaster (testdata/reuse): a wire
// story, two independent reports that quote the same official and give
// the same figures, a local story running three wire sentences under its
// own lede, a spinner's synonym rewrite, a Spanish translation, and a
// write-thru with a new lede and a new toll.
func TestReuseFixtures(t *testing.T) {
	read := func(name string) retold.Document { return reuseFixture(t, name) }
	tests := []struct {
		name, a, b string
		verdict    retold.Verdict
		class      string
		minRun     int
	}{
		{"independent report quoting the same official", "wire", "indep1", retold.SameEvent, ReuseNone, 0},
		{"another independent report with the same quote and figures", "wire", "indep2", retold.SameEvent, ReuseNone, 0},
		{"two independent reports", "indep1", "indep2", retold.SameEvent, ReuseNone, 0},
		{"own lede over three wire sentences", "wire", "partial", retold.Version, ReusePartial, 3},
		{"spun synonym paraphrase", "wire", "spun", retold.Version, ReuseWhole, 2},
		{"translation", "wire", "translation", retold.Version, ReuseNone, 0},
		{"independent report in another language, same quote and figures", "wire", "indep-es", retold.SameEvent, ReuseNone, 0},
		{"write-thru with a new lede and toll", "wire", "writethru", retold.Version, ReuseWhole, 2},
	}
	c := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
				r := c.Compare(read(order[0]), read(order[1]))
				if r.Verdict != tt.verdict || r.Reuse.Class != tt.class || r.Reuse.LongestRun < tt.minRun {
					t.Errorf("%s vs %s: %s, reuse %+v; want %s, class %s, run >= %d (%s)", order[0], order[1], r.Verdict, r.Reuse, tt.verdict, tt.class, tt.minRun, r.Reason)
				}
				if v, _ := c.Judge(c.Profile(read(order[0])), c.Profile(read(order[1]))); v != r.Verdict {
					t.Errorf("%s vs %s: Judge says %s, Compare %s", order[0], order[1], v, r.Verdict)
				}
			}
		})
	}
}

// TestAlignedPairsSayWhatTheyShare checks the per-pair labels: the three
// wire sentences a local story runs are verbatim, the quote the
// independent report shares is quote-only, the translation's pairs are
// translations.
func TestAlignedPairsSayWhatTheyShare(t *testing.T) {
	read := func(name string) retold.Document { return reuseFixture(t, name) }
	c := New(nil)
	count := func(r *Result, kind string) int {
		n := 0
		for _, p := range r.Alignment {
			if p.Shares == kind {
				n++
			}
		}
		return n
	}
	if r := c.Compare(read("wire"), read("partial")); count(r, SharesVerbatim) != 3 {
		t.Errorf("wire vs partial: %d verbatim pairs, want 3: %+v", count(r, SharesVerbatim), r.Alignment)
	}
	r := c.Compare(read("wire"), read("indep1"))
	for _, p := range r.Alignment {
		if p.Shares == SharesVerbatim || p.Shares == SharesEdited {
			t.Errorf("wire vs indep1: pair A%d-B%d shares %s (wording %.2f): %q / %q", p.A, p.B, p.Shares, p.Wording, p.AText, p.BText)
		}
	}
	r = c.Compare(read("wire"), read("translation"))
	if len(r.Alignment) == 0 || count(r, SharesTranslation) != len(r.Alignment) {
		t.Errorf("wire vs translation: %d of %d pairs are translations", count(r, SharesTranslation), len(r.Alignment))
	}
}

// reuseFixture reads testdata/reuse/NAME.txt, one of the invented ferry
// stories.
func reuseFixture(t *testing.T, name string) retold.Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reuse", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return retold.Document{ID: name, Text: string(b)}
}
