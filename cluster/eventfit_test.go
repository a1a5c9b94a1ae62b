package cluster

import (
	"context"
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/evalpairs"
	"github.com/retold/retold/internal/metrics"
)

// fitEvents runs TestFitEventModel, which refits DefaultEventModel and
// EventThreshold:
//
//	go test ./cluster -run TestFitEventModel -fit-events -v
var fitEvents = flag.Bool("fit-events", false, "refit the event model on the development sets and print it")

// eventSet is a labeled set for event linking: its documents and their
// truth events; train sets fit the model, the others only report.
type eventSet struct {
	name   string
	docs   []retold.Document
	events []string
	train  bool
	ari    bool // score by ARI (the news sets) or pairwise F1
}

// eventSets loads the tuning sets (the three news dev files and ECB+'s
// odd topics) and the test sets (ECB+'s even topics, BASIL).
func eventSets(t *testing.T) []eventSet {
	var out []eventSet
	load := func(file string) []evalpairs.Record {
		recs, err := evalpairs.Load(sharedData(t, file))
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	add := func(name string, recs []evalpairs.Record, keep func(evalpairs.Record) bool, train, ari bool) {
		s := eventSet{name: name, train: train, ari: ari}
		for _, r := range recs {
			if keep(r) {
				s.docs = append(s.docs, r.Document)
				s.events = append(s.events, r.Event)
			}
		}
		out = append(out, s)
	}
	all := func(evalpairs.Record) bool { return true }
	for _, f := range []string{"newsversions-dev", "newsversions-dev2", "newsversions-dev3"} {
		add(f, load(f+".jsonl"), all, true, true)
	}
	ecb := load("ecbplus.jsonl")
	topicParity := func(odd bool) func(evalpairs.Record) bool {
		return func(r evalpairs.Record) bool {
			n, _ := strconv.Atoi(strings.SplitN(r.Event, "_", 2)[0])
			return (n%2 == 1) == odd
		}
	}
	add("ecbplus-odd", ecb, topicParity(true), true, false)
	add("ecbplus-even", ecb, topicParity(false), false, false)
	add("basil", load("basil.jsonl"), all, false, false)
	return out
}

// eventScore clusters s with o and scores its events.
func eventScore(t *testing.T, s eventSet, o Options) metrics.Scores {
	as, _, err := Cluster(context.Background(), s.docs, &o)
	if err != nil {
		t.Fatal(err)
	}
	pred := make([]string, len(as))
	for i, a := range as {
		pred[i] = a.Event
	}
	sc, err := metrics.Compare(s.events, pred)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func (s eventSet) metric(sc metrics.Scores) float64 {
	if s.ari {
		return sc.ARI
	}
	return sc.F1
}

// pairFeatures is the logistic model's input for p, in EventModel's order
// (Bias, Stems, SqrtStems, Facts, Version, SameEvent, CrossLanguage,
// LogGap, LogEventGap); Undated is not fitted (see TestFitEventModel).
func pairFeatures(p EventPair) []float64 {
	x := []float64{1, p.Stems, math.Sqrt(p.Stems), p.Facts, 0, 0, 0, 0, 0}
	switch p.Verdict {
	case retold.Duplicate, retold.NearDuplicate:
		x[4] = 1
	case retold.Version:
		x[4] = p.Score
	case retold.SameEvent:
		x[5] = p.Score + 0.01
	}
	if p.CrossLanguage {
		x[6] = 1
	}
	if p.Gap >= 0 {
		x[7] = math.Log1p(float64(p.Gap))
	}
	if p.EventGap >= 0 {
		x[8] = math.Log1p(float64(p.EventGap))
	}
	return x
}

func modelOf(w []float64, undated float64) EventModel {
	return EventModel{Bias: w[0], Stems: w[1], SqrtStems: w[2], Facts: w[3], Version: w[4], SameEvent: w[5], CrossLanguage: w[6], LogGap: w[7], LogEventGap: w[8], Undated: undated}
}

// TestEventModelMatchesFeatures holds Prob and the fitting features to
// one definition.
func TestEventModelMatchesFeatures(t *testing.T) {
	w := []float64{-1, 2, 3, 4, 5, 6, 7, -0.5, -0.7}
	m := modelOf(w, -1.5)
	for _, p := range []EventPair{
		{Stems: 0.3, Facts: 0.2, Verdict: retold.SameEvent, Score: 0.4, Gap: 2, EventGap: 3},
		{Stems: 0.1, Facts: 0.5, Verdict: retold.Version, Score: 0.8, CrossLanguage: true, Gap: -1, EventGap: -1},
		{Verdict: retold.Duplicate, Gap: 0, EventGap: 0},
		{Stems: 0.05, Verdict: retold.Unrelated, Gap: 30, EventGap: -1},
	} {
		z := 0.0
		for k, x := range pairFeatures(p) {
			z += w[k] * x
		}
		if p.Gap < 0 {
			z += m.Undated
		}
		if got, want := m.Prob(p), 1/(1+math.Exp(-z)); math.Abs(got-want) > 1e-12 {
			t.Errorf("%+v: Prob %.6f, features give %.6f", p, got, want)
		}
	}
}

// TestFitEventModel fits the event model's weights by logistic regression
// on the verified pairs of the tuning sets (each set weighing the same,
// and within a set the same-event and other pairs the same), then picks
// the undated penalty and the threshold by the tuning sets' mean event
// score; the test sets are reported, not used. The penalty is not
// fitted with the rest: with classes balanced it has no prior to learn
// from, and it stands for one (how likely two alike documents report one
// event when no date keeps incidents apart).
func TestFitEventModel(t *testing.T) {
	if !*fitEvents {
		t.Skip("run with -fit-events to refit the event model")
	}
	sets := eventSets(t)
	type sample struct {
		x []float64
		y float64
	}
	samples := make([][]sample, len(sets))
	for si, s := range sets {
		if !s.train {
			continue
		}
		o := DefaultOptions
		var mu sync.Mutex
		o.Event.observe = func(a, b int32, p EventPair) {
			y := 0.0
			if s.events[a] == s.events[b] {
				y = 1
			}
			mu.Lock()
			samples[si] = append(samples[si], sample{pairFeatures(p), y})
			mu.Unlock()
		}
		if _, _, err := Cluster(context.Background(), s.docs, &o); err != nil {
			t.Fatal(err)
		}
		// The order of parallel judging is not fixed: sort for a
		// deterministic fit.
		slices.SortFunc(samples[si], func(a, b sample) int {
			for k := range a.x {
				if a.x[k] != b.x[k] {
					if a.x[k] < b.x[k] {
						return -1
					}
					return 1
				}
			}
			return int(a.y - b.y)
		})
		t.Logf("%s: %d verified pairs", s.name, len(samples[si]))
	}
	type fitted struct {
		w                  []float64
		undated, threshold float64
		mean               float64
		scores             []float64
	}
	// fit fits on the training sets but skip (-1: none).
	fit := func(skip int) fitted {
		const nf = 9
		w := make([]float64, nf)
		for it := 0; it < 5000; it++ {
			g := make([]float64, nf)
			for si, ss := range samples {
				if si == skip {
					continue
				}
				gp, gn := make([]float64, nf), make([]float64, nf)
				np, nn := 0.0, 0.0
				for _, s := range ss {
					z := 0.0
					for k, x := range s.x {
						z += w[k] * x
					}
					d := 1/(1+math.Exp(-z)) - s.y
					acc := gn
					if s.y == 1 {
						acc, np = gp, np+1
					} else {
						nn++
					}
					for k, x := range s.x {
						acc[k] += d * x
					}
				}
				for k := range g {
					if np > 0 {
						g[k] += gp[k] / np / 2
					}
					if nn > 0 {
						g[k] += gn[k] / nn / 2
					}
				}
			}
			for k := range w {
				w[k] -= g[k] + 1e-3*w[k]
			}
		}
		best := fitted{w: w, mean: -1}
		for _, undated := range []float64{-1, -1.5, -2} {
			for _, th := range []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5} {
				o := DefaultOptions
				o.Event = modelOf(w, undated)
				o.EventThreshold = th
				var sum float64
				var n int
				scores := make([]float64, len(sets))
				for si, s := range sets {
					if !s.train && skip >= 0 {
						continue // the test sets are scored once, in-sample run only
					}
					scores[si] = s.metric(eventScore(t, s, o))
					if s.train && si != skip {
						sum += scores[si]
						n++
					}
				}
				if m := sum / float64(n); m > best.mean+1e-9 {
					best = fitted{w, undated, th, m, scores}
				}
			}
		}
		return best
	}
	all := fit(-1)
	t.Logf("in-sample fit: weights %.2f undated %.1f threshold %.2f (tuning mean %.3f)", all.w, all.undated, all.threshold, all.mean)
	for si, s := range sets {
		line := fmt.Sprintf("%-18s in-sample %.3f", s.name, all.scores[si])
		if s.train {
			f := fit(si)
			line += fmt.Sprintf("  held out of the fit %.3f (threshold %.2f)", f.scores[si], f.threshold)
		} else {
			line += "  (test set, never fitted on)"
		}
		t.Log(line)
	}
}
