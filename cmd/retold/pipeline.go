package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/retold/retold/extract"
	"github.com/retold/retold/pipeline"
)

// The sharded commands: run (all stages here), slurm and k8s (write and
// submit what a scheduler runs), task (one task of a stage) and merge
// (the outputs, in input order).

// jobFlags are the flags that make a plan.
type jobFlags struct {
	job                *string
	work, out, dropped *string
	shards, parts      *int
	ins                listFlag
	threshold          *float64
	ngram              *int
	seed               *uint64
	keys               *extract.Keys
}

func addJobFlags(fs *flag.FlagSet) *jobFlags {
	j := &jobFlags{}
	j.job = fs.String("job", "dedup", "`JOB`: dedup (as retold dedup) or cluster (as retold cluster: --out gets the labels)")
	j.work = fs.String("work", "", "the work `DIR`: the plan and every stage's outputs (on a shared file system for slurm and k8s)")
	fs.Var(&j.ins, "in", "input `FILE` or DIR, as dedup reads them (no stdin); may be repeated")
	j.out = fs.String("out", "", "output `FILE`: the kept records of dedup or the labels of cluster, in input order, as those commands write them")
	j.dropped = fs.String("dropped", "", "dropped records `FILE` of dedup, as retold dedup writes them")
	j.shards = fs.Int("shards", 4, "sign and filter tasks: task i takes the input files i, i+N, ...")
	j.parts = fs.Int("parts", 0, "bucket and verify tasks (0: as many as --shards)")
	j.threshold = fs.Float64("threshold", 0.8, "word-shingle Jaccard `T` at or above which a record is a near-duplicate")
	j.ngram = fs.Int("ngram", 5, "shingle size in `WORDS`")
	j.seed = fs.Uint64("seed", 1, "hash seed")
	j.keys = keyFlags(fs)
	return j
}

// plan checks the flags and writes the plan into the work directory.
func (j *jobFlags) plan() (*pipeline.Plan, error) {
	switch {
	case *j.work == "" || *j.out == "" || len(j.ins) == 0:
		return nil, usageErr("--work, --in and --out are required")
	case *j.shards < 1 || *j.parts < 0:
		return nil, usageErr("--shards must be at least 1 and --parts 0 or more")
	case !(*j.threshold > 0 && *j.threshold <= 1):
		return nil, usageErr("--threshold %v: want 0 < T <= 1", *j.threshold)
	case *j.ngram < 1:
		return nil, usageErr("--ngram must be at least 1")
	case slices.Contains(j.ins, "-"):
		return nil, usageErr("a sharded job cannot read stdin: give files")
	case *j.job != "dedup" && *j.job != "cluster":
		return nil, usageErr("unknown --job %q (dedup or cluster)", *j.job)
	case *j.job == "cluster" && *j.dropped != "":
		return nil, usageErr("--dropped is dedup's")
	}
	// A path, or a file:// URL; the storage refuses other schemes.
	_, work, err := pipeline.OpenStorage(*j.work)
	if err != nil {
		return nil, err
	}
	if work, err = filepath.Abs(work); err != nil {
		return nil, err
	}
	*j.work = work
	var ins []string
	for _, in := range j.ins {
		a, err := filepath.Abs(in)
		if err != nil {
			return nil, err
		}
		ins = append(ins, a)
	}
	var p *pipeline.Plan
	if *j.job == "cluster" {
		p, err = pipeline.NewClusterPlan(ins, *j.shards, *j.parts, *j.keys)
	} else {
		p, err = pipeline.NewDedupPlan(ins, *j.shards, *j.parts, pipeline.DedupOptions{
			Threshold: *j.threshold, NGram: *j.ngram, Seed: *j.seed, Keys: *j.keys})
	}
	if err != nil {
		return nil, err
	}
	return p, p.Write(work)
}

func runRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "run", "run --local --work DIR --in IN... --out KEPT.jsonl [--dropped DROPPED.jsonl] [--shards N] [--workers W]")
	local := fs.Bool("local", false, "run every task on this machine (the only runner of run; see slurm and k8s)")
	j := addJobFlags(fs)
	workers := fs.Int("workers", 0, "tasks at once (0: one a core)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || !*local {
		return usageErr("run takes --local and flags only (for a cluster: retold slurm or retold k8s)")
	}
	if *workers < 0 {
		return usageErr("--workers must be 0 or more")
	}
	p, err := j.plan()
	if err != nil {
		return err
	}
	start := time.Now()
	line := newStatus(e)
	err = pipeline.RunLocal(ctx, *j.work, *workers, func(stage string, task, tasks int, ran bool) {
		line.show(false, "run: %s %d/%d", stage, task+1, tasks)
	})
	line.clear()
	if err != nil {
		return err
	}
	return mergeOutputs(e, *j.work, p, *j.out, *j.dropped, start)
}

// mergeOutputs writes the job's outputs and its summary.
func mergeOutputs(e *env, dir string, p *pipeline.Plan, out, dropped string, start time.Time) error {
	var tot pipeline.Totals
	var messages []string
	err := withOutput(e, out, func(kept io.Writer) error {
		var err error
		if dropped == "" {
			tot, messages, err = pipeline.Merge(dir, p, kept, nil)
			return err
		}
		return withOutput(e, dropped, func(d io.Writer) error {
			tot, messages, err = pipeline.Merge(dir, p, kept, d)
			return err
		})
	})
	if err != nil {
		return err
	}
	line := newStatus(e)
	for _, m := range messages {
		line.bad(errors.New(m))
	}
	if p.Job == "cluster" {
		fmt.Fprintf(e.stderr, "cluster (%d shards, %d parts): %d docs labelled, %d bad records skipped, %.2f s; work directory %s\n",
			p.Shards, p.Parts, tot.Docs, tot.Bad, time.Since(start).Seconds(), dir)
	} else {
		fmt.Fprintf(e.stderr, "dedup (%d shards, %d parts): %d docs, %.1f MB, kept %d, dropped %d, %d bad records skipped, %.2f s; work directory %s\n",
			p.Shards, p.Parts, tot.Docs, float64(tot.Bytes)/1e6, tot.Kept, tot.Dropped, tot.Bad, time.Since(start).Seconds(), dir)
	}
	if tot.Truncated > 0 {
		return fmt.Errorf("%d inputs ended early (reported above); everything before the breaks was processed", tot.Truncated)
	}
	return cmp.Or(partial(int(tot.Bad)), noRecords(tot.Docs+tot.Bad))
}

func runTask(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "task", "task --work DIR --stage NAME [--index I]")
	work := fs.String("work", "", "the work `DIR` of the job")
	stage := fs.String("stage", "", "the stage `NAME`")
	index := fs.Int("index", -1, "the task `I` (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *work == "" || *stage == "" {
		return usageErr("needs --work and --stage")
	}
	i, err := pipeline.TaskIndex(*index, e.getenv)
	if err != nil {
		return usageErr("%v", err)
	}
	start := time.Now()
	ran, err := pipeline.Task(ctx, *work, *stage, i)
	if err != nil {
		return err
	}
	what := "done"
	if !ran {
		what = "already done: skipped"
	}
	fmt.Fprintf(e.stderr, "task %s %d: %s, %.2f s, peak RSS %s\n", *stage, i, what, time.Since(start).Seconds(), peakRSS())
	return nil
}

func runMerge(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "merge", "merge --work DIR --out KEPT.jsonl [--dropped DROPPED.jsonl]")
	work := fs.String("work", "", "the work `DIR` of the job")
	out := fs.String("out", "", "kept records `FILE`")
	dropped := fs.String("dropped", "", "dropped records `FILE`")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *work == "" || *out == "" {
		return usageErr("needs --work and --out")
	}
	p, dir, err := pipeline.ReadPlan(*work)
	if err != nil {
		return err
	}
	return mergeOutputs(e, dir, p, *out, *dropped, time.Now())
}

func runSlurm(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "slurm", "slurm --work SHARED_DIR --in IN... --out KEPT.jsonl [--dropped FILE] [--shards N] [--partition P] [--dry-run]")
	j := addJobFlags(fs)
	partition := fs.String("partition", "", "the Slurm `PARTITION` (default: the cluster's)")
	var extra listFlag
	fs.Var(&extra, "sbatch", "one more #SBATCH `ARG` for every job (\"--time=02:00:00\"); may be repeated")
	bin := fs.String("retold", "", "the retold `BINARY` as the compute nodes see it (default: this one)")
	dry := fs.Bool("dry-run", false, "write the scripts and print the sbatch commands without submitting")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("slurm takes flags only")
	}
	p, err := j.plan()
	if err != nil {
		return err
	}
	if *bin == "" {
		if *bin, err = os.Executable(); err != nil {
			return err
		}
	}
	out, dropped := absOr(*j.out), absOr(*j.dropped)
	scripts, err := pipeline.SlurmScripts(*j.work, pipeline.Steps(*j.work, p, out, dropped),
		pipeline.SlurmOptions{Retold: *bin, Partition: *partition, Extra: extra})
	if err != nil {
		return err
	}
	var ids []string
	for _, s := range scripts {
		cmdArgs := []string{"--parsable"}
		if len(ids) > 0 {
			cmdArgs = append(cmdArgs, "--dependency=afterok:"+ids[len(ids)-1], "--kill-on-invalid-dep=yes")
		}
		cmdArgs = append(cmdArgs, s)
		if *dry {
			fmt.Fprintf(e.stdout, "sbatch %s\n", strings.Join(cmdArgs, " "))
			ids = append(ids, "$PREV")
			continue
		}
		c := exec.CommandContext(ctx, "sbatch", cmdArgs...)
		c.Stderr = e.stderr
		b, err := c.Output()
		if err != nil {
			return fmt.Errorf("sbatch %s: %w (the jobs submitted before it: %s)", s, err, strings.Join(ids, " "))
		}
		id, _, _ := strings.Cut(strings.TrimSpace(string(b)), ";")
		ids = append(ids, id)
		fmt.Fprintf(e.stdout, "%s\t%s\n", id, filepath.Base(s))
	}
	if !*dry {
		fmt.Fprintf(e.stderr, "slurm: %d jobs submitted, each after the one before. Follow them with: squeue -j %s\n"+
			"Logs: %s. Running the same command again resumes: finished tasks are skipped.\n",
			len(ids), strings.Join(ids, ","), filepath.Join(*j.work, "logs"))
	}
	return nil
}

func runK8s(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "k8s", "k8s --work DIR --in IN... --out KEPT.jsonl --image IMAGE --claim PVC --mount PATH [--shards N]")
	j := addJobFlags(fs)
	image := fs.String("image", "", "the container `IMAGE`, with retold on its PATH")
	claim := fs.String("claim", "", "the PersistentVolumeClaim `NAME` that holds the work directory, the inputs and the outputs")
	mount := fs.String("mount", "/data", "where the claim is mounted in the pods: --work, --in and --out are paths under it")
	parallel := fs.Int("parallelism", 0, "pods of a step at once (0: all its tasks)")
	retries := fs.Int("retries", 3, "retries of each task (backoffLimitPerIndex)")
	name := fs.String("name", "", "a `NAME` for this run's Jobs (default: the work directory's)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *image == "" || *claim == "" {
		return usageErr("k8s needs --image and --claim")
	}
	if *parallel < 0 || *retries < 0 {
		return usageErr("--parallelism and --retries must be 0 or more")
	}
	// The pods see the claim at --mount: every path must be under it.
	for _, path := range append([]string{*j.work, *j.out, *j.dropped}, j.ins...) {
		if a := absOr(path); a != "" && !strings.HasPrefix(a+"/", strings.TrimSuffix(*mount, "/")+"/") {
			return usageErr("%s is not under --mount %s, where the pods see the claim", path, *mount)
		}
	}
	p, err := j.plan()
	if err != nil {
		return err
	}
	out, dropped := absOr(*j.out), absOr(*j.dropped)
	paths, err := pipeline.K8sManifests(*j.work, pipeline.Steps(*j.work, p, out, dropped), pipeline.K8sOptions{
		Image: *image, Claim: *claim, Mount: *mount, Parallelism: *parallel, Retries: *retries,
		Name: cmp.Or(*name, filepath.Base(*j.work))})
	if err != nil {
		return err
	}
	for _, path := range paths {
		fmt.Fprintln(e.stdout, path)
	}
	fmt.Fprintf(e.stderr, "k8s: %d Job manifests written. Run them in order with: sh %s\n", len(paths), filepath.Join(*j.work, "k8s", "run.sh"))
	return nil
}

func absOr(p string) string {
	if p == "" || p == "-" {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
