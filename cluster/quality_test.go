package cluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/evalpairs"
	"github.com/retold/retold/internal/metrics"
	"github.com/retold/retold/lexicon"
)

// sharedData returns the path of a labeled file in ../shared/data, or
// skips the test when it is absent (a user's clone); with
// RETOLD_REQUIRE_SHARED set, as in CI, absence fails.
func sharedData(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
			t.Fatalf("labeled data missing: %v", err)
		}
		t.Skipf("labeled data not found at %s (it lives in the team's shared folder beside the repo)", p)
	}
	return p
}

// clusterRecords clusters the labeled records' documents.
func clusterRecords(t *testing.T, recs []evalpairs.Record) []Assignment {
	t.Helper()
	docs := make([]retold.Document, len(recs))
	for i, r := range recs {
		docs[i] = r.Document
	}
	as, st, err := Cluster(context.Background(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stats: %+v", st)
	return as
}

// levelScores clusters the records and scores stories and events against
// their labels, with key choosing the truth label of each level.
func levelScores(t *testing.T, recs []evalpairs.Record, story, event func(evalpairs.Record) string) (metrics.Scores, metrics.Scores) {
	t.Helper()
	as := clusterRecords(t, recs)
	var ts, te, ps, pe []string
	for i, r := range recs {
		ts = append(ts, story(r))
		te = append(te, event(r))
		ps = append(ps, as[i].Story)
		pe = append(pe, as[i].Event)
	}
	s, err := metrics.Compare(ts, ps)
	if err != nil {
		t.Fatal(err)
	}
	e, err := metrics.Compare(te, pe)
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

// TestQualityDev holds the story and event quality on the three news dev
// sets to floors at the numbers in docs/quality.md (the targets, story
// ARI 0.85 and story pair precision 0.90, are not all met yet): a change
// that loses quality fails.
//
// dev3 is mostly not in English: its floors are higher where the
// machine has the bilingual dictionaries the translation measure reads
// (CI installs them, and $RETOLD_REQUIRE_LEXICON makes their absence a
// failure).
func TestQualityDev(t *testing.T) {
	dev3ARI, dev3P := 0.74, 0.73
	if haveDictionaries(t) {
		dev3ARI, dev3P = 0.81, 0.85
	}
	for _, tt := range []struct {
		file                      string
		storyARI, storyP, eventAR float64
	}{
		{"newsversions-dev.jsonl", 0.77, 0.89, 0.96},
		{"newsversions-dev2.jsonl", 0.84, 0.93, 0.99},
		{"newsversions-dev3.jsonl", dev3ARI, dev3P, 0.98},
	} {
		recs, err := evalpairs.Load(sharedData(t, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		s, e := levelScores(t, recs, func(r evalpairs.Record) string { return r.Story }, func(r evalpairs.Record) string { return r.Event })
		t.Logf("%s story: ARI %.3f P %.3f R %.3f F1 %.3f; event: ARI %.3f P %.3f R %.3f F1 %.3f",
			tt.file, s.ARI, s.Precision, s.Recall, s.F1, e.ARI, e.Precision, e.Recall, e.F1)
		if s.ARI < tt.storyARI || s.Precision < tt.storyP || e.ARI < tt.eventAR {
			t.Errorf("%s: story ARI %.3f P %.3f, event ARI %.3f; floors %.2f, %.2f, %.2f", tt.file, s.ARI, s.Precision, e.ARI, tt.storyARI, tt.storyP, tt.eventAR)
		}
	}
}

// haveDictionaries reports whether the default lexicon has a dictionary
// for each language of dev3 but Catalan (FreeDict has none for it).
func haveDictionaries(t *testing.T) bool {
	lex := lexicon.Default()
	for _, l := range []string{"es", "de", "it", "fr", "pt"} {
		if !lex.Has(l) {
			if os.Getenv("RETOLD_REQUIRE_LEXICON") != "" {
				t.Fatalf("no %s dictionary in %q and $RETOLD_REQUIRE_LEXICON is set (install dict-freedict-*-eng)", l, lex.Dir())
			}
			t.Logf("no %s dictionary in %q: the cross-language floors are those of the facts alone", l, lex.Dir())
			return false
		}
	}
	return true
}

func TestQualityWMT(t *testing.T) {
	if testing.Short() {
		t.Skip("clusters 3,568 documents")
	}
	recs, err := evalpairs.Load(sharedData(t, "wmt-versions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	group := func(r evalpairs.Record) string { return r.Group }
	s, _ := levelScores(t, recs, group, group)
	t.Logf("wmt story: pairwise P %.3f R %.3f F1 %.3f", s.Precision, s.Recall, s.F1)
	if s.F1 < 0.95 {
		t.Errorf("wmt story pairwise F1 %.3f < 0.95", s.F1)
	}
}

// The non-English sources of the WMT documents, appended after their
// English translations, should join their own document's story through
// the facts they share. Floors at docs/cluster.md's numbers: at least 76 join
// their own story, at most 18 share a story with another document.
func TestQualityWMTSources(t *testing.T) {
	if testing.Short() {
		t.Skip("clusters 4,014 documents")
	}
	recs, err := evalpairs.Load(sharedData(t, "wmt-versions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := evalpairs.Load(sharedData(t, "wmt-versions-source.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, src...)
	as := clusterRecords(t, recs)
	members := make(map[string][]int)
	for i, a := range as {
		members[a.Story] = append(members[a.Story], i)
	}
	own, other := 0, 0
	for i, r := range recs {
		if r.Lang == "en" {
			continue
		}
		mine := true
		for _, m := range members[as[i].Story] {
			mine = mine && recs[m].Group == r.Group
		}
		switch {
		case !mine:
			other++
		case len(members[as[i].Story]) > 1:
			own++
		}
	}
	t.Logf("of %d sources, %d joined their own story, %d a story holding another document", len(src), own, other)
	if own < 76 {
		t.Errorf("%d sources joined their own story, want at least 76", own)
	}
	if other > 18 {
		t.Errorf("%d sources share a story with another document, want at most 18", other)
	}
}

// TestQualityEventTestSets holds event linking on its test sets, which
// tuning never saw (ECB+'s even topics, BASIL), to floors under today's
// numbers (docs/quality.md): 0.867 and 0.976 pairwise F1; the issue asked
// for 0.80 and 0.90.
func TestQualityEventTestSets(t *testing.T) {
	if testing.Short() {
		t.Skip("clusters 786 documents")
	}
	floors := map[string]float64{"ecbplus-even": 0.85, "basil": 0.96}
	for _, s := range eventSets(t) {
		floor, ok := floors[s.name]
		if !ok {
			continue
		}
		sc := eventScore(t, s, DefaultOptions)
		t.Logf("%s: event pairwise P %.3f R %.3f F1 %.3f", s.name, sc.Precision, sc.Recall, sc.F1)
		if sc.F1 < floor {
			t.Errorf("%s event F1 %.3f < %.2f", s.name, sc.F1, floor)
		}
	}
}
