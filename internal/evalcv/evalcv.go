// Package evalcv chooses the compare engine's reuse rule on the labeled
// news sets and measures how well the choice holds up on events it was
// not chosen on: leave-one-event-out cross-validation.
//
// Every rule of a small grid clusters every set once. The in-sample
// choice is the rule with the best mean story ARI over the sets. For the
// cross-validated estimate, each event in turn is held out: the rule is
// chosen on the other events' documents alone (ARI over them), and the
// held-out event's documents keep the story labels that rule gave them.
// Stories never cross events in these sets, so the labels put together
// from the held-out events make one clustering per set, scored like the
// in-sample one. With a few dozen events and a few hundred same-story
// pairs, the cross-validated numbers are the honest estimate; the gap
// between the two says how much the choice fits the sets it saw.
package evalcv

import (
	"context"
	"fmt"
	"io"
	"strconv"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/internal/evalpairs"
	"github.com/retold/retold/internal/metrics"
	"github.com/retold/retold/verify"
)

// Config is one point of the grid: the reuse rule and the cluster's story
// edge score.
type Config struct {
	Reuse         verify.ReuseRule
	StoryMinScore float64
	// CrossMinTranslation is the translation measure's version line for
	// texts in different languages (verify.Rule.CrossMinTranslation).
	CrossMinTranslation float64
}

func (c Config) String() string {
	r := c.Reuse
	return fmt.Sprintf("weights %.2f/%.2f/%.2f credit %.2f-%.2f edited %.2f partial %.2f run %d whole %.2f structure %.2f story score %.2f translation %.2f",
		r.GramWeight, r.StemWeight, r.OrderWeight, r.CreditLow, r.CreditHigh, r.Edited, r.Partial, r.PartialRun, r.Whole, r.Structure, c.StoryMinScore, c.CrossMinTranslation)
}

// Grid is the set of rules tried: around the default, each threshold a
// step either way, three ways of weighing a pair's wording, and the
// translation line a step either way.
func Grid() []Config {
	d := verify.DefaultRule.Reuse
	var out []Config
	for _, w := range [][3]float64{{1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.2, 0.4, 0.4}, {0.5, 0.25, 0.25}} {
		for _, lo := range []float64{0.1, 0.15, 0.2} {
			for _, partial := range []float64{0.15, 0.2, 0.25} {
				for _, run := range []int{2, 3} {
					for _, min := range []float64{0.5, 0.6} {
						// The default first: a fold whose events cannot tell
						// the three apart keeps it (ties go to the first).
						for _, tr := range []float64{0.35, 0.25, 0.45} {
							r := d
							r.GramWeight, r.StemWeight, r.OrderWeight = w[0], w[1], w[2]
							r.CreditLow, r.Partial, r.PartialRun = lo, partial, run
							out = append(out, Config{Reuse: r, StoryMinScore: min, CrossMinTranslation: tr})
						}
					}
				}
			}
		}
	}
	return out
}

// Set is one labeled file.
type Set struct {
	Name string
	Recs []evalpairs.Record
}

// Result is the outcome on one set: story and event scores, in-sample and
// cross-validated.
type Result struct {
	Set                    string
	Story, Event           metrics.Scores
	CVStory, CVEvent       metrics.Scores
	Events, Docs           int
	ChosenInSample         string
	DistinctChoicesInFolds int
}

// Run clusters every set with every config and returns the per-set
// results and the in-sample choice.
func Run(ctx context.Context, sets []Set, grid []Config, progress func(done, total int)) ([]Result, Config, error) {
	// labels[c][s][i]: story and event of document i of set s under config c.
	type labels struct{ story, event []string }
	all := make([][]labels, len(grid))
	for ci, c := range grid {
		all[ci] = make([]labels, len(sets))
		cmp := verify.DefaultOptions
		cmp.Rule.Reuse = c.Reuse
		if c.CrossMinTranslation > 0 {
			cmp.Rule.CrossMinTranslation = c.CrossMinTranslation
		}
		o := cluster.DefaultOptions
		o.Compare = &cmp
		o.StoryMinScore = c.StoryMinScore
		for si, s := range sets {
			docs := make([]retold.Document, len(s.Recs))
			for i, r := range s.Recs {
				docs[i] = r.Document
			}
			as, _, err := cluster.Cluster(ctx, docs, &o)
			if err != nil {
				return nil, Config{}, err
			}
			l := labels{make([]string, len(as)), make([]string, len(as))}
			for i, a := range as {
				// Labels of different configs never collide when put
				// together from the folds.
				l.story[i] = strconv.Itoa(ci) + "/" + a.Story
				l.event[i] = strconv.Itoa(ci) + "/" + a.Event
			}
			all[ci][si] = l
		}
		if progress != nil {
			progress(ci+1, len(grid))
		}
	}
	// score is the mean story ARI over the sets of config ci, counting the
	// documents not in event held (all of them when held is "").
	score := func(ci int, held string) float64 {
		sum := 0.0
		for si, s := range sets {
			var t, p []string
			for i, r := range s.Recs {
				if r.Event != held {
					t, p = append(t, r.Story), append(p, all[ci][si].story[i])
				}
			}
			sc, _ := metrics.Compare(t, p)
			sum += sc.ARI
		}
		return sum / float64(len(sets))
	}
	best := func(held string) int {
		b, bs := 0, -2.0
		for ci := range grid {
			if s := score(ci, held); s > bs {
				b, bs = ci, s
			}
		}
		return b
	}
	in := best("")
	var out []Result
	for si, s := range sets {
		res := Result{Set: s.Name, Docs: len(s.Recs), ChosenInSample: grid[in].String()}
		var ts, te, ps, pe, cs, ce []string
		chosen := make(map[string]int)
		distinct := make(map[int]bool)
		for i, r := range s.Recs {
			ci, ok := chosen[r.Event]
			if !ok {
				ci = best(r.Event)
				chosen[r.Event] = ci
				distinct[ci] = true
			}
			ts, te = append(ts, r.Story), append(te, r.Event)
			ps, pe = append(ps, all[in][si].story[i]), append(pe, all[in][si].event[i])
			cs, ce = append(cs, all[ci][si].story[i]), append(ce, all[ci][si].event[i])
		}
		res.Events, res.DistinctChoicesInFolds = len(chosen), len(distinct)
		var err error
		if res.Story, err = metrics.Compare(ts, ps); err != nil {
			return nil, Config{}, err
		}
		res.Event, _ = metrics.Compare(te, pe)
		res.CVStory, _ = metrics.Compare(ts, cs)
		res.CVEvent, _ = metrics.Compare(te, ce)
		out = append(out, res)
	}
	return out, grid[in], nil
}

// WriteTable prints the results as a Markdown table.
func WriteTable(w io.Writer, rs []Result, chosen Config) {
	fmt.Fprintf(w, "in-sample choice: %s\n\n", chosen)
	fmt.Fprintln(w, "| set | docs | events | story ARI | story P | story R | CV story ARI | CV story P | CV story R | event ARI | CV event ARI | rules chosen in folds |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rs {
		fmt.Fprintf(w, "| %s | %d | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d |\n", r.Set, r.Docs, r.Events,
			r.Story.ARI, r.Story.Precision, r.Story.Recall, r.CVStory.ARI, r.CVStory.Precision, r.CVStory.Recall, r.Event.ARI, r.CVEvent.ARI, r.DistinctChoicesInFolds)
	}
}
