package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/dedup"
	"github.com/retold/retold/extract"
)

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func runDedup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dedup", "dedup --in IN.jsonl[.gz]|DIR --out KEPT.jsonl[.gz] [--dropped DROPPED.jsonl] [--threshold 0.8] [--ngram 5] [--against REF.jsonl[.gz]|DIR ...] [--workers N]")
	var ins, refs listFlag
	fs.Var(&ins, "in", "input `FILE` or DIR (JSONL, optionally gzipped, or WARC, feeds and pages as add reads them; a directory is read recursively in name order; - for stdin JSONL); may be repeated")
	out := fs.String("out", "", "kept records `FILE` (input lines unchanged; .gz compresses; - for stdout)")
	droppedPath := fs.String("dropped", "", "write one {\"id\",\"dup_of\",\"similarity\",\"kind\",\"kept\"} line per dropped record to `FILE` (in story mode kind is the compare verdict against the kept record and similarity its score)")
	threshold := fs.Float64("threshold", 0.8, "word-shingle Jaccard `T` at or above which a record is a near-duplicate")
	ngram := fs.Int("ngram", 5, "shingle size in `WORDS`")
	fs.Var(&refs, "against", "reference corpus `FILE` or DIR: drop records that near-duplicate it, without writing it out; may be repeated")
	keys := keyFlags(fs)
	workers := fs.Int("workers", 0, "signature goroutines (0: one per core); the output does not depend on it")
	tmp := fs.String("tmp", "", "`DIR` for the shingle log (default: the system temp dir)")
	memMB := fs.Int("mem", defaultDedupMemMB(), "memory budget in `MB` for the band buckets and the shingle log; past it they spill to files in --tmp (0: no budget; default a quarter of RAM)")
	seed := fs.Uint64("seed", 1, "hash seed")
	mode := fs.String("mode", "shingle", "`MODE`: shingle (streaming near-duplicate removal at --threshold) or story (drop every version of a story, rewrites and translations too, judged by the compare engine; reads the corpus into memory, at cluster's speed)")
	verifyPairs := fs.Bool("verify", true, "verify every LSH candidate on its shingle set; --verify=false trusts shared LSH buckets as text-dedup does (for comparison: it drops unrelated records)")
	sk := fs.String("sketch", "oneperm", "MinHash `SCHEME` behind the LSH keys: oneperm (fast) or kperm (the textbook k-permutation reference, for comparison)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *workers < 0 {
		return usageErr("--workers %d: want 0 (one per core) or more", *workers)
	}
	if len(pos) != 0 {
		return usageErr("takes no arguments (use --in and --out)")
	}
	if len(ins) == 0 || *out == "" {
		return usageErr("--in and --out are required")
	}
	if !(*threshold > 0 && *threshold <= 1) {
		return usageErr("--threshold must be in (0, 1]")
	}
	if *ngram < 1 {
		return usageErr("--ngram must be at least 1")
	}
	if *mode != "shingle" && *mode != "story" {
		return usageErr("unknown --mode %q (shingle or story)", *mode)
	}
	if *sk != "oneperm" && *sk != "kperm" {
		return usageErr("unknown --sketch %q (oneperm or kperm)", *sk)
	}
	if *memMB < 0 {
		return usageErr("--mem must be 0 or more")
	}
	if *memMB > 0 && e.getenv("GOMEMLIMIT") == "" {
		// The budget covers the index and the store; batches in flight and
		// the runtime take about 100 MB more. A soft limit there makes the
		// garbage collector return spilled slabs instead of letting the
		// heap double.
		old := debug.SetMemoryLimit(int64(*memMB+100) << 20)
		defer debug.SetMemoryLimit(old)
	}
	inputs, err := dedupInputs(e, ins)
	if err != nil {
		return err
	}
	against, err := dedupInputs(e, refs)
	if err != nil {
		return err
	}
	opt := dedup.Options{Threshold: *threshold, NGram: *ngram, Workers: *workers, TempDir: *tmp, Seed: *seed, Sketch: *sk, MemBytes: int64(*memMB) << 20, NoVerify: !*verifyPairs, Keys: *keys}
	start := time.Now()
	line := newStatus(e)
	if line.on {
		opt.Progress = func(docs, n int64) {
			s := max(time.Since(start).Seconds(), 1e-9)
			line.show(false, "dedup: %d docs, %.0f MB, %.1f MB/s, %.0f docs/s", docs, float64(n)/1e6, float64(n)/1e6/s, float64(docs)/s)
		}
	}
	bad := line.bad
	var rep dedup.Report
	var runErr error
	run := func(kept, dropped io.Writer) error {
		if *mode == "story" {
			rep, runErr = dedup.RunStories(ctx, opt, against, inputs, kept, dropped, bad)
		} else {
			rep, runErr = dedup.Run(ctx, opt, against, inputs, kept, dropped, bad)
		}
		if runErr != nil && !errors.Is(runErr, dedup.ErrTruncated) {
			return runErr
		}
		return nil
	}
	err = withOutput(e, *out, func(kept io.Writer) error {
		if *droppedPath == "" {
			return run(kept, nil)
		}
		return withOutput(e, *droppedPath, func(dropped io.Writer) error { return run(kept, dropped) })
	})
	line.clear()
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	if *mode == "story" {
		fmt.Fprintf(e.stderr, "dedup --mode story: %d docs, %.1f MB, kept %d, dropped %d, %d pairs verified, %d bad records skipped, %.2f s, peak RSS %s\n",
			rep.Docs, float64(rep.Bytes)/1e6, rep.Kept, rep.DroppedNear, rep.Candidates, rep.Bad, secs, peakRSS())
		return cmp.Or(runErr, partial(int(rep.Bad)), noRecords(rep.Docs+rep.Bad))
	}
	spilled := ""
	if rep.Spills > 0 {
		spilled = fmt.Sprintf(", spilled %d times", rep.Spills)
	}
	fmt.Fprintf(e.stderr, "dedup: %d docs, %.1f MB, %.1f MB/s, kept %d, dropped %d (exact %d, near %d), %d pairs verified, %d bad records skipped, %.2f s, buckets %.1f MB (%.0f bytes/doc%s), shingle log %.0f MB (%.0f MB on disk), peak RSS %s\n",
		rep.Docs, float64(rep.Bytes)/1e6, float64(rep.Bytes)/1e6/max(secs, 1e-9), rep.Kept,
		rep.DroppedExact+rep.DroppedNear, rep.DroppedExact, rep.DroppedNear, rep.Candidates, rep.Bad, secs,
		float64(rep.BucketBytes)/1e6, rep.MemoryPerDoc(), spilled, float64(rep.LogBytes)/1e6, float64(rep.LogDiskBytes)/1e6, peakRSS())
	return cmp.Or(runErr, partial(int(rep.Bad)), noRecords(rep.Docs+rep.Bad))
}

// dedupInputs expands files and directories into inputs, in the order
// given; a directory contributes its regular files, recursively, in
// lexical path order, skipping names that start with "." (extract.Sources,
// the walk retold add uses too). A JSONL file is read line by line; a
// file of another kind (WARC, a feed, a page) by its extract reader.
func dedupInputs(e *env, paths []string) ([]dedup.Input, error) {
	var inputs []dedup.Input
	for _, p := range paths {
		if p == "-" {
			inputs = append(inputs, dedup.Input{Name: "stdin", Open: func() (io.ReadCloser, error) { return io.NopCloser(e.stdin), nil }})
			continue
		}
		srcs, err := extract.Sources([]string{p})
		if err != nil {
			return nil, err
		}
		for _, src := range srcs {
			if src.Kind == extract.KindJSONL {
				inputs = append(inputs, fileInput(src.Path))
				continue
			}
			inputs = append(inputs, dedup.Input{Name: src.Path, Records: func() (extract.Reader, error) { return extract.Open(src, nil) }})
		}
	}
	return inputs, nil
}

func fileInput(path string) dedup.Input {
	return dedup.Input{Name: path, Open: func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, unwrapPathErr(err)
		}
		return f, nil
	}}
}

// unwrapPathErr drops the path an *fs.PathError repeats, since the
// caller names the file already.
func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// defaultDedupMemMB is a fair share of the machine's memory for the index
// and the shingle log: a quarter of MemTotal (Linux), or 1 GB where that
// is unknown.
func defaultDedupMemMB() int {
	if kb, ok := procKB("/proc/meminfo", "MemTotal:"); ok && kb > 0 {
		return int(kb / 1024 / 4)
	}
	return 1024
}

// noRecords is the error of a run whose inputs held no record at all.
func noRecords(n int64) error {
	if n > 0 {
		return nil
	}
	return fmt.Errorf("%w: the inputs hold no records", retold.ErrEmpty)
}
