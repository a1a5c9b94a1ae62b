package extract

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// result is one step of reading: a record or an error's text.
type result struct {
	rec Record
	err string
}

func readByNext(t *testing.T, r *JSONLReader) (out []result, fatal string) {
	t.Helper()
	for {
		rec, err := r.Next()
		var re *RecordError
		switch {
		case err == io.EOF:
			return out, ""
		case errors.As(err, &re):
			out = append(out, result{err: err.Error()})
		case err != nil:
			return out, err.Error()
		default:
			out = append(out, result{rec: rec})
		}
	}
}

func readByEach(t *testing.T, r *JSONLReader, workers int) (out []result, fatal string) {
	t.Helper()
	err := r.Each(workers, func(rec Record, err error) error {
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("fn got a %T, want *RecordError: %v", err, err)
			}
			out = append(out, result{err: err.Error()})
			return nil
		}
		out = append(out, result{rec: rec})
		return nil
	})
	if err != nil {
		return out, err.Error()
	}
	return out, ""
}

// eachCorpus is a corpus of many lines, some of each kind of bad.
func eachCorpus(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	for i := range n {
		switch rng.IntN(12) {
		case 0:
			b.WriteString("not json\n")
		case 1:
			fmt.Fprintf(&b, "{\"id\": \"x%d\", \"text\": \"caf\xe9\"}\n", i)
		case 2:
			b.WriteString("   \n")
		case 3:
			fmt.Fprintf(&b, "{\"id\": \"long%d\", \"text\": %q}\n", i, strings.Repeat("word ", 400)) // past MaxLine below
		case 4:
			fmt.Fprintf(&b, "{\"id\": \"nul%d\", \"text\": \"a\\u0000b\"}\n", i)
		case 5:
			fmt.Fprintf(&b, "{\"id\": %v, \"text\": \"boolean id\"}\r\n", i%2 == 0)
		default:
			fmt.Fprintf(&b, "{\"id\": \"d%d\", \"title\": \"T%d\", \"text\": \"Text of record %d.\", \"date\": \"2024-05-%02d\", \"extra\": [1, 2]}\n", i, i, i, 1+i%28)
		}
	}
	return b.String()
}

func TestEachGivesWhatNextGives(t *testing.T) {
	corpus := eachCorpus(3000, 1)
	opt := &JSONLOptions{MaxLine: 1000}
	// Every kind of line is there: records and each kind of refusal.
	r, err := NewJSONL("in.jsonl", strings.NewReader(corpus), opt)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := readByNext(t, r)
	kinds := map[string]bool{}
	for _, x := range all {
		for _, k := range []string{"MaxLine", "UTF-8", "NUL", "must be a string", "invalid character"} {
			if strings.Contains(x.err, k) {
				kinds[k] = true
			}
		}
		if x.err == "" {
			kinds["record"] = true
		}
	}
	if len(kinds) != 6 {
		t.Fatalf("the corpus holds only %v", kinds)
	}
	cases := []struct {
		name  string
		data  string
		opt   *JSONLOptions
		fatal bool
	}{
		{"plain", corpus, opt, false},
		{"no final newline", strings.TrimSuffix(corpus, "\n"), opt, false},
		{"gzip", gzipString(t, corpus), opt, false},
		{"truncated gzip", gzipString(t, corpus)[:len(gzipString(t, corpus))/2], opt, true},
		{"MaxBytes passed", corpus, &JSONLOptions{MaxLine: 1000, MaxBytes: int64(len(corpus) / 3)}, true},
		{"one line", `{"id": "a", "text": "b"}`, nil, false},
		{"empty", "", nil, false},
	}
	for _, tc := range cases {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/workers=%d", tc.name, workers), func(t *testing.T) {
				open := func() *JSONLReader {
					r, err := NewJSONL("in.jsonl", strings.NewReader(tc.data), tc.opt)
					if err != nil {
						t.Fatal(err)
					}
					return r
				}
				want, wantFatal := readByNext(t, open())
				got, gotFatal := readByEach(t, open(), workers)
				if (wantFatal != "") != tc.fatal {
					t.Fatalf("the case is not what it says: fatal error %q", wantFatal)
				}
				if gotFatal != wantFatal {
					t.Errorf("fatal error %q, want %q", gotFatal, wantFatal)
				}
				if len(got) != len(want) {
					t.Fatalf("%d results, want %d", len(got), len(want))
				}
				for i := range want {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Fatalf("result %d: %+v, want %+v", i, got[i], want[i])
					}
				}
			})
		}
	}
}

func TestEachStopsWhenFnFails(t *testing.T) {
	r, err := NewJSONL("in.jsonl", strings.NewReader(eachCorpus(5000, 2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	calls := 0
	if err := r.Each(2, func(Record, error) error {
		if calls++; calls == 700 {
			return stop
		}
		return nil
	}); err != stop {
		t.Fatalf("Each returned %v, want fn's error", err)
	}
	if calls != 700 {
		t.Errorf("fn called %d times after failing at 700", calls)
	}
}
