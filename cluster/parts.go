package cluster

import (
	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// The parts of ClusterSource, which the sharded stages of package
// pipeline run one at a time: the print of a document (what matching
// needs of it), the candidate stream in input order, the judging of a
// document against its candidates, and the grouping. ClusterSource is
// these parts run in one process, so the two give the same labels.

// Label is one line of `retold cluster`'s output.
type Label struct {
	ID       string `json:"id"`
	Story    string `json:"story"`
	Event    string `json:"event"`
	Original bool   `json:"original"`
}

// Labels are the output lines of assignments, in their order.
func Labels(as []Assignment) []Label {
	out := make([]Label, len(as))
	for i, a := range as {
		out[i] = Label{ID: a.ID, Story: a.Story, Event: a.Event, Original: a.Story == a.ID}
	}
	return out
}

// Print is what matching keeps of a document: its fingerprint for the
// whole run, its 32-bit MinHash signature, and the keys it is matched and
// indexed by.
type Print struct {
	Content uint64  // hash of the normalized text
	Day     int32   // days since 1970-01-01, or NoDay
	English float32 // share of English function words
	Sig     []uint32
	Fingerprint
}

// NoDay is Print.Day of a document without a usable date.
const NoDay = noDay

// PrintOf is the Print of profile p of a document dated date.
func (f *Fingerprinter) PrintOf(p *verify.Profile, date string) Print {
	sig, keys := f.sign(p)
	s := make([]uint32, len(sig))
	for k, x := range sig {
		s[k] = sig32(x)
	}
	return Print{Content: p.ContentHash(), Day: int32(parseDay(date)), English: float32(p.EnglishShare()), Sig: s, Fingerprint: keys}
}

// Pair is a candidate: the earlier document A and the later B, by their
// places in input order.
type Pair struct{ A, B int32 }

// Candidates finds the candidates of n documents given one at a time in
// input order; ClusterSource finds them with it.
type Candidates struct {
	x     *index
	pairs []pair
}

// NewCandidates makes a Candidates for n documents.
func NewCandidates(n int, opt *Options) *Candidates {
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	return &Candidates{x: newIndex(make([]fingerprint, n), &o)}
}

// Add matches document j, the next in input order, and indexes it. It
// returns the first earlier document with the same normalized text (dup
// >= 0: j joins it unverified), or j's candidates, best first, appended
// to dst, and j's EventView (as the documents so far weigh its keys).
func (c *Candidates) Add(j int32, p *Print, dst []Pair) (dup int32, out []Pair, view EventView) {
	c.x.fp[j] = fingerprint{content: p.Content, day: p.Day, english: p.English}
	copy(c.x.sigs.v[int(j)*c.x.sigs.perms:], p.Sig)
	dup, c.pairs = c.x.add(j, &p.Fingerprint, c.pairs[:0])
	if dup >= 0 {
		return dup, dst, EventView{}
	}
	for _, q := range c.pairs {
		dst = append(dst, Pair{q.a, q.b})
	}
	return dup, dst, NewEventView(&p.Fingerprint, c.x.keyDF)
}

// Judge verifies document b against its candidates as, in the order Add
// gave them, with b's neighbourhood made of them, and returns the edges
// that carry evidence: same-event or closer, or an event probability of
// at least EventKeep. vb is b's EventView; m the event model.
func Judge(c *verify.Comparer, m *EventModel, b int32, pb *verify.Profile, vb *EventView, as []int32, pas []*verify.Profile) []Edge {
	nb := verify.NewNeighbourhood(pb, pas)
	var out []Edge
	for k, a := range as {
		v, score := c.JudgeIn(pas[k], pb, nb)
		ep := EventEvidence(pas[k], pb, vb)
		ep.Verdict, ep.Score = v, score
		if m.observe != nil {
			m.observe(a, b, ep)
		}
		p := m.Prob(ep)
		if v.AtLeast(retold.SameEvent) || p >= EventKeep {
			out = append(out, Edge{A: a, B: b, Verdict: v, Score: score, Event: p})
		}
	}
	return out
}

// EventKeep is the least event probability for which a pair judged
// unrelated is kept as an edge: below it a pair adds next to nothing to
// an average, and keeping it would cost memory and the index's storage.
const EventKeep = 0.05

// GroupDays is Group with each document's day (Print.Day) in place of its
// date.
func GroupDays(days []int32, edges []Edge, opt *Options) Grouping {
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	d := make([]int, len(days))
	for i, v := range days {
		d[i] = int(v)
	}
	es := make([]edge, 0, len(edges))
	for _, e := range edges {
		a, b := e.A, e.B
		if a > b {
			a, b = b, a
		}
		if a != b {
			es = append(es, edge{a: a, b: b, verdict: e.Verdict, score: e.Score, event: e.Event})
		}
	}
	return group(len(days), d, es, &o)
}
