package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func testSteps(t *testing.T) (string, []Step) {
	in := t.TempDir()
	paths := plantedCorpus(t, in, 200, 4)
	p, err := NewDedupPlan(paths, 3, 2, DedupOptions{Threshold: 0.8, NGram: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "work dir")
	return dir, Steps(dir, p, "/data/out/kept.jsonl", "/data/out/dropped.jsonl")
}

// TestK8sManifestsSetTheJobFields reads back every manifest and checks
// the fields an Indexed Job run of the stages needs (kubectl apply
// --dry-run=client needs an API server to discover kinds, which CI does
// not have).
func TestK8sManifestsSetTheJobFields(t *testing.T) {
	dir, steps := testSteps(t)
	paths, err := K8sManifests(dir, steps, K8sOptions{Image: "registry.example/retold:1", Claim: "corpus", Mount: "/data", Retries: 2, Name: "Flood Run!"})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(steps) {
		t.Fatalf("%d manifests for %d steps", len(paths), len(steps))
	}
	for k, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var job struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string
			Metadata   struct{ Name string }
			Spec       struct {
				Completions          int
				Parallelism          int
				CompletionMode       string `yaml:"completionMode"`
				BackoffLimitPerIndex *int   `yaml:"backoffLimitPerIndex"`
				BackoffLimit         *int   `yaml:"backoffLimit"`
				Template             struct {
					Spec struct {
						RestartPolicy string `yaml:"restartPolicy"`
						Containers    []struct {
							Image        string
							Command      []string
							VolumeMounts []struct {
								Name      string
								MountPath string `yaml:"mountPath"`
							} `yaml:"volumeMounts"`
						}
						Volumes []struct {
							Name                  string
							PersistentVolumeClaim struct {
								ClaimName string `yaml:"claimName"`
							} `yaml:"persistentVolumeClaim"`
						}
					}
				}
			}
		}
		if err := yaml.Unmarshal(b, &job); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		s := steps[k]
		spec := job.Spec
		if job.APIVersion != "batch/v1" || job.Kind != "Job" || job.Metadata.Name != "retold-flood-run-"+s.Name {
			t.Errorf("%s: %s %s %q", path, job.APIVersion, job.Kind, job.Metadata.Name)
		}
		if spec.Completions != s.Tasks || spec.Parallelism != s.Tasks || spec.Template.Spec.RestartPolicy != "Never" {
			t.Errorf("%s: completions %d, parallelism %d, restartPolicy %q", path, spec.Completions, spec.Parallelism, spec.Template.Spec.RestartPolicy)
		}
		if s.Tasks > 1 && (spec.CompletionMode != "Indexed" || spec.BackoffLimitPerIndex == nil || *spec.BackoffLimitPerIndex != 2) {
			t.Errorf("%s: an array step is not an Indexed Job retrying each index: %+v", path, spec)
		}
		if s.Tasks == 1 && (spec.CompletionMode != "" || spec.BackoffLimit == nil) {
			t.Errorf("%s: a one-task step: %+v", path, spec)
		}
		c := spec.Template.Spec.Containers
		if len(c) != 1 || c[0].Image != "registry.example/retold:1" || c[0].Command[0] != "retold" ||
			!slices.Equal(c[0].Command[1:len(s.Args)+1], s.Args) {
			t.Errorf("%s: container %+v, want retold %q", path, c, s.Args)
		}
		v := spec.Template.Spec.Volumes
		if len(v) != 1 || v[0].PersistentVolumeClaim.ClaimName != "corpus" || c[0].VolumeMounts[0].MountPath != "/data" || c[0].VolumeMounts[0].Name != v[0].Name {
			t.Errorf("%s: volumes %+v", path, v)
		}
	}
	run, err := os.ReadFile(filepath.Join(dir, "k8s", "run.sh"))
	if err != nil || strings.Count(string(run), "kubectl wait --for=condition=complete") != len(steps) {
		t.Errorf("run.sh: %v\n%s", err, run)
	}
}

func TestSlurmScriptsChainTheSteps(t *testing.T) {
	dir, steps := testSteps(t)
	paths, err := SlurmScripts(dir, steps, SlurmOptions{Retold: "/opt/retold bin/retold", Partition: "batch", Extra: []string{"--time=01:00:00"}})
	if err != nil {
		t.Fatal(err)
	}
	for k, path := range paths {
		b, _ := os.ReadFile(path)
		s, text := steps[k], string(b)
		want := []string{"#!/bin/bash\n", "#SBATCH --job-name=retold-" + s.Name + "\n", "#SBATCH --partition=batch\n", "#SBATCH --time=01:00:00\n",
			"exec '/opt/retold bin/retold' " + s.Args[0]}
		if s.Tasks > 1 {
			want = append(want, "#SBATCH --array=0-"+strconv.Itoa(s.Tasks-1)+"\n", "logs/"+s.Name+"-%a.log")
		} else if s.Name != "merge" {
			want = append(want, "--index 0\n")
		}
		if strings.Contains(dir, " ") {
			want = append(want, "'"+dir+"'")
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", filepath.Base(path), w, text)
			}
		}
	}
}

func TestTaskIndexFromTheScheduler(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		flag int
		env  map[string]string
		want int
		ok   bool
	}{
		{4, nil, 4, true},
		{-1, map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, 2, true},
		{-1, map[string]string{"JOB_COMPLETION_INDEX": "6"}, 6, true},
		{-1, map[string]string{"SLURM_ARRAY_TASK_ID": "x"}, 0, false},
		{-1, nil, 0, false},
	} {
		got, err := TaskIndex(tc.flag, env(tc.env))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("TaskIndex(%d, %v) = %d, %v", tc.flag, tc.env, got, err)
		}
	}
}
