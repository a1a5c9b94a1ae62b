package pipeline

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/verify"
)

// The stages of a cluster job, in order.
var clusterStages = []Stage{
	{Name: "profile", Tasks: func(p *Plan) int { return p.Shards }, Run: profile},
	{Name: "candidates", Tasks: func(p *Plan) int { return 1 }, Run: candidates},
	{Name: "judge", Tasks: func(p *Plan) int { return p.Parts }, Run: judge},
	{Name: "group", Tasks: func(p *Plan) int { return 1 }, Run: groupStage},
}

// NewClusterPlan is the plan of a cluster of the files under paths in
// shards profile tasks and parts judge tasks (0: as many as shards).
func NewClusterPlan(paths []string, shards, parts int, keys extract.Keys) (*Plan, error) {
	p, err := newPlan("cluster", paths, shards, parts)
	if err != nil {
		return nil, err
	}
	p.Cluster = ClusterOptions{Keys: keys}
	return p, nil
}

// ClusterOptions are the options of a cluster job.
type ClusterOptions struct {
	Keys extract.Keys `json:"keys"`
}

// blob writes a length-prefixed byte string.
func (r *recWriter) blob(b []byte) {
	r.u32(uint32(len(b)))
	r.bytes(b)
}

func (r *recWriter) u64s(v []uint64) {
	r.u32(uint32(len(v)))
	for _, x := range v {
		r.u64(x)
	}
}

// blobReader reads what recWriter wrote, in order.
type blobReader struct {
	r   *bufio.Reader
	buf [8]byte
	err error
}

func (b *blobReader) read(n int) []byte {
	if b.err != nil {
		return nil
	}
	out := make([]byte, n)
	if _, err := io.ReadFull(b.r, out); err != nil {
		b.err = err
	}
	return out
}

func (b *blobReader) u32() uint32 {
	if b.err != nil {
		return 0
	}
	if _, err := io.ReadFull(b.r, b.buf[:4]); err != nil {
		b.err = err
		return 0
	}
	return binary.LittleEndian.Uint32(b.buf[:4])
}

func (b *blobReader) u64() uint64 {
	if b.err != nil {
		return 0
	}
	if _, err := io.ReadFull(b.r, b.buf[:8]); err != nil {
		b.err = err
		return 0
	}
	return binary.LittleEndian.Uint64(b.buf[:8])
}

func (b *blobReader) u64s() []uint64 {
	n := b.u32()
	if b.err != nil || n > 1<<26 {
		b.err = cmp.Or(b.err, errors.New("a list longer than any document's"))
		return nil
	}
	out := make([]uint64, n)
	for k := range out {
		out[k] = b.u64()
	}
	return out
}

// profile reads shard i's inputs as `retold cluster` does and, for each
// good record, keeps its document (docs.bin, looked up through meta.bin:
// ordinal, offset, length) and its print (prints.bin, in input order:
// ordinal, id, and what matching needs). Bad records go to bad.txt.
func profile(ctx context.Context, dir string, p *Plan, i int) error {
	return taskOutput(p.fs, taskDir(dir, "profile", i), func(out *taskFiles) error {
		ws, err := out.create("docs.bin", "meta.bin", "prints.bin", "bad.txt")
		if err != nil {
			return err
		}
		docs, meta, prints, bad := ws[0], ws[1], ws[2], ws[3]
		cmpr := verify.New(nil)
		fpr := cluster.NewFingerprinter(nil)
		opt := &extract.SourceOptions{Keys: p.Cluster.Keys}
		for _, f := range shardFiles(p, i) {
			if err := p.Inputs[f].check(); err != nil {
				return err
			}
			r, err := extract.Open(p.Inputs[f].Source, opt)
			if err != nil {
				bad.bytes([]byte(oneLine(err.Error()) + "\n"))
				continue
			}
			err = extract.Each(r, 0, func(rec extract.Record, err error) error {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if err != nil {
					bad.bytes([]byte(oneLine(err.Error()) + "\n"))
					return nil
				}
				ord := ordOf(f, rec.Line)
				b, err := json.Marshal(rec.Doc)
				if err != nil {
					return err
				}
				meta.u64(ord)
				meta.u64(uint64(docs.n))
				meta.u32(uint32(len(b)))
				docs.bytes(b)
				pr := fpr.PrintOf(cmpr.Profile(rec.Doc), rec.Doc.Date)
				prints.u64(ord)
				prints.blob([]byte(rec.Doc.ID))
				prints.blob([]byte(fmt.Sprintf("%s:%d", rec.Name, rec.Line)))
				prints.u64(pr.Content)
				prints.u32(uint32(pr.Day))
				prints.u32(math.Float32bits(pr.English))
				prints.u32(uint32(len(pr.Sig)))
				for _, v := range pr.Sig {
					prints.u32(v)
				}
				prints.u64s(pr.Bands)
				prints.u64s(pr.Keys)
				prints.u64s(pr.Facts)
				return nil
			})
			r.Close()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// The file broke off: the records before it are kept, as
				// retold cluster keeps them.
				bad.bytes([]byte(oneLine(fmt.Sprintf("%v (keeping the records before it)", err)) + "\n"))
			}
		}
		return nil
	})
}

// printRec is one record of prints.bin.
type printRec struct {
	ord       uint64
	id, place string
	cluster.Print
}

func (b *blobReader) print() (printRec, bool) {
	var r printRec
	r.ord = b.u64()
	if b.err != nil {
		if errors.Is(b.err, io.EOF) {
			b.err = nil
		}
		return r, false
	}
	r.id = string(b.read(int(b.u32())))
	r.place = string(b.read(int(b.u32())))
	r.Content = b.u64()
	r.Day = int32(b.u32())
	r.English = math.Float32frombits(b.u32())
	n := b.u32()
	if n > 1<<16 {
		b.err = cmp.Or(b.err, errors.New("a signature longer than any"))
		return r, false
	}
	r.Sig = make([]uint32, n)
	for k := range r.Sig {
		r.Sig[k] = b.u32()
	}
	r.Bands, r.Keys, r.Facts = b.u64s(), b.u64s(), b.u64s()
	return r, b.err == nil
}

// eachPrint calls fn with every print in input order: file by file, each
// file's records from its shard's prints.bin (a shard holds its files in
// order, each file's records together).
func eachPrint(dir string, p *Plan, fn func(r printRec) error) error {
	readers := make([]*blobReader, p.Shards)
	pending := make([]*printRec, p.Shards)
	for s := range readers {
		f, err := p.fs.Open(filepath.Join(taskDir(dir, "profile", s), "prints.bin"))
		if err != nil {
			return err
		}
		defer f.Close()
		readers[s] = &blobReader{r: bufio.NewReaderSize(f, 1<<20)}
	}
	for f := range p.Inputs {
		s := f % p.Shards
		for {
			if pending[s] == nil {
				r, ok := readers[s].print()
				if !ok {
					if readers[s].err != nil {
						return fmt.Errorf("%s: %w", filepath.Join(taskDir(dir, "profile", s), "prints.bin"), readers[s].err)
					}
					break
				}
				pending[s] = &r
			}
			if fileOf(pending[s].ord) != f {
				break
			}
			if err := fn(*pending[s]); err != nil {
				return err
			}
			pending[s] = nil
		}
	}
	return nil
}

// candidates takes every print in input order, as `retold cluster` does:
// a repeated id is reported and skipped (the first is kept), the others
// are numbered from 0 and matched with cluster.Candidates. It writes
// docs.bin (each number's ordinal, id and day), dup.bin (each number's
// first copy, or -1), pairs.P.bin for judge task B mod Parts: the
// candidates (A, B) in the order found, and dupids.txt.
func candidates(ctx context.Context, dir string, p *Plan, _ int) error {
	// As many documents as records profiled (meta.bin holds one 20-byte
	// record each), fewer the repeated ids: the index is sized once, and
	// the prints are read once.
	n := 0
	for s := range p.Shards {
		o, err := p.fs.Open(filepath.Join(taskDir(dir, "profile", s), "meta.bin"))
		if err != nil {
			return err
		}
		n += int(o.Size() / 20)
		o.Close()
	}
	return taskOutput(p.fs, taskDir(dir, "candidates", 0), func(out *taskFiles) error {
		ws, err := out.create("docs.bin", "dup.bin", "dupids.txt")
		if err != nil {
			return err
		}
		docs, dup, dupIDs := ws[0], ws[1], ws[2]
		parts, err := out.create(numbered("pairs.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		c := cluster.NewCandidates(n, nil)
		first := make(map[string]string, n) // id -> where it was first read
		var pairs []cluster.Pair
		j := int32(0)
		err = eachPrint(dir, p, func(r printRec) error {
			if at, ok := first[r.id]; ok {
				dupIDs.bytes([]byte(oneLine(fmt.Sprintf("%s: duplicate id %q (first at %s): skipped", r.place, r.id, at)) + "\n"))
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			first[r.id] = r.place
			docs.u64(r.ord)
			docs.blob([]byte(r.id))
			docs.u32(uint32(r.Day))
			var d int32
			d, pairs = c.Add(j, &r.Print, pairs[:0])
			dup.u32(uint32(d))
			for _, q := range pairs {
				w := parts[int(q.B)%p.Parts]
				w.u32(uint32(q.A))
				w.u32(uint32(q.B))
			}
			j++
			return nil
		})
		return err
	})
}

// docTable is candidates' docs.bin: each number's ordinal, id and day.
type docTable struct {
	ords []uint64
	ids  []string
	days []int32
}

func readDocTable(p *Plan, dir string) (*docTable, error) {
	f, err := p.fs.Open(filepath.Join(taskDir(dir, "candidates", 0), "docs.bin"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := &blobReader{r: bufio.NewReaderSize(f, 1<<20)}
	t := &docTable{}
	for {
		ord := b.u64()
		if b.err != nil {
			if errors.Is(b.err, io.EOF) {
				return t, nil
			}
			return nil, b.err
		}
		id := string(b.read(int(b.u32())))
		day := int32(b.u32())
		if b.err != nil {
			return nil, b.err
		}
		t.ords, t.ids, t.days = append(t.ords, ord), append(t.ids, id), append(t.days, day)
	}
}

// docStore reads documents from the profile outputs by ordinal.
type docStore struct {
	dir   string
	p     *Plan
	metas map[int][]byte
	files map[int]Object
}

func (s *docStore) doc(ord uint64) (retold.Document, error) {
	sh := fileOf(ord) % s.p.Shards
	meta, ok := s.metas[sh]
	if !ok {
		var err error
		if meta, err = readRecs(s.p.fs, filepath.Join(taskDir(s.dir, "profile", sh), "meta.bin"), 20); err != nil {
			return retold.Document{}, err
		}
		s.metas[sh] = meta
		f, err := s.p.fs.Open(filepath.Join(taskDir(s.dir, "profile", sh), "docs.bin"))
		if err != nil {
			return retold.Document{}, err
		}
		s.files[sh] = f
	}
	// A binary search over the fixed-width records.
	n := len(meta) / 20
	lo, hi := 0, n
	for lo < hi {
		m := (lo + hi) / 2
		if le64(meta[m*20:]) < ord {
			lo = m + 1
		} else {
			hi = m
		}
	}
	k := lo
	if k >= n || le64(meta[k*20:]) != ord {
		return retold.Document{}, fmt.Errorf("%s: not in the profile outputs", ordName(s.p, ord))
	}
	off, size := int64(le64(meta[k*20+8:])), int(le32(meta[k*20+16:]))
	b := make([]byte, size)
	if _, err := s.files[sh].ReadAt(b, off); err != nil {
		return retold.Document{}, err
	}
	var d retold.Document
	return d, json.Unmarshal(b, &d)
}

func (s *docStore) close() {
	for _, f := range s.files {
		f.Close()
	}
}

// judgeCache is how many profiles a judge task keeps.
const judgeCache = 1024

// judge verifies partition i's documents against their candidates with
// the compare engine (cluster.Judge: each document's neighbourhood is its
// candidates), profiling each document it needs from its text, and
// writes the edges with evidence to edges.bin: (A, B, verdict, score).
func judge(ctx context.Context, dir string, p *Plan, i int) error {
	pairs, err := readRecs(p.fs, filepath.Join(taskDir(dir, "candidates", 0), "pairs."+strconv.Itoa(i)+".bin"), 8)
	if err != nil {
		return err
	}
	t, err := readDocTable(p, dir)
	if err != nil {
		return err
	}
	ds := &docStore{dir: dir, p: p, metas: map[int][]byte{}, files: map[int]Object{}}
	defer ds.close()
	cmpr := verify.New(nil)
	// The latest profiles made: a document's partners are mostly recent
	// ones, and a story's original is the partner of many. The oldest
	// goes first, as in ClusterSource's window.
	cache := map[int32]*verify.Profile{}
	var made []int32
	profileOf := func(j int32) (*verify.Profile, error) {
		if pr, ok := cache[j]; ok {
			return pr, nil
		}
		if int(j) >= len(t.ords) {
			return nil, fmt.Errorf("document %d of %d", j, len(t.ords))
		}
		d, err := ds.doc(t.ords[j])
		if err != nil {
			return nil, err
		}
		if len(made) == judgeCache {
			delete(cache, made[0])
			made = made[1:]
		}
		pr := cmpr.Profile(d)
		cache[j] = pr
		made = append(made, j)
		return pr, nil
	}
	return taskOutput(p.fs, taskDir(dir, "judge", i), func(files *taskFiles) error {
		ws, err := files.create("edges.bin")
		if err != nil {
			return err
		}
		out := ws[0]
		for k := 0; k < len(pairs); {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			b := int32(le32(pairs[k+4:]))
			var as []int32
			for ; k < len(pairs) && int32(le32(pairs[k+4:])) == b; k += 8 {
				as = append(as, int32(le32(pairs[k:])))
			}
			pb, err := profileOf(b)
			if err != nil {
				return err
			}
			pas := make([]*verify.Profile, len(as))
			for m, a := range as {
				if pas[m], err = profileOf(a); err != nil {
					return err
				}
			}
			for _, e := range cluster.Judge(cmpr, b, pb, as, pas) {
				out.u32(uint32(e.A))
				out.u32(uint32(e.B))
				out.u8(byte(e.Verdict.Rank()))
				out.u64(math.Float64bits(e.Score))
			}
		}
		return nil
	})
}

// groupStage joins the edges of every judge task and the copies, groups
// them into stories and events (cluster.GroupDays) and writes
// labels.jsonl: `retold cluster`'s output, in input order.
func groupStage(ctx context.Context, dir string, p *Plan, _ int) error {
	t, err := readDocTable(p, dir)
	if err != nil {
		return err
	}
	var edges []cluster.Edge
	for v := range p.Parts {
		b, err := readRecs(p.fs, filepath.Join(taskDir(dir, "judge", v), "edges.bin"), 17)
		if err != nil {
			return err
		}
		for k := 0; k < len(b); k += 17 {
			edges = append(edges, cluster.Edge{A: int32(le32(b[k:])), B: int32(le32(b[k+4:])),
				Verdict: retold.Verdicts[b[k+8]], Score: math.Float64frombits(le64(b[k+9:]))})
		}
	}
	dups, err := readRecs(p.fs, filepath.Join(taskDir(dir, "candidates", 0), "dup.bin"), 4)
	if err != nil {
		return err
	}
	// A copy is an edge of full score to its first copy, after the others.
	for j := range len(dups) / 4 {
		if d := int32(le32(dups[4*j:])); d >= 0 {
			edges = append(edges, cluster.Edge{A: d, B: int32(j), Verdict: retold.Duplicate, Score: 1})
		}
	}
	g := cluster.GroupDays(t.days, edges, nil)
	return taskOutput(p.fs, taskDir(dir, "group", 0), func(files *taskFiles) error {
		ws, err := files.create("labels.jsonl")
		if err != nil {
			return err
		}
		enc := json.NewEncoder(ws[0].w)
		enc.SetEscapeHTML(false)
		for j, id := range t.ids {
			s := g.Story[j]
			if err := enc.Encode(cluster.Label{ID: id, Story: t.ids[s], Event: t.ids[g.Event[j]], Original: s == int32(j)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeCluster writes a cluster job's labels and returns its bad-record
// messages: the profile stage's in shard order, then the repeated ids.
func mergeCluster(dir string, p *Plan, labels io.Writer) (Totals, []string, error) {
	var t Totals
	n, err := copyLines(p.fs, filepath.Join(taskDir(dir, "group", 0), "labels.jsonl"), labels)
	if err != nil {
		return t, nil, err
	}
	t.Docs, t.Kept = n, n
	var messages []string
	for s := range p.Shards {
		b, err := p.fs.ReadFile(filepath.Join(taskDir(dir, "profile", s), "bad.txt"))
		if err != nil {
			return t, nil, err
		}
		messages = append(messages, splitLines(b)...)
	}
	b, err := p.fs.ReadFile(filepath.Join(taskDir(dir, "candidates", 0), "dupids.txt"))
	if err != nil {
		return t, nil, err
	}
	messages = append(messages, splitLines(b)...)
	t.Bad = int64(len(messages))
	return t, messages, nil
}

func splitLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
