package explain

import (
	"cmp"
	"slices"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/features"
	"github.com/retold/retold/verify"
)

// The key facts of an event: the quantities its documents report (the
// dead, the injured, the arrested, a fund, the troops sent) and how they
// changed as the event went on ("dead: 26 -> 164").
//
// A fact is what a number counts: its role when its clause names one
// (features.Number.Role: dead, injured, missing, ...), else its counted
// noun ("450 soldiers"), with its unit. Each document says one value of
// a fact: its first mention, headline before text, as a report puts its
// current figure first and older or partial ones later ("killing 164,
// including 16 police"). The documents and copies are read in date
// order (by the time they were added when undated, then in the store's
// order), and a fact's values are the distinct values in the order they
// first appeared, each with the document that first gave it.
//
// Only facts that two documents report are kept: one document's number
// neither recurs nor changes. The roles come first, in factRoles'
// order, then the nouns, most documents first; at most MaxFacts.
// Numbers that bound a range, times, codes, the roles that are no counts
// of the event (dates, ages, durations, frequencies), a count of people
// with a fraction or a unit, and a noun that is vague ("people") or in
// the singular after a count of more than one are no key facts.

// MaxFacts is the most key facts an event report lists.
const MaxFacts = 8

// factRoles are the roles a key fact may have, in the order the report
// lists them.
var factRoles = []string{
	features.RoleDead, features.RoleInjured, features.RoleMissing, features.RoleArrested,
	features.RoleDisplaced, features.RoleRescued, features.RoleMagnitude, features.RoleVotes,
}

// vagueNouns count anything: "103 people" without a role says nothing of
// what happened to them, so two such numbers are no one fact.
var vagueNouns = map[string]bool{"people": true, "persons": true, "person": true, "others": true, "more": true}

// Fact is one key fact of an event and the values it took.
type Fact struct {
	// Role is what the number counts (features.RoleDead, ...); Noun the
	// counted noun when it has no role; Unit its unit ("" for a count).
	Role, Noun, Unit string
	// Documents counts the documents and copies that report it.
	Documents int
	// Values are its distinct values in the order they first appeared.
	Values []FactValue
}

// FactValue is one value of a fact.
type FactValue struct {
	// Value is the canonical value (features.Number.Value), Text the
	// number as the first document to give it wrote it.
	Value, Text string
	// Unit is the fact's unit.
	Unit string
	// ID, Outlet and Date name the first document (or copy) that gave
	// this value; Date is the time it was added when it has no date of
	// its own, and Added says so.
	ID, Outlet, Date string
	Added            bool
	// Documents counts the documents and copies that give this value.
	Documents int
}

// Label is what the report calls the fact: its role, else its noun.
func (f Fact) Label() string {
	if f.Role != "" {
		return f.Role
	}
	return f.Noun
}

// Changed reports whether the documents gave the fact more than one
// value.
func (f Fact) Changed() bool { return len(f.Values) > 1 }

// reported is "in 3 documents".
func (f Fact) reported() string {
	return "in " + plural(f.Documents, "document", "documents")
}

// Shown is the value as the report shows it: as written when the
// written form is short, else canonical with its unit ("$12000000").
func (v FactValue) Shown() string {
	if v.Text != "" && len(v.Text) <= 24 {
		return clean(v.Text)
	}
	return value(verify.NumberItem{Value: v.Value, Unit: v.Unit})
}

// Where is the outlet and date the value first appeared under:
// "Karavia Wire, 2031-04-02", "added 2031-05-01" when undated.
func (v FactValue) Where() string {
	date := shortDate(v.Date)
	if v.Added {
		date = "added " + date
	}
	if w := strings.Join(nonEmpty(clean(v.Outlet), clean(date)), ", "); w != "" {
		return w
	}
	return clean(v.ID)
}

// shortDate is a date as a line of a report shows it: the day, and the
// time of day (in the date's own zone) when it has one ("2031-05-10
// 06:00"); a date it cannot read as it is.
func shortDate(date string) string {
	t, ok := parseDate(date)
	switch {
	case !ok || len(date) <= 10:
		return date
	case t.Hour() == 0 && t.Minute() == 0:
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04")
}

// factKey is what makes two numbers one fact.
type factKey struct{ role, noun, unit string }

// countRoles are the roles that count people: their values are whole
// numbers without a unit.
var countRoles = []string{
	features.RoleDead, features.RoleInjured, features.RoleMissing, features.RoleArrested,
	features.RoleDisplaced, features.RoleRescued,
}

// factOf is the fact a number states, or false when it states none.
func factOf(n features.Number) (factKey, bool) {
	if n.Bound != "" || n.Unit == "time" || n.Unit == "code" {
		return factKey{}, false
	}
	whole := !strings.ContainsAny(n.Value, ".:")
	if n.Role != "" {
		if slices.Contains(countRoles, n.Role) && (!whole || n.Unit != "") {
			return factKey{}, false // "a 7.7 quake that killed", "18 km from the dead"
		}
		return factKey{role: n.Role, unit: n.Unit}, slices.Contains(factRoles, n.Role)
	}
	if n.Noun == "" || vagueNouns[n.Noun] {
		return factKey{}, false
	}
	// A count of more than one thing names it in the plural: a noun in
	// the singular after it belongs to a compound ("a 45-degree angle",
	// "a five-story building"), not to the count. Plurals are read the
	// English way; in other languages the roles still give facts.
	if n.Unit == "" && (!whole || n.Value != "1" && !strings.HasSuffix(n.Noun, "s")) {
		return factKey{}, false
	}
	return factKey{noun: n.Noun, unit: n.Unit}, true
}

// firstFacts are the facts of a text, each with its first mention.
func firstFacts(text string) map[factKey]features.Number {
	out := map[factKey]features.Number{}
	for _, n := range features.Numbers(text) {
		if k, ok := factOf(n); ok {
			if _, seen := out[k]; !seen {
				out[k] = n
			}
		}
	}
	return out
}

// factSource is one document or copy as the key facts read it.
type factSource struct {
	id, outlet, date string
	added            bool
	at               time.Time
	dated            bool
	seq              int64
}

// KeyFacts are the key facts of an event's documents and of the copies
// of them (see the comment above MaxFacts).
func KeyFacts(docs []retold.StoredDocument, copies []retold.Copy) []Fact {
	textFacts := map[int64]map[factKey]features.Number{}
	var sources []factSource
	source := func(id, outlet, date, added string, seq int64) factSource {
		s := factSource{id: id, outlet: outlet, date: date, seq: seq}
		if date == "" {
			s.date, s.added = added, true
		}
		s.at, s.dated = parseDate(s.date)
		return s
	}
	for _, d := range docs {
		// The headline first: it carries the current figure.
		textFacts[d.Seq] = firstFacts(d.Title + "\n\n" + d.Text)
		sources = append(sources, source(d.ID, d.Outlet, d.Date, d.Added, d.Seq))
	}
	for _, c := range copies {
		if _, ok := textFacts[c.Seq]; ok {
			sources = append(sources, source(c.ID, c.Outlet, c.Date, c.Added, c.Seq))
		}
	}
	slices.SortStableFunc(sources, func(a, b factSource) int {
		switch {
		case a.dated && b.dated:
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
		case a.dated != b.dated:
			if a.dated {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.seq, b.seq), cmp.Compare(a.id, b.id))
	})

	facts := map[factKey]*Fact{}
	for _, s := range sources {
		for k, n := range textFacts[s.seq] {
			f := facts[k]
			if f == nil {
				f = &Fact{Role: k.role, Noun: k.noun, Unit: k.unit}
				facts[k] = f
			}
			f.Documents++
			i := slices.IndexFunc(f.Values, func(v FactValue) bool { return v.Value == n.Value })
			if i < 0 {
				f.Values = append(f.Values, FactValue{Value: n.Value, Text: n.Text, Unit: n.Unit,
					ID: s.id, Outlet: s.outlet, Date: s.date, Added: s.added})
				i = len(f.Values) - 1
			}
			f.Values[i].Documents++
		}
	}
	var out []Fact
	for _, f := range facts {
		if f.Documents >= 2 {
			out = append(out, *f)
		}
	}
	rank := func(f Fact) int {
		if i := slices.Index(factRoles, f.Role); i >= 0 {
			return i
		}
		return len(factRoles)
	}
	slices.SortFunc(out, func(a, b Fact) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(b.Documents, a.Documents),
			cmp.Compare(a.Noun, b.Noun), cmp.Compare(a.Unit, b.Unit))
	})
	return out[:min(len(out), MaxFacts)]
}
