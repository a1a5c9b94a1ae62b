// Package evalpairs measures pairwise verdict quality on the labeled data
// sets in shared/data: every pair of the news-versions file, and the WMT
// translation versions (all same-document pairs and a seeded sample of
// different-document pairs, a third of them from the same test set and
// language pair). Beside retold it scores the textbook baseline, exact
// Jaccard of word 5-gram sets at threshold 0.5 (what MinHash LSH
// estimates), so the gain is visible on the same pairs.
package evalpairs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"

	retold "github.com/retold/retold"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/sketch"
	"github.com/retold/retold/verify"
)

// Record is one labeled document.
type Record struct {
	retold.Document
	Story    string `json:"story"`
	Event    string `json:"event"`
	Group    string `json:"group"`
	Domain   string `json:"domain"`
	Testset  string `json:"testset"`
	Langpair string `json:"langpair"`
}

// Load reads a JSONL file of labeled records.
func Load(path string) ([]Record, error) {
	lr, err := extract.OpenJSONL(path, nil)
	if err != nil {
		return nil, err
	}
	defer lr.Close()
	var out []Record
	for {
		line, n, err := lr.NextLine()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if r.Group != "" {
			r.Story, r.Event = r.Group, r.Group
		}
		out = append(out, r)
	}
}

// Pair is two records of one set, with the class the labels give it.
type Pair struct {
	I, J  int
	Class string
}

// Classes of pairs, with what retold should say for each.
const (
	SameStory      = "same story"
	SameEvent      = "same event, other story"
	DifferentEvent = "different event"
	SameDocNews    = "same document, news"
	SameDocOther   = "same document, non-news"
	DiffDocNews    = "different documents, news"
	DiffDocOther   = "different documents, non-news"
	DiffDocHard    = "different documents, same test set and pair"
	SourceNews     = "source and its translations, news"
	SourceOther    = "source and its translations, non-news"
	SourceHard     = "source and other documents' translations, same test set and pair"
)

// NewsPairs returns every pair of the news-versions records.
func NewsPairs(recs []Record) []Pair {
	var out []Pair
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			c := DifferentEvent
			switch {
			case recs[i].Story == recs[j].Story:
				c = SameStory
			case recs[i].Event == recs[j].Event:
				c = SameEvent
			}
			out = append(out, Pair{i, j, c})
		}
	}
	return out
}

// WMTPairs returns every same-document pair and n different-document pairs
// drawn with the given seed, a third of them within one test set and
// language pair. A different-document pair counts as news when both
// documents are news.
func WMTPairs(recs []Record, n int, seed uint64) []Pair {
	var out []Pair
	byGroup := make(map[string][]int)
	var groups []string
	for i, r := range recs {
		if _, ok := byGroup[r.Group]; !ok {
			groups = append(groups, r.Group)
		}
		byGroup[r.Group] = append(byGroup[r.Group], i)
	}
	for _, g := range groups {
		m := byGroup[g]
		c := SameDocOther
		if recs[m[0]].Domain == "news" {
			c = SameDocNews
		}
		for x := range m {
			for y := x + 1; y < len(m); y++ {
				out = append(out, Pair{m[x], m[y], c})
			}
		}
	}
	bySet := make(map[string][]int)
	var sets []string
	for i, r := range recs {
		k := r.Testset + "/" + r.Langpair
		if _, ok := bySet[k]; !ok {
			sets = append(sets, k)
		}
		bySet[k] = append(bySet[k], i)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5DEECE66D))
	seen := make(map[[2]int]bool)
	hard := n / 3
	for len(seen) < n {
		var i, j int
		if len(seen) < hard {
			s := bySet[sets[rng.IntN(len(sets))]]
			i, j = s[rng.IntN(len(s))], s[rng.IntN(len(s))]
		} else {
			i, j = rng.IntN(len(recs)), rng.IntN(len(recs))
		}
		if recs[i].Group == recs[j].Group {
			continue
		}
		if i > j {
			i, j = j, i
		}
		if seen[[2]int{i, j}] {
			continue
		}
		seen[[2]int{i, j}] = true
		c := DiffDocOther
		switch {
		case len(seen) <= hard:
			c = DiffDocHard
		case recs[i].Domain == "news" && recs[j].Domain == "news":
			c = DiffDocNews
		}
		out = append(out, Pair{i, j, c})
	}
	return out
}

// SourcePairs pairs the original non-English sources of WMT documents
// with English translations. recs holds the English records followed by
// the sources (Lang not "en"). Every source is paired with each of its
// group's translations, and with n translations of other documents drawn
// with the given seed from its own test set and language pair: the same
// source language, time and kind of text.
func SourcePairs(recs []Record, n int, seed uint64) []Pair {
	var out []Pair
	byGroup := make(map[string][]int)
	bySet := make(map[string][]int)
	var sources []int
	for i, r := range recs {
		if r.Lang != "" && r.Lang != "en" {
			sources = append(sources, i)
			continue
		}
		byGroup[r.Group] = append(byGroup[r.Group], i)
		k := r.Testset + "/" + r.Langpair
		bySet[k] = append(bySet[k], i)
	}
	for _, s := range sources {
		c := SourceOther
		if recs[s].Domain == "news" {
			c = SourceNews
		}
		for _, t := range byGroup[recs[s].Group] {
			out = append(out, Pair{t, s, c})
		}
	}
	if len(sources) == 0 {
		return out
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x2545F4914F6CDD1D))
	seen := make(map[[2]int]bool)
	for tries := 0; len(seen) < n && tries < 100*n; tries++ {
		s := sources[rng.IntN(len(sources))]
		set := bySet[recs[s].Testset+"/"+recs[s].Langpair]
		if len(set) == 0 {
			continue
		}
		t := set[rng.IntN(len(set))]
		if recs[t].Group == recs[s].Group || seen[[2]int{t, s}] {
			continue
		}
		seen[[2]int{t, s}] = true
		out = append(out, Pair{t, s, SourceHard})
	}
	return out
}

// Outcome is what retold and the baseline said about one pair.
type Outcome struct {
	Pair
	Verdict  retold.Verdict
	Score    float64
	Signals  verify.Signals
	Baseline float64 // word 5-gram Jaccard
}

// Judge compares every pair with c, using all cores; profiles are made once
// per record. Outcomes come back in pair order.
func Judge(ctx context.Context, c *verify.Comparer, recs []Record, pairs []Pair) ([]Outcome, error) {
	profiles := make([]*verify.Profile, len(recs))
	shingles := make([][]uint64, len(recs))
	workers := runtime.GOMAXPROCS(0)
	parallel(workers, len(recs), func(i int) {
		profiles[i] = c.Profile(recs[i].Document)
		shingles[i] = Word5(recs[i].Text)
	})
	out := make([]Outcome, len(pairs))
	parallel(workers, len(pairs), func(k int) {
		p := pairs[k]
		r := c.CompareProfiles(profiles[p.I], profiles[p.J])
		out[k] = Outcome{Pair: p, Verdict: r.Verdict, Score: r.Score, Signals: r.Signals, Baseline: sketch.Jaccard(shingles[p.I], shingles[p.J])}
	})
	return out, ctx.Err()
}

func parallel(workers, n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Row is one line of the quality table.
type Row struct {
	Set, Class string
	Pairs      int
	Target     string  // e.g. ">= 0.90"
	Retold     float64 // share of pairs judged version or closer
	Baseline   float64 // share with word 5-gram Jaccard >= 0.5
	Pass       bool
	Verdicts   map[retold.Verdict]int
}

// targets say, per class, which share of pairs should be judged version or
// closer: at least (lo) or at most (hi).
var targets = map[string]struct {
	atLeast bool
	v       float64
}{
	SameStory:      {true, 0.90},
	SameEvent:      {false, 0.05},
	DifferentEvent: {false, 0.01},
	SameDocNews:    {true, 0.95},
	SameDocOther:   {true, 0.95},
	DiffDocNews:    {false, 0.01},
	DiffDocOther:   {false, 0.01},
	DiffDocHard:    {false, 0.01},
	SourceHard:     {false, 0.01},
}

// BaselineThreshold is the word 5-gram Jaccard at which the baseline calls
// a pair one story.
const BaselineThreshold = 0.5

// Summarize makes table rows for one set, classes in first-seen order.
func Summarize(set string, outs []Outcome) []Row {
	var order []string
	rows := make(map[string]*Row)
	for _, o := range outs {
		r, ok := rows[o.Class]
		if !ok {
			order = append(order, o.Class)
			r = &Row{Set: set, Class: o.Class, Verdicts: make(map[retold.Verdict]int)}
			rows[o.Class] = r
		}
		r.Pairs++
		r.Verdicts[o.Verdict]++
		if o.Verdict.SameStory() {
			r.Retold++
		}
		if o.Baseline >= BaselineThreshold {
			r.Baseline++
		}
	}
	var out []Row
	for _, c := range order {
		r := rows[c]
		r.Retold /= float64(r.Pairs)
		r.Baseline /= float64(r.Pairs)
		t, ok := targets[c]
		switch {
		case !ok:
			r.Target, r.Pass = "(none)", true
		case t.atLeast:
			r.Target = fmt.Sprintf(">= %.2f", t.v)
			r.Pass = r.Retold >= t.v
		default:
			r.Target = fmt.Sprintf("<= %.2f", t.v)
			r.Pass = r.Retold <= t.v
		}
		out = append(out, *r)
	}
	return out
}

// WriteTable prints rows as a Markdown table.
func WriteTable(w io.Writer, rows []Row, verbose bool) {
	fmt.Fprintln(w, "| set | pairs | class | share judged version or closer: target | retold | word 5-gram Jaccard >= 0.5 |")
	fmt.Fprintln(w, "| --- | ---: | --- | --- | ---: | ---: |")
	for _, r := range rows {
		mark := ""
		if !r.Pass {
			mark = " (miss)"
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %.3f%s | %.3f |\n", r.Set, r.Pairs, r.Class, r.Target, r.Retold, mark, r.Baseline)
	}
	if !verbose {
		return
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		var parts []string
		for _, v := range retold.Verdicts {
			if n := r.Verdicts[v]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", v, n))
			}
		}
		fmt.Fprintf(w, "%s / %s: %s\n", r.Set, r.Class, strings.Join(parts, ", "))
	}
}

// Word5 returns the sorted unique hashes of word 5-grams of s, tokenized as
// the textbook MinHash pipeline does (sketch.WordShingles): lower-cased,
// split on every rune that is not a letter or digit; a text of fewer than 5
// words is one shingle.
func Word5(s string) []uint64 {
	return sketch.Set(sketch.WordShingles(s, 5, nil))
}

// DumpLine is one judged pair as written by WriteDump.
type DumpLine struct {
	Set      string         `json:"set"`
	A        string         `json:"a"`
	B        string         `json:"b"`
	Class    string         `json:"class"`
	Verdict  retold.Verdict `json:"verdict"`
	Score    float64        `json:"score"`
	Baseline float64        `json:"word5_jaccard_baseline"`
	Signals  verify.Signals `json:"signals"`
}

// Dumped turns outcomes into dump lines naming the records by id.
func Dumped(set string, recs []Record, outs []Outcome) []DumpLine {
	out := make([]DumpLine, len(outs))
	for i, o := range outs {
		out[i] = DumpLine{Set: set, A: recs[o.I].ID, B: recs[o.J].ID, Class: o.Class, Verdict: o.Verdict, Score: o.Score, Baseline: o.Baseline, Signals: o.Signals}
	}
	return out
}

// WriteDump writes lines as JSONL.
func WriteDump(w io.Writer, lines []DumpLine) error {
	enc := json.NewEncoder(w)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}
