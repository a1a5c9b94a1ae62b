package features

import (
	"os"
	"testing"
)

// benchText is invented news copy (six short wire stories, about 1,700
// words) with the usual mix of counts, money, percentages, times and names.
func benchText(b *testing.B) string {
	b.Helper()
	data, err := os.ReadFile("testdata/bench_news.txt")
	if err != nil {
		b.Fatalf("read benchmark text: %v", err)
	}
	return string(data)
}

// BenchmarkExtract runs each extractor over the same invented news text.
func BenchmarkExtract(b *testing.B) {
	s := benchText(b)
	for _, bm := range []struct {
		name string
		run  func(string)
	}{
		{"Numbers", func(s string) { Numbers(s) }},
		{"Entities", func(s string) { Entities(s) }},
		{"Quotes", func(s string) { Quotes(s) }},
		{"Dates", func(s string) { Dates(s) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				bm.run(s)
			}
		})
	}
}

func BenchmarkWordKey(b *testing.B) {
	words := []string{"Tokayev", "Kassym-Jomart", "Grindavík", "Zelenskyy", "Nazarbayev", "Almaty"}
	for b.Loop() {
		for _, w := range words {
			WordKey(w)
		}
	}
}

func TestBenchTextExtracts(t *testing.T) {
	// Keep the benchmark honest: its text must exercise every extractor.
	data, err := os.ReadFile("testdata/bench_news.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if n, e, q, d := len(Numbers(s)), len(Entities(s)), len(Quotes(s)), len(Dates(s)); n < 100 || e < 80 || q < 10 || d < 15 {
		t.Errorf("benchmark text finds %d numbers, %d entities, %d quotes, %d dates", n, e, q, d)
	}
}
