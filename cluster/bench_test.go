package cluster

import (
	"context"
	"os"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/extract"
)

// BenchmarkClusterCorpus clusters the JSONL corpus named by
// RETOLD_BENCH_CORPUS (for example one made by ../shared/bench/gencorpus)
// and reports documents per second.
func BenchmarkClusterCorpus(b *testing.B) {
	path := os.Getenv("RETOLD_BENCH_CORPUS")
	if path == "" {
		b.Skip("set RETOLD_BENCH_CORPUS to a JSONL corpus")
	}
	r, err := extract.OpenJSONL(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	var docs []retold.Document
	bytes := 0
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		docs = append(docs, rec.Doc)
		bytes += len(rec.Doc.Text)
	}
	r.Close()
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := Cluster(context.Background(), docs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
}
