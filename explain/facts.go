package explain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// The wording shared by the terminal report and the HTML page, so both say
// the same thing the same way.

// signal is one measurement of verify.Signals as shown to a reader.
type signal struct {
	Name  string // long name, for the HTML table
	Short string // name on the compact terminal line
	Value string
}

// signals lists the measurements in the order the report shows them.
func signals(s verify.Signals) []signal {
	return []signal{
		{"Coverage of A", "coverage A", percent(s.CoverageA)},
		{"Coverage of B", "B", percent(s.CoverageB)},
		{"Aligned similarity", "aligned", ratio(s.AlignedSimilarity)},
		{"Order agreement", "order", ratio(s.OrderAgreement)},
		{"Word 5-gram Jaccard", "word5", ratio(s.Word5Jaccard)},
		{"Stem Jaccard", "stem", ratio(s.StemJaccard)},
		{"Char 5-gram Jaccard", "char5", ratio(s.Char5Jaccard)},
		{"Number agreement", "numbers", ratio(s.NumberAgreement)},
		{"Entity agreement", "entities", ratio(s.EntityAgreement)},
	}
}

func percent(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }
func ratio(v float64) string   { return fmt.Sprintf("%.2f", v) }

// sentenceLabel names a sentence the way the report does: "A3", "B5".
func sentenceLabel(side string, index int) string { return fmt.Sprintf("%s%d", side, index) }

// docTitle is the name and title of one side: "a.txt — Council says 12 hurt".
func docTitle(d verify.DocInfo) string {
	name := d.Name
	if name == "" {
		name = "(unnamed)"
	}
	if d.Title == "" {
		return name
	}
	return name + " — " + d.Title
}

// docInfo fills what the Result leaves empty from the document itself.
func docInfo(d verify.DocInfo, doc retold.Document) verify.DocInfo {
	if d.Name == "" {
		d.Name = doc.ID
	}
	if d.Title == "" {
		d.Title = doc.Title
	}
	return d
}

// value is a number's canonical value with its unit: "$5800000", "12%",
// "40 km".
func value(n verify.NumberItem) string {
	switch r, size := utf8.DecodeRuneInString(n.Unit); {
	case n.Unit == "":
		return n.Value
	case size == len(n.Unit) && unicode.Is(unicode.Sc, r):
		return n.Unit + n.Value
	case n.Unit == "%":
		return n.Value + "%"
	default:
		return n.Value + " " + n.Unit
	}
}

// numberText is a number as written with its context: "164 (killed)". A
// context that already holds the number is shown alone.
func numberText(n verify.NumberItem) string {
	t := n.Text
	if t == "" {
		t = value(n)
	}
	switch {
	case n.Context == "":
		return t
	case strings.Contains(n.Context, t):
		return n.Context
	default:
		return t + " (" + n.Context + ")"
	}
}

// entityNames are the spellings of a list of entities, in the list's order.
func entityNames(items []verify.EntityItem) []string {
	names := make([]string, len(items))
	for i, e := range items {
		names[i] = e.Text
	}
	return names
}
