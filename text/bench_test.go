package text

import (
	"os"
	"testing"
)

// BenchmarkAnalyze runs the whole pipeline on an invented 1,100-word news
// article with one Stemmer shared across iterations, as verify.Comparer
// shares one across documents.
func BenchmarkAnalyze(b *testing.B) {
	s := newsArticle(b)
	var st Stemmer
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(s, &st)
	}
}

// newsArticle returns the invented news article in testdata.
func newsArticle(tb testing.TB) string {
	data, err := os.ReadFile("testdata/news_article.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}
