package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/cluster/baseline"
	"github.com/retold/retold/extract"
)

// clusterLine is one output record of `retold cluster`.
type clusterLine struct {
	ID       string `json:"id"`
	Story    string `json:"story"`
	Event    string `json:"event"`
	Original bool   `json:"original"`
}

// clusterGCPercent is the collector's GOGC under cluster's memory limit.
const clusterGCPercent = 200

func runCluster(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "cluster", "cluster --in IN.jsonl[.gz] --out OUT.jsonl [--workers N] [--method retold|minhash|tfidf] [--strict]")
	in := fs.String("in", "", "input corpus `PATH`: a JSONL file (optionally gzipped; - for stdin), or any file or folder add reads (WARC, feeds, pages)")
	out := fs.String("out", "", "output `FILE` (JSONL, one line per good input record; .gz compresses; - for stdout)")
	workers := fs.Int("workers", 0, "goroutines (0: one per core); the output does not depend on it")
	method := fs.String("method", "retold", "`METHOD`: retold, or a baseline: minhash (word 5-gram MinHash LSH at Jaccard 0.5) or tfidf (TF-IDF cosine single link)")
	eventCosine := fs.Float64("event-cosine", baseline.EventCosine, "with --method tfidf: the event level's cosine `THRESHOLD` (the default was tuned on newsversions-dev; sweep it to find a set's best)")
	keys := keyFlags(fs)
	strict := fs.Bool("strict", false, "fail on the first bad record instead of reporting and skipping it")
	tmp := fs.String("tmp", "", "`DIR` for the corpus spooled to disk while clustering (default: the system's temporary directory)")
	memMB := fs.Int("mem", 1800, "soft memory limit in `MB`: the garbage collector works harder near it and, below it, waits for the heap to triple (GOGC 200) (0: no limit, Go's defaults; the GOMEMLIMIT and GOGC environment variables win)")
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
	if *in == "" || *out == "" {
		return usageErr("--in and --out are required")
	}
	if *method != "retold" && *method != "minhash" && *method != "tfidf" {
		return usageErr("unknown --method %q (retold, minhash or tfidf)", *method)
	}
	if *memMB < 0 {
		return usageErr("--mem must be 0 or more")
	}
	if !(*eventCosine > 0 && *eventCosine <= 1) {
		return usageErr("--event-cosine %g: want a cosine in (0, 1]", *eventCosine)
	}
	if *memMB > 0 && e.getenv("GOMEMLIMIT") == "" {
		old := debug.SetMemoryLimit(int64(*memMB) << 20)
		defer debug.SetMemoryLimit(old)
		// Under a limit the heap cannot run away, so below it the
		// collector may wait for the heap to triple rather than double:
		// at 100k documents 0.91x the CPU for the same labels, peak 1.7 GB
		// instead of 1.2 (docs/benchmarks.md).
		if e.getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(clusterGCPercent))
		}
	}
	start := time.Now()
	var lines []clusterLine
	var bad int
	extra := ""
	switch *method {
	case "retold":
		// The texts wait on disk: memory holds only fingerprints and IDs.
		sp, err := cluster.NewSpool(*tmp)
		if err != nil {
			return err
		}
		defer sp.Close()
		if bad, err = readCorpus(e, *in, *keys, *strict, sp.Add); err != nil {
			return err
		}
		if err := sp.Seal(); err != nil {
			return err
		}
		opt := cluster.DefaultOptions
		opt.Workers = *workers
		line := newStatus(e)
		if line.on {
			opt.Progress = line.stages()
		}
		as, st, err := cluster.ClusterSource(ctx, sp, &opt)
		line.clear()
		if err != nil {
			return err
		}
		extra = fmt.Sprintf(", %d duplicates, %d pairs verified", st.Duplicates, st.Candidates)
		for _, a := range as {
			lines = append(lines, clusterLine{ID: a.ID, Story: a.Story, Event: a.Event, Original: a.Story == a.ID})
		}
	case "minhash", "tfidf":
		// minhash gives one partition for both levels; tfidf links at the
		// story and at the event cosine chosen on the dev data.
		var docs []retold.Document
		bad, err = readCorpus(e, *in, *keys, *strict, func(d retold.Document) error {
			docs = append(docs, d)
			return nil
		})
		if err != nil {
			return err
		}
		var stories, events []string
		if *method == "minhash" {
			stories = baseline.MinHash(docs, nil)
			events = stories
		} else {
			stories = baseline.TFIDF(docs, &baseline.Options{Threshold: baseline.StoryCosine, Workers: *workers})
			events = baseline.TFIDF(docs, &baseline.Options{Threshold: *eventCosine, Workers: *workers})
		}
		for i, d := range docs {
			lines = append(lines, clusterLine{ID: d.ID, Story: stories[i], Event: events[i], Original: stories[i] == d.ID})
		}
	}
	write := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return bw.Flush()
	}
	if err := withOutput(e, *out, write); err != nil {
		return err
	}
	stories, events := map[string]bool{}, map[string]bool{}
	for _, l := range lines {
		stories[l.Story], events[l.Event] = true, true
	}
	fmt.Fprintf(e.stderr, "cluster: %d docs, %d stories, %d events, %d bad records skipped%s, %.1f s\n",
		len(lines), len(stories), len(events), bad, extra, time.Since(start).Seconds())
	return partial(bad)
}

// readCorpus passes the good records of the corpus at path to add, in
// order, with progress and bad records on stderr, and returns how many bad
// ones it skipped (see extract.ReadCorpus). path is a JSONL file (- for
// stdin), or any file or directory retold add reads: WARC, feeds, pages.
func readCorpus(e *env, path string, keys extract.Keys, strict bool, add func(retold.Document) error) (int, error) {
	r, err := extract.OpenAll([]string{path}, e.stdin, &extract.SourceOptions{Keys: keys})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	start := time.Now()
	line := newStatus(e)
	defer line.clear()
	return extract.ReadCorpus(r, path, extract.CorpusOptions{
		Strict: strict,
		Report: line.bad,
		Progress: func(good int) {
			line.show(false, "reading %d records  %.0f/s", good, float64(good)/max(time.Since(start).Seconds(), 1e-9))
		},
	}, add)
}
