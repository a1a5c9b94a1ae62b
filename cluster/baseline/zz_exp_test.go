package baseline

import (
	"os"
	"fmt"
	"testing"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/evalpairs"
	"github.com/retold/retold/internal/metrics"
)

func load(t testing.TB, name string) ([]retold.Document, []string, []string) {
	recs, err := evalpairs.Load("../../../shared/data/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var docs []retold.Document
	var st, ev []string
	for _, r := range recs {
		docs = append(docs, r.Document)
		st = append(st, r.Story)
		ev = append(ev, r.Event)
	}
	return docs, st, ev
}

func TestProf(t *testing.T) {
	if os.Getenv("RETOLD_EXP") == "" {
		t.Skip("experiment")
	}
	wmt, ws, _ := load(t, "wmt-versions.jsonl")
	for _, th := range []float64{0.15, 0.3, 0.5} {
		t0 := time.Now()
		o := Options{Threshold: th}
		pw := TFIDF(wmt, &o)
		w, _ := metrics.Compare(ws, pw)
		fmt.Printf("th %.2f wmt F1 %.3f %v\n", th, w.F1, time.Since(t0))
	}
}
