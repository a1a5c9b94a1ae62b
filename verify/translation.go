package verify

import (
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/retold/retold/lexicon"
)

// The translation measure: how far two texts in different languages
// follow each other sentence by sentence, with the words of each rendered
// in English by the lexicon.
//
// Every word of four letters or more (English function words aside) is a
// slot holding its key and, for a language with a dictionary, the keys of
// its English translations; every number is a slot holding its digits. Two
// sentences are as similar as the share of their slots that find a key in
// the other sentence. The sentences are then aligned in order (a
// monotone alignment that takes pairs above TranslationAlign), and the
// measure is how far the aligned pairs stand above the pair's average
// sentence similarity, summed and divided by the shorter text's
// sentences.
//
// The contrast is what tells a translation from an independent report.
// Both share the event's names, numbers and vocabulary, so every sentence
// of one is a little like every sentence of the other; only a translation
// has, for each sentence, one sentence far more like it than the rest,
// and in the same order. The contrast also makes the measure fair between
// a large dictionary, which finds some translation for most words, and a
// small one or none.

// maxTranslationSentences bounds the sentences of each text the measure
// reads, so that its sentence-by-sentence table stays small for a long
// text: a translation shows itself in its first pages.
const maxTranslationSentences = 200

// transWords are one text's slots for the translation measure.
type transWords struct {
	// covered of words word slots found a translation in the lexicon (a
	// text in English has none to find).
	covered, words int
	keys           []uint64   // every slot's keys, slot after slot
	slot           []int32    // slot k's keys are keys[slot[k-1]:slot[k]]
	sent           []int32    // sentence i's slots are slot[sent[i-1]:sent[i]]
	union          [][]uint64 // each sentence's keys, sorted, distinct
}

// translationLanguage is the language p's words are read in: its guess,
// else English when a good share of its words are English function words,
// else "" (words stand for themselves).
func (p *Profile) translationLanguage() string {
	if p.lang != "" {
		return p.lang
	}
	if p.english >= 0.25 {
		return "en"
	}
	return ""
}

// translationWords builds p's slots on first use, from lex: the lexicon
// of the first Comparer that asks. A profile is made by one Comparer and
// compared by it, so this is that Comparer's lexicon.
func (p *Profile) translationWords(lex *lexicon.Lexicon) *transWords {
	p.transOnce.Do(func() { p.trans = buildTransWords(p, lex) })
	return p.trans
}

func buildTransWords(p *Profile, lex *lexicon.Lexicon) *transWords {
	lang := p.translationLanguage()
	var tab map[uint64][]uint64
	if lang != "en" && lang != "" {
		tab, _ = lex.Table(lang) // an unreadable dictionary reads as none
	}
	t := p.Text
	n := min(len(t.Sentences), maxTranslationSentences)
	w := &transWords{sent: make([]int32, n), union: make([][]uint64, n)}
	for si := range n {
		r := t.SentTokens[si]
		first := len(w.keys)
		for k := r.Start; k < r.End; k++ {
			tok := t.Tokens[k]
			if tok.Number {
				if key := lexicon.NumberKey(tok.Norm); key != 0 {
					w.keys = append(w.keys, key)
					w.slot = append(w.slot, int32(len(w.keys)))
				}
				continue
			}
			if utf8.RuneCountInString(tok.Norm) < 4 || (lang == "en" && lexicon.IsEnglishFunctionWord(tok.Norm)) {
				continue
			}
			key := lexicon.Key(tok.Norm)
			if key == 0 {
				continue
			}
			tr := tab[key]
			w.keys = append(append(w.keys, key), tr...)
			w.words++
			if len(tr) > 0 {
				w.covered++
			}
			w.slot = append(w.slot, int32(len(w.keys)))
		}
		u := slices.Clone(w.keys[first:])
		slices.Sort(u)
		w.union[si] = slices.Compact(u)
		w.sent[si] = int32(len(w.slot))
	}
	return w
}

// slots returns sentence i's slot range.
func (w *transWords) slots(i int) (int, int) {
	lo := 0
	if i > 0 {
		lo = int(w.sent[i-1])
	}
	return lo, int(w.sent[i])
}

// found counts the slots of sentence i that hold a key of set (sorted).
func (w *transWords) found(i int, set []uint64) (hit, all int) {
	lo, hi := w.slots(i)
	for k := lo; k < hi; k++ {
		start := 0
		if k > 0 {
			start = int(w.slot[k-1])
		}
		for _, key := range w.keys[start:w.slot[k]] {
			if _, ok := slices.BinarySearch(set, key); ok {
				hit++
				break
			}
		}
	}
	return hit, hi - lo
}

// translationCovered reports whether the translation measure can read
// lang: English, or a language with a dictionary. Without one, only names
// and cognates would match, too few to tell a translation by (on the dev
// sets, translations then score below some independent reports), and the
// facts decide as before.
func translationCovered(lang string, lex *lexicon.Lexicon) bool {
	return lang == "en" || lex.Has(lang)
}

// translationScratch holds the measure's tables for reuse across pairs.
type translationScratch struct {
	sim  []float64
	best []float64
	n    []int32
}

var translationPool = sync.Pool{New: func() any { return new(translationScratch) }}

// translation is the translation measure of a and b (see above), and
// whether it applies: two different languages, both covered
// (translationCovered).
func (r Rule) translation(a, b *Profile, lex *lexicon.Lexicon) (float64, bool) {
	// Two texts read as one language (English by its share of function
	// words, say, however far apart the shares) are not a translation's
	// case: the facts decide, as they did before the measure.
	la, lb := a.translationLanguage(), b.translationLanguage()
	if la == lb || !translationCovered(la, lex) || !translationCovered(lb, lex) {
		return 0, false
	}
	wa, wb := a.translationWords(lex), b.translationWords(lex)
	// A dictionary that knows too few of a text's words cannot show its
	// translation sentence by sentence: the facts decide then.
	if r.underCovered(la, wa) || r.underCovered(lb, wb) {
		return 0, false
	}
	n, m := len(wa.sent), len(wb.sent)
	if n == 0 || m == 0 {
		return 0, true
	}
	sc := translationPool.Get().(*translationScratch)
	defer translationPool.Put(sc)
	sim := slices.Grow(sc.sim[:0], n*m)[:n*m]
	total := 0.0
	for i := range n {
		for j := range m {
			ha, na := wa.found(i, wb.union[j])
			hb, nb := wb.found(j, wa.union[i])
			v := 0.0
			if na+nb > 0 {
				v = float64(ha+hb) / float64(na+nb)
			}
			sim[i*m+j] = v
			total += v
		}
	}
	mean := total / float64(n*m)
	// Monotone alignment: best[i][j] is the largest sum of aligned
	// similarities over the first i and j sentences, cnt the pairs it
	// takes; a pair is taken only above TranslationAlign.
	best := slices.Grow(sc.best[:0], (n+1)*(m+1))[:(n+1)*(m+1)]
	cnt := slices.Grow(sc.n[:0], (n+1)*(m+1))[:(n+1)*(m+1)]
	clear(best)
	clear(cnt)
	at := func(i, j int) int { return i*(m+1) + j }
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			up, left := at(i-1, j), at(i, j-1)
			k, v := up, best[up]
			if best[left] > v {
				k, v = left, best[left]
			}
			c := cnt[k]
			if s := sim[(i-1)*m+j-1]; s > r.TranslationAlign {
				if d := at(i-1, j-1); best[d]+s > v {
					v, c = best[d]+s, cnt[d]+1
				}
			}
			best[at(i, j)], cnt[at(i, j)] = v, c
		}
	}
	sc.sim, sc.best, sc.n = sim, best, cnt
	e := at(n, m)
	return round3((best[e] - float64(cnt[e])*mean) / float64(min(n, m))), true
}

// underCovered reports whether w, a text in lang, is not English and its
// dictionary knows fewer than TranslationMinCoverage of its words. A small
// dictionary of an inflected language (English-Russian, a few thousand
// words) knows a fifth of a Russian text's words; read through it, the
// translations of the WMT sources measure under the version line, where
// their facts alone make 30% of them versions.
func (r Rule) underCovered(lang string, w *transWords) bool {
	return lang != "en" && float64(w.covered) < r.TranslationMinCoverage*float64(w.words)
}
