package verify

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	retold "github.com/retold/retold"
	"github.com/retold/retold/align"
	"github.com/retold/retold/lexicon"
	"github.com/retold/retold/sketch"
	"github.com/retold/retold/text"
)

// Options tune comparison. A nil *Options means DefaultOptions.
type Options struct {
	Align align.Options
	Rule  Rule
	// Lexicon renders other languages' words in English for the
	// translation measure; nil means lexicon.Default().
	Lexicon *lexicon.Lexicon
}

// DefaultOptions are the options chosen on the development data.
var DefaultOptions = Options{Align: align.DefaultOptions, Rule: DefaultRule}

// Comparer profiles documents and compares profiles. It is safe for
// concurrent use.
type Comparer struct {
	opt     Options
	stemmer *text.Stemmer
	lex     *lexicon.Lexicon
}

// New returns a Comparer with the given options (nil for the defaults).
func New(opt *Options) *Comparer {
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	lex := o.Lexicon
	if lex == nil {
		lex = lexicon.Default()
	}
	return &Comparer{opt: o, stemmer: &text.Stemmer{}, lex: lex}
}

// Compare is the one-call form: profile both documents and compare them.
func (c *Comparer) Compare(a, b retold.Document) *Result {
	return c.CompareProfiles(c.Profile(a), c.Profile(b))
}

// CompareProfiles compares two profiled documents and returns the verdict
// with its evidence.
func (c *Comparer) CompareProfiles(a, b *Profile) *Result {
	return c.CompareProfilesIn(a, b, nil)
}

// CompareProfilesIn is CompareProfiles with the reuse measure weighing
// wording by how many of b's neighbours share it (see Neighbourhood); nb
// must be b's (or a's), or nil for none.
func (c *Comparer) CompareProfilesIn(a, b *Profile, nb *Neighbourhood) *Result {
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
	cross := r.Signals.differentLanguages(c.opt.Rule.CrossLanguageGap)
	if cross {
		r.Signals.Translation, r.Signals.TranslationRead = c.opt.Rule.translation(a, b, c.lex)
	}
	var shares []pairShare
	r.Reuse, shares = c.opt.Rule.reuseOf(a, b, pairs, &r.Signals, cross, nb)
	for k := range r.Alignment {
		r.Alignment[k].Wording, r.Alignment[k].Shares = shares[k].wording, shares[k].kind
	}
	r.Verdict, r.Score, r.Reason = c.opt.Rule.decide(a, b, r.Signals, r.Reuse)
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
	s.LangA, s.LangB = a.lang, b.lang
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

// Rule turns signals into a verdict. Its thresholds were chosen on the
// development data (see docs/quality.md and
// `retold eval-compare`).
//
// The rule, in words: identical normalized texts are duplicates; texts
// sharing most word 5-grams, or aligned all through at high similarity,
// are near-duplicates; texts whose authored wording derives from each
// other, as a whole or in part (Reuse), are versions, and so are texts in
// two languages whose facts agree in order (a translation has no wording
// in common with its source); texts sharing names and numbers are
// same-event; the rest are unrelated.
type Rule struct {
	// NearDupWord5: word 5-gram Jaccard at or above which a pair is a
	// near-duplicate.
	NearDupWord5 float64
	// NearDupCoverage and NearDupSim: or, both coverages and the aligned
	// similarity at or above these.
	NearDupCoverage float64
	NearDupSim      float64
	// Reuse decides which aligned sentences derive from each other and
	// when a pair's reuse makes it a version.
	Reuse ReuseRule
	// SameEventScore: the event score at or above which a pair that is not
	// a version is same-event.
	SameEventScore float64
	// Cross-language versions: when the texts are in different languages
	// (Signals.LangA and LangB, or English shares CrossLanguageGap or
	// more apart), the words say nothing and the pair is a version when
	// its facts agree: at least CrossMinFacts shared, number agreement at
	// least CrossMinAgreement, and their order kept (FactOrder at least
	// CrossMinOrder). Entity agreement is not asked for: names in another
	// script or an inflected language (Турции for Turkey, a name in
	// kanji) rarely match their English spelling, while numbers do; the
	// shared names count among the shared facts.
	CrossLanguageGap  float64
	CrossMinFacts     int
	CrossMinAgreement float64
	CrossMinOrder     float64
	// CrossMinTranslation: where the translation measure reads both
	// languages (Signals.TranslationRead), it decides instead of the
	// facts: a version at or above this. TranslationAlign is the sentence
	// likeness above which the measure aligns two sentences.
	CrossMinTranslation float64
	TranslationAlign    float64
	// TranslationMinCoverage: the measure reads a text not in English
	// only when its dictionary knows at least this share of its words.
	TranslationMinCoverage float64
}

// ReuseRule holds the thresholds of the reuse measure (see reuseOf).
type ReuseRule struct {
	// GramWeight, StemWeight and OrderWeight weigh an aligned pair's
	// 3-gram Dice, content-stem Dice and content-stem LCS share into its
	// authored wording (they sum to 1).
	GramWeight, StemWeight, OrderWeight float64
	// An aligned pair's authored wording (pairWording) credits its
	// sentences toward the shares from 0 at CreditLow to 1 at CreditHigh;
	// a pair above CreditLow, credited, is a paraphrase at least, and one
	// at or under it shares only quotes, facts and common words.
	CreditLow, CreditHigh float64
	// Verbatim and Edited: the word 3-gram Dice of the authored wording at
	// or above which a pair is verbatim or edited.
	Verbatim, Edited float64
	// Whole: both shares at least this is whole reuse. Partial: both at
	// least this, or a run of at least PartialRun verbatim or edited
	// sentences, is partial reuse.
	Whole, Partial float64
	PartialRun     int
	// MinSentences: reuse of either class needs at least this many
	// credited sentences in each text.
	MinSentences int
	// Structure: both texts followed sentence by sentence at least this
	// far (Reuse.Structure) is whole reuse too.
	Structure float64
	// MinFactAgreement: reuse between two texts that each hold at least
	// MinFacts distinct facts, but agree on fewer than this share of
	// their names and of their numbers, is a wire template told of
	// another incident ("Floods swept through ... killing at least N
	// people"), not a version.
	MinFactAgreement float64
	MinFacts         int
}

// otherIncident reports whether a and b tell different facts: both hold
// MinFacts or more and they agree on too few of their names and numbers.
func (r ReuseRule) otherIncident(a, b *Profile, s Signals) bool {
	return len(a.facts) >= r.MinFacts && len(b.facts) >= r.MinFacts &&
		max(s.EntityAgreement, s.NumberAgreement) < r.MinFactAgreement
}

// DefaultRule holds the thresholds chosen on the development data. The
// reuse thresholds were chosen on newsversions-dev, -dev2 and -dev3 for
// the best story clustering with leave-one-event-out cross-validation
// beside (docs/quality.md has both).
var DefaultRule = Rule{
	NearDupWord5:    0.8,
	NearDupCoverage: 0.9,
	NearDupSim:      0.85,
	Reuse: ReuseRule{
		GramWeight: 0.2, StemWeight: 0.4, OrderWeight: 0.4,
		CreditLow: 0.1, CreditHigh: 0.6,
		Verbatim: 0.8, Edited: 0.3,
		Whole: 0.5, Partial: 0.25, PartialRun: 2, MinSentences: 2,
		Structure: 0.5, MinFactAgreement: 0.3, MinFacts: 3,
	},
	SameEventScore: 0.3,

	CrossLanguageGap:  0.2,
	CrossMinFacts:     8,
	CrossMinAgreement: 0.6,
	CrossMinOrder:     0.8,

	CrossMinTranslation:    0.35,
	TranslationAlign:       0.1,
	TranslationMinCoverage: 0.35,
}

// crossLanguage reports whether the cross-language rule makes the pair a
// version: texts in different languages whose sentences follow each other
// in translation (Signals.Translation), or, where the measure cannot read
// a language, whose facts agree, in order.
func (r Rule) crossLanguage(s Signals) bool {
	if !s.differentLanguages(r.CrossLanguageGap) {
		return false
	}
	if s.TranslationRead {
		return s.Translation >= r.CrossMinTranslation
	}
	return s.SharedFacts >= r.CrossMinFacts && s.NumberAgreement >= r.CrossMinAgreement && s.FactOrder >= r.CrossMinOrder
}

// differentLanguages reports whether the two texts are in different
// languages: both guessed and different, or English shares gap or more
// apart (a guess can fail on a short or mixed text; the English share
// still tells English from the rest).
func (s Signals) differentLanguages(gap float64) bool {
	if s.LangA != "" && s.LangB != "" && s.LangA != s.LangB {
		return true
	}
	return math.Abs(s.EnglishA-s.EnglishB) >= gap
}

// reuseEvidence is how far a pair's reuse goes past the version line:
// 1 exactly at it (both shares at Partial, a run of PartialRun, or both
// texts followed as far as Structure), more above.
func (r ReuseRule) reuseEvidence(re Reuse) float64 {
	return max(min(re.ShareA, re.ShareB)/r.Partial, float64(re.LongestRun)/float64(r.PartialRun), re.Structure/r.Structure)
}

// reuseScore maps the reuse evidence to (0, 1), 0.5 at the version line.
func (r ReuseRule) reuseScore(re Reuse) float64 {
	return round3(1 / (1 + math.Exp(-4*(r.reuseEvidence(re)-1))))
}

// eventScore is the same-event evidence: shared names and numbers.
func eventScore(s Signals) float64 {
	return 0.5*s.EntityAgreement + 0.3*s.NumberAgreement + 0.2*s.StemJaccard
}

func (r Rule) decide(a, b *Profile, s Signals, re Reuse) (retold.Verdict, float64, string) {
	score := r.Reuse.reuseScore(re)
	if a.normHash == b.normHash {
		return retold.Duplicate, 1, "the texts are identical after normalization"
	}
	if s.Word5Jaccard >= r.NearDupWord5 {
		return retold.NearDuplicate, max(score, s.Word5Jaccard), fmt.Sprintf("word 5-gram Jaccard %.2f >= %.2f", s.Word5Jaccard, r.NearDupWord5)
	}
	if min(s.CoverageA, s.CoverageB) >= r.NearDupCoverage && s.AlignedSimilarity >= r.NearDupSim {
		return retold.NearDuplicate, max(score, s.AlignedSimilarity), fmt.Sprintf("both texts %.0f%%+ aligned with similarity %.2f >= %.2f", 100*r.NearDupCoverage, s.AlignedSimilarity, r.NearDupSim)
	}
	template := r.Reuse.otherIncident(a, b, s)
	if re.Class != ReuseNone && !template {
		return retold.Version, score, fmt.Sprintf("%s reuse of authored wording: %.0f%% of A and %.0f%% of B derived, longest run %s", re.Class, 100*re.ShareA, 100*re.ShareB, sentences(re.LongestRun))
	}
	if r.crossLanguage(s) {
		if s.TranslationRead {
			return retold.Version, max(score, round3(min(1, 0.5*s.Translation/r.CrossMinTranslation))), fmt.Sprintf("texts in different languages whose sentences follow each other in translation: measure %.2f >= %.2f",
				s.Translation, r.CrossMinTranslation)
		}
		return retold.Version, max(score, round3(0.5+0.5*s.NumberAgreement*s.FactOrder)), fmt.Sprintf("texts in different languages with %d shared facts in the same order (%.0f%% of pairs), number agreement %.2f, entity agreement %.2f",
			s.SharedFacts, 100*s.FactOrder, s.NumberAgreement, s.EntityAgreement)
	}
	v, score, es := r.eventVerdict(s, score)
	if template && re.Class != ReuseNone {
		return v, score, fmt.Sprintf("%s reuse of authored wording, but a template told of another incident: entity agreement %.2f and number agreement %.2f < %.2f", re.Class, s.EntityAgreement, s.NumberAgreement, r.Reuse.MinFactAgreement)
	}
	if v == retold.SameEvent {
		return v, score, fmt.Sprintf("no authored wording reused (%.0f%% of A, %.0f%% of B, longest run %d); event score %.2f >= %.2f (shared names and numbers)", 100*re.ShareA, 100*re.ShareB, re.LongestRun, es, r.SameEventScore)
	}
	return retold.Unrelated, score, fmt.Sprintf("no authored wording reused and event score %.2f < %.2f", es, r.SameEventScore)
}

// eventVerdict is the verdict and score of a pair that is no version:
// same-event when its shared names and numbers (es, the event score)
// reach the line, else unrelated. It scores below the version line, by
// those shared names and numbers (the events are built from these pairs,
// best first), and never above reuseScore.
func (r Rule) eventVerdict(s Signals, reuseScore float64) (v retold.Verdict, score, es float64) {
	es = round3(eventScore(s))
	score = round3(min(reuseScore, 0.5*es))
	v = retold.Unrelated
	if es >= r.SameEventScore {
		v = retold.SameEvent
	}
	return v, score, es
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

// sentences is "1 sentence" or "n sentences".
func sentences(n int) string {
	if n == 1 {
		return "1 sentence"
	}
	return fmt.Sprintf("%d sentences", n)
}
