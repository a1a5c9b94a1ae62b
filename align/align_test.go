package align

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/zeebo/xxh3"
)

// sent makes a sentence whose features are its words, weight 1 each.
func sent(s string) Sentence {
	var fs []Feature
	for _, w := range strings.Fields(s) {
		fs = append(fs, Feature{Hash: xxh3.HashString(w), Weight: 1})
	}
	return Sentence{Features: Normalize(fs)}
}

func sents(ss ...string) []Sentence {
	out := make([]Sentence, len(ss))
	for i, s := range ss {
		out[i] = sent(s)
	}
	return out
}

func pairsOf(ps []Pair) [][2]int {
	out := [][2]int{}
	for _, p := range ps {
		out = append(out, [2]int{p.A, p.B})
	}
	return out
}

func TestAlign(t *testing.T) {
	tests := []struct {
		name string
		a, b []Sentence
		want [][2]int
	}{
		{"identical", sents("quake hits city", "toll rises to ten", "rescue goes on"),
			sents("quake hits city", "toll rises to ten", "rescue goes on"), [][2]int{{0, 0}, {1, 1}, {2, 2}}},
		{"reordered paragraphs", sents("quake hits city", "toll rises to ten", "rescue goes on"),
			sents("rescue goes on", "quake hits city", "toll rises to ten"), [][2]int{{0, 1}, {1, 2}, {2, 0}}},
		{"trimmed ending", sents("quake hits city", "toll rises to ten", "rescue goes on", "officials speak later"),
			sents("quake hits city", "toll rises to ten"), [][2]int{{0, 0}, {1, 1}}},
		{"inserted paragraph", sents("quake hits city", "toll rises to ten"),
			sents("quake hits city", "minister visits the region today", "toll rises to ten"), [][2]int{{0, 0}, {1, 2}}},
		{"sentence split in two", sents("quake hits city and toll rises to ten villagers", "rescue goes on"),
			sents("quake hits city", "and toll rises to ten villagers", "rescue goes on"), [][2]int{{0, 0}, {0, 1}, {1, 2}}},
		{"sentences merged", sents("quake hits city", "and toll rises to ten villagers", "rescue goes on"),
			sents("quake hits city and toll rises to ten villagers", "rescue goes on"), [][2]int{{0, 0}, {1, 0}, {2, 1}}},
		{"nothing shared", sents("quake hits city"), sents("election held in capital"), [][2]int{}},
		{"empty side", sents("quake hits city"), nil, [][2]int{}},
		{"below threshold", sents("quake hits the old city center hard"), sents("quake in a wholly unrelated story about markets and stocks"), [][2]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pairsOf(Align(tt.a, tt.b, nil))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Align = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"a b c", "a b c", 1},
		{"a b c d", "a b", 2 * 2.0 / 6},
		{"a b", "c d", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		if got := Similarity(sent(tt.a), sent(tt.b)); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Similarity(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestAlignMatchesReference holds the indexed alignment to the all-pairs
// reference on random documents with shared vocabulary.
func TestAlignMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 60)
	for i := range vocab {
		vocab[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	randDoc := func() []Sentence {
		n := rng.IntN(30)
		out := make([]Sentence, n)
		for i := range out {
			var fs []Feature
			for k := rng.IntN(12); k >= 0; k-- {
				fs = append(fs, Feature{Hash: xxh3.HashString(vocab[rng.IntN(len(vocab))]), Weight: float64(1+rng.IntN(3)) / 2})
			}
			out[i] = Sentence{Features: Normalize(fs)}
		}
		return out
	}
	for trial := 0; trial < 300; trial++ {
		a, b := randDoc(), randDoc()
		got := Align(a, b, nil)
		want := referenceAlign(a, b, DefaultOptions)
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d pairs, reference %d", trial, len(got), len(want))
		}
		for i := range got {
			if got[i].A != want[i].A || got[i].B != want[i].B || math.Abs(got[i].Sim-want[i].Sim) > 1e-9 {
				t.Fatalf("trial %d: pair %d = %+v, reference %+v", trial, i, got[i], want[i])
			}
		}
	}
}

func TestOrderAgreement(t *testing.T) {
	tests := []struct {
		pairs []Pair
		want  float64
	}{
		{nil, 0},
		{[]Pair{{0, 0, 1}, {1, 1, 1}, {2, 2, 1}}, 1},
		{[]Pair{{0, 2, 1}, {1, 0, 1}, {2, 1, 1}, {3, 3, 1}}, 0.75},
		{[]Pair{{0, 3, 1}, {1, 2, 1}, {2, 1, 1}, {3, 0, 1}}, 0.25},
	}
	for _, tt := range tests {
		if got := OrderAgreement(tt.pairs); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("OrderAgreement(%v) = %v, want %v", tt.pairs, got, tt.want)
		}
	}
}
