package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/internal/sharedtest"
)

// singleCluster is `retold cluster` over the plan's inputs: its labels.
func singleCluster(t *testing.T, paths []string) string {
	t.Helper()
	r, err := extract.OpenAll(paths, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var docs []retold.Document
	if _, err := extract.ReadCorpus(r, "corpus", extract.CorpusOptions{}, func(d retold.Document) error {
		docs = append(docs, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	as, _, err := cluster.Cluster(context.Background(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, l := range cluster.Labels(as) {
		enc.Encode(l)
	}
	return b.String()
}

// splitCorpus cuts a JSONL file into files records, round robin, in a
// new folder, and adds a bad line and a repeated id.
func splitCorpus(t *testing.T, path string, files int) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("RETOLD_REQUIRE_SHARED") != "" {
			t.Fatalf("%s: %v (RETOLD_REQUIRE_SHARED is set)", path, err)
		}
		t.Skipf("%s: %v: the labeled data is in ../shared beside the repository", path, err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	dir := t.TempDir()
	parts := make([][]string, files)
	for i, l := range lines {
		parts[(i*7/len(lines)+i)%files] = append(parts[(i*7/len(lines)+i)%files], l)
	}
	parts[0] = append(parts[0], "not json")
	parts[files-1] = append(parts[files-1], lines[0]) // its id again
	var paths []string
	for f, ls := range parts {
		p := filepath.Join(dir, "part-"+string(rune('a'+f))+".jsonl")
		if err := os.WriteFile(p, []byte(strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func shardedCluster(t *testing.T, paths []string, shards int) (string, Totals) {
	t.Helper()
	p, err := NewClusterPlan(paths, shards, shards+1, extract.Keys{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "work")
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	if err := RunLocal(context.Background(), dir, 2, nil); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tot, _, err := Merge(dir, p, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), tot
}

// TestShardedClusterEqualsSingleProcess: the labels of the invented
// corpus (testdata/cluster) and of newsversions-dev (in ../shared), cut
// into files, are byte-identical to `retold cluster`'s at 1, 3 and 7
// shards.
func TestShardedClusterEqualsSingleProcess(t *testing.T) {
	sets := []struct {
		path  string
		files int
	}{
		{filepath.Join("..", "testdata", "cluster", "corpus.jsonl"), 5},
		{filepath.Join("..", "..", "shared", "data", "newsversions-dev.jsonl"), 9},
		{filepath.Join("..", "..", "shared", "data", "newsversions-dev2.jsonl"), 4},
		{filepath.Join("..", "..", "shared", "data", "newsversions-dev3.jsonl"), 6},
	}
	for _, set := range sets {
		paths := splitCorpus(t, set.path, set.files)
		want := singleCluster(t, paths)
		t.Logf("%s: %d labels, %d stories", filepath.Base(set.path), strings.Count(want, "\n"), strings.Count(want, `"original":true`))
		for _, shards := range []int{1, 3, 7} {
			got, tot := shardedCluster(t, paths, shards)
			if got != want {
				t.Errorf("%s, %d shards: labels differ from the single process:\n%s", filepath.Base(set.path), shards, firstDiff(got, want))
			}
			if tot.Bad != 2 {
				t.Errorf("%s, %d shards: %d bad records, want 2 (the bad line and the repeated id)", filepath.Base(set.path), shards, tot.Bad)
			}
		}
	}
}

// TestShardedClusterEqualsSingleProcessAt20k: 20,000 documents of
// gencorpus (../shared/bench: planted copies, trims, write-thrus,
// rewrites and translations) in 16 files, labelled at 1, 3 and 7 shards
// as retold cluster labels them.
func TestShardedClusterEqualsSingleProcessAt20k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 20,000 documents clustered four times")
	}
	// About 6 KB a document: 120 MB is about 20,000.
	corpus := sharedtest.Gencorpus(t, t.TempDir(), 3, 121)
	paths := splitCorpus(t, corpus, 16)
	want := singleCluster(t, paths)
	n := strings.Count(want, "\n")
	if n < 20000 {
		t.Fatalf("%d documents, want at least 20,000", n)
	}
	t.Logf("%d labels, %d stories", n, strings.Count(want, `"original":true`))
	for _, shards := range []int{1, 3, 7} {
		if got, _ := shardedCluster(t, paths, shards); got != want {
			t.Errorf("%d shards: labels differ from the single process:\n%s", shards, firstDiff(got, want))
		}
	}
}
