package verify

import (
	retold "github.com/retold/retold"
	"github.com/retold/retold/align"
	"github.com/retold/retold/sketch"
)

// screenMinStems: a pair where either text has fewer distinct content
// stems than this is always aligned. A text with few of them (a line, a
// list of numbers) can align as a near-duplicate that its stems do not
// show (the fuzz test found such pairs), and aligning a pair that small
// costs next to nothing.
const screenMinStems = 20

// screenFollow: a pair whose texts share at least this share of the
// larger one's content stems is aligned, since it may follow each other
// sentence by sentence (Reuse.Structure). Over the labeled sets, no pair
// with Structure at or above ReuseRule.Structure shares less than
// twice this (TestJudgeAgreesWithCompare holds Judge to the full
// decision there).
const screenFollow = 0.15

// screenMinWords: likewise for a text with fewer authored content words
// (one made mostly of quotations and names).
const screenMinWords = 20

// Judge returns the verdict and score of CompareProfiles without the
// evidence, cheaper. Duplicates and near-duplicates are told from their
// hashes and 5-gram sets alone (the score of a near-duplicate is its
// 5-gram Jaccard). A pair that cannot be reuse (ReuseRule.mayReuse: too
// little authored wording in common to reach the partial share or run),
// in one language, is judged on its facts alone with no alignment:
// same-event or unrelated, scored as no reuse at all. All other
// pairs are aligned and decided as in CompareProfiles, without writing
// out the evidence. The verdict is always CompareProfiles' (tests hold
// Judge to it on the labeled data, and FuzzCompare on arbitrary text), and
// so is the score but for near-duplicates and the pairs judged on their
// facts alone.
func (c *Comparer) Judge(a, b *Profile) (retold.Verdict, float64) {
	return c.JudgeIn(a, b, nil)
}

// JudgeIn is Judge with b's neighbourhood (see Neighbourhood), the verdict
// and score of CompareProfilesIn.
func (c *Comparer) JudgeIn(a, b *Profile, nb *Neighbourhood) (retold.Verdict, float64) {
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
	// The share of each text's content stems found in the other: a text
	// followed sentence by sentence shares most of them.
	follow := float64(inter) / float64(max(1, len(a.stems), len(b.stems)))
	if u := len(a.stems) + len(b.stems) - inter; u > 0 {
		s.StemJaccard = float64(inter) / float64(u)
	}
	// Agreement needs the fact lists' sizes only, not their items.
	s.NumberAgreement = matchNumbers(a, b, nil).agreement()
	s.EntityAgreement = entityAgreement(entityDiff(a, b))
	s.SharedFacts, s.FactOrder = factOrder(a, b)
	s.EnglishA, s.EnglishB = a.english, b.english
	s.LangA, s.LangB = a.lang, b.lang
	s.round()
	cross := s.differentLanguages(r.CrossLanguageGap)
	small := min(len(a.stems), len(b.stems)) < screenMinStems
	if cross || small || follow >= screenFollow || r.Reuse.mayReuse(a, b) || min(a.authored.words, b.authored.words) < screenMinWords {
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
		if cross {
			s.Translation, s.TranslationRead = r.translation(a, b, c.lex)
		}
		re, _ := r.reuseOf(a, b, pairs, &s, cross, nb)
		v, score, _ := r.decide(a, b, s, re)
		return v, score
	}
	v, score, _ := r.eventVerdict(s, r.Reuse.reuseScore(Reuse{}))
	return v, score
}
