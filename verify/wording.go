package verify

import (
	"math/bits"
	"slices"

	"github.com/retold/retold/align"
	"github.com/retold/retold/features"
	"github.com/retold/retold/sketch"
)

// Authored wording.
//
// What one outlet takes from another is the wording around the facts: the
// words the reporter chose, their order, the phrasing. The facts
// themselves (names, numbers) and the direct quotations are public
// material that every report of the event restates, so two independent
// reports can align sentence by sentence on them alone. Each sentence's
// authored wording is therefore its tokens with the quotations removed
// and every run of fact tokens (a number, a name) collapsed to one
// placeholder, so "killed at least 12 people in Karavia" and "killed at
// least 19 people in Karavia" keep the same wording while "the prosecutor
// said" and "according to the prosecutor" do not.
//
// Two measures are kept per sentence:
//   - grams: the word 3-grams of that sequence (function words included:
//     "said on Monday that" is phrasing), which only copied or lightly
//     edited text shares;
//   - stems: the content stems outside quotations and names, which a
//     machine translation or a close rewrite keeps even when it changes
//     every function word.

// sentenceWording is one sentence's authored wording.
type sentenceWording struct {
	grams []uint64 // sorted unique hashes of authored word 3-grams
	stems []uint64 // sorted unique hashes of authored content stems
	seq   []uint64 // the authored content stems in order
	words int      // authored content words (with repeats)
}

// docWording is a whole document's authored wording: the union of its
// sentences' sets, for Judge's screen.
type docWording struct {
	grams, stems []uint64
	words        int
}

// factPlaceholder stands for a run of fact tokens in the authored
// sequence (a hash no word gets: hashKind seeds words by kind).
const factPlaceholder uint64 = 0x9E3779B97F4A7C15

// gram3 hashes three word hashes in order.
func gram3(a, b, c uint64) uint64 {
	const m = 0xff51afd7ed558ccd
	h := (a ^ bits.RotateLeft64(b, 21) ^ bits.RotateLeft64(c, 42)) * m
	return h ^ h>>33
}

// wording returns every sentence's authored wording, built on first use.
func (p *Profile) wording() []sentenceWording {
	p.wordOnce.Do(p.buildWording)
	return p.words3
}

func (p *Profile) buildWording() {
	t := p.Text
	quotes := features.Quotes(p.Doc.Text)
	// Fact spans in text order: numbers and names.
	type span struct{ start, end int }
	facts := make([]span, 0, len(p.numbers)+len(p.entities))
	for _, n := range p.numbers {
		facts = append(facts, span{n.Start, n.End})
	}
	for _, e := range p.entities {
		facts = append(facts, span{e.Start, e.End})
	}
	slices.SortFunc(facts, func(x, y span) int { return x.start - y.start })
	out := make([]sentenceWording, len(t.Sentences))
	qi, fi := 0, 0
	var seq, grams, stems []uint64
	for si := range t.Sentences {
		r := t.SentTokens[si]
		seq, grams, stems = seq[:0], grams[:0], stems[:0]
		words := 0
		flush := func() {
			for k := 0; k+3 <= len(seq); k++ {
				grams = append(grams, gram3(seq[k], seq[k+1], seq[k+2]))
			}
			seq = seq[:0]
		}
		for k := r.Start; k < r.End; k++ {
			tok := t.Tokens[k]
			for qi < len(quotes) && quotes[qi].End <= tok.Start {
				qi++
			}
			if qi < len(quotes) && quotes[qi].Start <= tok.Start {
				// Inside a quotation: public material, and a break in
				// the authored sequence.
				flush()
				continue
			}
			for fi < len(facts) && facts[fi].end <= tok.Start {
				fi++
			}
			fact := tok.Number || fi < len(facts) && facts[fi].start <= tok.Start
			if fact {
				if n := len(seq); n == 0 || seq[n-1] != factPlaceholder {
					seq = append(seq, factPlaceholder)
				}
				continue
			}
			seq = append(seq, hashKind(kindWord5, tok.Norm))
			if st := t.Stems[k]; st != "" {
				stems = append(stems, hashKind(kindStem, st))
				words++
			}
		}
		flush()
		sq := slices.Clone(stems)
		out[si] = sentenceWording{grams: sketch.Set(slices.Clone(grams)), stems: sketch.Set(slices.Clone(stems)), seq: sq, words: words}
	}
	p.words3 = out
	var all docWording
	ng, ns := 0, 0
	for _, w := range out {
		ng += len(w.grams)
		ns += len(w.stems)
	}
	all.grams, all.stems = make([]uint64, 0, ng), make([]uint64, 0, ns)
	for _, w := range out {
		all.grams = append(all.grams, w.grams...)
		all.stems = append(all.stems, w.stems...)
		all.words += w.words
	}
	all.grams, all.stems = sketch.Set(all.grams), sketch.Set(all.stems)
	p.authored = all
}

// containment is |a ∩ b| / min(|a|, |b|) of two sorted sets, 0 when either
// is empty.
func containment(a, b []uint64) float64 {
	m := min(len(a), len(b))
	if m == 0 {
		return 0
	}
	return float64(sketch.Intersection(a, b)) / float64(m)
}

// dice is 2|a ∩ b| / (|a| + |b|) of two sorted sets.
func dice(a, b []uint64) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	return 2 * float64(sketch.Intersection(a, b)) / float64(len(a)+len(b))
}

// lcs is the length of the longest common subsequence of a and b.
func lcs(a, b []uint64) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	row := make([]int, len(b)+1)
	for _, x := range a {
		diag := 0
		for j, y := range b {
			up := row[j+1]
			if x == y {
				row[j+1] = diag + 1
			} else {
				row[j+1] = max(row[j+1], row[j])
			}
			diag = up
		}
	}
	return row[len(b)]
}

// Kinds of shared material in an aligned sentence pair, from the most
// derived to the least (AlignedPair.Shares).
const (
	SharesVerbatim    = "verbatim"    // the same authored wording
	SharesEdited      = "edited"      // much of the authored wording, edited
	SharesParaphrase  = "paraphrase"  // the authored content words, reworded
	SharesTranslation = "translation" // texts in two languages, aligned on facts
	SharesQuoteOnly   = "quote-only"  // only quotes, facts and common words
)

// Reuse classes (Reuse.Class).
const (
	ReuseWhole   = "whole"
	ReusePartial = "partial"
	ReuseNone    = "none"
)

// pairWording scores how much authored wording an aligned sentence pair
// shares, in [0, 1]: a weighted mean of the 3-gram Dice (exact phrasing),
// the content-stem Dice (the words, reordered or reinflected) and the
// content-stem LCS share (the words in their order). It returns the 3-gram
// Dice too, which sorts verbatim and edited pairs.
func (r ReuseRule) pairWording(x, y *sentenceWording, nb *Neighbourhood) (wording, grams float64) {
	// Verbatim and edited are told by plain 3-gram Dice: what was copied
	// was copied, however many others copied it too.
	grams = dice(x.grams, y.grams)
	g := grams
	if nb != nil {
		g = nb.weightedDice(x.grams, y.grams)
	}
	return r.GramWeight*g + r.StemWeight*nb.weightedDice(x.stems, y.stems) + r.OrderWeight*nb.weightedLCS(x.seq, y.seq), grams
}

// reuseOf measures how much of each text derives from the other, from the
// aligned pairs: each pair's authored wording, the share of each text's
// authored content words in derived sentences (each sentence counted by
// the credit of its best pair), and the longest run of verbatim or edited
// sentences kept in order. Texts in two languages cannot share wording:
// their aligned pairs (on names, numbers and character grams) are
// credited by similarity instead and marked as translations.
func (r Rule) reuseOf(a, b *Profile, pairs []align.Pair, s *Signals, crossLang bool, nb *Neighbourhood) (Reuse, []pairShare) {
	wa, wb := a.wording(), b.wording()
	ca := make([]float64, len(wa))
	cb := make([]float64, len(wb))
	shares := make([]pairShare, len(pairs))
	var run []align.Pair
	// Only the pairs that keep their order in both texts credit the
	// shares: the selection and order of details is authored, while the
	// scattered matches of two reports restating the same facts fall out
	// of order.
	ordered := align.OrderedRun(pairs)
	inRun := make(map[[2]int]bool, len(ordered))
	for _, p := range ordered {
		inRun[[2]int{p.A, p.B}] = true
	}
	for k, p := range pairs {
		x, y := &wa[p.A], &wb[p.B]
		w, g := r.Reuse.pairWording(x, y, nb)
		kind := SharesQuoteOnly
		switch {
		case crossLang:
			w, kind = p.Sim, SharesTranslation
		case g >= r.Reuse.Verbatim:
			kind = SharesVerbatim
		case g >= r.Reuse.Edited:
			kind = SharesEdited
		case w > r.Reuse.CreditLow:
			kind = SharesParaphrase
		}
		if kind == SharesVerbatim || kind == SharesEdited {
			run = append(run, p)
		}
		if inRun[[2]int{p.A, p.B}] {
			c := min(1, max(0, (w-r.Reuse.CreditLow)/(r.Reuse.CreditHigh-r.Reuse.CreditLow)))
			ca[p.A], cb[p.B] = max(ca[p.A], c), max(cb[p.B], c)
		}
		shares[k] = pairShare{wording: round3(w), kind: kind}
	}
	re := Reuse{ShareA: round3(wordShare(wa, ca)), ShareB: round3(wordShare(wb, cb)), LongestRun: longestRun(run),
		Structure: round3(min(s.OrderedCoverageA, s.OrderedCoverageB))}
	// One derived sentence is no reuse, however short the texts: the
	// background paragraph a wire repeats under every story of a kind
	// ("Afghanistan is frequently hit by earthquakes ...") is one.
	enough := credited(ca) >= r.Reuse.MinSentences && credited(cb) >= r.Reuse.MinSentences
	switch {
	case !enough:
		re.Class = ReuseNone
	case min(re.ShareA, re.ShareB) >= r.Reuse.Whole || re.Structure >= r.Reuse.Structure:
		re.Class = ReuseWhole
	case min(re.ShareA, re.ShareB) >= r.Reuse.Partial || re.LongestRun >= r.Reuse.PartialRun:
		re.Class = ReusePartial
	default:
		re.Class = ReuseNone
	}
	return re, shares
}

// pairShare is what one aligned pair shares.
type pairShare struct {
	wording float64
	kind    string
}

// credited counts the sentences with some credit.
func credited(c []float64) int {
	n := 0
	for _, x := range c {
		if x > 0 {
			n++
		}
	}
	return n
}

// wordShare is the share of the authored content words credited by c,
// sentence by sentence.
func wordShare(ws []sentenceWording, c []float64) float64 {
	tot, got := 0, 0.0
	for i := range ws {
		tot += ws[i].words
		got += float64(ws[i].words) * c[i]
	}
	if tot == 0 {
		return 0
	}
	return got / float64(tot)
}

// longestRun is the longest chain of pairs, in A's order, where each
// follows the one before within two sentences on both sides: a run of
// copied sentences with at most one sentence inserted or dropped between
// any two of them.
func longestRun(pairs []align.Pair) int {
	slices.SortFunc(pairs, func(x, y align.Pair) int {
		if x.A != y.A {
			return x.A - y.A
		}
		return x.B - y.B
	})
	best := 0
	// Pairs are few (the aligned sentences of two articles): the
	// quadratic chain is cheaper than anything cleverer.
	chain := make([]int, len(pairs))
	for i, p := range pairs {
		chain[i] = 1
		for j := range i {
			q := pairs[j]
			if d, e := p.A-q.A, p.B-q.B; d > 0 && d <= 2 && e > 0 && e <= 2 {
				chain[i] = max(chain[i], chain[j]+1)
			}
		}
		best = max(best, chain[i])
	}
	return best
}

// mayReuse reports whether a and b can be whole or partial reuse, without
// aligning them: false only when they cannot. A sentence earns credit
// only through an aligned partner sharing authored stems or 3-grams with
// it, and a run only through partners sharing 3-grams; so the share of
// each text's authored words in sentences sharing any of them with the
// other text bounds its share, and the number of sentences sharing a
// 3-gram bounds the run.
func (r ReuseRule) mayReuse(a, b *Profile) bool {
	a.wording()
	b.wording()
	upA, gramsA := reach(a.words3, &b.authored, a.authored.words)
	upB, gramsB := reach(b.words3, &a.authored, b.authored.words)
	return min(upA, upB) >= r.Partial || min(gramsA, gramsB) >= r.PartialRun
}

// reach returns the share of words (of total) in the sentences of ws that
// share an authored stem or 3-gram with other, and the number of them that
// share a 3-gram.
func reach(ws []sentenceWording, other *docWording, total int) (float64, int) {
	got, withGrams := 0, 0
	for i := range ws {
		g := sketch.Intersection(ws[i].grams, other.grams) > 0
		if g {
			withGrams++
		}
		if g || sketch.Intersection(ws[i].stems, other.stems) > 0 {
			got += ws[i].words
		}
	}
	if total == 0 {
		return 0, withGrams
	}
	return float64(got) / float64(total), withGrams
}
