package verify

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	retold "github.com/retold/retold"
	"github.com/retold/retold/align"
	"github.com/retold/retold/sketch"
	"github.com/retold/retold/text"
)

// Options tune comparison. A nil *Options means DefaultOptions.
type Options struct {
	Align align.Options
	Rule  Rule
}

// DefaultOptions are the options chosen on the development data.
var DefaultOptions = Options{Align: align.DefaultOptions, Rule: DefaultRule}

// Comparer profiles documents and compares profiles. It is safe for
// concurrent use.
type Comparer struct {
	opt     Options
	stemmer *text.Stemmer
}

// New returns a Comparer with the given options (nil for the defaults).
func New(opt *Options) *Comparer {
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	return &Comparer{opt: o, stemmer: &text.Stemmer{}}
}

// Compare is the one-call form: profile both documents and compare them.
func (c *Comparer) Compare(a, b retold.Document) *Result {
	return c.CompareProfiles(c.Profile(a), c.Profile(b))
}

// CompareProfiles compares two profiled documents and returns the verdict
// with its evidence.
func (c *Comparer) CompareProfiles(a, b *Profile) *Result {
	w := pairScratchPool.Get().(*pairScratch)
	defer pairScratchPool.Put(w)
	sa, sb := pairWeighted(a, b, w)
	pairs := align.Align(sa, sb, &c.opt.Align)
	r := &Result{
		A: docInfo(a),
		B: docInfo(b),
	}
	r.Alignment, r.OnlyInA, r.OnlyInB = alignmentEvidence(a, b, pairs)
	r.Facts = factDiff(a, b, pairs)
	r.Signals = signals(a, b, pairs, r.Facts)
	r.Verdict, r.Score, r.Reason = c.opt.Rule.decide(a, b, r.Signals, len(pairs))
	return r
}

// pairWeighted reweights the sentence features of a pair by how specific
// they are within the pair: a feature found in many sentences of the two
// documents (the country, the event's own words) says little about which
// sentence matches which, while a detail found in one sentence on each side
// says much. The weight is multiplied by log(1 + N/df), N the number of
// sentences of both documents and df the number holding the feature.
//
// The result lives in w's buffers (a pooled pairScratch: the reweighted
// features are as large as both documents' and garbage once aligned) and
// is valid until w is reused.
func pairWeighted(a, b *Profile, w *pairScratch) ([]align.Sentence, []align.Sentence) {
	a.features()
	b.features()
	// df of each distinct feature of each side, over both documents.
	dfA := append(w.dfA[:0], a.ucount...)
	dfB := append(w.dfB[:0], b.ucount...)
	// The features the two share, numbered 0, 1, ... in hash order (so
	// each sentence's stay sorted); -1 for the rest, which can never match:
	// they are left out, counted only in the sentence's Total.
	idA := slices.Grow(w.idA[:0], len(a.uniq))[:len(a.uniq)]
	idB := slices.Grow(w.idB[:0], len(b.uniq))[:len(b.uniq)]
	for i := range idA {
		idA[i] = -1
	}
	for j := range idB {
		idB[j] = -1
	}
	w.dfA, w.dfB, w.idA, w.idB = dfA, dfB, idA, idB
	id := int32(0)
	for i, j := 0, 0; i < len(a.uniq) && j < len(b.uniq); {
		switch {
		case a.uniq[i] < b.uniq[j]:
			i++
		case a.uniq[i] > b.uniq[j]:
			j++
		default:
			dfA[i] += b.ucount[j]
			dfB[j] += a.ucount[i]
			idA[i], idB[j] = id, id
			id++
			i++
			j++
		}
	}
	ns := len(a.Text.Sentences) + len(b.Text.Sentences)
	n := float64(ns)
	idf := slices.Grow(w.idf[:0], ns+1)[:ns+1] // by df; 0 = not computed yet
	clear(idf)
	w.idf = idf
	re := func(p *Profile, df, ids []int32, out []align.Sentence, backing []align.Feature) ([]align.Sentence, []align.Feature) {
		out = slices.Grow(out[:0], len(p.sentEnd))[:len(p.sentEnd)]
		backing = slices.Grow(backing[:0], len(p.fidx))[:0]
		k := 0
		for i, end := range p.sentEnd {
			start := len(backing)
			total := 0.0 // summed in feature order, as align would
			for ; k < int(end); k++ {
				u := p.fidx[k]
				d := df[u]
				w := idf[d]
				if w == 0 {
					w = math.Log(1 + n/float64(d))
					idf[d] = w
				}
				total += p.fweight[k] * w
				if ids[u] >= 0 {
					backing = append(backing, align.Feature{Hash: uint64(ids[u]), Weight: p.fweight[k] * w})
				}
			}
			out[i] = align.Sentence{Features: backing[start:len(backing):len(backing)], Total: total}
		}
		return out, backing
	}
	w.sa, w.backA = re(a, dfA, idA, w.sa, w.backA)
	w.sb, w.backB = re(b, dfB, idB, w.sb, w.backB)
	return w.sa, w.sb
}

// pairScratch holds pairWeighted's buffers for reuse across pairs.
type pairScratch struct {
	sa, sb       []align.Sentence
	backA, backB []align.Feature
	dfA, dfB     []int32
	idA, idB     []int32
	idf          []float64
}

var pairScratchPool = sync.Pool{New: func() any { return new(pairScratch) }}

func docInfo(p *Profile) DocInfo {
	name := p.Doc.ID
	return DocInfo{Name: name, Title: p.Doc.Title, Sentences: len(p.Text.Sentences), Words: p.words}
}

func alignmentEvidence(a, b *Profile, pairs []align.Pair) (al []AlignedPair, onlyA, onlyB []SentenceRef) {
	al = make([]AlignedPair, 0, len(pairs))
	inA := make([]bool, len(a.Text.Sentences))
	inB := make([]bool, len(b.Text.Sentences))
	for _, p := range pairs {
		sa, sb := a.Text.Sentences[p.A], b.Text.Sentences[p.B]
		al = append(al, AlignedPair{
			A: p.A, B: p.B,
			AText: a.Text.SentenceText(p.A), BText: b.Text.SentenceText(p.B),
			Similarity: round3(p.Sim),
			AStart:     sa.Start, AEnd: sa.End, BStart: sb.Start, BEnd: sb.End,
		})
		inA[p.A], inB[p.B] = true, true
	}
	onlyA = unaligned(a, inA)
	onlyB = unaligned(b, inB)
	return al, onlyA, onlyB
}

func unaligned(p *Profile, in []bool) []SentenceRef {
	out := []SentenceRef{}
	for i, ok := range in {
		if !ok {
			s := p.Text.Sentences[i]
			out = append(out, SentenceRef{Index: i, Text: p.Text.SentenceText(i), Start: s.Start, End: s.End})
		}
	}
	return out
}

// signals measures the pair.
func signals(a, b *Profile, pairs []align.Pair, f FactDiff) Signals {
	var s Signals
	alignmentSignals(&s, a, b, pairs)
	s.Word5Jaccard = sketch.Jaccard(a.word5, b.word5)
	s.StemJaccard = sketch.Jaccard(a.stems, b.stems)
	s.Char5Jaccard = sketch.Jaccard(a.char5Set(), b.char5Set())
	factAgreement(&s, f)
	s.SharedFacts, s.FactOrder = factOrder(a, b)
	s.EnglishA, s.EnglishB = a.english, b.english
	s.round()
	return s
}

// alignmentSignals sets the signals that come from the aligned pairs.
func alignmentSignals(s *Signals, a, b *Profile, pairs []align.Pair) {
	covA := make([]float64, len(a.Text.Sentences))
	covB := make([]float64, len(b.Text.Sentences))
	simSum, simW := 0.0, 0.0
	for _, p := range pairs {
		covA[p.A], covB[p.B] = 1, 1
		w := a.weights[p.A] + b.weights[p.B]
		simSum += p.Sim * w
		simW += w
	}
	s.CoverageA = weighted(a.weights, covA)
	s.CoverageB = weighted(b.weights, covB)
	if simW > 0 {
		s.AlignedSimilarity = simSum / simW
	}
	s.OrderAgreement = align.OrderAgreement(pairs)
	s.SoftCoverageA, s.SoftCoverageB = softCoverage(a, b, pairs)
	s.OrderedCoverageA, s.OrderedCoverageB = softCoverage(a, b, align.OrderedRun(pairs))
}

// factAgreement sets the number and entity agreement. Entity agreement does
// not depend on the alignment; number agreement can, a little: a value
// written twice counts once among the same and only-in numbers but once per
// pairing among the changed ones, and the alignment decides the pairings.
func factAgreement(s *Signals, f FactDiff) {
	s.NumberAgreement = numberAgreement(len(f.Numbers.Same), len(f.Numbers.Changed), len(f.Numbers.OnlyInA), len(f.Numbers.OnlyInB))
	s.EntityAgreement = entityAgreement(f.Entities)
}

// numberAgreement is agreement over the numbers: same against the values
// each side has.
func numberAgreement(same, changed, onlyA, onlyB int) float64 {
	return agreement(same, same+changed+onlyA, same+changed+onlyB)
}

// agreement is numberAgreement of a matching.
func (m numberMatching) agreement() float64 {
	return numberAgreement(len(m.same), len(m.changed), len(m.onlyA), len(m.onlyB))
}

// entityAgreement is agreement over the names, a variant spelling counting
// as shared.
func entityAgreement(e EntityDiff) float64 {
	nSame := len(e.Same) + len(e.Variants)
	return agreement(nSame, nSame+len(e.OnlyInA), nSame+len(e.OnlyInB))
}

// agreement is shared / min(na, nb): 1 when the smaller side's facts are all
// in the other.
func agreement(shared, na, nb int) float64 {
	m := min(na, nb)
	if m == 0 {
		return 0
	}
	return float64(shared) / float64(m)
}

// credit is how much an aligned sentence counts toward soft coverage: 0 at
// similarity creditLow or below, 1 at creditHigh or above, linear between.
func credit(sim float64) float64 {
	const creditLow, creditHigh = 0.3, 0.7
	return min(1, max(0, (sim-creditLow)/(creditHigh-creditLow)))
}

// softCoverage is coverage with each sentence counted by the best credit of
// its pairs.
func softCoverage(a, b *Profile, pairs []align.Pair) (float64, float64) {
	ca := make([]float64, len(a.Text.Sentences))
	cb := make([]float64, len(b.Text.Sentences))
	for _, p := range pairs {
		c := credit(p.Sim)
		ca[p.A] = max(ca[p.A], c)
		cb[p.B] = max(cb[p.B], c)
	}
	return weighted(a.weights, ca), weighted(b.weights, cb)
}

// weighted is the share of the weights w credited by c (each in [0, 1]).
func weighted(w, c []float64) float64 {
	tot, got := 0.0, 0.0
	for i, x := range w {
		tot += x
		got += x * c[i]
	}
	if tot == 0 {
		return 0
	}
	return got / tot
}

func (s *Signals) round() {
	for _, f := range []*float64{&s.CoverageA, &s.CoverageB, &s.SoftCoverageA, &s.SoftCoverageB, &s.OrderedCoverageA, &s.OrderedCoverageB, &s.AlignedSimilarity, &s.OrderAgreement,
		&s.Word5Jaccard, &s.StemJaccard, &s.Char5Jaccard, &s.NumberAgreement, &s.EntityAgreement, &s.FactOrder, &s.EnglishA, &s.EnglishB} {
		*f = round3(*f)
	}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// Rule turns signals into a verdict. Its thresholds and weights were chosen
// on the development data (see the README's quality table and
// `retold eval-compare`).
type Rule struct {
	// NearDupWord5: word 5-gram Jaccard at or above which a pair is a
	// near-duplicate.
	NearDupWord5 float64
	// NearDupCoverage and NearDupSim: or, both coverages and the aligned
	// similarity at or above these.
	NearDupCoverage float64
	NearDupSim      float64
	// Story weighs the signals into the story evidence z; a pair is a
	// version when z >= StoryThreshold and at least VersionMinPairs
	// sentences align.
	Story           StoryWeights
	StoryThreshold  float64
	VersionMinPairs int
	// SameEventScore: the event score at or above which a pair that is not
	// a version is same-event.
	SameEventScore float64
	// Cross-language versions: when the English shares of the two texts
	// differ by CrossLanguageGap or more, the words say little and the
	// pair is a version when its facts agree: at least CrossMinFacts
	// shared, number agreement at least CrossMinAgreement, and their order
	// kept (FactOrder at least CrossMinOrder). Entity agreement is not
	// asked for: names in another script or an inflected language
	// (Турции for Turkey, a name in kanji) rarely match their English
	// spelling, while numbers do; the shared names count among the shared
	// facts.
	CrossLanguageGap  float64
	CrossMinFacts     int
	CrossMinAgreement float64
	CrossMinOrder     float64
}

// StoryWeights weigh the signals into the story evidence.
type StoryWeights struct {
	SoftCoverageMax, SoftCoverageMin, OrderedCoverageMax, StemJaccard, NumberAgreement, EntityAgreement float64
}

// DefaultRule holds the thresholds chosen on the development data: the
// story weights are a logistic regression of same-story against
// same-event pairs of newsversions-dev, rounded, and the threshold lets at
// most 10% of its same-event pairs through.
var DefaultRule = Rule{
	NearDupWord5:    0.8,
	NearDupCoverage: 0.9,
	NearDupSim:      0.85,
	Story: StoryWeights{
		SoftCoverageMax: 4, SoftCoverageMin: 4, OrderedCoverageMax: 3.5,
		StemJaccard: 3, NumberAgreement: 2, EntityAgreement: 0.5,
	},
	StoryThreshold:  4.0,
	VersionMinPairs: 2,
	SameEventScore:  0.3,

	CrossLanguageGap:  0.2,
	CrossMinFacts:     8,
	CrossMinAgreement: 0.6,
	CrossMinOrder:     0.8,
}

// crossLanguage reports whether the cross-language rule makes the pair a
// version: texts in different languages whose facts agree, in order.
func (r Rule) crossLanguage(s Signals) bool {
	return math.Abs(s.EnglishA-s.EnglishB) >= r.CrossLanguageGap && s.SharedFacts >= r.CrossMinFacts &&
		s.NumberAgreement >= r.CrossMinAgreement && s.FactOrder >= r.CrossMinOrder
}

// storyEvidence is z, the weighted sum of the story signals.
func (w StoryWeights) storyEvidence(s Signals) float64 {
	return w.SoftCoverageMax*max(s.SoftCoverageA, s.SoftCoverageB) +
		w.SoftCoverageMin*min(s.SoftCoverageA, s.SoftCoverageB) +
		w.OrderedCoverageMax*max(s.OrderedCoverageA, s.OrderedCoverageB) +
		w.StemJaccard*s.StemJaccard +
		w.NumberAgreement*s.NumberAgreement +
		w.EntityAgreement*s.EntityAgreement
}

// eventScore is the same-event evidence: shared names and numbers.
func eventScore(s Signals) float64 {
	return 0.5*s.EntityAgreement + 0.3*s.NumberAgreement + 0.2*s.StemJaccard
}

func (r Rule) decide(a, b *Profile, s Signals, npairs int) (retold.Verdict, float64, string) {
	z := r.Story.storyEvidence(s)
	// The score maps z to (0, 1) with 0.5 at the version threshold.
	score := round3(1 / (1 + math.Exp(-(z - r.StoryThreshold))))
	if a.normHash == b.normHash {
		return retold.Duplicate, 1, "the texts are identical after normalization"
	}
	if s.Word5Jaccard >= r.NearDupWord5 {
		return retold.NearDuplicate, max(score, s.Word5Jaccard), fmt.Sprintf("word 5-gram Jaccard %.2f >= %.2f", s.Word5Jaccard, r.NearDupWord5)
	}
	if min(s.CoverageA, s.CoverageB) >= r.NearDupCoverage && s.AlignedSimilarity >= r.NearDupSim {
		return retold.NearDuplicate, score, fmt.Sprintf("both texts %.0f%%+ aligned with similarity %.2f >= %.2f", 100*r.NearDupCoverage, s.AlignedSimilarity, r.NearDupSim)
	}
	if z >= r.StoryThreshold && npairs >= r.VersionMinPairs {
		return retold.Version, score, fmt.Sprintf("story evidence %.2f >= %.2f (soft coverage %.2f/%.2f, %d aligned pairs)", z, r.StoryThreshold, s.SoftCoverageA, s.SoftCoverageB, npairs)
	}
	if r.crossLanguage(s) {
		return retold.Version, max(score, round3(0.5+0.5*s.NumberAgreement*s.FactOrder)), fmt.Sprintf("texts in different languages with %d shared facts in the same order (%.0f%% of pairs), number agreement %.2f, entity agreement %.2f",
			s.SharedFacts, 100*s.FactOrder, s.NumberAgreement, s.EntityAgreement)
	}
	es := round3(eventScore(s))
	if es >= r.SameEventScore {
		return retold.SameEvent, score, fmt.Sprintf("story evidence %.2f < %.2f; event score %.2f >= %.2f (shared names and numbers)", z, r.StoryThreshold, es, r.SameEventScore)
	}
	return retold.Unrelated, score, fmt.Sprintf("story evidence %.2f < %.2f and event score %.2f < %.2f", z, r.StoryThreshold, es, r.SameEventScore)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
