package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// A scheduler runs the stages; retold only writes what the scheduler
// reads. Each task is the same command, `retold task --work DIR --stage
// NAME`, which takes its index from --index, else from the array
// variable of the scheduler: SLURM_ARRAY_TASK_ID (Slurm job arrays),
// JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs), or any other array
// service's variable passed as --index. The last step is `retold merge`,
// which writes the outputs in input order.

// Step is one job of a run on a scheduler: a stage's tasks, or the merge.
type Step struct {
	Name  string
	Tasks int
	// Args is the retold command line of each task, without the binary.
	Args []string
}

// Steps are the jobs of the plan in dir, in order: one a stage, then the
// merge into out (and dropped, when not "").
func Steps(dir string, p *Plan, out, dropped string) []Step {
	var steps []Step
	for _, s := range Stages(p) {
		steps = append(steps, Step{Name: s.Name, Tasks: s.Tasks(p), Args: []string{"task", "--work", dir, "--stage", s.Name}})
	}
	merge := []string{"merge", "--work", dir, "--out", out}
	if dropped != "" {
		merge = append(merge, "--dropped", dropped)
	}
	return append(steps, Step{Name: "merge", Tasks: 1, Args: merge})
}

// SlurmOptions are the settings of the sbatch scripts.
type SlurmOptions struct {
	Retold    string   // the retold binary, as the compute nodes see it
	Partition string   // "" for the cluster's default
	Extra     []string // more #SBATCH lines' arguments ("--time=01:00:00")
}

// SlurmScripts writes one sbatch script a step into dir/slurm, each a job
// array of the step's tasks, logs in dir/logs, and returns their paths
// in order. They are submitted in order, each with
// --dependency=afterok on the one before (SlurmSubmit).
func SlurmScripts(dir string, steps []Step, opt SlurmOptions) ([]string, error) {
	sdir := filepath.Join(dir, "slurm")
	for _, d := range []string{sdir, filepath.Join(dir, "logs")} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			return nil, err
		}
	}
	var paths []string
	for k, s := range steps {
		var b strings.Builder
		b.WriteString("#!/bin/bash\n")
		fmt.Fprintf(&b, "#SBATCH --job-name=retold-%s\n", s.Name)
		if s.Tasks > 1 {
			fmt.Fprintf(&b, "#SBATCH --array=0-%d\n", s.Tasks-1)
			fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(dir, "logs", s.Name+"-%a.log"))
		} else {
			fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(dir, "logs", s.Name+".log"))
		}
		b.WriteString("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n")
		if opt.Partition != "" {
			fmt.Fprintf(&b, "#SBATCH --partition=%s\n", opt.Partition)
		}
		for _, x := range opt.Extra {
			fmt.Fprintf(&b, "#SBATCH %s\n", x)
		}
		args := s.Args
		if s.Tasks == 1 && s.Name != "merge" {
			args = append(append([]string(nil), args...), "--index", "0")
		}
		fmt.Fprintf(&b, "exec %s", shellQuote(opt.Retold))
		for _, a := range args {
			b.WriteString(" " + shellQuote(a))
		}
		b.WriteString("\n")
		path := filepath.Join(sdir, fmt.Sprintf("%d-%s.sbatch", k+1, s.Name))
		if err := os.WriteFile(path, []byte(b.String()), 0o777); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// K8sOptions are the settings of the Kubernetes manifests.
type K8sOptions struct {
	Image string // an image with the retold binary on its PATH
	// Claim is the PersistentVolumeClaim that holds the work directory,
	// mounted at Mount (which the work directory, inputs and outputs
	// are under).
	Claim, Mount string
	// Parallelism bounds the pods of a step at once (0: all its tasks).
	Parallelism int
	// Retries is each index's backoffLimitPerIndex.
	Retries int
	// Name tells this run's Jobs from others'.
	Name string
}

// K8sManifests writes one Job manifest a step into dir/k8s (an Indexed
// Job for the stages, completionMode Indexed with backoffLimitPerIndex,
// so a failed task is retried alone and the others go on) and run.sh,
// which applies them in order and waits for each to complete. It returns
// the paths of the manifests, in order.
func K8sManifests(dir string, steps []Step, opt K8sOptions) ([]string, error) {
	kdir := filepath.Join(dir, "k8s")
	if err := os.MkdirAll(kdir, 0o777); err != nil {
		return nil, err
	}
	name := dnsLabel(opt.Name)
	var paths []string
	var run strings.Builder
	run.WriteString("#!/bin/sh\n# Runs the steps in order: each Job must complete before the next starts.\nset -eu\ncd \"$(dirname \"$0\")\"\n")
	for k, s := range steps {
		job := fmt.Sprintf("retold-%s-%s", name, s.Name)
		par := s.Tasks
		if opt.Parallelism > 0 {
			par = min(par, opt.Parallelism)
		}
		cmd := append([]string{"retold"}, s.Args...)
		if s.Tasks == 1 && s.Name != "merge" {
			cmd = append(cmd, "--index", "0")
		}
		var b strings.Builder
		b.WriteString("apiVersion: batch/v1\nkind: Job\nmetadata:\n")
		fmt.Fprintf(&b, "  name: %s\n  labels:\n    app.kubernetes.io/name: retold\n    retold/run: %s\n    retold/step: %s\n", job, name, s.Name)
		b.WriteString("spec:\n")
		fmt.Fprintf(&b, "  completions: %d\n  parallelism: %d\n", s.Tasks, par)
		if s.Tasks > 1 {
			fmt.Fprintf(&b, "  completionMode: Indexed\n  backoffLimitPerIndex: %d\n  maxFailedIndexes: 0\n", opt.Retries)
		} else {
			fmt.Fprintf(&b, "  backoffLimit: %d\n", opt.Retries)
		}
		b.WriteString("  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: retold\n")
		b.WriteString("    spec:\n      restartPolicy: Never\n      containers:\n      - name: retold\n")
		fmt.Fprintf(&b, "        image: %s\n", yamlString(opt.Image))
		b.WriteString("        command:\n")
		for _, a := range cmd {
			fmt.Fprintf(&b, "        - %s\n", yamlString(a))
		}
		b.WriteString("        resources:\n          requests:\n            cpu: \"1\"\n")
		fmt.Fprintf(&b, "        volumeMounts:\n        - name: work\n          mountPath: %s\n", yamlString(opt.Mount))
		fmt.Fprintf(&b, "      volumes:\n      - name: work\n        persistentVolumeClaim:\n          claimName: %s\n", yamlString(opt.Claim))
		file := fmt.Sprintf("%d-%s.yaml", k+1, s.Name)
		path := filepath.Join(kdir, file)
		if err := os.WriteFile(path, []byte(b.String()), 0o666); err != nil {
			return nil, err
		}
		paths = append(paths, path)
		fmt.Fprintf(&run, "kubectl apply -f %s\nkubectl wait --for=condition=complete --timeout=168h job/%s\n", file, job)
	}
	if err := os.WriteFile(filepath.Join(kdir, "run.sh"), []byte(run.String()), 0o777); err != nil {
		return nil, err
	}
	return paths, nil
}

// yamlString is s as a YAML scalar: a JSON string is one.
func yamlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// dnsLabel makes s a valid part of a Kubernetes object name.
func dnsLabel(s string) string {
	s = strings.ToLower(s)
	s = regexp.MustCompile(`[^a-z0-9-]+`).ReplaceAllString(s, "-")
	s = strings.Trim(s, "-")
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if s == "" {
		s = "job"
	}
	return s
}

// TaskIndex is the task index a scheduler gives: flag when >= 0, else
// SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX.
func TaskIndex(flag int, getenv func(string) string) (int, error) {
	if flag >= 0 {
		return flag, nil
	}
	for _, v := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"} {
		if s := getenv(v); s != "" {
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 {
				return 0, fmt.Errorf("%s=%q: not a task index", v, s)
			}
			return i, nil
		}
	}
	return 0, fmt.Errorf("no task index: give --index, or run as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)")
}
