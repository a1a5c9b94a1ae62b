package dedup

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/retold/retold/sketch"
)

// plantedCorpus is an invented corpus of n records: originals of random
// words, and versions of earlier records (exact copies, light edits,
// trims, heavy rewrites) at random. It returns the JSONL and the texts.
func plantedCorpus(seed uint64, n int) ([]byte, []string, []string) {
	r := rand.New(rand.NewPCG(seed, 99))
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%x", i*7919%100003)
	}
	word := func() string { // roughly Zipf: small indexes are common
		return vocab[int(float64(len(vocab))*math.Pow(r.Float64(), 3))]
	}
	var ids, texts []string
	var buf bytes.Buffer
	for i := range n {
		var words []string
		if i == 0 || r.Float64() < 0.6 {
			for range 80 + r.IntN(400) {
				words = append(words, word())
			}
		} else {
			words = strings.Fields(texts[r.IntN(len(texts))])
			switch r.IntN(4) {
			case 0: // exact copy
			case 1: // light edit: 1-3% of words replaced
				for range 1 + len(words)*r.IntN(3)/100 {
					words[r.IntN(len(words))] = word()
				}
			case 2: // trim 5-40%
				words = words[:len(words)-len(words)*(5+r.IntN(36))/100]
			case 3: // heavy rewrite: 20% of words replaced
				for range len(words) / 5 {
					words[r.IntN(len(words))] = word()
				}
			}
		}
		text := strings.Join(words, " ")
		id := fmt.Sprintf("r%05d", i)
		ids, texts = append(ids, id), append(texts, text)
		line, _ := json.Marshal(map[string]string{"id": id, "text": text, "title": "t"})
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), ids, texts
}

func bytesInput(name string, b []byte) Input {
	return Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

func runBytes(t *testing.T, opt Options, refs []Input, corpus []byte) (kept, dropped string, rep Report, bad []string) {
	t.Helper()
	var k, d bytes.Buffer
	rep, err := Run(context.Background(), opt, refs, []Input{bytesInput("corpus.jsonl", corpus)}, &k, &d, func(err error) { bad = append(bad, err.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	return k.String(), d.String(), rep, bad
}

func TestRunDropsWhatExactJaccardSaysAndNothingElse(t *testing.T) {
	corpus, ids, texts := plantedCorpus(1, 3000)
	const threshold = 0.8
	kept, dropped, rep, bad := runBytes(t, Options{Threshold: threshold, Workers: 2}, nil, corpus)
	if len(bad) > 0 {
		t.Fatalf("bad records: %v", bad)
	}
	index := map[string]int{}
	for i, id := range ids {
		index[id] = i
	}
	// Reference sets, interned to sorted numbers for a fast exact merge.
	sets := make([][]uint32, len(texts))
	intern := map[string]uint32{}
	for i, s := range texts {
		for sh := range referenceShingles(s, 5) {
			n, ok := intern[sh]
			if !ok {
				n = uint32(len(intern))
				intern[sh] = n
			}
			sets[i] = append(sets[i], n)
		}
		sets[i] = toSet(sets[i])
	}
	isDropped := map[string]Dropped{}
	for _, l := range strings.Split(strings.TrimSpace(dropped), "\n") {
		var d Dropped
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("dropped line %q: %v", l, err)
		}
		isDropped[d.ID] = d
		i, j := index[d.ID], index[d.DupOf]
		if j >= i {
			t.Fatalf("%s dropped as a duplicate of a later record %s", d.ID, d.DupOf)
		}
		exact := sketch.Jaccard(sets[i], sets[j])
		if exact < threshold-0.002 || math.Abs(exact-d.Similarity) > 0.002 {
			t.Errorf("%s dropped against %s at %.4f; exact Jaccard %.4f", d.ID, d.DupOf, d.Similarity, exact)
		}
		if (d.Kind == "exact") != (texts[i] == texts[j]) {
			t.Errorf("%s: kind %s, but texts equal = %v", d.ID, d.Kind, texts[i] == texts[j])
		}
	}
	// Recall against the ideal: every record whose exact Jaccard with some
	// earlier record reaches the threshold.
	should, found := 0, 0
	for i := range texts {
		best := 0.0
		for j := range i {
			// J <= min/max of the sizes: skip pairs that cannot reach it.
			small, big := min(len(sets[i]), len(sets[j])), max(len(sets[i]), len(sets[j]))
			if float64(small) >= threshold*float64(big) {
				best = max(best, sketch.Jaccard(sets[i], sets[j]))
			}
		}
		if best >= threshold {
			should++
			if _, ok := isDropped[ids[i]]; ok {
				found++
			}
		}
	}
	recall := float64(found) / float64(should)
	t.Logf("%d docs, %d should drop, %d dropped (%d exact), recall %.4f, %d candidates, index %d bytes (%.0f B/doc)",
		len(ids), should, len(isDropped), rep.DroppedExact, recall, rep.Candidates, rep.BucketBytes, rep.MemoryPerDoc())
	if should < 300 {
		t.Fatalf("corpus plants only %d duplicates", should)
	}
	if recall < 0.98 {
		t.Errorf("recall %.4f < 0.98", recall)
	}
	// Kept lines are the input lines unchanged, in input order.
	lines := strings.Split(strings.TrimSpace(string(corpus)), "\n")
	var want []string
	for i, l := range lines {
		if _, ok := isDropped[ids[i]]; !ok {
			want = append(want, l)
		}
	}
	if kept != strings.Join(want, "\n")+"\n" {
		t.Error("kept output is not the non-dropped input lines in order")
	}
	if rep.Kept+rep.DroppedExact+rep.DroppedNear != int64(len(ids)) || rep.Docs != int64(len(ids)) {
		t.Errorf("report %+v does not add up to %d docs", rep, len(ids))
	}
}

func TestRunIsDeterministicAcrossWorkers(t *testing.T) {
	corpus, _, _ := plantedCorpus(2, 2500)
	k1, d1, _, _ := runBytes(t, Options{Workers: 1}, nil, corpus)
	for _, w := range []int{2, 5} {
		k, d, _, _ := runBytes(t, Options{Workers: w}, nil, corpus)
		if k != k1 || d != d1 {
			t.Fatalf("workers=%d output differs from workers=1", w)
		}
	}
}

func TestRunAgainstReference(t *testing.T) {
	ref := []byte(`{"id":"ref1","text":"the river rose two meters overnight and flooded the old town of Coimbra on Tuesday"}` + "\n")
	corpus := []byte(`{"id":"a","text":"The river rose two meters overnight and flooded the old town of Coimbra on Tuesday."}
{"id":"b","text":"A new bridge opened in Porto after three years of work on the riverside"}
{"id":"c","text":"A new bridge opened in Porto after three years of work on the riverside"}
`)
	kept, dropped, rep, _ := runBytes(t, Options{}, []Input{bytesInput("ref.jsonl", ref)}, corpus)
	if want := `{"id":"b","text":"A new bridge opened in Porto after three years of work on the riverside"}` + "\n"; kept != want {
		t.Errorf("kept:\n%s\nwant:\n%s", kept, want)
	}
	want := `{"id":"a","dup_of":"ref1","similarity":1,"kind":"near","kept":"ref1","against":true}
{"id":"c","dup_of":"b","similarity":1,"kind":"exact","kept":"b"}
`
	if dropped != want {
		t.Errorf("dropped:\n%s\nwant:\n%s", dropped, want)
	}
	if rep.RefDocs != 1 || rep.Docs != 3 {
		t.Errorf("report %+v", rep)
	}
}

func TestRunReportsBadRecordsAndGoesOn(t *testing.T) {
	corpus := []byte(`{"id":"a","text":"one two three four five six"}
not json
{"id":"b"}
{"text":"no id here at all"}
{"id":"c","text":"bad \xff utf8"}

{"id":"d","text":"one two three four five six"}
`)
	kept, dropped, rep, bad := runBytes(t, Options{}, nil, corpus)
	if kept != `{"id":"a","text":"one two three four five six"}`+"\n" {
		t.Errorf("kept %q", kept)
	}
	if !strings.Contains(dropped, `"id":"d","dup_of":"a"`) {
		t.Errorf("dropped %q", dropped)
	}
	wantLines := []string{"corpus.jsonl:2:", "corpus.jsonl:3:", "corpus.jsonl:4:", "corpus.jsonl:5:"}
	if len(bad) != len(wantLines) {
		t.Fatalf("bad = %q", bad)
	}
	for i, w := range wantLines {
		if !strings.HasPrefix(bad[i], w) {
			t.Errorf("bad[%d] = %q, want prefix %q", i, bad[i], w)
		}
	}
	if rep.Bad != 4 || rep.Docs != 2 {
		t.Errorf("report %+v", rep)
	}
}

func TestRunKeepsWhatPrecedesATruncatedGzip(t *testing.T) {
	corpus, ids, _ := plantedCorpus(3, 400)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(corpus)
	zw.Close()
	cut := zb.Bytes()[:zb.Len()*2/3]
	var k bytes.Buffer
	var bad []error
	rep, err := Run(context.Background(), Options{}, nil, []Input{bytesInput("c.jsonl.gz", cut)}, &k, nil, func(err error) { bad = append(bad, err) })
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if rep.Docs == 0 || rep.Docs >= int64(len(ids)) {
		t.Errorf("read %d of %d docs before the cut", rep.Docs, len(ids))
	}
	if len(bad) != 1 || !strings.Contains(bad[0].Error(), "c.jsonl.gz:") || !strings.Contains(bad[0].Error(), "truncated gzip") {
		t.Errorf("bad = %v", bad)
	}
	if got := int64(strings.Count(k.String(), "\n")); got != rep.Kept {
		t.Errorf("%d kept lines written, report says %d", got, rep.Kept)
	}
}

// BenchmarkRunCorpus runs dedup end to end on the JSONL file named by
// RETOLD_DEDUP_BENCH_CORPUS (for example a gencorpus file), reporting MB/s
// of input and the buckets' bytes per document.
func BenchmarkRunCorpus(b *testing.B) {
	path := os.Getenv("RETOLD_DEDUP_BENCH_CORPUS")
	if path == "" {
		b.Skip("set RETOLD_DEDUP_BENCH_CORPUS to a JSONL corpus")
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
	b.SetBytes(st.Size())
	var rep Report
	for b.Loop() {
		rep, err = Run(context.Background(), Options{}, nil, []Input{in}, io.Discard, nil, func(error) {})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(rep.MemoryPerDoc(), "index-B/doc")
	b.ReportMetric(float64(rep.Docs), "docs")
}

func TestKPermSketchFindsTheSameDuplicates(t *testing.T) {
	corpus, _, _ := plantedCorpus(4, 2000)
	_, d1, r1, _ := runBytes(t, Options{}, nil, corpus)
	_, d2, r2, _ := runBytes(t, Options{Sketch: "kperm"}, nil, corpus)
	n1, n2 := r1.DroppedExact+r1.DroppedNear, r2.DroppedExact+r2.DroppedNear
	// LSH misses differ by chance only (each scheme misses about 0.5% of
	// the pairs near the threshold): within 2% of the drops.
	if diff := n1 - n2; diff*50 > n1 || -diff*50 > n1 {
		t.Errorf("oneperm dropped %d, kperm %d", n1, n2)
	}
	if d1 == "" || d2 == "" {
		t.Error("nothing dropped")
	}
}

func TestRunOutputDoesNotDependOnTheMemoryBudget(t *testing.T) {
	corpus, _, _ := plantedCorpus(5, 3000)
	k1, d1, r1, _ := runBytes(t, Options{}, nil, corpus)
	k2, d2, r2, _ := runBytes(t, Options{MemBytes: 200 << 10, TempDir: t.TempDir()}, nil, corpus)
	if r1.Spills != 0 || r2.Spills < 3 {
		t.Fatalf("spills: %d without budget, %d with", r1.Spills, r2.Spills)
	}
	if k1 != k2 || d1 != d2 {
		t.Errorf("output with a spilled index differs (%d spills)", r2.Spills)
	}
}

func TestNoVerifyTrustsBucketsAndDropsMore(t *testing.T) {
	corpus, _, _ := plantedCorpus(6, 2000)
	_, dv, rv, _ := runBytes(t, Options{}, nil, corpus)
	_, dn, rn, _ := runBytes(t, Options{NoVerify: true}, nil, corpus)
	if rn.Bands != 9 || rn.Rows != 13 {
		t.Errorf("NoVerify banding %d x %d, want datasketch's 9 x 13", rn.Bands, rn.Rows)
	}
	if rn.DroppedExact != rv.DroppedExact {
		t.Errorf("exact drops differ: %d verified, %d trusted", rv.DroppedExact, rn.DroppedExact)
	}
	if dv == dn {
		t.Error("trusting buckets changed nothing; the test corpus is too easy")
	}
}
