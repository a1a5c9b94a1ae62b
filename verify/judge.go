package verify

import (
	"math"

	retold "github.com/retold/retold"
	"github.com/retold/retold/align"
	"github.com/retold/retold/sketch"
)

// screenBound is the story evidence under which Judge skips the sentence
// alignment. Judge's bound replaces each aligned coverage by the share of
// the document's content stems found in the other, which is larger in
// practice: over every pair of newsversions-dev and 180,000 pairs of
// wmt-versions, no version scored a bound under 4.1, and 96% of all pairs
// scored under 3.
const screenBound = 3.0

// screenMinStems: a pair where either text has fewer distinct content
// stems than this is always aligned. The screen's bound stands on the
// stems; a text with few of them (a line, a list of numbers) can align as
// a near-duplicate that its stems do not show (the fuzz test found such
// pairs), and aligning a pair that small costs next to nothing.
const screenMinStems = 20

// Judge returns the verdict and score of CompareProfiles without the
// evidence, cheaper. Duplicates and near-duplicates are told from their
// hashes and 5-gram sets alone (the score of a near-duplicate is its
// 5-gram Jaccard); a pair whose bound on the story evidence is under
// screenBound, and which the cross-language rule cannot take either, is
// judged on its facts alone, with no alignment: same-event or unrelated,
// scored from the evidence that needs no alignment. All other pairs are
// aligned and decided as in CompareProfiles, without writing out the
// evidence. The verdict is always CompareProfiles' (tests hold Judge to
// it on the labeled data, and FuzzCompare on arbitrary text), and so is
// the score but for near-duplicates and the pairs judged on their facts
// alone.
func (c *Comparer) Judge(a, b *Profile) (retold.Verdict, float64) {
	r := c.opt.Rule
	if a.normHash == b.normHash {
		return retold.Duplicate, 1
	}
	j := sketch.Jaccard(a.word5, b.word5)
	if j >= r.NearDupWord5 {
		return retold.NearDuplicate, j
	}
	var s Signals
	inter := sketch.Intersection(a.stems, b.stems)
	ca := float64(inter) / float64(max(1, len(a.stems)))
	cb := float64(inter) / float64(max(1, len(b.stems)))
	if u := len(a.stems) + len(b.stems) - inter; u > 0 {
		s.StemJaccard = float64(inter) / float64(u)
	}
	// Agreement needs the fact lists' sizes only, not their items.
	s.NumberAgreement = matchNumbers(a, b, nil).agreement()
	s.EntityAgreement = entityAgreement(entityDiff(a, b))
	s.SharedFacts, s.FactOrder = factOrder(a, b)
	s.EnglishA, s.EnglishB = a.english, b.english
	s.round()
	bound := s
	bound.SoftCoverageA, bound.SoftCoverageB = ca, cb
	bound.OrderedCoverageA = max(ca, cb)
	if r.Story.storyEvidence(bound) >= screenBound || r.crossLanguage(s) || min(len(a.stems), len(b.stems)) < screenMinStems {
		// The full decision, without the evidence CompareProfiles also
		// writes out (sentence texts, fact items, character n-grams).
		w := pairScratchPool.Get().(*pairScratch)
		defer pairScratchPool.Put(w)
		sa, sb := pairWeighted(a, b, w)
		pairs := align.Align(sa, sb, &c.opt.Align)
		s.Word5Jaccard = j
		alignmentSignals(&s, a, b, pairs)
		// The aligned pairs can pair changed numbers differently.
		s.NumberAgreement = matchNumbers(a, b, pairs).agreement()
		s.round()
		v, score, _ := r.decide(a, b, s, len(pairs))
		return v, score
	}
	z := r.Story.storyEvidence(s)
	score := round3(1 / (1 + math.Exp(-(z - r.StoryThreshold))))
	if round3(eventScore(s)) >= r.SameEventScore {
		return retold.SameEvent, score
	}
	return retold.Unrelated, score
}
