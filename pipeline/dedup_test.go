package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retold/retold/dedup"
)

// plantedCorpus writes files of invented records to dir: base stories,
// exact copies, light edits (near-duplicates at Jaccard well above 0.8),
// heavy rewrites (below it), a boilerplate family of 200 records that
// share most of their words (so its buckets hold far more than
// MaxVerify records), a few bad lines, and a gzipped file. Versions land
// in other files than their base, so they cross shards.
func plantedCorpus(t testing.TB, dir string, docs, files int) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(20, 26))
	vocab := make([]string, 3000)
	for i := range vocab {
		var b strings.Builder
		for range 3 + rng.IntN(6) {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		vocab[i] = b.String()
	}
	words := func(n int) []string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return w
	}
	edit := func(w []string, frac float64) []string {
		out := append([]string(nil), w...)
		for i := range out {
			if rng.Float64() < frac {
				out[i] = vocab[rng.IntN(len(vocab))]
			}
		}
		return out
	}
	var bases [][]string
	template := words(120)
	lines := make([][]string, files)
	put := func(id string, w []string) {
		f := rng.IntN(files)
		rec, _ := json.Marshal(map[string]string{"id": id, "text": strings.Join(w, " ") + "."})
		lines[f] = append(lines[f], string(rec))
	}
	for i := range docs {
		switch r := rng.IntN(100); {
		case r < 55 || len(bases) == 0:
			w := words(60 + rng.IntN(80))
			bases = append(bases, w)
			put(fmt.Sprintf("b%d", i), w)
		case r < 67:
			put(fmt.Sprintf("x%d", i), bases[rng.IntN(len(bases))]) // an exact copy
		case r < 82:
			put(fmt.Sprintf("n%d", i), edit(bases[rng.IntN(len(bases))], 0.02))
		case r < 90:
			put(fmt.Sprintf("r%d", i), edit(bases[rng.IntN(len(bases))], 0.4))
		case r < 91:
			put(fmt.Sprintf("bad%d", i), nil)
			f := rng.IntN(files)
			lines[f] = append(lines[f], "not json")
		default:
			if rng.IntN(8) == 0 {
				put(fmt.Sprintf("t%d", i), edit(template, 0.03)) // the boilerplate family
			} else {
				w := words(60 + rng.IntN(80))
				bases = append(bases, w)
				put(fmt.Sprintf("b%d", i), w)
			}
		}
	}
	for k := range 200 {
		// Now and then the template itself: a copy whose first record
		// stands behind more than MaxVerify earlier members of its
		// buckets.
		frac := 0.01
		if k%25 == 24 {
			frac = 0
		}
		put(fmt.Sprintf("t-extra%d", rng.IntN(1<<30)), edit(template, frac))
	}
	var paths []string
	for f, ls := range lines {
		body := strings.Join(ls, "\n") + "\n"
		name := filepath.Join(dir, fmt.Sprintf("part-%02d.jsonl", f))
		data := []byte(body)
		if f == 1 {
			name += ".gz"
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(data)
			zw.Close()
			data = b.Bytes()
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, name)
	}
	return paths
}

// plannedDedup is a dedup plan over a planted corpus of docs records in
// files files, with its inputs' paths.
func plannedDedup(t *testing.T, docs, files, shards, parts int) (*Plan, []string) {
	t.Helper()
	paths := plantedCorpus(t, t.TempDir(), docs, files)
	p, err := NewDedupPlan(paths, shards, parts, DedupOptions{Threshold: 0.8, NGram: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p, paths
}

// singleProcess is `retold dedup` over the plan's inputs.
func singleProcess(t *testing.T, p *Plan) (kept, dropped string) {
	t.Helper()
	var inputs []dedup.Input
	for f := range p.Inputs {
		inputs = append(inputs, input(p, f))
	}
	var k, d bytes.Buffer
	opt := p.Dedup.engine()
	if _, err := dedup.Run(context.Background(), opt, nil, inputs, &k, &d, func(error) {}); err != nil {
		t.Fatal(err)
	}
	return k.String(), d.String()
}

func sharded(t *testing.T, p *Plan, dir string) (kept, dropped string, tot Totals) {
	t.Helper()
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	if err := RunLocal(context.Background(), dir, 3, nil); err != nil {
		t.Fatal(err)
	}
	var k, d bytes.Buffer
	tot, _, err := Merge(dir, p, &k, &d)
	if err != nil {
		t.Fatal(err)
	}
	return k.String(), d.String(), tot
}

// TestShardedDedupEqualsSingleProcess: 1, 3 and 7 shards give the same
// bytes as dedup.Run on 20,000 records with planted copies, edits,
// rewrites and a boilerplate family.
func TestShardedDedupEqualsSingleProcess(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 3000
	}
	in := t.TempDir()
	paths := plantedCorpus(t, in, n, 16)
	opt := DedupOptions{Threshold: 0.8, NGram: 5, Seed: 1}
	p1, err := NewDedupPlan(paths, 1, 0, opt)
	if err != nil {
		t.Fatal(err)
	}
	wantKept, wantDropped := singleProcess(t, p1)
	exact, near := strings.Count(wantDropped, `"kind":"exact"`), strings.Count(wantDropped, `"kind":"near"`)
	t.Logf("single process: %d kept, %d exact and %d near drops", strings.Count(wantKept, "\n"), exact, near)
	if exact < n/20 || near < n/20 {
		t.Fatalf("the corpus plants too little: %d exact, %d near drops", exact, near)
	}
	for _, shards := range []int{1, 3, 7} {
		p, err := NewDedupPlan(paths, shards, shards+1, opt)
		if err != nil {
			t.Fatal(err)
		}
		kept, dropped, tot := sharded(t, p, filepath.Join(t.TempDir(), "work"))
		if kept != wantKept {
			t.Errorf("%d shards: kept differs from the single process (%d vs %d lines)", shards, strings.Count(kept, "\n"), strings.Count(wantKept, "\n"))
		}
		if dropped != wantDropped {
			t.Errorf("%d shards: dropped differs from the single process:\n%s", shards, firstDiff(dropped, wantDropped))
		}
		if tot.Kept+tot.Dropped != tot.Docs || tot.Bad == 0 {
			t.Errorf("%d shards: totals %+v", shards, tot)
		}
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines vs %d", len(la), len(lb))
}

// TestKilledTaskLeavesNoOutputAndRerunFinishes cancels a job mid-way (a
// killed task), checks that no task output is half written, and runs the
// job again to the same result.
func TestKilledTaskLeavesNoOutputAndRerunFinishes(t *testing.T) {
	p, _ := plannedDedup(t, 3000, 5, 3, 2)
	wantKept, wantDropped := singleProcess(t, p)
	dir := filepath.Join(t.TempDir(), "work")
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	// A sign task killed mid-write: its temporary directory holds part of
	// its files, and no output directory exists.
	ctx, cancel := context.WithCancel(context.Background())
	killed := false
	err := taskOutput(Files{}, taskDir(dir, "sign", 1), func(out *taskFiles) error {
		ws, _ := out.create("meta.bin")
		ws[0].bytes([]byte("half a reco"))
		killed = true
		cancel()
		return ctx.Err()
	})
	if err == nil || !killed || (Files{}).Exists(taskDir(dir, "sign", 1)) {
		t.Fatalf("the killed task left an output (%v)", err)
	}
	// A run cut short after the first stage.
	ctx, cancel = context.WithCancel(context.Background())
	err = RunLocal(ctx, dir, 2, func(stage string, task, tasks int, ran bool) {
		if stage == "bucket" {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("the cut run did not report it")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*", "*.tmp-*"))
	for _, l := range leftovers {
		if _, err := os.Stat(filepath.Join(l, "..", strings.Split(filepath.Base(l), ".tmp-")[0])); err == nil {
			t.Errorf("%s: a temporary directory beside its finished output", l)
		}
	}
	var ranAgain []string
	if err := RunLocal(context.Background(), dir, 2, func(stage string, task, tasks int, ran bool) {
		if ran && stage == "sign" {
			ranAgain = append(ranAgain, fmt.Sprint(task))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(ranAgain) == 3 {
		t.Error("the rerun signed every shard again: finished tasks were not kept")
	}
	var k, d bytes.Buffer
	if _, _, err := Merge(dir, p, &k, &d); err != nil {
		t.Fatal(err)
	}
	if k.String() != wantKept || d.String() != wantDropped {
		t.Error("the resumed job's output differs from the single process")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*", "*.tmp-*")); len(left) != 0 {
		t.Errorf("temporary directories left after the job: %v", left)
	}
}

func TestPlanRefusesAnotherJobsDirectory(t *testing.T) {
	in := t.TempDir()
	paths := plantedCorpus(t, in, 100, 2)
	dir := t.TempDir()
	a, _ := NewDedupPlan(paths, 2, 0, DedupOptions{Threshold: 0.8, NGram: 5})
	b, _ := NewDedupPlan(paths, 3, 0, DedupOptions{Threshold: 0.8, NGram: 5})
	if err := a.Write(dir); err != nil {
		t.Fatal(err)
	}
	if err := a.Write(dir); err != nil {
		t.Errorf("the same plan again: %v", err)
	}
	if err := b.Write(dir); err == nil {
		t.Error("another plan was written over the first")
	}
	if _, err := Task(context.Background(), dir, "nope", 0); err == nil || !strings.Contains(err.Error(), "sign, bucket") {
		t.Errorf("an unknown stage: %v", err)
	}
	if _, err := Task(context.Background(), dir, "sign", 2); err == nil {
		t.Error("task 2 of 2 ran")
	}
	if _, err := NewDedupPlan(paths, 0, 0, DedupOptions{Threshold: 0.8}); err == nil {
		t.Error("0 shards accepted")
	}
}

// TestAnInputChangedMidJobStopsIt: a file rewritten after the sign stage
// makes the filter stage fail with an error naming it, instead of
// mixing two versions of the corpus.
func TestAnInputChangedMidJobStopsIt(t *testing.T) {
	p, paths := plannedDedup(t, 300, 3, 2, 2)
	dir := filepath.Join(t.TempDir(), "work")
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	for _, stage := range []string{"sign", "bucket", "verify", "components"} {
		for i := range Stages(p)[slices.IndexFunc(Stages(p), func(s Stage) bool { return s.Name == stage })].Tasks(p) {
			if _, err := Task(context.Background(), dir, stage, i); err != nil {
				t.Fatal(err)
			}
		}
	}
	f, err := os.OpenFile(paths[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"id":"late","text":"A record added while the job ran."}` + "\n")
	f.Close()
	_, err = Task(context.Background(), dir, "filter", 0)
	if err == nil || !strings.Contains(err.Error(), paths[0]) || !strings.Contains(err.Error(), "changed since the job was planned") {
		t.Errorf("filter over a changed input: %v", err)
	}
	if (Files{}).Exists(taskDir(dir, "filter", 0)) {
		t.Error("the failed task left an output")
	}
}
