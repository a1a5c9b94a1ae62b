package verify

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/zeebo/xxh3"

	retold "github.com/retold/retold"
	"github.com/retold/retold/sketch"
)

// article builds a deterministic invented news article of about words
// words, from templates with numbers and names varied by the seed.
func article(seed uint64, words int) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	places := []string{"Varna", "Oskemen", "Tarlac", "Mersin", "Kisumu", "Tromso", "Durres", "Iquitos"}
	people := []string{"Anna Kowalski", "Tomas Ruiz", "Ilse Berg", "Omar Haddad", "Lena Petrova", "Kenji Mori"}
	things := []string{"bridge", "dam", "school", "market", "clinic", "harbour", "railway", "power plant"}
	verbs := []string{"inspected", "closed", "reopened", "repaired", "evacuated", "funded", "visited", "rebuilt"}
	tmpl := []string{
		"Officials in %s said %d people were %s after the %s failed on Tuesday.",
		"%s, the regional director, told reporters that %d teams had %s the %s overnight.",
		"The %s in %s will stay shut for %d days while engineers check every section.",
		"Residents said the %s had been %s twice since %d, and asked for an inquiry.",
		"A report by %s found %d faults in the %s, including cracks near the main gate.",
		"Police in %s said about %d cars were %s from the streets near the %s.",
	}
	var b strings.Builder
	n := 0
	para := 0
	for n < words {
		var s string
		switch k := rng.IntN(len(tmpl)); k {
		case 0, 5:
			s = fmt.Sprintf(tmpl[k], places[rng.IntN(len(places))], 10+rng.IntN(4000), verbs[rng.IntN(len(verbs))], things[rng.IntN(len(things))])
		case 1:
			s = fmt.Sprintf(tmpl[k], people[rng.IntN(len(people))], 2+rng.IntN(90), verbs[rng.IntN(len(verbs))], things[rng.IntN(len(things))])
		case 2:
			s = fmt.Sprintf(tmpl[k], things[rng.IntN(len(things))], places[rng.IntN(len(places))], 2+rng.IntN(60))
		case 3:
			s = fmt.Sprintf(tmpl[k], things[rng.IntN(len(things))], verbs[rng.IntN(len(verbs))], 1990+rng.IntN(34))
		case 4:
			s = fmt.Sprintf(tmpl[k], people[rng.IntN(len(people))], 3+rng.IntN(40), things[rng.IntN(len(things))])
		}
		b.WriteString(s)
		n += len(strings.Fields(s))
		para++
		if para%3 == 0 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// rewrite makes a version of text: every fifth sentence dropped, a new
// paragraph inserted, some words replaced and one name respelled.
func rewrite(text string) string {
	paras := strings.Split(text, "\n\n")
	var out []string
	for i, p := range paras {
		if i == 2 {
			out = append(out, "The minister promised new funding for the region within a month.")
		}
		if i%5 == 4 {
			continue
		}
		p = strings.ReplaceAll(p, "told reporters", "said to journalists")
		p = strings.ReplaceAll(p, "Kowalski", "Kovalsky")
		out = append(out, p)
	}
	return strings.Join(out, "\n\n")
}

func TestVerdicts(t *testing.T) {
	base := article(1, 400)
	edited := strings.Replace(base, "Tuesday", "Wednesday", 1) + "\n\nThe story was updated with a correction."
	tests := []struct {
		name string
		a, b string
		want retold.Verdict
	}{
		{"identical", base, base, retold.Duplicate},
		{"identical after normalization", base, strings.ToUpper(base[:1]) + strings.ReplaceAll(base[1:], "  ", " ") + "\n", retold.Duplicate},
		{"small edit", base, edited, retold.NearDuplicate},
		{"trimmed to its first half", base, base[:len(base)/2], retold.Version},
		{"rewritten", base, rewrite(base), retold.Version},
		{"unrelated topic", base, "Quarterly earnings at the chip maker rose 12 percent, beating forecasts. Shares climbed in late trading. Analysts expect demand to stay strong next year.", retold.Unrelated},
	}
	c := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Compare(retold.Document{ID: "a", Text: tt.a}, retold.Document{ID: "b", Text: tt.b})
			if r.Verdict != tt.want {
				t.Errorf("verdict %s (%s), want %s", r.Verdict, r.Reason, tt.want)
			}
		})
	}
}

func TestCompareIsSymmetricInVerdict(t *testing.T) {
	a, b := article(3, 500), rewrite(article(3, 500))
	c := New(nil)
	ab := c.Compare(retold.Document{Text: a}, retold.Document{Text: b})
	ba := c.Compare(retold.Document{Text: b}, retold.Document{Text: a})
	if ab.Verdict != ba.Verdict {
		t.Errorf("verdict A,B = %s, B,A = %s", ab.Verdict, ba.Verdict)
	}
	if ab.Signals.CoverageA != ba.Signals.CoverageB {
		t.Errorf("coverage not mirrored: %v vs %v", ab.Signals.CoverageA, ba.Signals.CoverageB)
	}
}

func TestCompareNonEnglishDoesNotCrash(t *testing.T) {
	c := New(nil)
	for _, s := range []string{"地震が発生した。津波の心配はない。死者は3人。", "भूकंप में 1,000 लोगों की मौत हो गई।", "Землетрясение унесло жизни 164 человек.", "\u200b\u200b", "..."} {
		r := c.Compare(retold.Document{Text: s}, retold.Document{Text: s + " " + s})
		if r.Verdict.Rank() >= len(retold.Verdicts) {
			t.Errorf("no verdict for %q", s)
		}
	}
}

// BenchmarkCompare measures compare of two 1,500-word articles, from raw
// text to verdict and evidence, on one goroutine.
func BenchmarkCompare(b *testing.B) {
	a := article(5, 1500)
	v := rewrite(a)
	c := New(nil)
	da, dv := retold.Document{Text: a}, retold.Document{Text: v}
	c.Compare(da, dv) // warm the stem cache, as in any real run
	b.SetBytes(int64(len(a) + len(v)))
	b.ReportAllocs()
	for b.Loop() {
		c.Compare(da, dv)
	}
}

// BenchmarkCompareProfiles measures the pair step alone, with both
// documents already profiled (the cost per candidate pair in a corpus).
func BenchmarkCompareProfiles(b *testing.B) {
	c := New(nil)
	pa, pv := c.Profile(retold.Document{Text: article(5, 1500)}), c.Profile(retold.Document{Text: rewrite(article(5, 1500))})
	b.ReportAllocs()
	for b.Loop() {
		c.CompareProfiles(pa, pv)
	}
}

// BenchmarkProfile measures profiling one 1,500-word article, the step
// cluster and add run once for every document (and again for a partner
// that left the window): analysis, numbers, names and shingles, and then
// the parts a judged pair builds on first use (alignment features,
// authored wording, name table). Profiling is about half of cluster's CPU.
func BenchmarkProfile(b *testing.B) {
	c := New(nil)
	d := retold.Document{Text: article(5, 1500)}
	c.Profile(d) // warm the stem cache, as in any real run
	for _, bm := range []struct {
		name string
		use  func(p *Profile)
	}{
		{"profile", func(*Profile) {}},
		{"judged", func(p *Profile) { p.features(); p.wording(); p.names() }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.Text)))
			b.ReportAllocs()
			for b.Loop() {
				bm.use(c.Profile(d))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// BenchmarkWord5Jaccard is the reference measured in the same run: the
// textbook baseline's work for one pair (word 5-gram sets of both texts and
// their exact Jaccard), so BenchmarkCompare can be read as a ratio on a
// noisy shared machine.
func BenchmarkWord5Jaccard(b *testing.B) {
	a := article(5, 1500)
	v := rewrite(a)
	b.SetBytes(int64(len(a) + len(v)))
	b.ReportAllocs()
	for b.Loop() {
		sketch.Jaccard(word5Reference(a), word5Reference(v))
	}
}

// word5Reference is the baseline's shingling: lower-case, split on every
// rune that is not a letter or digit, hash each run of five words.
func word5Reference(s string) []uint64 {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var hs []uint64
	for i := 0; i+5 <= len(words); i++ {
		hs = append(hs, xxh3.HashString(strings.Join(words[i:i+5], " ")))
	}
	return sketch.Set(hs)
}

// BenchmarkCompareLong measures a full compare of two long texts (a
// text and its rewrite, from templated sentences: the worst case for
// alignment, every sentence sharing words with hundreds of others), by
// their length in sentences. Run with -benchtime 1x for the large ones.
func BenchmarkCompareLong(b *testing.B) {
	for _, n := range []int{100, 1000, 4000, 16000, 40000} {
		b.Run(fmt.Sprintf("sentences=%d", n), func(b *testing.B) {
			a := article(9, 13*n)
			v := rewrite(a)
			c := New(nil)
			da, dv := retold.Document{Text: a}, retold.Document{Text: v}
			b.SetBytes(int64(len(a) + len(v)))
			for b.Loop() {
				c.Compare(da, dv)
			}
		})
	}
}
