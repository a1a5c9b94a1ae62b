package verify

import (
	"fmt"
	"slices"
	"testing"

	retold "github.com/retold/retold"
)

// TestNumberPairing is the fact diff's table: invented pairs of sentences
// whose numbers change, and the pairs a reader would draw. A change pairs
// numbers that count the same thing; what has no counterpart in its role
// is only in one text.
func TestNumberPairing(t *testing.T) {
	type ch = [2]string // A's value, B's value
	tests := []struct {
		name          string
		a, b          string
		changed       []ch     // exactly these changes, in A's order
		same          []string // among the shared values
		onlyA, onlyB  []string // among the one-side values
		notNumbersInA []string // mentions of A that must not be numbers at all
	}{
		{name: "toll and injured swap places",
			a:       "The bomb went off in the market, killing at least seven people and injuring 42.",
			b:       "The toll rose to 11 on Tuesday, with 45 people injured in the market bombing.",
			changed: []ch{{"7", "11"}, {"42", "45"}}},
		{name: "dead and injured in one sentence, same order",
			a:       "Officials said 12 people were killed and 30 were injured in the collapse.",
			b:       "Officials said 14 people were killed and 33 were injured in the collapse.",
			changed: []ch{{"12", "14"}, {"30", "33"}}},
		{name: "dead and injured, reversed order",
			a:       "At least 20 people died and 65 were wounded when the ferry capsized.",
			b:       "Some 71 passengers were wounded and 23 died when the ferry capsized.",
			changed: []ch{{"20", "23"}, {"65", "71"}}},
		{name: "injured only in B",
			a:       "The landslide killed nine villagers near the pass.",
			b:       "The landslide killed 13 villagers near the pass and injured 40 more.",
			changed: []ch{{"9", "13"}}, onlyB: []string{"40"}},
		{name: "a toll never pairs with the injured",
			a:       "Rescuers said 18 people were hurt in the blaze.",
			b:       "The blaze killed 5 people, rescuers said.",
			changed: nil, onlyA: []string{"18"}, onlyB: []string{"5"}},
		{name: "missing and dead",
			a:       "Six hikers are dead and four are missing after the avalanche.",
			b:       "Eight hikers are dead and two remain missing after the avalanche.",
			changed: []ch{{"6", "8"}, {"4", "2"}}},
		{name: "arrested",
			a:       "Police arrested 35 protesters in the capital on Friday.",
			b:       "Police said 52 protesters were arrested in the capital on Friday.",
			changed: []ch{{"35", "52"}}},
		{name: "evacuated",
			a:       "About 3,000 residents were evacuated as the river rose.",
			b:       "About 4,500 residents were evacuated as the river rose.",
			changed: []ch{{"3000", "4500"}}},
		{name: "money changes with its currency",
			a:       "The council approved a $4.5 million repair fund on Monday.",
			b:       "The council approved a $6 million repair fund on Monday.",
			changed: []ch{{"4500000", "6000000"}}},
		{name: "money never pairs with a count",
			a:       "The city will pay $200 to each of the 40 families.",
			b:       "The city will pay $250 to each of the 38 families.",
			changed: []ch{{"200", "250"}, {"40", "38"}}},
		{name: "percentages",
			a:       "Turnout was 54% and the ruling party won 41 percent of the vote.",
			b:       "Turnout was 56% and the ruling party won 43 percent of the vote.",
			changed: []ch{{"54", "56"}, {"41", "43"}}},
		{name: "a percentage never pairs with a count",
			a:       "Prices rose 7% last month, the bureau said.",
			b:       "Prices rose in 9 regions last month, the bureau said.",
			changed: nil, onlyA: []string{"7"}, onlyB: []string{"9"}},
		{name: "range: between 50 and 60 people",
			a:       "Between 50 and 60 people were killed in the fighting, medics said.",
			b:       "Medics said 64 people were killed in the fighting.",
			changed: []ch{{"60", "64"}}, onlyA: []string{"50"}},
		{name: "range against range",
			a:       "Between 50 and 60 people were killed in the fighting.",
			b:       "Between 70 and 80 people were killed in the fighting.",
			changed: []ch{{"50", "70"}, {"60", "80"}}},
		{name: "more than",
			a:       "More than 200 homes were destroyed by the fire.",
			b:       "More than 260 homes were destroyed by the fire.",
			changed: []ch{{"200", "260"}}},
		{name: "approximate values",
			a:       "Roughly 1,500 troops took part in the exercise.",
			b:       "Around 1,800 troops took part in the exercise.",
			changed: []ch{{"1500", "1800"}}},
		{name: "unit by hyphen is the unit spelled out",
			a:       "Workers built a 60-meter wall along the shore.",
			b:       "Workers built a wall 60 meters long along the shore.",
			changed: nil, same: []string{"60"}},
		{name: "abbreviated unit",
			a:       "The storm surge reached 3 m in the harbour.",
			b:       "The storm surge reached 3 metres in the harbour.",
			changed: nil, same: []string{"3"}},
		{name: "a unitless value matches the same value with a unit",
			a:       "The tower is 120 tall and leans to the north.",
			b:       "The tower is 120 meters tall and leans to the north.",
			changed: nil, same: []string{"120"}},
		{name: "distance changes, km",
			a:       "The convoy travelled 40 km before it was stopped.",
			b:       "The convoy travelled 55 kilometres before it was stopped.",
			changed: []ch{{"40", "55"}}},
		{name: "a distance never pairs with a count",
			a:       "The fire spread over 12 km of forest.",
			b:       "The fire destroyed 30 homes in the forest.",
			changed: nil, onlyA: []string{"12"}, onlyB: []string{"30"}},
		{name: "one as an article is no number",
			a:       "Flood water swept away one city bus and 60 cars.",
			b:       "Flood water swept away 75 cars, officials said.",
			changed: []ch{{"60", "75"}}, notNumbersInA: []string{"one"}},
		{name: "one of the victims is no number",
			a:       "One of the victims was a teacher, and 8 people died.",
			b:       "A teacher was among the victims, and 10 people died.",
			changed: []ch{{"8", "10"}}, notNumbersInA: []string{"One"}},
		{name: "one person is a number",
			a:       "One person was killed in the crash.",
			b:       "Three people were killed in the crash.",
			changed: []ch{{"1", "3"}}},
		{name: "codes are no quantities",
			a:       "The Mir-24 channel said 12 people were detained.",
			b:       "The Khabar-24 channel said 15 people were detained.",
			changed: []ch{{"12", "15"}}},
		{name: "disease and aircraft codes",
			a:       "An F-16 crashed during a COVID-19 relief flight, killing 2 crew.",
			b:       "An F-16 crashed during a COVID-19 relief flight, killing 3 crew.",
			changed: []ch{{"2", "3"}}},
		{name: "model numbers are no quantities",
			a:       "The Boeing 737-800 carried 132 passengers.",
			b:       "The Boeing 737-800 carried 133 passengers.",
			changed: []ch{{"132", "133"}}},
		{name: "a year never pairs with a toll",
			a:       "The last flood, in 2011, killed 31 people.",
			b:       "The last flood killed 35 people in the valley.",
			changed: []ch{{"31", "35"}}, onlyA: []string{"2011"}},
		{name: "years change",
			a:       "The dam was built in 1962 and holds water for the city.",
			b:       "The dam was built in 1965 and holds water for the city.",
			changed: []ch{{"1962", "1965"}}},
		{name: "ages",
			a:       "A 4-year-old girl was among the dead.",
			b:       "A five-year-old girl was among the dead.",
			changed: []ch{{"4", "5"}}},
		{name: "age never pairs with a toll",
			a:       "The 72-year-old driver survived; 3 passengers died.",
			b:       "The driver survived; 4 passengers died.",
			changed: []ch{{"3", "4"}}, onlyA: []string{"72"}},
		{name: "magnitude",
			a:       "The magnitude 6.1 quake struck before dawn.",
			b:       "The magnitude 6.4 quake struck before dawn.",
			changed: []ch{{"6.1", "6.4"}}},
		{name: "spelled-out English",
			a:       "Twelve miners were trapped and four were rescued.",
			b:       "Fifteen miners were trapped and six were rescued.",
			changed: []ch{{"12", "15"}, {"4", "6"}}},
		{name: "Spanish spelled out against digits",
			a:       "El derrumbe dejó siete muertos y 42 heridos en la mina.",
			b:       "El derrumbe dejó 11 muertos y 45 heridos en la mina.",
			changed: []ch{{"7", "11"}, {"42", "45"}}},
		{name: "German spelled out",
			a:       "Bei dem Unfall gab es sieben Tote und zwölf Verletzte.",
			b:       "Bei dem Unfall gab es neun Tote und 20 Verletzte.",
			changed: []ch{{"7", "9"}, {"12", "20"}}},
		{name: "French",
			a:       "L'explosion a fait 5 morts et trente blessés.",
			b:       "L'explosion a fait 8 morts et 41 blessés.",
			changed: []ch{{"5", "8"}, {"30", "41"}}},
		{name: "Russian",
			a:       "В результате взрыва погибли 12 человек, ранены 30.",
			b:       "В результате взрыва погибли 15 человек, ранены 34.",
			changed: []ch{{"12", "15"}, {"30", "34"}}},
		{name: "counted nouns keep apart",
			a:       "The storm destroyed 120 houses and damaged 45 schools.",
			b:       "The storm damaged 50 schools and destroyed 140 houses.",
			changed: []ch{{"120", "140"}, {"45", "50"}}},
		{name: "same role, two nouns",
			a:       "Security forces killed 26 demonstrators and 16 officers died.",
			b:       "Security forces killed 30 demonstrators and 18 officers died.",
			changed: []ch{{"26", "30"}, {"16", "18"}}},
		{name: "unchanged numbers stay same",
			a:       "The quake killed 164 people and injured 2,200.",
			b:       "The quake killed 164 people and injured 2,200, officials said on Friday.",
			changed: nil, same: []string{"164", "2200"}},
		{name: "times are not counts",
			a:       "The blast at 8:30 a.m. killed 4 people.",
			b:       "The blast at 9:15 a.m. killed 6 people.",
			changed: []ch{{"8:30", "9:15"}, {"4", "6"}}},
		{name: "votes",
			a:       "The bill passed with 61 votes against 39.",
			b:       "The bill passed with 64 votes against 36.",
			changed: []ch{{"61", "64"}, {"39", "36"}}},
		{name: "a toll in one text, its rise in the other",
			a:       "At least 26 people were killed in the clashes.",
			b:       "The death toll from the clashes has risen to 164.",
			changed: []ch{{"26", "164"}}},
	}
	c := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Compare(retold.Document{ID: "a", Text: tt.a}, retold.Document{ID: "b", Text: tt.b})
			n := r.Facts.Numbers
			var got []ch
			for _, x := range n.Changed {
				got = append(got, ch{x.A.Value, x.B.Value})
			}
			if !slices.Equal(got, tt.changed) {
				t.Errorf("changed %v, want %v\n%s", got, tt.changed, describe(n))
			}
			for _, v := range tt.same {
				if !slices.ContainsFunc(n.Same, func(x NumberItem) bool { return x.Value == v }) {
					t.Errorf("%s not among the same numbers\n%s", v, describe(n))
				}
			}
			for _, v := range tt.onlyA {
				if !slices.ContainsFunc(n.OnlyInA, func(x NumberItem) bool { return x.Value == v }) {
					t.Errorf("%s not only in A\n%s", v, describe(n))
				}
			}
			for _, v := range tt.onlyB {
				if !slices.ContainsFunc(n.OnlyInB, func(x NumberItem) bool { return x.Value == v }) {
					t.Errorf("%s not only in B\n%s", v, describe(n))
				}
			}
			all := append(append(slices.Clone(n.Same), n.OnlyInA...), n.OnlyInB...)
			for _, x := range n.Changed {
				all = append(all, x.A)
			}
			for _, w := range tt.notNumbersInA {
				if slices.ContainsFunc(all, func(x NumberItem) bool { return x.Text == w }) {
					t.Errorf("%q counted as a number\n%s", w, describe(n))
				}
			}
		})
	}
}

func describe(n NumberDiff) string {
	s := ""
	for _, x := range n.Same {
		s += fmt.Sprintf("  same %s%s [%s]\n", x.Value, x.Unit, x.Role)
	}
	for _, x := range n.Changed {
		s += fmt.Sprintf("  changed %s%s [%s %s] -> %s%s [%s %s]\n", x.A.Value, x.A.Unit, x.A.Role, x.A.Noun, x.B.Value, x.B.Unit, x.B.Role, x.B.Noun)
	}
	for _, x := range n.OnlyInA {
		s += fmt.Sprintf("  only A %s%s [%s %s]\n", x.Value, x.Unit, x.Role, x.Noun)
	}
	for _, x := range n.OnlyInB {
		s += fmt.Sprintf("  only B %s%s [%s %s]\n", x.Value, x.Unit, x.Role, x.Noun)
	}
	return s
}
