package verify

import (
	"strings"
	"testing"

	retold "github.com/retold/retold"
)

// FuzzCompare compares two arbitrary texts: no panic, every index and byte
// span of the evidence inside its text, scores in [0, 1], and Judge's
// verdict the same as CompareProfiles'.
func FuzzCompare(f *testing.F) {
	for _, s := range [][2]string{
		{"Floods killed 12 people in Aktau on Tuesday, minister Sultanov said.", "Minister Soultanov said floods had killed 19 people in Aqtau."},
		{"A. B. C.\n\nD.", "\u200b"},
		{"地震が発生した。死者は3人。", "Землетрясение унесло жизни 164 человек."},
		{strings.Repeat("Same sentence here. ", 30), strings.Repeat("Same sentence here. ", 29) + "And one more."},
		{"“A quote that opens and never closes. 4,000 people, $5.8 million, 12%.", "\"Quoted\" text: four-year-old, 4-year-old, No. 2, U.S. Dr. Smith."},
	} {
		f.Add(s[0], s[1])
	}
	c := New(nil)
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 1<<14 || len(b) > 1<<14 {
			return
		}
		da, db := retold.Document{Text: a}, retold.Document{Text: b}
		pa, pb := c.Profile(da), c.Profile(db)
		r := c.CompareProfiles(pa, pb)
		if r.Score < 0 || r.Score > 1 {
			t.Fatalf("score %v out of [0, 1]", r.Score)
		}
		inside := func(text string, start, end int) bool { return 0 <= start && start <= end && end <= len(text) }
		for _, p := range r.Alignment {
			if p.A < 0 || p.A >= r.A.Sentences || p.B < 0 || p.B >= r.B.Sentences {
				t.Fatalf("aligned pair %d-%d outside %d and %d sentences", p.A, p.B, r.A.Sentences, r.B.Sentences)
			}
			if !inside(a, p.AStart, p.AEnd) || !inside(b, p.BStart, p.BEnd) || p.Similarity < 0 || p.Similarity > 1+1e-9 {
				t.Fatalf("aligned pair %+v: span or similarity out of range", p)
			}
		}
		for _, s := range r.OnlyInA {
			if !inside(a, s.Start, s.End) {
				t.Fatalf("only in A: span %d-%d outside the text", s.Start, s.End)
			}
		}
		for _, s := range r.OnlyInB {
			if !inside(b, s.Start, s.End) {
				t.Fatalf("only in B: span %d-%d outside the text", s.Start, s.End)
			}
		}
		for _, n := range r.Facts.Numbers.Same {
			if !inside(a, n.Start, n.End) {
				t.Fatalf("same number %+v outside A", n)
			}
		}
		if v, _ := c.Judge(pa, pb); v != r.Verdict {
			t.Fatalf("Judge says %s, CompareProfiles %s", v, r.Verdict)
		}
	})
}
