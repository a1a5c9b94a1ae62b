package pipeline

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/retold/retold/dedup"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/sketch"
)

// The stages of a dedup job, in order.
var dedupStages = []Stage{
	{Name: "sign", Tasks: func(p *Plan) int { return p.Shards }, Run: sign},
	{Name: "bucket", Tasks: func(p *Plan) int { return p.Parts }, Run: bucket},
	{Name: "verify", Tasks: func(p *Plan) int { return p.Parts }, Run: verifyStage},
	{Name: "components", Tasks: func(p *Plan) int { return 1 }, Run: components},
	{Name: "filter", Tasks: func(p *Plan) int { return p.Shards }, Run: filter},
}

// Stages are the stages of a job, in the order they run.
func Stages(p *Plan) []Stage {
	if p.Job == "cluster" {
		return clusterStages
	}
	return dedupStages
}

func stageNamed(p *Plan, name string) (Stage, bool) {
	for _, s := range Stages(p) {
		if s.Name == name {
			return s, true
		}
	}
	return Stage{}, false
}

func stageNames(p *Plan) string {
	var b bytes.Buffer
	for i, s := range Stages(p) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.Name)
	}
	return b.String()
}

// shardFiles are the numbers of the inputs of shard i.
func shardFiles(p *Plan, i int) []int {
	var out []int
	for f := i; f < len(p.Inputs); f += p.Shards {
		out = append(out, f)
	}
	return out
}

// input is the dedup.Input of the plan's file f.
func input(p *Plan, f int) dedup.Input {
	src := p.Inputs[f].Source
	if src.Kind == extract.KindJSONL {
		return dedup.Input{Name: src.Path, Open: func() (io.ReadCloser, error) { return os.Open(src.Path) }}
	}
	opt := &extract.SourceOptions{MaxBytes: p.Dedup.MaxBytes, Keys: p.Dedup.Keys}
	return dedup.Input{Name: src.Path, Records: func() (extract.Reader, error) { return extract.Open(src, opt) }}
}

// partOf is the bucket partition of a band key.
func partOf(band int, key uint64, parts int) int {
	return int(sketch.Mix64(key^uint64(band+1)) % uint64(parts))
}

// stats are a task's counts, kept in its output as stats.json.
type stats struct {
	Docs  int64 `json:"docs"`
	Bad   int64 `json:"bad"`
	Bytes int64 `json:"bytes"`
	// Truncated lists the inputs that ended early, with why.
	Truncated []string `json:"truncated,omitempty"`
}

func writeStats(out *taskFiles, s stats) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	w, err := out.create("stats.json")
	if err != nil {
		return err
	}
	w[0].bytes(append(b, '\n'))
	return nil
}

// sign signs the records of shard i's inputs: meta.bin (sorted by
// ordinal), sets.bin and ids.bin for looking records up, keys.P.bin
// with each band key for bucket partition P, bad.bin with the ordinals
// of lines refused and bad.txt with why, one message a line.
func sign(ctx context.Context, dir string, p *Plan, i int) error {
	return taskOutput(p.fs, taskDir(dir, "sign", i), func(out *taskFiles) error {
		signer, err := dedup.NewSigner(p.Dedup.engine())
		if err != nil {
			return err
		}
		ws, err := out.create("meta.bin", "sets.bin", "ids.bin", "bad.bin", "bad.txt")
		if err != nil {
			return err
		}
		meta, sets, ids, badOrds, badText := ws[0], ws[1], ws[2], ws[3], ws[4]
		keys, err := out.create(numbered("keys.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		var st stats
		opt := p.Dedup.engine()
		for _, f := range shardFiles(p, i) {
			if err := p.Inputs[f].check(); err != nil {
				return err
			}
			in := input(p, f)
			report := func(err error) {
				st.Bad++
				badText.bytes([]byte(oneLine(err.Error()) + "\n"))
			}
			fatal, err := dedup.EachLine(ctx, in, opt, func(line []byte, n int) error {
				ord := ordOf(f, n)
				st.Bytes += int64(len(line))
				sig, err := signer.Sign(line)
				if err != nil {
					badOrds.u64(ord)
					report(&extract.RecordError{Name: in.Name, Line: n, Err: err})
					return nil
				}
				st.Docs++
				meta.u64(ord)
				meta.u64(sig.Hash)
				meta.u64(uint64(sets.n / 3))
				meta.u32(uint32(len(sig.Shingles)))
				meta.u64(uint64(ids.n))
				meta.u32(uint32(len(sig.ID)))
				for _, v := range sig.Shingles {
					sets.u24(v)
				}
				ids.bytes(sig.ID)
				for band, key := range sig.Keys {
					w := keys[partOf(band, key, p.Parts)]
					w.u8(byte(band))
					w.u64(key)
					w.u64(ord)
					w.u64(sig.Hash)
				}
				return nil
			}, report)
			if err != nil {
				return err
			}
			if fatal != nil {
				st.Truncated = append(st.Truncated, oneLine(fatal.Error()))
			}
		}
		return writeStats(out, st)
	})
}

// bucket reads the band keys of partition i from every shard and, for
// each record, names its candidates: in each bucket (band and key) a
// record's candidates are the earliest MaxVerify records before it that
// are not exact copies, and a record whose text came before in the
// bucket is an exact copy of the first record with that text. Those go
// to verify task x mod Parts as cand.V.bin: (x, y, exact) records.
//
// A bucket's work is bounded by MaxVerify pairs a record, however large
// it is, and its memory by the partition's entries: a boilerplate key
// shared by millions of records costs no more than their entries.
func bucket(ctx context.Context, dir string, p *Plan, i int) error {
	var entries []byte
	for s := range p.Shards {
		b, err := readRecs(p.fs, filepath.Join(taskDir(dir, "sign", s), "keys."+strconv.Itoa(i)+".bin"), keyWidth)
		if err != nil {
			return err
		}
		entries = append(entries, b...)
	}
	n := len(entries) / keyWidth
	order := make([]int32, n)
	for k := range order {
		order[k] = int32(k)
	}
	at := func(k int32) []byte { return entries[int(k)*keyWidth:] }
	slices.SortFunc(order, func(a, b int32) int {
		ea, eb := at(a), at(b)
		if ea[0] != eb[0] {
			return int(ea[0]) - int(eb[0])
		}
		if c := cmpU64(le64(ea[1:]), le64(eb[1:])); c != 0 {
			return c
		}
		return cmpU64(le64(ea[9:]), le64(eb[9:]))
	})
	return taskOutput(p.fs, taskDir(dir, "bucket", i), func(out *taskFiles) error {
		cands, err := out.create(numbered("cand.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		emit := func(x, y uint64, exact bool) {
			w := cands[int(x%uint64(p.Parts))]
			w.u64(x)
			w.u64(y)
			if exact {
				w.u8(1)
			} else {
				w.u8(0)
			}
		}
		firstOf := map[uint64]uint64{} // hash -> the first record with it, in this bucket
		var reps []uint64              // the earliest records of the bucket that are not copies
		for k := 0; k < n; {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e := at(order[k])
			band, key := e[0], le64(e[1:])
			clear(firstOf)
			reps = reps[:0]
			for ; k < n; k++ {
				e := at(order[k])
				if e[0] != band || le64(e[1:]) != key {
					break
				}
				x, hash := le64(e[9:]), le64(e[17:])
				if y, ok := firstOf[hash]; ok {
					// A copy: said once, from band 0, where every record
					// stands with every copy of its text.
					if band == 0 {
						emit(x, y, true)
					}
					continue
				}
				firstOf[hash] = x
				for _, y := range reps {
					emit(x, y, false)
				}
				if len(reps) < dedup.MaxVerify {
					reps = append(reps, x)
				}
			}
		}
		return nil
	})
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// shardIndexes opens the sign outputs of every shard, for lookups.
type shardIndexes struct {
	dir string
	p   *Plan
	ix  map[int]*shardIndex
}

func (s *shardIndexes) of(ord uint64) (*shardIndex, error) {
	sh := fileOf(ord) % s.p.Shards
	if ix, ok := s.ix[sh]; ok {
		return ix, nil
	}
	ix, err := openShardIndex(s.p.fs, taskDir(s.dir, "sign", sh))
	if err != nil {
		return nil, err
	}
	s.ix[sh] = ix
	return ix, nil
}

func (s *shardIndexes) close() {
	for _, ix := range s.ix {
		ix.close()
	}
}

// verifyStage decides the records of partition i (x mod Parts == i) that have
// candidates: an exact copy of its first, or the most similar of its
// earliest MaxVerify candidates (the earliest on ties) at Jaccard >=
// threshold, read from the shingle sets the sign stage kept. Each gives
// an edge (x, y, similarity, exact) in edges.bin, sorted by x.
func verifyStage(ctx context.Context, dir string, p *Plan, i int) error {
	var cands []byte
	for b := range p.Parts {
		c, err := readRecs(p.fs, filepath.Join(taskDir(dir, "bucket", b), "cand."+strconv.Itoa(i)+".bin"), candWidth)
		if err != nil {
			return err
		}
		cands = append(cands, c...)
	}
	n := len(cands) / candWidth
	type cand struct {
		x, y  uint64
		exact bool
	}
	list := make([]cand, n)
	for k := range list {
		c := cands[k*candWidth:]
		list[k] = cand{le64(c), le64(c[8:]), c[16] == 1}
	}
	cands = nil
	slices.SortFunc(list, func(a, b cand) int {
		if c := cmpU64(a.x, b.x); c != 0 {
			return c
		}
		return cmpU64(a.y, b.y)
	})
	list = slices.Compact(list)
	ix := &shardIndexes{dir: dir, p: p, ix: map[int]*shardIndex{}}
	defer ix.close()
	threshold := p.Dedup.engine().Threshold
	if threshold == 0 {
		threshold = 0.8
	}
	return taskOutput(p.fs, taskDir(dir, "verify", i), func(files *taskFiles) error {
		ws, err := files.create("edges.bin")
		if err != nil {
			return err
		}
		out := ws[0]
		var xs, ys []uint32
		for k := 0; k < len(list); {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			x := list[k].x
			end := k
			for end < len(list) && list[end].x == x {
				end++
			}
			group := list[k:end]
			k = end
			best, bestSim, exact := uint64(0), 0.0, false
			if t := slices.IndexFunc(group, func(c cand) bool { return c.exact }); t >= 0 {
				best, bestSim, exact = group[t].y, 1, true
			} else {
				// The earliest MaxVerify distinct candidates, as Run
				// verifies them.
				var verified []uint64
				for _, c := range group {
					if len(verified) == dedup.MaxVerify {
						break
					}
					if len(verified) == 0 || verified[len(verified)-1] != c.y {
						verified = append(verified, c.y)
					}
				}
				sx, err := ix.of(x)
				if err != nil {
					return err
				}
				if xs, err = sx.set(x, xs[:0]); err != nil {
					return fmt.Errorf("the set of %s: %w", ordName(p, x), err)
				}
				found := false
				for _, y := range verified {
					sy, err := ix.of(y)
					if err != nil {
						return err
					}
					if ys, err = sy.set(y, ys[:0]); err != nil {
						return fmt.Errorf("the set of %s: %w", ordName(p, y), err)
					}
					if sim := dedup.Similarity(xs, ys); sim >= threshold && sim > bestSim {
						best, bestSim, found = y, sim, true
					}
				}
				if !found {
					continue
				}
			}
			out.u64(x)
			out.u64(best)
			out.u64(math.Float64bits(bestSim))
			if exact {
				out.u8(1)
			} else {
				out.u8(0)
			}
		}
		return nil
	})
}

// ordName names a record by its file and line, for errors.
func ordName(p *Plan, ord uint64) string {
	f := fileOf(ord)
	if f < len(p.Inputs) {
		return fmt.Sprintf("%s:%d", p.Inputs[f].Path, uint32(ord))
	}
	return fmt.Sprintf("record %#x", ord)
}

// components joins the edges of every verify task: a record with an
// edge is dropped as a copy or near-duplicate of its partner, and the
// kept record of its group is the root of its tree (every edge points to
// an earlier record, so the root is the group's first). For each shard
// it writes drop.S.bin: (ordinal, length, the line dropped writes),
// sorted by ordinal.
//
// It streams the edges, merged in ordinal order from the verify tasks'
// files (each sorted), so that a record's partner is reached before it.
// What it holds is the sorted set of partners (8 bytes each) and the
// root of each dropped record that is itself a partner: a chain of
// write-thrus, not every dropped record.
func components(ctx context.Context, dir string, p *Plan, _ int) error {
	edgeFile := func(v int) string { return filepath.Join(taskDir(dir, "verify", v), "edges.bin") }
	var targets []uint64
	if err := eachRec(p.fs, taskPaths(dir, "verify", p.Parts, "edges.bin"), edgeWidth, func(e []byte) { targets = append(targets, le64(e[8:])) }); err != nil {
		return err
	}
	slices.Sort(targets)
	targets = slices.Compact(targets)
	isTarget := func(o uint64) bool { _, ok := slices.BinarySearch(targets, o); return ok }
	root := map[uint64]uint64{} // the dropped partners' roots
	rootOf := func(o uint64) uint64 {
		if r, ok := root[o]; ok {
			return r
		}
		return o
	}
	ix := &shardIndexes{dir: dir, p: p, ix: map[int]*shardIndex{}}
	defer ix.close()
	id := func(o uint64) (string, error) {
		s, err := ix.of(o)
		if err != nil {
			return "", err
		}
		v, err := s.id(o)
		if err != nil {
			return "", fmt.Errorf("the id of %s: %w", ordName(p, o), err)
		}
		return v, nil
	}
	return taskOutput(p.fs, taskDir(dir, "components", 0), func(files *taskFiles) error {
		out, err := files.create(numbered("drop.", p.Shards, ".bin")...)
		if err != nil {
			return err
		}
		heads := &edgeHeads{}
		for v := range p.Parts {
			r, err := openEdges(p.fs, edgeFile(v))
			if err != nil {
				return err
			}
			defer r.close()
			if r.next() {
				heads.rs = append(heads.rs, r)
			} else if r.err != nil {
				return r.err
			}
		}
		heap.Init(heads)
		b := make([]byte, edgeWidth)
		for heads.Len() > 0 {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The next edge in ordinal order: the least head of the files.
			head := heads.rs[0]
			copy(b, head.rec)
			if head.next() {
				heap.Fix(heads, 0)
			} else {
				if head.err != nil {
					return head.err
				}
				heap.Pop(heads)
			}
			x, y := le64(b), le64(b[8:])
			sim, exact := math.Float64frombits(le64(b[16:])), b[24] == 1
			r := rootOf(y)
			if isTarget(x) {
				root[x] = r
			}
			xid, err := id(x)
			if err != nil {
				return err
			}
			dup, err := id(y)
			if err != nil {
				return err
			}
			kept, err := id(r)
			if err != nil {
				return err
			}
			line, err := dedup.DroppedLine(xid, dup, kept, sim, exact)
			if err != nil {
				return err
			}
			w := out[fileOf(x)%p.Shards]
			w.u64(x)
			w.u32(uint32(len(line)))
			w.bytes(line)
		}
		return nil
	})
}

// recReader reads a file of fixed-width records one at a time.
type recReader struct {
	o   Object
	r   *bufio.Reader
	rec []byte
	err error
}

func openRecs(fs Storage, path string, width int) (*recReader, error) {
	o, err := fs.Open(path)
	if err != nil {
		return nil, err
	}
	if o.Size()%int64(width) != 0 {
		o.Close()
		return nil, fmt.Errorf("%s: %d bytes, not whole records of %d", path, o.Size(), width)
	}
	return &recReader{o: o, r: bufio.NewReaderSize(o, 1<<16), rec: make([]byte, width)}, nil
}

func openEdges(fs Storage, path string) (*recReader, error) { return openRecs(fs, path, edgeWidth) }

// next reads the next record into rec, or reports the end (err is set
// when the end is not a clean one).
func (e *recReader) next() bool {
	if _, err := io.ReadFull(e.r, e.rec); err != nil {
		if err != io.EOF {
			e.err = err
		}
		return false
	}
	return true
}

func (e *recReader) close() { e.o.Close() }

// edgeHeads is a heap of record files by their current record's first
// value (an ordinal).
type edgeHeads struct{ rs []*recReader }

func (h *edgeHeads) Len() int           { return len(h.rs) }
func (h *edgeHeads) Less(i, j int) bool { return le64(h.rs[i].rec) < le64(h.rs[j].rec) }
func (h *edgeHeads) Swap(i, j int)      { h.rs[i], h.rs[j] = h.rs[j], h.rs[i] }
func (h *edgeHeads) Push(x any)         { h.rs = append(h.rs, x.(*recReader)) }
func (h *edgeHeads) Pop() any {
	last := h.rs[len(h.rs)-1]
	h.rs = h.rs[:len(h.rs)-1]
	return last
}

// filter reads shard i's inputs again and writes, for each input file F,
// kept.F.jsonl (its kept lines, as read, in order) and dropped.F.jsonl
// (a line for each dropped record, in order).
func filter(ctx context.Context, dir string, p *Plan, i int) error {
	drops, err := p.fs.ReadFile(filepath.Join(taskDir(dir, "components", 0), "drop."+strconv.Itoa(i)+".bin"))
	if err != nil {
		return err
	}
	badB, err := readRecs(p.fs, filepath.Join(taskDir(dir, "sign", i), "bad.bin"), 8)
	if err != nil {
		return err
	}
	bad := map[uint64]bool{}
	for k := 0; k < len(badB); k += 8 {
		bad[le64(badB[k:])] = true
	}
	opt := p.Dedup.engine()
	return taskOutput(p.fs, taskDir(dir, "filter", i), func(out *taskFiles) error {
		for _, f := range shardFiles(p, i) {
			if err := p.Inputs[f].check(); err != nil {
				return err
			}
			ws, err := out.create("kept."+strconv.Itoa(f)+".jsonl", "dropped."+strconv.Itoa(f)+".jsonl")
			if err != nil {
				return err
			}
			kept, dropped := ws[0], ws[1]
			_, err = dedup.EachLine(ctx, input(p, f), opt, func(line []byte, n int) error {
				ord := ordOf(f, n)
				if bad[ord] {
					return nil
				}
				// The drops are sorted by ordinal, as the lines come.
				if len(drops) >= 12 && le64(drops) == ord {
					size := int(binary.LittleEndian.Uint32(drops[8:]))
					dropped.bytes(drops[12 : 12+size])
					drops = drops[12+size:]
					return nil
				}
				kept.bytes(line)
				kept.u8('\n')
				return nil
			}, func(error) {})
			if err := cmp.Or(err, out.finish(kept, dropped)); err != nil {
				return err
			}
		}
		if len(drops) > 0 {
			return fmt.Errorf("%d bytes of drops name no record read: the inputs changed since the sign stage", len(drops))
		}
		return nil
	})
}

// oneLine keeps a message on one line.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// Merge writes the job's results in input order: every kept line to kept
// and every dropped line to dropped (nil: not written), and returns the
// bad-record messages and cut inputs of the sign stage, in shard order,
// and the totals.
func Merge(dir string, p *Plan, kept, dropped io.Writer) (Totals, []string, error) {
	if p.Job == "cluster" {
		return mergeCluster(dir, p, kept)
	}
	var t Totals
	var messages []string
	for f := range p.Inputs {
		task := taskDir(dir, "filter", f%p.Shards)
		for _, part := range []struct {
			name string
			w    io.Writer
			n    *int64
		}{{"kept", kept, &t.Kept}, {"dropped", dropped, &t.Dropped}} {
			path := filepath.Join(task, part.name+"."+strconv.Itoa(f)+".jsonl")
			n, err := copyLines(p.fs, path, part.w)
			if err != nil {
				return t, nil, err
			}
			*part.n += n
		}
	}
	for s := range p.Shards {
		task := taskDir(dir, "sign", s)
		b, err := p.fs.ReadFile(filepath.Join(task, "stats.json"))
		if err != nil {
			return t, nil, err
		}
		var st stats
		if err := json.Unmarshal(b, &st); err != nil {
			return t, nil, fmt.Errorf("%s: %w", task, err)
		}
		t.Docs, t.Bad, t.Bytes = t.Docs+st.Docs, t.Bad+st.Bad, t.Bytes+st.Bytes
		t.Truncated += len(st.Truncated)
		msgs, err := p.fs.ReadFile(filepath.Join(task, "bad.txt"))
		if err != nil {
			return t, nil, err
		}
		messages = append(messages, splitLines(msgs)...)
		messages = append(messages, st.Truncated...)
	}
	return t, messages, nil
}

// Totals are a job's counts.
type Totals struct {
	Docs, Bad, Bytes, Kept, Dropped int64
	Truncated                       int
}

// copyLines copies the file at path to w (nil: only counts) and returns
// its number of lines.
func copyLines(fs Storage, path string, w io.Writer) (int64, error) {
	b, err := fs.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if w != nil {
		if _, err := w.Write(b); err != nil {
			return 0, err
		}
	}
	return int64(bytes.Count(b, []byte("\n"))), nil
}
