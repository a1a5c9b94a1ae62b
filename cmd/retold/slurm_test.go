package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShardedJobsOnSlurm runs `retold slurm` on the Slurm of this
// machine (CI starts one: .ci/slurm-up.sh) over a small corpus in six
// files, a dedup job and then a cluster job, waits for their jobs, and
// compares the outputs with `retold dedup`'s and `retold cluster`'s.
// Without sbatch it skips, unless RETOLD_REQUIRE_SLURM is set.
func TestShardedJobsOnSlurm(t *testing.T) {
	if _, err := exec.LookPath("sbatch"); err != nil {
		if os.Getenv("RETOLD_REQUIRE_SLURM") != "" {
			t.Fatal("RETOLD_REQUIRE_SLURM is set and sbatch is not on PATH (bash .ci/slurm-up.sh starts a one-node Slurm)")
		}
		t.Skip("no sbatch on PATH: the Slurm test runs in CI (bash .ci/slurm-up.sh starts a one-node Slurm; RETOLD_REQUIRE_SLURM=1 makes this fail instead)")
	}
	dir := t.TempDir()
	// The jobs run the real binary, not this test.
	bin := filepath.Join(dir, "retold")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	corpus := filepath.Join(dir, "corpus")
	os.MkdirAll(corpus, 0o755)
	lines := strings.Split(strings.TrimSpace(dedupCorpus), "\n")
	for f := range 6 {
		var b strings.Builder
		for k := range 40 {
			// Each file repeats the base corpus with ids of its own and a
			// line of its own, so records meet their copies across files.
			for i, l := range lines {
				l = strings.Replace(l, `"id":"`, fmt.Sprintf(`"id":"f%d-%d-`, f, k), 1)
				if (k+i)%3 == 0 {
					l = strings.Replace(l, `officials said.`, fmt.Sprintf(`officials said in update %d.`, k), 1)
				}
				b.WriteString(l + "\n")
			}
		}
		writeFile(t, corpus, fmt.Sprintf("part-%d.jsonl", f), []byte(b.String()))
	}
	want := filepath.Join(dir, "want.jsonl")
	wantDropped := filepath.Join(dir, "want-dropped.jsonl")
	if r := runCLI(t, "", "dedup", "--in", corpus, "--out", want, "--dropped", wantDropped); r.code != 0 {
		t.Fatalf("dedup: exit %d: %s", r.code, r.stderr)
	}
	// The work directory must be on a file system the Slurm node shares:
	// here, the same machine.
	work, out, dropped := filepath.Join(dir, "work"), filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "dropped.jsonl")
	runOnSlurm(t, bin, work, "--job", "dedup", "--shards", "3", "--parts", "2", "--in", corpus, "--out", out, "--dropped", dropped)
	for _, pair := range [][2]string{{want, out}, {wantDropped, dropped}} {
		sameFile(t, pair[0], pair[1], work)
	}
	// Submitting again resumes: every task is found done.
	cmd := exec.Command(bin, "slurm", "--work", work, "--shards", "3", "--parts", "2", "--in", corpus, "--out", out, "--dropped", dropped, "--dry-run")
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "--dependency=afterok:") {
		t.Errorf("a dry run of the same job: %v\n%s", err, b)
	}

	// The cluster job, against retold cluster on the same files.
	wantLabels := filepath.Join(dir, "want-labels.jsonl")
	if r := runCLI(t, "", "cluster", "--in", corpus, "--out", wantLabels); r.code != 0 {
		t.Fatalf("cluster: exit %d: %s", r.code, r.stderr)
	}
	cwork, labels := filepath.Join(dir, "cwork"), filepath.Join(dir, "labels.jsonl")
	runOnSlurm(t, bin, cwork, "--job", "cluster", "--shards", "3", "--parts", "2", "--in", corpus, "--out", labels)
	sameFile(t, wantLabels, labels, cwork)
}

// runOnSlurm submits a job through `retold slurm` and waits for its jobs
// to leave the queue.
func runOnSlurm(t *testing.T, bin, work string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"slurm", "--work", work}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("retold slurm: %v\n%s", err, stderr.String())
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		id, _, _ := strings.Cut(l, "\t")
		ids = append(ids, id)
	}
	if len(ids) < 5 {
		t.Fatalf("want a job a stage and the merge, got %q", stdout.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	for {
		q, err := exec.CommandContext(ctx, "squeue", "-h", "-j", strings.Join(ids, ","), "-o", "%i %T %r").Output()
		if err != nil && ctx.Err() == nil {
			break // squeue fails on ids it no longer knows: the jobs are gone
		}
		if strings.TrimSpace(string(q)) == "" {
			break
		}
		if strings.Contains(string(q), "DependencyNeverSatisfied") {
			exec.Command("scancel", ids...).Run()
			t.Fatalf("a job failed, the rest will never run:\n%s\n%s", q, logs(work))
		}
		select {
		case <-ctx.Done():
			exec.Command("scancel", ids...).Run()
			t.Fatalf("the jobs did not finish in time:\n%s\n%s", q, logs(work))
		case <-time.After(time.Second):
		}
	}
}

func sameFile(t *testing.T, want, got, work string) {
	t.Helper()
	a, errA := os.ReadFile(want)
	b, errB := os.ReadFile(got)
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Errorf("%s differs from the single process (%v, %v)\n%s", filepath.Base(got), errA, errB, logs(work))
	}
}

// logs are the task logs of a work directory, for a failing test.
func logs(work string) string {
	var b strings.Builder
	paths, _ := filepath.Glob(filepath.Join(work, "logs", "*.log"))
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "== %s\n%s", filepath.Base(p), data)
	}
	return b.String()
}
