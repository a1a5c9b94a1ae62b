package evalpairs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/retold/retold/sketch"
	"github.com/retold/retold/verify"
)

func loadShared(t *testing.T, name string) []Record {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", name)
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
			t.Fatalf("%s not found and RETOLD_REQUIRE_SHARED is set", path)
		}
		t.Skipf("%s not found: the labeled data lives in ../shared beside the repository; skipping", name)
	}
	recs, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestQuality checks the pairwise quality table against the targets that
// hold today, so a change that loses quality fails. The same-story
// recall floors of the news sets are what the reuse rule reaches, below
// the 0.90 target: only authored wording makes a version now,
// and the same-event rows, which the old rule missed, hold (see the
// docs/quality.md).
func TestQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("quality evaluation skipped in -short mode")
	}
	c := verify.New(nil)
	// The cross-language rows have no target in the issue; their floors
	// are what the rule reaches today (0.290 and 0.095).
	floors := map[string]float64{
		"newsversions-dev/" + SameStory:      0.69,
		"newsversions-dev2/" + SameStory:     0.65,
		"newsversions-dev3/" + SameStory:     0.63,
		"wmt-versions-source/" + SourceNews:  0.29,
		"wmt-versions-source/" + SourceOther: 0.09,
	}
	check := func(set string, rows []Row) {
		for _, r := range rows {
			pass := r.Pass
			if f, ok := floors[set+"/"+r.Class]; ok {
				pass = r.Retold >= f
			}
			if !pass {
				t.Errorf("%s / %s: %.3f of %d pairs judged version or closer, target %s", set, r.Class, r.Retold, r.Pairs, r.Target)
			}
		}
	}
	for _, name := range []string{"newsversions-dev", "newsversions-dev2", "newsversions-dev3"} {
		news := loadShared(t, name+".jsonl")
		outs, err := Judge(context.Background(), c, news, NewsPairs(news))
		if err != nil {
			t.Fatal(err)
		}
		check(name, Summarize(name, outs))
	}
	wmt := loadShared(t, "wmt-versions.jsonl")
	outs, err := Judge(context.Background(), c, wmt, WMTPairs(wmt, 21000, 1))
	if err != nil {
		t.Fatal(err)
	}
	check("wmt-versions", Summarize("wmt-versions", outs))
	both := append(wmt, loadShared(t, "wmt-versions-source.jsonl")...)
	outs, err = Judge(context.Background(), c, both, SourcePairs(both, 3568, 1))
	if err != nil {
		t.Fatal(err)
	}
	rows := Summarize("wmt-versions-source", outs)
	if len(rows) != 3 {
		t.Fatalf("wmt-versions-source: %d classes, want 3: %+v", len(rows), rows)
	}
	check("wmt-versions-source", rows)
}

func TestWMTPairsCounts(t *testing.T) {
	wmt := loadShared(t, "wmt-versions.jsonl")
	pairs := WMTPairs(wmt, 21000, 1)
	same, hard, diff := 0, 0, 0
	for _, p := range pairs {
		switch p.Class {
		case SameDocNews, SameDocOther:
			same++
		case DiffDocHard:
			hard++
			diff++
		default:
			diff++
		}
	}
	if same != 12488 {
		t.Errorf("%d same-document pairs, want all 12488", same)
	}
	if diff != 21000 || hard != 7000 {
		t.Errorf("%d different-document pairs (%d hard), want 21000 (7000)", diff, hard)
	}
}

func TestWord5(t *testing.T) {
	a := Word5("The quick brown fox jumps over the lazy dog")
	b := Word5("the QUICK brown fox, jumps over the lazy dog!")
	if len(a) != 5 || sketch.Jaccard(a, b) != 1 {
		t.Errorf("Word5: %d shingles, Jaccard %v; want 5 and 1", len(a), sketch.Jaccard(a, b))
	}
	if got := Word5("too short"); len(got) != 1 {
		t.Errorf("a text under 5 words is one shingle, got %d", len(got))
	}
}

func TestSourcePairsCounts(t *testing.T) {
	wmt := loadShared(t, "wmt-versions.jsonl")
	both := append(wmt, loadShared(t, "wmt-versions-source.jsonl")...)
	pairs := SourcePairs(both, 3568, 1)
	same, other := 0, 0
	for _, p := range pairs {
		a, b := both[p.I], both[p.J]
		if a.Lang != "en" || b.Lang == "en" {
			t.Fatalf("pair %s/%s is not an English translation then a source", a.ID, b.ID)
		}
		switch p.Class {
		case SourceNews, SourceOther:
			if a.Group != b.Group {
				t.Fatalf("%s/%s: class %q across documents", a.ID, b.ID, p.Class)
			}
			same++
		case SourceHard:
			if a.Group == b.Group || a.Testset != b.Testset || a.Langpair != b.Langpair {
				t.Fatalf("%s/%s: class %q", a.ID, b.ID, p.Class)
			}
			other++
		}
	}
	if same != 3568 || other != 3568 {
		t.Errorf("%d source-translation pairs and %d across documents, want 3568 and 3568", same, other)
	}
}
