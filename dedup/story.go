package dedup

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/verify"
)

// Story mode
//
// Shingle dedup removes copies and light edits. A news archive also holds
// rewrites, write-thrus and translations of one story, which share few
// word 5-grams; RunStories removes those too, keeping the first record of
// each story in input order. It is cluster.Cluster's story level (the
// compare engine verifying candidates from MinHash, fact and rare-word
// channels, with no chaining) used as a dedup: all records are read into
// memory first, so it is for corpora of up to a few hundred thousand
// records, at cluster's speed (about 800 records a second here), not
// shingle dedup's.
//
// For every dropped record the compare engine is run once more, against
// the kept record of its story, to report the verdict (kind) and score
// (similarity) between the two: a story joins records through any of its
// members, so the verdict against the kept record itself may be weaker
// than "version".

type storyRecord struct {
	doc retold.Document
	raw []byte
	ref bool
}

// RunStories reads the reference corpora and the inputs and writes the
// first input record of every story that holds no reference record to
// kept, as its input line, and a Dropped line for each other input record
// to dropped (if not nil), with Kind the compare verdict against the kept
// record and Similarity its score. Bad records and repeated ids (the
// first is kept) go to bad and are skipped. Only Workers and the input
// limits of opt apply.
func RunStories(ctx context.Context, opt Options, refs, inputs []Input, kept, dropped io.Writer, bad func(error)) (Report, error) {
	opt = opt.withDefaults()
	start := time.Now()
	var rep Report
	var recs []storyRecord
	seen := map[string]bool{}
	var truncated []error
	for _, set := range []struct {
		inputs []Input
		ref    bool
	}{{refs, true}, {inputs, false}} {
		for _, in := range set.inputs {
			err := readRecords(in, opt, func(r extract.Record) {
				if seen[r.Doc.ID] {
					bad(&extract.RecordError{Name: in.Name, Line: r.Line, Err: fmt.Errorf("%w: repeated id %q: skipped", retold.ErrFormat, r.Doc.ID)})
					rep.Bad++
					return
				}
				seen[r.Doc.ID] = true
				recs = append(recs, storyRecord{doc: r.Doc, raw: r.Raw, ref: set.ref})
				rep.Bytes += int64(len(r.Raw))
				if set.ref {
					rep.RefDocs++
				} else {
					rep.Docs++
				}
			}, func(err error) { bad(err); rep.Bad++ })
			if err != nil {
				bad(err)
				truncated = append(truncated, err)
			}
		}
	}
	if len(recs) == 0 {
		rep.Seconds = time.Since(start).Seconds()
		return rep, joinTruncated(truncated)
	}
	docs := make([]retold.Document, len(recs))
	for i, r := range recs {
		docs[i] = r.doc
	}
	copt := cluster.DefaultOptions
	copt.Workers = opt.Workers
	as, st, err := cluster.Cluster(ctx, docs, &copt)
	if err != nil {
		return rep, err
	}
	rep.Candidates = int64(st.Candidates)

	// The first record of each story, in input order (references first).
	first := map[string]int{}
	for i, a := range as {
		if _, ok := first[a.Story]; !ok {
			first[a.Story] = i
		}
	}
	type drop struct {
		i, of   int
		verdict retold.Verdict
		score   float64
	}
	var drops []drop
	for i, a := range as {
		if f := first[a.Story]; f != i && !recs[i].ref {
			drops = append(drops, drop{i: i, of: f})
		}
	}
	// The verdicts against the kept records, in parallel.
	cmp := verify.New(nil)
	var wg sync.WaitGroup
	next := make(chan int)
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				r := cmp.Compare(docs[drops[k].i], docs[drops[k].of])
				drops[k].verdict, drops[k].score = r.Verdict, r.Score
			}
		}()
	}
	for k := range drops {
		next <- k
	}
	close(next)
	wg.Wait()

	kw := bufio.NewWriterSize(kept, 1<<16)
	var dw *bufio.Writer
	if dropped != nil {
		dw = bufio.NewWriterSize(dropped, 1<<16)
	}
	k := 0
	for i, r := range recs {
		if r.ref {
			continue
		}
		if k < len(drops) && drops[k].i == i {
			d := drops[k]
			k++
			rep.DroppedNear++
			if dw == nil {
				continue
			}
			score, _ := strconv.ParseFloat(strconv.FormatFloat(d.score, 'f', 4, 64), 64)
			keptID := docs[d.of].ID
			line, err := json.Marshal(Dropped{ID: r.doc.ID, DupOf: keptID, Similarity: score, Kind: string(d.verdict), Kept: keptID, Against: recs[d.of].ref})
			if err != nil {
				return rep, err
			}
			dw.Write(line)
			dw.WriteByte('\n')
			continue
		}
		rep.Kept++
		kw.Write(r.raw)
		kw.WriteByte('\n')
	}
	if err := kw.Flush(); err != nil {
		return rep, fmt.Errorf("dedup: write kept: %w", err)
	}
	if dw != nil {
		if err := dw.Flush(); err != nil {
			return rep, fmt.Errorf("dedup: write dropped: %w", err)
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, joinTruncated(truncated)
}

// readRecords reads the good records of one input, each with its line
// (Raw) as it is written when kept. Bad ones go to badRec; the error
// returned is the one that ended the input early, if any.
func readRecords(in Input, opt Options, good func(extract.Record), badRec func(error)) error {
	var r extract.Reader
	if in.Records != nil {
		var err error
		if r, err = in.Records(); err != nil {
			return err
		}
	} else {
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		defer rc.Close()
		if r, err = extract.NewJSONL(in.Name, rc, &extract.JSONLOptions{MaxLine: opt.MaxLine, MaxBytes: opt.MaxBytes, Keys: opt.Keys}); err != nil {
			return err
		}
	}
	defer r.Close()
	return extract.Each(r, 0, func(rec extract.Record, err error) error {
		if err != nil {
			badRec(err)
			return nil
		}
		if rec.Raw == nil {
			if rec.Raw, err = appendRecord(nil, rec.Doc, opt.Keys); err != nil {
				return err
			}
		}
		good(rec)
		return nil
	})
}

func joinTruncated(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrTruncated, errors.Join(errs...))
}
