package baseline

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/retold/retold/internal/metrics"
)

func TestCap(t *testing.T) {
	if os.Getenv("RETOLD_EXP") == "" {
		t.Skip("experiment")
	}
	dev, ds, de := load(t, "newsversions-dev.jsonl")
	wmt, ws, _ := load(t, "wmt-versions.jsonl")
	ecb, _, ee := load(t, "ecbplus.jsonl")
	bas, _, be := load(t, "basil.jsonl")
	for _, th := range []float64{0.15, 0.175, 0.275} {
		ref := map[string][]string{}
		for _, mp := range []int{-1, 2000, 500, 200, 100, 50, 20} {
			o := Options{Threshold: th, MaxPostings: mp}
			t0 := time.Now()
			p := TFIDF(dev, &o)
			pw := TFIDF(wmt, &o)
			d := time.Since(t0)
			pe := TFIDF(ecb, &o)
			pb := TFIDF(bas, &o)
			s, _ := metrics.Compare(ds, p)
			e, _ := metrics.Compare(de, p)
			w, _ := metrics.Compare(ws, pw)
			ec, _ := metrics.Compare(ee, pe)
			ba, _ := metrics.Compare(be, pb)
			same := func(name string, l []string) string {
				if mp == -1 {
					ref[name] = l
					return ""
				}
				for i := range l {
					if l[i] != ref[name][i] {
						return name + "≠ "
					}
				}
				return ""
			}
			fmt.Printf("th %.3f cap %5d: dev %.3f/%.3f wmt %.3f ecb %.3f basil %.3f (%v) %s%s%s%s\n", th, mp, s.ARI, e.ARI, w.F1, ec.F1, ba.F1, d.Round(time.Millisecond), same("dev", p), same("wmt", pw), same("ecb", pe), same("basil", pb))
		}
	}
}
