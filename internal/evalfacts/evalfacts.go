// Package evalfacts checks the fact diff on labeled news: for every
// same-story pair it reads the changed numbers and flags a change whose
// two numbers count different things (the dead against the injured, a
// toll against a year). The check is independent of the pairing it
// audits: it looks only at the raw sentence, at the nearest word of a
// small lexicon within a few words of each number, with no clause
// barriers, roles or counted nouns of the fact diff.
package evalfacts

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/evalpairs"
	"github.com/retold/retold/verify"
)

// Change is one changed number of a same-story pair, with what the check
// reads around each side.
type Change struct {
	Set, A, B    string // the set and the two record ids
	Change       verify.NumberChange
	KindA, KindB string // the check's reading of each side, "" none
	Mispaired    bool   // both read, and they differ
}

// kinds is the check's lexicon: word prefixes, lower case.
var kinds = []struct {
	kind     string
	prefixes []string
}{
	{"dead", []string{"kill", "dead", "death", "died", "die", "toll", "lives", "fatal", "perish", "murder", "muert", "fallec", "mort", "tote", "getöt", "погиб", "убит", "загин"}},
	{"injured", []string{"injur", "wound", "hurt", "hospital", "herid", "ferit", "blessé", "verletz", "ранен", "пострада", "поранен", "постражд"}},
	{"missing", []string{"missing", "desaparec", "dispar", "vermisst", "пропал", "зникл"}},
	{"arrested", []string{"arrest", "detain", "detenid", "festgenommen", "задерж", "затрим"}},
	{"money", []string{"$", "€", "£", "dollar", "euro", "pound", "yuan", "rupee", "rouble", "ruble"}},
	{"percent", []string{"%", "percent", "per cent"}},
	{"age", []string{"year-old", "aged"}},
	{"span", []string{"decade", "years", "year", "months", "month", "weeks", "week", "days", "day", "hours", "minutes", "occasion", "times"}},
	{"date", []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan.", "feb.", "aug.", "sept.", "oct.", "nov.", "dec."}},
}

// window is how many words on each side the check reads.
const window = 5

// kindAt reads the kind of the number at [start, end) of sentence text s:
// the lexicon word nearest to it, by words, within the window.
func kindAt(s string, start, end int) string {
	if start < 0 || end > len(s) || start > end {
		return ""
	}
	num := s[start:end]
	if len(num) == 4 && (strings.HasPrefix(num, "19") || strings.HasPrefix(num, "20")) && strings.Trim(num, "0123456789") == "" {
		return "year"
	}
	if strings.HasPrefix(strings.ToLower(s[end:]), " years old") {
		return "age"
	}
	if strings.HasSuffix(strings.TrimSpace(s[:start]), ",") && strings.HasPrefix(s[end:], ",") {
		return "age" // "Lucy Letby, 33, was"
	}
	unitSide := strings.ToLower(s[max(0, start-1):min(len(s), end+9)])
	for _, k := range kinds[4:6] { // a sign or word glued to the number decides
		for _, p := range k.prefixes {
			if strings.Contains(unitSide, p) {
				return k.kind
			}
		}
	}
	left := slices.DeleteFunc(strings.FieldsFunc(strings.ToLower(s[:start]), notWord), qualifier)
	right := slices.DeleteFunc(strings.FieldsFunc(strings.ToLower(s[end:]), notWord), qualifier)
	// A month name next to it makes it a day of a date.
	if w := at(left, len(left)-1); w != "" && isMonth(w) {
		return "date"
	}
	if w := at(right, 0); w != "" && isMonth(w) {
		return "date"
	}
	for d := 0; d < window; d++ {
		for _, w := range []string{at(right, d), at(left, len(left)-1-d)} {
			if w == "" {
				continue
			}
			for _, k := range kinds {
				for _, p := range k.prefixes {
					if strings.HasPrefix(w, p) {
						return k.kind
					}
				}
			}
		}
	}
	return ""
}

func isMonth(w string) bool {
	for _, m := range kinds[len(kinds)-1].prefixes {
		if strings.TrimSuffix(m, ".") == strings.TrimSuffix(w, ".") {
			return true
		}
	}
	return false
}

func at(ws []string, i int) string {
	if i < 0 || i >= len(ws) {
		return ""
	}
	return ws[i]
}

// qualifier reports the words that belong to a number rather than to its
// clause ("at least", "more than", "about"); the check passes over them.
func qualifier(w string) bool {
	switch w {
	case "at", "least", "most", "more", "than", "about", "around", "some", "nearly", "almost", "over", "up", "to", "roughly", "approximately", "estimated", "an", "a", "the":
		return true
	}
	return false
}

func notWord(r rune) bool { return !unicode.IsLetter(r) && r != '-' }

// Changes compares every same-story pair of recs and returns each changed
// number with the check's reading.
func Changes(ctx context.Context, set string, recs []evalpairs.Record) ([]Change, error) {
	c := verify.New(nil)
	var out []Change
	for _, p := range evalpairs.NewsPairs(recs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if p.Class != evalpairs.SameStory {
			continue
		}
		a, b := recs[p.I].Document, recs[p.J].Document
		r := c.Compare(a, b)
		for _, ch := range r.Facts.Numbers.Changed {
			ka := kindAt(sentence(a, r, ch.A, true), ch.A.Start-sentStart(a, r, ch.A, true), ch.A.End-sentStart(a, r, ch.A, true))
			kb := kindAt(sentence(b, r, ch.B, false), ch.B.Start-sentStart(b, r, ch.B, false), ch.B.End-sentStart(b, r, ch.B, false))
			out = append(out, Change{Set: set, A: a.ID, B: b.ID, Change: ch, KindA: ka, KindB: kb, Mispaired: ka != "" && kb != "" && ka != kb})
		}
	}
	return out, nil
}

// sentence returns the text of the sentence holding n, in A (a) or B.
func sentence(d retold.Document, r *verify.Result, n verify.NumberItem, a bool) string {
	s, e := span(d, r, n, a)
	return d.Text[s:e]
}

func sentStart(d retold.Document, r *verify.Result, n verify.NumberItem, a bool) int {
	s, _ := span(d, r, n, a)
	return s
}

// span is the byte span of n's sentence: the text between the sentence
// ends around it, or a window of 300 bytes when none is found.
func span(d retold.Document, _ *verify.Result, n verify.NumberItem, _ bool) (int, int) {
	t := d.Text
	s := max(0, n.Start-300)
	if i := strings.LastIndexAny(t[s:n.Start], ".!?\n"); i >= 0 {
		s += i + 1
	}
	e := min(len(t), n.End+300)
	if i := strings.IndexAny(t[n.End:e], ".!?\n"); i >= 0 {
		e = n.End + i
	}
	return s, e
}

// Write prints the count per set, then every change with the check's
// reading, mispairings marked.
func Write(w io.Writer, changes []Change, verbose bool) {
	type count struct{ changes, read, mis int }
	var sets []string
	counts := map[string]*count{}
	for _, c := range changes {
		k, ok := counts[c.Set]
		if !ok {
			k = &count{}
			counts[c.Set] = k
			sets = append(sets, c.Set)
		}
		k.changes++
		if c.KindA != "" && c.KindB != "" {
			k.read++
		}
		if c.Mispaired {
			k.mis++
		}
	}
	fmt.Fprintln(w, "| set | changed numbers in same-story pairs | both sides read by the check | mispaired (they count different things) |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	for _, s := range sets {
		k := counts[s]
		fmt.Fprintf(w, "| %s | %d | %d | %d |\n", s, k.changes, k.read, k.mis)
	}
	for _, c := range changes {
		if !verbose && !c.Mispaired {
			continue
		}
		mark := " "
		if c.Mispaired {
			mark = "!"
		}
		fmt.Fprintf(w, "%s %s %s/%s  %s -> %s [%s]  A(%s): %s  |  B(%s): %s\n", mark, c.Set, c.A, c.B,
			c.Change.A.Text, c.Change.B.Text, c.Change.Role, c.KindA, c.Change.A.Context, c.KindB, c.Change.B.Context)
	}
}
