package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/retold/retold/dedup"
	"github.com/retold/retold/extract"
)

// PlanFile is the name of the plan in a work directory.
const PlanFile = "plan.json"

// Plan is a sharded job: its inputs, in order, how many tasks each stage
// has, and the options of the engine. Every task reads it from the work
// directory, so a task needs only the directory, its stage and its index.
type Plan struct {
	// Job is the engine: "dedup" or "cluster".
	Job string `json:"job"`
	// Inputs are the files, in input order; a file's place in this list
	// is its number in the ordinals.
	Inputs []Input `json:"inputs"`
	// Shards is the number of sign and filter tasks: task i takes the
	// inputs whose number is i modulo Shards.
	Shards int `json:"shards"`
	// Parts is the number of bucket partitions and of verify tasks.
	Parts int `json:"parts"`
	// Dedup holds the options of a dedup job, Cluster of a cluster job.
	Dedup   DedupOptions   `json:"dedup,omitzero"`
	Cluster ClusterOptions `json:"cluster,omitzero"`

	fs Storage // where the work directory is, once written or read
}

// Input is an input file of a plan, with its size and modification time
// when the plan was made: every task that reads it checks them, so a file
// changed in the middle of a job stops it with an error rather than
// mixing two versions of the corpus.
type Input struct {
	extract.Source
	Size    int64  `json:"size"`
	ModTime string `json:"mod_time"`
}

// check reports an error when the file is not the one the plan was made
// with.
func (in Input) check() error {
	st, err := os.Stat(in.Path)
	if err != nil {
		return err
	}
	if mt := st.ModTime().UTC().Format(time.RFC3339Nano); st.Size() != in.Size || mt != in.ModTime {
		return fmt.Errorf("%s changed since the job was planned (%d bytes, modified %s; now %d bytes, %s): start the job again in a new work directory",
			in.Path, in.Size, in.ModTime, st.Size(), mt)
	}
	return nil
}

// DedupOptions are the options of dedup.Run that the stages take.
type DedupOptions struct {
	Threshold float64      `json:"threshold"`
	NGram     int          `json:"ngram"`
	Seed      uint64       `json:"seed"`
	MaxLine   int          `json:"max_line,omitempty"`
	MaxBytes  int64        `json:"max_bytes,omitempty"`
	Keys      extract.Keys `json:"keys"`
}

func (o DedupOptions) engine() dedup.Options {
	return dedup.Options{Threshold: o.Threshold, NGram: o.NGram, Seed: o.Seed, MaxLine: o.MaxLine, MaxBytes: o.MaxBytes,
		Keys: o.Keys, Sketch: "oneperm"}
}

// NewDedupPlan is the plan of a dedup of the files under paths (as
// extract.Sources lists them) in shards sign and filter tasks and parts
// bucket and verify tasks (0: as many as shards).
func NewDedupPlan(paths []string, shards, parts int, opt DedupOptions) (*Plan, error) {
	// The same checks as the engine's, before any task runs.
	if _, err := dedup.NewSigner(opt.engine()); err != nil {
		return nil, err
	}
	p, err := newPlan("dedup", paths, shards, parts)
	if err != nil {
		return nil, err
	}
	p.Dedup = opt
	return p, nil
}

// newPlan is the plan of a job over the files under paths, without its
// options.
func newPlan(job string, paths []string, shards, parts int) (*Plan, error) {
	if shards < 1 {
		return nil, fmt.Errorf("pipeline: %d shards: want at least 1", shards)
	}
	if parts <= 0 {
		parts = shards
	}
	srcs, err := extract.Sources(paths)
	if err != nil {
		return nil, err
	}
	if len(srcs) >= 1<<ordFileBits {
		return nil, fmt.Errorf("pipeline: %d input files: at most %d", len(srcs), 1<<ordFileBits-1)
	}
	p := &Plan{Job: job, Shards: shards, Parts: parts}
	for _, src := range srcs {
		st, err := os.Stat(src.Path)
		if err != nil {
			return nil, err
		}
		p.Inputs = append(p.Inputs, Input{Source: src, Size: st.Size(), ModTime: st.ModTime().UTC().Format(time.RFC3339Nano)})
	}
	return p, nil
}

// Write puts the plan in dir, which it creates. A directory that holds
// another plan is refused: its outputs belong to that plan.
func (p *Plan) Write(work string) error {
	fs, dir, err := OpenStorage(work)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	path := filepath.Join(dir, PlanFile)
	if old, err := fs.ReadFile(path); err == nil {
		if string(old) != string(b) {
			return fmt.Errorf("pipeline: %s holds another job's plan; use a new work directory", dir)
		}
		// The same job: resume it.
	} else if err := fs.WriteFile(path, b); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	p.fs = fs
	return nil
}

// ReadPlan reads the plan of the work directory work, and returns it with
// the directory's path in its storage.
func ReadPlan(work string) (*Plan, string, error) {
	fs, dir, err := OpenStorage(work)
	if err != nil {
		return nil, "", err
	}
	b, err := fs.ReadFile(filepath.Join(dir, PlanFile))
	if err != nil {
		return nil, "", fmt.Errorf("pipeline: read the plan: %w", err)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, "", fmt.Errorf("pipeline: %s: %w", filepath.Join(dir, PlanFile), err)
	}
	if (p.Job != "dedup" && p.Job != "cluster") || p.Shards < 1 || p.Parts < 1 {
		return nil, "", fmt.Errorf("pipeline: %s: not a plan this version runs", filepath.Join(dir, PlanFile))
	}
	p.fs = fs
	return &p, dir, nil
}

// Stage is one step of a job, run as Tasks(plan) independent tasks.
type Stage struct {
	Name string
	// Tasks is how many tasks the stage has under a plan.
	Tasks func(p *Plan) int
	// Run runs task i of the stage: it reads the outputs of the stages
	// before and writes its own into the work directory, in one
	// directory renamed into place when complete.
	Run func(ctx context.Context, dir string, p *Plan, i int) error
}

// Task runs task i of the named stage of the plan in dir, unless its
// output is there already (a task that finished is never run again, so
// re-running a job resumes it).
func Task(ctx context.Context, work, stage string, i int) (ran bool, err error) {
	p, dir, err := ReadPlan(work)
	if err != nil {
		return false, err
	}
	s, ok := stageNamed(p, stage)
	if !ok {
		return false, fmt.Errorf("pipeline: no stage %q (the stages: %s)", stage, stageNames(p))
	}
	if n := s.Tasks(p); i < 0 || i >= n {
		return false, fmt.Errorf("pipeline: stage %s has tasks 0 to %d, not %d", stage, n-1, i)
	}
	if p.fs.Exists(taskDir(dir, stage, i)) {
		return false, nil
	}
	if err := s.Run(ctx, dir, p, i); err != nil {
		return true, fmt.Errorf("pipeline: %s task %d: %w", stage, i, err)
	}
	return true, nil
}

// taskDir is where task i of a stage puts its outputs.
func taskDir(dir, stage string, i int) string {
	return filepath.Join(dir, stage, strconv.Itoa(i))
}

// taskOutput runs write with the files of a fresh temporary directory of
// the storage beside final, closes them, and commits the directory as
// final when all went well, so that a task killed or failing mid-way
// leaves no output (Storage).
func taskOutput(fs Storage, final string, write func(out *taskFiles) error) error {
	tmp, err := fs.Begin(final)
	if err != nil {
		return err
	}
	out := &taskFiles{fs: fs, dir: tmp}
	err = write(out)
	if cerr := out.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fs.Commit(tmp, final)
	}
	if err != nil {
		fs.Discard(tmp)
	}
	return err
}

// taskFiles are the files a task writes into its temporary directory;
// taskOutput closes them.
type taskFiles struct {
	fs  Storage
	dir string
	all []*recWriter
}

// create makes the named files, in order.
func (t *taskFiles) create(names ...string) ([]*recWriter, error) {
	out := make([]*recWriter, len(names))
	for k, name := range names {
		w, err := createRec(t.fs, filepath.Join(t.dir, name))
		if err != nil {
			return nil, err
		}
		t.all = append(t.all, w)
		out[k] = w
	}
	return out, nil
}

// finish closes the given files before the task ends (a task that
// writes a file an input keeps few open), and returns the first error.
func (t *taskFiles) finish(ws ...*recWriter) error {
	var first error
	for _, w := range ws {
		if err := w.close(); err != nil && first == nil {
			first = err
		}
		t.all = slices.DeleteFunc(t.all, func(x *recWriter) bool { return x == w })
	}
	return first
}

// close closes every file and returns the first error.
func (t *taskFiles) close() error {
	var first error
	for _, w := range t.all {
		if err := w.close(); err != nil && first == nil {
			first = err
		}
	}
	t.all = nil
	return first
}

// numbered are the names prefix0suffix ... prefix(n-1)suffix.
func numbered(prefix string, n int, suffix string) []string {
	out := make([]string, n)
	for k := range out {
		out[k] = prefix + strconv.Itoa(k) + suffix
	}
	return out
}

func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// writeAtomic writes a file through a temporary file and a rename.
func writeAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
