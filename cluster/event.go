package cluster

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/features"
	"github.com/retold/retold/verify"
)

// Event linking: the probability that two documents report one event,
// and the average linkage of stories that uses it. See doc.go ("Events")
// for why it is built this way and how it was tuned.

// EventCap is the document frequency from which a key carries no weight
// in event linking: the story index counts each key's documents up to
// retold.MaxPostings, and batch and index weigh keys alike.
const EventCap = retold.MaxPostings

// EventWeight is the weight of a key that df documents hold (the one
// weighed included): ln(EventCap/df), falling to 0 at EventCap. It is an
// inverse document frequency relative to the cap, not to the corpus, so
// it means the same in a corpus of a thousand and of a million.
func EventWeight(df int) float64 {
	if df >= EventCap {
		return 0
	}
	return math.Log(float64(EventCap) / float64(max(1, df)))
}

// EventView is a document as event linking sees it when it arrives: its
// keys (Fingerprint.Keys: facts and content stems, sorted) with the
// weight each has then.
type EventView struct {
	keys []uint64
	w    []float64
	fact []bool
	// sums of the squared weights of the stems and of the facts, and
	// how many of each the document has
	stemSS, factSS float64
	stems, facts   int
}

// NewEventView is the view of the document with keys f and df[i]
// documents so far (itself included) holding f.Keys[i].
func NewEventView(f *Fingerprint, df []int32) EventView {
	v := EventView{keys: f.Keys, w: make([]float64, len(f.Keys)), fact: make([]bool, len(f.Keys))}
	for i, k := range f.Keys {
		w := EventWeight(int(df[i]))
		v.w[i] = w
		v.fact[i] = isFact(f.Facts, k)
		if v.fact[i] {
			v.factSS += w * w
			v.facts++
		} else {
			v.stemSS += w * w
			v.stems++
		}
	}
	return v
}

// EventPair is what event linking knows of a verified pair.
type EventPair struct {
	// Stems and Facts are the weighted cosines of the two documents'
	// content stems and facts (numbers and name keys), in [0, 1].
	Stems, Facts float64
	// Verdict and Score are the compare engine's.
	Verdict retold.Verdict
	Score   float64
	// CrossLanguage is set when the two texts' languages differ: their
	// stems cannot agree, so the stem cosine says nothing.
	CrossLanguage bool
	// Gap is how many days apart the two are dated, or -1 when either
	// has no date.
	Gap int
	// EventGap is how many days apart the days their ledes report lie
	// (eventDay), or -1 when either names none: a follow-up days later
	// reports the day of the first report's event, a second incident its
	// own day.
	EventGap int
}

// EventEvidence measures the pair of earlier document a (profile pa)
// and later b (profile pb, view vb); the caller sets Verdict and Score.
// The cosines weigh a shared key as the later document saw it; the earlier document's norm is estimated from its
// number of keys at the later one's mean weight, since its own weights
// are not kept (the sharded stages and the index know the later
// document's frequencies only).
func EventEvidence(pa, pb *verify.Profile, vb *EventView) EventPair {
	stemsA, factsA := pa.StemSet(), pa.FactSet()
	var dotS, dotF float64
	for i, k := range vb.keys {
		w := vb.w[i]
		if w == 0 {
			continue
		}
		set := stemsA
		if vb.fact[i] {
			set = factsA
		}
		if _, ok := slices.BinarySearch(set, k); !ok {
			continue
		}
		if vb.fact[i] {
			dotF += w * w
		} else {
			dotS += w * w
		}
	}
	cos := func(dot, ss float64, na, nb int) float64 {
		if dot == 0 || ss == 0 || na == 0 || nb == 0 {
			return 0
		}
		return min(1, dot/(ss*math.Sqrt(float64(na)/float64(nb))))
	}
	p := EventPair{Stems: cos(dotS, vb.stemSS, len(stemsA), vb.stems), Facts: cos(dotF, vb.factSS, len(factsA), vb.facts), Gap: -1}
	p.CrossLanguage = pa.Language() != pb.Language()
	if da, db := parseDay(pa.Doc.Date), parseDay(pb.Doc.Date); da != noDay && db != noDay {
		p.Gap = abs(da - db)
	}
	p.EventGap = -1
	if ea, eb := eventDay(pa.Doc), eventDay(pb.Doc); ea != noDay && eb != noDay {
		p.EventGap = abs(ea - eb)
	}
	return p
}

// ledeBytes is how much of a text eventDay reads: the lede, where a
// report says when its event happened.
const ledeBytes = 600

// eventDay is the day a document's lede says its event happened: the
// first full date, month and day, or weekday it names, read against the
// document's own date (a weekday is the latest such day on or before it,
// a month and day take its year, or the year before when that would be
// more than a day after it). It is noDay when the lede names none that
// can be read.
func eventDay(d retold.Document) int {
	lede := d.Text
	if len(lede) > ledeBytes {
		lede = lede[:ledeBytes]
	}
	pub := parseDay(d.Date)
	for _, m := range features.Dates(lede) {
		v := m.Value
		switch {
		case len(v) == 10 && v[4] == '-': // 2023-10-07
			if day := parseDay(v); day != noDay {
				return day
			}
		case strings.HasPrefix(v, "--") && pub != noDay: // --10-07
			y := time.Unix(int64(pub)*86400, 0).UTC().Year()
			day := parseDay(fmt.Sprintf("%04d%s", y, v[1:]))
			if day != noDay && day > pub+1 {
				day = parseDay(fmt.Sprintf("%04d%s", y-1, v[1:]))
			}
			if day != noDay {
				return day
			}
		case pub != noDay:
			if wd, ok := weekdayOf[v]; ok {
				pw := int(time.Unix(int64(pub)*86400, 0).UTC().Weekday())
				return pub - (pw-wd+7)%7
			}
		}
	}
	return noDay
}

var weekdayOf = map[string]int{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6}

// EventModel turns an EventPair into the probability that the two
// documents report one event: a logistic model over the pair's
// evidence, fitted on the development sets (see doc.go).
type EventModel struct {
	Bias float64
	// Stems weighs the stem cosine and SqrtStems its square root (a
	// little shared vocabulary is already evidence); Facts the fact
	// cosine.
	Stems, SqrtStems, Facts float64
	// Version weighs the compare score of a version verdict (1 for
	// duplicates), SameEvent that of a same-event one.
	Version, SameEvent float64
	// CrossLanguage is added when the languages differ, since the stem
	// cosine is then 0 whatever the texts say.
	CrossLanguage float64
	// LogGap weighs ln(1 + days apart); Undated is added when either
	// document has no date: without a date no window keeps incidents of
	// the same kind apart, so the evidence must be stronger.
	LogGap, Undated float64
	// LogEventGap weighs ln(1 + days between the days the ledes report).
	LogEventGap float64

	// observe, when set, sees every judged pair (the fitting test).
	observe func(a, b int32, p EventPair)
}

// Prob is the model's probability for p.
func (m *EventModel) Prob(p EventPair) float64 {
	z := m.Bias + m.Stems*p.Stems + m.SqrtStems*math.Sqrt(p.Stems) + m.Facts*p.Facts
	switch p.Verdict {
	case retold.Duplicate, retold.NearDuplicate:
		z += m.Version
	case retold.Version:
		z += m.Version * p.Score
	case retold.SameEvent:
		z += m.SameEvent * (p.Score + 0.01)
	}
	if p.CrossLanguage {
		z += m.CrossLanguage
	}
	if p.Gap >= 0 {
		z += m.LogGap * math.Log1p(float64(p.Gap))
	} else {
		z += m.Undated
	}
	if p.EventGap >= 0 {
		z += m.LogEventGap * math.Log1p(float64(p.EventGap))
	}
	return 1 / (1 + math.Exp(-z))
}

// linkEvents groups stories into events by average linkage: the two
// groups whose stories are most alike on average (a story pair's
// likeness is the best probability between their documents; pairs never
// verified count 0) merge first, while that average is at least
// threshold. One strong pair cannot chain two events: it is averaged
// with every other pair of the two groups. Pairs dated further apart
// than window days do not count. It returns each document's event root.
func linkEvents(n int, story []int32, edges []edge, days []int, window int, threshold float64) []int32 {
	// Story pairs with their best probability.
	type key struct{ a, b int32 }
	best := map[key]float64{}
	for _, e := range edges {
		sa, sb := story[e.a], story[e.b]
		if sa == sb || e.event <= 0 {
			continue
		}
		if da, db := days[e.a], days[e.b]; da != noDay && db != noDay && abs(da-db) > window {
			continue
		}
		k := key{min(sa, sb), max(sa, sb)}
		best[k] = max(best[k], e.event)
	}
	// Groups are named by their smallest story root; links[g] holds the
	// summed likeness to each neighbouring group.
	size := make(map[int32]int) // stories per group, by its root
	for i := range n {
		if story[i] == int32(i) {
			size[int32(i)] = 1
		}
	}
	links := make(map[int32]map[int32]float64)
	add := func(a, b int32, s float64) {
		if links[a] == nil {
			links[a] = map[int32]float64{}
		}
		links[a][b] += s
	}
	keys := make([]key, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y key) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	// Every group starts at version 0, the zero stamp.
	h := &mergeHeap{}
	for _, k := range keys {
		s := best[k]
		add(k.a, k.b, s)
		add(k.b, k.a, s)
		*h = append(*h, candidateMerge{a: k.a, b: k.b, avg: s})
	}
	heap.Init(h)
	f := newForest(n)
	version := make(map[int32]int) // bumped when a group changes
	stamp := func(a, b int32) [2]int { return [2]int{version[a], version[b]} }
	for h.Len() > 0 {
		c := heap.Pop(h).(candidateMerge)
		if c.avg < threshold {
			break
		}
		if c.stamp != stamp(c.a, c.b) || f.find(c.a) != c.a || f.find(c.b) != c.b {
			continue // stale
		}
		// Merge other into root: a < b, and the smaller root keeps the
		// name.
		root, other := c.a, c.b
		f.union(root, other)
		size[root] += size[other]
		merged := links[root]
		if merged == nil {
			merged = map[int32]float64{}
		}
		for g, s := range links[other] {
			merged[g] += s
		}
		delete(merged, root)
		delete(merged, other)
		links[root] = merged
		delete(links, other)
		version[root]++
		version[other]++
		ns := make([]int32, 0, len(merged))
		for g := range merged {
			ns = append(ns, g)
		}
		slices.Sort(ns)
		for _, g := range ns {
			s := merged[g]
			lg := links[g]
			delete(lg, other)
			lg[root] = s
			x, y := min(root, g), max(root, g)
			heap.Push(h, candidateMerge{a: x, b: y, avg: s / float64(size[root]*size[g]), stamp: stamp(x, y)})
		}
	}
	event := make([]int32, n)
	for i := range n {
		event[i] = f.find(story[i])
	}
	return event
}

// candidateMerge is a possible merge of groups a < b with their average
// likeness, valid while both groups are as they were (stamp).
type candidateMerge struct {
	a, b  int32
	avg   float64
	stamp [2]int
}

// mergeHeap pops the highest average first, ties by (a, b), so the
// merges are deterministic.
type mergeHeap []candidateMerge

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].avg != h[j].avg {
		return h[i].avg > h[j].avg
	}
	return cmp.Or(cmp.Compare(h[i].a, h[j].a), cmp.Compare(h[i].b, h[j].b)) < 0
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(candidateMerge)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// DefaultEventModel was fitted on the tuning sets by TestFitEventModel
// (doc.go, "Events"), with DefaultOptions.EventThreshold.
var DefaultEventModel = EventModel{
	Bias: -3.12, Stems: 4.22, SqrtStems: 7.12, Facts: 9.96,
	Version: 0.55, SameEvent: 1.97, CrossLanguage: 4.31,
	LogGap: -1.14, Undated: -1.0, LogEventGap: -0.02,
}

// EventViewOf is the EventView of the document profiled as p when df(k)
// documents so far, itself included, hold key k: what the sharded judge
// stage builds from the postings ranks, equal to what Candidates.Add
// gives.
func EventViewOf(p *verify.Profile, df func(k uint64) int) EventView {
	facts := p.FactSet()
	f := Fingerprint{Keys: mergeSets(facts, p.StemSet()), Facts: facts}
	d := make([]int32, len(f.Keys))
	for i, k := range f.Keys {
		d[i] = int32(df(k))
	}
	return NewEventView(&f, d)
}
