package verify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	retold "github.com/retold/retold"
)

// corpus reads the documents of a JSONL text.
func corpus(t *testing.T, data string, limit int) []retold.Document {
	t.Helper()
	var docs []retold.Document
	for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
		var d retold.Document
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
		if len(docs) == limit {
			break
		}
	}
	return docs
}

// judgeMatches checks Judge against CompareProfiles on every pair and
// returns how many pairs of documents with different Lang fields are
// versions.
func judgeMatches(t *testing.T, name string, docs []retold.Document) int {
	c := New(nil)
	ps := make([]*Profile, len(docs))
	for i, d := range docs {
		ps[i] = c.Profile(d)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	bad, versions := 0, 0
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := w; b < len(ps); b += 2 {
				// As in a batch: b's neighbourhood is the documents
				// before it (every other b judged without one).
				var nb *Neighbourhood
				if b%4 < 2 {
					nb = NewNeighbourhood(ps[b], ps[:b])
				}
				for a := range b {
					got, score := c.JudgeIn(ps[a], ps[b], nb)
					res := c.CompareProfilesIn(ps[a], ps[b], nb)
					want := res.Verdict
					if want == retold.Version && docs[a].Lang != docs[b].Lang {
						mu.Lock()
						versions++
						mu.Unlock()
					}
					if got == retold.Version && score != res.Score {
						mu.Lock()
						if bad++; bad <= 5 {
							t.Errorf("%s %s/%s: version scored %v by Judge, %v by CompareProfiles", name, docs[a].ID, docs[b].ID, score, res.Score)
						}
						mu.Unlock()
					}
					if got != want {
						mu.Lock()
						if bad++; bad <= 5 {
							t.Errorf("%s %s/%s: Judge says %s, CompareProfiles %s", name, docs[a].ID, docs[b].ID, got, want)
						}
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	if bad > 0 {
		t.Errorf("%s: %d pairs differ", name, bad)
	}
	return versions
}

func TestJudgeAgreesWithCompare(t *testing.T) {
	invented, err := readFile(filepath.Join("..", "testdata", "cluster", "corpus.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	judgeMatches(t, "invented", corpus(t, invented, 0))
	judgeMatches(t, "newsversions-dev", corpus(t, readShared(t, filepath.Join("data", "newsversions-dev.jsonl")), 0))
	if testing.Short() {
		return
	}
	wmt := corpus(t, readShared(t, filepath.Join("data", "wmt-versions.jsonl")), 0)
	judgeMatches(t, "wmt-versions", wmt[:240])
	// Non-English sources beside English translations: the pairs the
	// cross-language rule decides. Every fifteenth source, with the
	// translations of its document.
	sources := corpus(t, readShared(t, filepath.Join("data", "wmt-versions-source.jsonl")), 0)
	var mixed []retold.Document
	for i := 0; i < len(sources); i += 15 {
		group := strings.TrimSuffix(sources[i].ID, "#source")
		mixed = append(mixed, sources[i])
		for _, d := range wmt {
			if strings.HasPrefix(d.ID, group+"#") {
				mixed = append(mixed, d)
			}
		}
	}
	if judgeMatches(t, "wmt-versions-source", mixed) == 0 {
		t.Error("wmt-versions-source: no pair is a version, so the cross-language rule went untested")
	}
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
