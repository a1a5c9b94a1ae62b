package verify

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold/align"
	"github.com/retold/retold/features"
)

// factDiff sorts the numbers and names of a and b into same, changed (or
// variant spelling) and one-side-only.
func factDiff(a, b *Profile, pairs []align.Pair) FactDiff {
	return FactDiff{Numbers: numberDiff(a, b, pairs), Entities: entityDiff(a, b)}
}

func numberItem(p *Profile, n number) NumberItem {
	return NumberItem{
		Value: n.Value, Unit: n.Unit, Role: n.role, Noun: n.Noun, Text: n.Text,
		Context:  snippet(p.Doc.Text, p.Text.Sentences[n.sent].Start, p.Text.Sentences[n.sent].End, n.Start, n.End, 4),
		Sentence: n.sent, Start: n.Start, End: n.End,
	}
}

// numberDiff matches numbers by value first (a value without a unit
// matches the same value with one: "60" and "60 meters"); the numbers left
// over are paired as changed by role, not by position: a pair must have
// the same unit, must not count different things (the dead against the
// injured, a year against a toll, seven people against 42 houses), and
// must share a role, a counted noun, an aligned sentence or context
// words. What finds no counterpart in its role is only in A or only in B.
func numberDiff(a, b *Profile, pairs []align.Pair) NumberDiff {
	m := matchNumbers(a, b, pairs)
	d := NumberDiff{Same: []NumberItem{}, Changed: []NumberChange{}, OnlyInA: []NumberItem{}, OnlyInB: []NumberItem{}}
	for _, i := range m.same {
		d.Same = append(d.Same, numberItem(a, a.numbers[i]))
	}
	for _, c := range m.changed {
		na, nb := a.numbers[c[0]], b.numbers[c[1]]
		d.Changed = append(d.Changed, NumberChange{A: numberItem(a, na), B: numberItem(b, nb), Role: cmp.Or(na.role, nb.role)})
	}
	for _, i := range m.onlyA {
		d.OnlyInA = append(d.OnlyInA, numberItem(a, a.numbers[i]))
	}
	for _, j := range m.onlyB {
		d.OnlyInB = append(d.OnlyInB, numberItem(b, b.numbers[j]))
	}
	return d
}

// numberMatching is numberDiff without the items, as indexes into the two
// profiles' numbers: what Judge needs to count agreement.
type numberMatching struct {
	same         []int    // a's numbers whose value b holds, the first of each value
	changed      [][2]int // pairs (a's, b's), in a's order
	onlyA, onlyB []int    // the rest, the first of each value
}

func matchNumbers(a, b *Profile, pairs []align.Pair) numberMatching {
	var m numberMatching
	keysA, keysB := a.numberKeys(), b.numberKeys()
	sameLanguage := a.lang != "" && a.lang == b.lang
	var restA, restB []int
	for i := range a.numbers {
		n := &a.numbers[i]
		if !n.quantity() {
			continue
		}
		if k, ok := keysB[n.key]; ok && k.holds(n, sameLanguage) {
			// The first of its value that b holds.
			if !slices.ContainsFunc(m.same, func(s int) bool { return a.numbers[s].key == n.key }) {
				m.same = append(m.same, i)
			}
			continue
		}
		restA = append(restA, i)
	}
	for j := range b.numbers {
		if n := &b.numbers[j]; n.quantity() {
			if k, ok := keysA[n.key]; !ok || !k.holds(n, sameLanguage) {
				restB = append(restB, j)
			}
		}
	}
	if len(restA) == 0 && len(restB) == 0 {
		return m
	}
	usedA := make([]bool, len(a.numbers))
	usedB := make([]bool, len(b.numbers))
	m.same = unitlessSame(a, b, pairs, restA, restB, usedA, usedB, m.same)

	type cand struct {
		i, j  int
		score int
	}
	var cands []cand
	for _, i := range restA {
		na := &a.numbers[i]
		if usedA[i] {
			continue
		}
		for _, j := range restB {
			nb := &b.numbers[j]
			if usedB[j] {
				continue
			}
			if score, ok := pairScore(na, nb, aligned(pairs, na.sent, nb.sent)); ok {
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
	for _, c := range cands {
		if usedA[c.i] || usedB[c.j] {
			continue
		}
		usedA[c.i], usedB[c.j] = true, true
		m.changed = append(m.changed, [2]int{c.i, c.j})
	}
	slices.SortFunc(m.changed, func(x, y [2]int) int { return cmp.Compare(x[0], y[0]) })
	m.onlyA = onlyNumbers(a, restA, usedA)
	m.onlyB = onlyNumbers(b, restB, usedB)
	return m
}

// unitlessSame matches the leftover numbers that have the same value, one
// without a unit and the other with a measure ("the wall is 60 high" and
// "60 meters"), that stand in aligned sentences and do not count
// different things. It marks them used and appends a's to same.
func unitlessSame(a, b *Profile, pairs []align.Pair, restA, restB []int, usedA, usedB []bool, same []int) []int {
	for _, i := range restA {
		na := &a.numbers[i]
		for _, j := range restB {
			nb := &b.numbers[j]
			if usedB[j] || na.Value != nb.Value || (na.Unit != "") == (nb.Unit != "") {
				continue
			}
			if u := na.Unit + nb.Unit; u == "time" || u == "%" || conflict(na.role, nb.role) || !aligned(pairs, na.sent, nb.sent) {
				continue
			}
			usedA[i], usedB[j] = true, true
			same = append(same, i)
			break
		}
	}
	slices.Sort(same)
	return slices.Compact(same)
}

// pairScore scores numbers x and y as one fact that changed: 3 for the
// same role, 2 for the same counted noun (2 off for different ones), 2
// when their sentences are aligned, 1 for each shared context word, up to
// 3. ok is false when they cannot be one fact: different units, different
// roles, different counted nouns with no shared role to go on; or when
// nothing ties them.
func pairScore(x, y *number, alignedSents bool) (score int, ok bool) {
	if x.Unit != y.Unit || conflict(x.role, y.role) {
		return 0, false
	}
	if x.role == roleYear && y.noun != "" || y.role == roleYear && x.noun != "" {
		return 0, false // a year counts nothing: "in 1998" and "two decades"
	}
	sameRole := x.role != "" && x.role == y.role
	switch {
	case x.noun == "" || y.noun == "" || genericNoun(x.noun) || genericNoun(y.noun):
	case x.noun == y.noun:
		score += 2
	case !sameRole || x.role == features.RoleDuration:
		return 0, false // "seven people" and "42 houses"; "45 days" and "six weeks"
	default:
		score -= 2 // "26 demonstrators" and "30 protesters" killed: maybe
	}
	if sameRole {
		score += 3
	}
	if (x.Bound == features.BoundLow) != (y.Bound == features.BoundLow) {
		score-- // "between 50 and 60" against "64": 60 is the toll
	}
	if alignedSents {
		score += 2
	}
	score += min(sharedWords(x.context, y.context), 3)
	return score, score >= 2
}

// conflict reports whether two roles say the numbers count different
// things; an unknown role conflicts with none.
func conflict(r, s string) bool { return r != "" && s != "" && r != s }

// genericNoun reports whether a counted noun's stem says only "people":
// "seven people killed" and "11 victims" may be one toll.
func genericNoun(stem string) bool {
	switch stem {
	case "peopl", "person", "individu", "victim", "human", "persona", "personn", "mensch", "человек", "людей", "люди", "осіб", "людини":
		return true
	}
	return false
}

// aligned reports whether sentences sa and sb are an aligned pair.
func aligned(pairs []align.Pair, sa, sb int) bool {
	for _, p := range pairs {
		if p.A == sa && p.B == sb {
			return true
		}
	}
	return false
}

// onlyNumbers keeps the numbers of p at idx not used in a change, once per
// value.
func onlyNumbers(p *Profile, idx []int, used []bool) []int {
	var out []int
	var seen []string // a document has few numbers: a list beats a map
	for _, i := range idx {
		if k := p.numbers[i].key; !used[i] && !slices.Contains(seen, k) {
			seen = append(seen, k)
			out = append(out, i)
		}
	}
	return out
}

// numberKeys maps each number value of p (number.key) to the index of its
// first mention, built on first use.
func (p *Profile) numberKeys() map[string]numberKey {
	p.numOnce.Do(func() {
		p.numKeys = make(map[string]numberKey, len(p.numbers))
		for i, n := range p.numbers {
			if !n.quantity() {
				continue
			}
			k, ok := p.numKeys[n.key]
			if !ok {
				k.first = i
			}
			if n.role == "" {
				k.anyRole = true
			} else if !slices.Contains(k.roles, n.role) {
				k.roles = append(k.roles, n.role)
			}
			p.numKeys[n.key] = k
		}
	})
	return p.numKeys
}

// numberKey is what a profile holds of one value: its first number, and
// the roles its numbers count.
type numberKey struct {
	first   int
	roles   []string
	anyRole bool // a number of this value whose role is unknown
}

// holds reports whether the profile holds n's value counting a thing
// that does not conflict with n's ("nine missing" does not stand for
// "nine dead"). Across languages any role will do: roles are read from
// each language's own words, and a translation reorders them.
func (k numberKey) holds(n *number, sameLanguage bool) bool {
	return !sameLanguage || n.role == "" || k.anyRole || slices.Contains(k.roles, n.role)
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
	na, nb := a.names(), b.names()
	for _, e := range na.groups {
		if shared(e, nb) {
			d.Same = append(d.Same, e.item)
		} else {
			d.OnlyInA = append(d.OnlyInA, e.item)
		}
	}
	for _, e := range nb.groups {
		if !shared(e, na) {
			d.OnlyInB = append(d.OnlyInB, e.item)
		}
	}
	for _, k := range na.wordKeys {
		sb, ok := nb.spellings[k]
		if !ok {
			continue
		}
		sa := na.spellings[k]
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

// nameTable is what entityDiff needs of one side, built once per profile:
// its entities merged by key, and each name word key's spellings.
type nameTable struct {
	groups    []entityGroup
	group     map[string]int      // entity key -> its index in groups
	spellings map[string][]string // word key -> spellings, in order of first appearance
	wordKeys  []string            // the keys of spellings, sorted
}

type entityGroup struct {
	item  EntityItem
	words []string
}

// names returns p's nameTable, built on first use.
func (p *Profile) names() *nameTable {
	p.nameOnce.Do(func() {
		t := &nameTable{group: make(map[string]int, len(p.entities)), spellings: make(map[string][]string)}
		// The mentions merged by key, in order of first mention.
		for _, e := range p.entities {
			if i, ok := t.group[e.Key]; ok {
				t.groups[i].item.Count++
				continue
			}
			t.group[e.Key] = len(t.groups)
			t.groups = append(t.groups, entityGroup{item: EntityItem{Text: e.Text, Key: e.Key, Count: 1}, words: e.Words})
		}
		for _, e := range p.entities {
			surf := nameWords(e.Text)
			if len(surf) != len(e.Words) {
				continue
			}
			for i, k := range e.Words {
				if k == "" {
					continue
				}
				if !slices.Contains(t.spellings[k], surf[i]) {
					t.spellings[k] = append(t.spellings[k], surf[i])
				}
			}
		}
		t.wordKeys = sortedKeys(t.spellings)
		p.nameTab = t
	})
	return p.nameTab
}

// shared reports whether entity e of one side is among the other side's
// names: by its whole key, or by the key of its last word.
func shared(e entityGroup, other *nameTable) bool {
	if _, ok := other.group[e.item.Key]; ok {
		return true
	}
	if n := len(e.words); n > 0 {
		_, ok := other.spellings[e.words[n-1]]
		return ok
	}
	return false
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
