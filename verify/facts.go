package verify

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold/align"
)

// factDiff sorts the numbers and names of a and b into same, changed (or
// variant spelling) and one-side-only.
func factDiff(a, b *Profile, pairs []align.Pair) FactDiff {
	return FactDiff{Numbers: numberDiff(a, b, pairs), Entities: entityDiff(a, b)}
}

func numberKey(n number) string { return n.Unit + "\x00" + n.Value }

func numberItem(p *Profile, n number) NumberItem {
	return NumberItem{
		Value: n.Value, Unit: n.Unit, Text: n.Text,
		Context:  snippet(p.Doc.Text, p.Text.Sentences[n.sent].Start, p.Text.Sentences[n.sent].End, n.Start, n.End, 4),
		Sentence: n.sent, Start: n.Start, End: n.End,
	}
}

// numberDiff matches numbers by value first; the numbers left over are
// paired as changed when they stand in aligned sentences, or share context
// words, and have the same unit.
func numberDiff(a, b *Profile, pairs []align.Pair) NumberDiff {
	d := NumberDiff{Same: []NumberItem{}, Changed: []NumberChange{}, OnlyInA: []NumberItem{}, OnlyInB: []NumberItem{}}
	inB := make(map[string]bool)
	for _, n := range b.numbers {
		inB[numberKey(n)] = true
	}
	inA := make(map[string]bool)
	for _, n := range a.numbers {
		inA[numberKey(n)] = true
	}
	seen := make(map[string]bool)
	var restA, restB []int
	for i, n := range a.numbers {
		k := numberKey(n)
		if inB[k] {
			if !seen[k] {
				seen[k] = true
				d.Same = append(d.Same, numberItem(a, n))
			}
			continue
		}
		restA = append(restA, i)
	}
	for j, n := range b.numbers {
		if !inA[numberKey(n)] {
			restB = append(restB, j)
		}
	}

	aligned := make(map[[2]int]bool, len(pairs))
	for _, p := range pairs {
		aligned[[2]int{p.A, p.B}] = true
	}
	type cand struct {
		i, j  int
		score int
	}
	var cands []cand
	for _, i := range restA {
		na := a.numbers[i]
		for _, j := range restB {
			nb := b.numbers[j]
			if na.Unit != nb.Unit {
				continue
			}
			score := sharedWords(na.context, nb.context)
			if aligned[[2]int{na.sent, nb.sent}] {
				score += 2
			}
			if score >= 2 {
				cands = append(cands, cand{i, j, score})
			}
		}
	}
	slices.SortFunc(cands, func(x, y cand) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		if c := cmp.Compare(x.i, y.i); c != 0 {
			return c
		}
		return cmp.Compare(x.j, y.j)
	})
	usedA := make(map[int]bool)
	usedB := make(map[int]bool)
	var changed [][2]int
	for _, c := range cands {
		if usedA[c.i] || usedB[c.j] {
			continue
		}
		usedA[c.i], usedB[c.j] = true, true
		changed = append(changed, [2]int{c.i, c.j})
	}
	slices.SortFunc(changed, func(x, y [2]int) int { return cmp.Compare(x[0], y[0]) })
	for _, c := range changed {
		d.Changed = append(d.Changed, NumberChange{A: numberItem(a, a.numbers[c[0]]), B: numberItem(b, b.numbers[c[1]])})
	}
	d.OnlyInA = onlyNumbers(a, restA, usedA)
	d.OnlyInB = onlyNumbers(b, restB, usedB)
	return d
}

// onlyNumbers lists the numbers of p at idx not used in a change, once per
// value.
func onlyNumbers(p *Profile, idx []int, used map[int]bool) []NumberItem {
	out := []NumberItem{}
	seen := make(map[string]bool)
	for _, i := range idx {
		if used[i] || seen[numberKey(p.numbers[i])] {
			continue
		}
		seen[numberKey(p.numbers[i])] = true
		out = append(out, numberItem(p, p.numbers[i]))
	}
	return out
}

func sharedWords(a, b []string) int {
	n := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			n++
		}
	}
	return n
}

// entityDiff compares the named entities. An entity of one side is shared
// when its whole key, or the key of its last word (the surname, the head
// noun), is among the other side's; words with one key but different
// spellings are reported as variants.
func entityDiff(a, b *Profile) EntityDiff {
	d := EntityDiff{Same: []EntityItem{}, Variants: []EntityVariant{}, OnlyInA: []EntityItem{}, OnlyInB: []EntityItem{}}
	wordsA, wordsB := wordSpellings(a), wordSpellings(b)
	keysA, keysB := entityKeys(a), entityKeys(b)

	for _, e := range groupEntities(a) {
		if shared(e, keysB, wordsB) {
			d.Same = append(d.Same, e.item)
		} else {
			d.OnlyInA = append(d.OnlyInA, e.item)
		}
	}
	for _, e := range groupEntities(b) {
		if !shared(e, keysA, wordsA) {
			d.OnlyInB = append(d.OnlyInB, e.item)
		}
	}
	for _, k := range sortedKeys(wordsA) {
		sb, ok := wordsB[k]
		if !ok {
			continue
		}
		sa := wordsA[k]
		for _, x := range sa {
			if slices.Contains(sb, x) {
				continue
			}
			for _, y := range sb {
				if !slices.Contains(sa, y) {
					d.Variants = append(d.Variants, EntityVariant{A: x, B: y, Key: k})
					break
				}
			}
		}
	}
	return d
}

type entityGroup struct {
	item  EntityItem
	words []string
}

// groupEntities merges the mentions of p by key, in order of first mention.
func groupEntities(p *Profile) []entityGroup {
	var out []entityGroup
	at := make(map[string]int)
	for _, e := range p.entities {
		if i, ok := at[e.Key]; ok {
			out[i].item.Count++
			continue
		}
		at[e.Key] = len(out)
		out = append(out, entityGroup{item: EntityItem{Text: e.Text, Key: e.Key, Count: 1}, words: e.Words})
	}
	return out
}

func shared(e entityGroup, keys map[string]bool, words map[string][]string) bool {
	if keys[e.item.Key] {
		return true
	}
	if n := len(e.words); n > 0 {
		_, ok := words[e.words[n-1]]
		return ok
	}
	return false
}

func entityKeys(p *Profile) map[string]bool {
	m := make(map[string]bool, len(p.entities))
	for _, e := range p.entities {
		m[e.Key] = true
	}
	return m
}

// wordSpellings maps each name word key of p to its spellings, in order of
// first appearance.
func wordSpellings(p *Profile) map[string][]string {
	m := make(map[string][]string)
	for _, e := range p.entities {
		surf := nameWords(e.Text)
		if len(surf) != len(e.Words) {
			continue
		}
		for i, k := range e.Words {
			if k == "" {
				continue
			}
			if !slices.Contains(m[k], surf[i]) {
				m[k] = append(m[k], surf[i])
			}
		}
	}
	return m
}

// nameWords splits an entity's text into its words the way entity keys are
// made: on spaces, keeping hyphenated parts together.
func nameWords(s string) []string {
	return strings.Fields(s)
}

// snippet returns up to n words either side of [start, end) within the
// sentence span [ss, se) of text, on word boundaries.
func snippet(text string, ss, se, start, end, n int) string {
	l := start
	for words := 0; l > ss && words <= n; {
		r, size := utf8.DecodeLastRuneInString(text[ss:l])
		if unicode.IsSpace(r) {
			words++
			if words > n {
				break
			}
		}
		l -= size
	}
	r := end
	for words := 0; r < se && words <= n; {
		c, size := utf8.DecodeRuneInString(text[r:se])
		if unicode.IsSpace(c) {
			words++
			if words > n {
				break
			}
		}
		r += size
	}
	return strings.TrimSpace(text[l:r])
}
