package explain

import (
	"strings"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// An invented story: a fire at a town hall, told twice. B changes the number
// of people hurt, spells the mayor's name differently, drops the sentence
// about the building's age and adds one about the repairs.
const (
	storyA = "Fire broke out at the town hall in Lomza. The council said 12 people were hurt on Monday. " +
		"Mayor Anna Kowalsky thanked the 40 firefighters who came. The building dates from 1890."
	storyB = "Fire broke out at the town hall in Lomza. The council said 14 people were hurt on Monday. " +
		"Repairs will cost $2 million. Mayor Anna Kowalski thanked the 40 firefighters who came."
)

// ref is the sentence s of text with its byte span.
func ref(text string, index int, s string) verify.SentenceRef {
	i := strings.Index(text, s)
	if i < 0 {
		panic("fixture: " + s + " not in text")
	}
	return verify.SentenceRef{Index: index, Text: s, Start: i, End: i + len(s)}
}

// num is the number written as written in text, in sentence, with its span.
func num(text string, sentence int, written, value, unit, context string) verify.NumberItem {
	i := strings.Index(text, written)
	if i < 0 {
		panic("fixture: " + written + " not in text")
	}
	return verify.NumberItem{Value: value, Unit: unit, Text: written, Context: context,
		Sentence: sentence, Start: i, End: i + len(written)}
}

func pair(a, b int, at, bt string, sim float64) verify.AlignedPair {
	return verify.AlignedPair{A: a, B: b, AText: at, BText: bt, Similarity: sim}
}

// fixture is the comparison of the two tellings, as verify would give it.
func fixture() (*verify.Result, retold.Document, retold.Document) {
	a := retold.Document{ID: "lomza-a", Title: "Twelve hurt in Lomza town hall fire", Text: storyA, Outlet: "Daily Example", Date: "2031-03-04", Lang: "en"}
	b := retold.Document{ID: "lomza-b", Title: "Fire at Lomza town hall: 14 hurt", Text: storyB, Outlet: "Example Wire", Lang: "en"}
	r := &verify.Result{
		Verdict: retold.Version,
		Score:   0.83,
		Reason:  "most sentences align in the same order, and a number changed",
		Signals: verify.Signals{
			CoverageA: 0.78, CoverageB: 0.74, AlignedSimilarity: 0.88, OrderAgreement: 1,
			Word5Jaccard: 0.41, StemJaccard: 0.69, Char5Jaccard: 0.63,
			NumberAgreement: 0.25, EntityAgreement: 0.75,
		},
		A: verify.DocInfo{Name: "lomza-a.txt", Title: a.Title, Sentences: 4, Words: 37},
		B: verify.DocInfo{Name: "lomza-b.txt", Title: b.Title, Sentences: 4, Words: 36},
		Alignment: []verify.AlignedPair{
			pair(0, 0, "Fire broke out at the town hall in Lomza.", "Fire broke out at the town hall in Lomza.", 1),
			pair(1, 1, "The council said 12 people were hurt on Monday.", "The council said 14 people were hurt on Monday.", 0.86),
			pair(2, 3, "Mayor Anna Kowalsky thanked the 40 firefighters who came.", "Mayor Anna Kowalski thanked the 40 firefighters who came.", 0.81),
		},
		OnlyInA: []verify.SentenceRef{ref(storyA, 3, "The building dates from 1890.")},
		OnlyInB: []verify.SentenceRef{ref(storyB, 2, "Repairs will cost $2 million.")},
		Facts: verify.FactDiff{
			Numbers: verify.NumberDiff{
				Same: []verify.NumberItem{num(storyA, 2, "40", "40", "", "firefighters")},
				Changed: []verify.NumberChange{{
					A: num(storyA, 1, "12", "12", "", "people hurt"),
					B: num(storyB, 1, "14", "14", "", "people hurt"),
				}},
				OnlyInA: []verify.NumberItem{num(storyA, 3, "1890", "1890", "", "building dates from")},
				OnlyInB: []verify.NumberItem{num(storyB, 2, "$2 million", "2000000", "$", "repairs cost")},
			},
			Entities: verify.EntityDiff{
				Same:     []verify.EntityItem{{Text: "Lomza", Key: "lomza", Count: 1}, {Text: "Anna", Key: "anna", Count: 1}},
				Variants: []verify.EntityVariant{{A: "Kowalsky", B: "Kowalski", Key: "kovalski"}},
			},
		},
	}
	return r, a, b
}
