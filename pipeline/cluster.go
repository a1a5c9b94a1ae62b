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
	"slices"
	"sort"
	"strconv"

	retold "github.com/retold/retold"
	"github.com/retold/retold/cluster"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/verify"
)

// The stages of a cluster job, in order.
var clusterStages = []Stage{
	{Name: "profile", Tasks: func(p *Plan) int { return p.Shards }, Run: profile},
	{Name: "ids", Tasks: func(p *Plan) int { return p.Parts }, Run: idsStage},
	{Name: "copies", Tasks: func(p *Plan) int { return p.Parts }, Run: copies},
	{Name: "postings", Tasks: func(p *Plan) int { return p.Parts }, Run: postings},
	{Name: "anchors", Tasks: func(p *Plan) int { return p.Parts }, Run: anchors},
	{Name: "shares", Tasks: func(p *Plan) int { return p.Parts }, Run: shares},
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

// fixed reads n <= 8 bytes into b.buf, or nil after an error.
func (b *blobReader) fixed(n int) []byte {
	if b.err != nil {
		return nil
	}
	if _, err := io.ReadFull(b.r, b.buf[:n]); err != nil {
		b.err = err
		return nil
	}
	return b.buf[:n]
}

func (b *blobReader) u32() uint32 {
	if v := b.fixed(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (b *blobReader) u64() uint64 {
	if v := b.fixed(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
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
// ordinal, offset, length), its English share and 32-bit MinHash
// signature (sigs.bin, in meta.bin's order: sigWidth bytes each) and its
// ordinal, id, place and day (list.bin, in input order). It routes what
// the candidate stages need to their partitions: ids.P.bin (ordinal, id,
// place), content.P.bin (content hash, ordinal) and keys.P.bin (band,
// stem and fact keys with the ordinal). Bad records go to bad.txt.
func profile(ctx context.Context, dir string, p *Plan, i int) error {
	return taskOutput(p.fs, taskDir(dir, "profile", i), func(out *taskFiles) error {
		ws, err := out.create("docs.bin", "meta.bin", "sigs.bin", "list.bin", "bad.txt")
		if err != nil {
			return err
		}
		docs, meta, sigs, list, bad := ws[0], ws[1], ws[2], ws[3], ws[4]
		ids, err := out.create(numbered("ids.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		contents, err := out.create(numbered("content.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		keys, err := out.create(numbered("keys.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		key := func(k, ord uint64, kind byte) {
			w := keys[keyPart(k, kind == kindBand, p.Parts)]
			w.u64(k)
			w.u64(ord)
			w.u8(kind)
		}
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
				if len(pr.Sig) != sigLen {
					return fmt.Errorf("a signature of %d values, not %d", len(pr.Sig), sigLen)
				}
				sigs.u32(math.Float32bits(pr.English))
				for _, v := range pr.Sig {
					sigs.u32(v)
				}
				place := fmt.Sprintf("%s:%d", rec.Name, rec.Line)
				list.u64(ord)
				list.blob([]byte(rec.Doc.ID))
				list.blob([]byte(place))
				list.u32(uint32(pr.Day))
				w := ids[idPart(rec.Doc.ID, p.Parts)]
				w.u64(ord)
				w.blob([]byte(rec.Doc.ID))
				w.blob([]byte(place))
				w = contents[int(fmix(pr.Content)%uint64(p.Parts))]
				w.u64(pr.Content)
				w.u64(ord)
				for _, k := range pr.Bands {
					key(uint64(uint32(k)), ord, kindBand)
				}
				for _, k := range pr.Keys {
					kind := byte(kindKey)
					if _, ok := slices.BinarySearch(pr.Facts, k); ok {
						kind = kindFact
					}
					key(k, ord, kind)
				}
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

// sigLen is the length of a signature, and sigWidth the bytes of a
// record of sigs.bin: the English share and the signature.
var (
	sigLen   = cluster.DefaultOptions.Perms
	sigWidth = 4 + 4*sigLen
)

// listRec is one record of list.bin.
type listRec struct {
	ord       uint64
	id, place string
	day       int32
}

func (b *blobReader) listRec() (listRec, bool) {
	var r listRec
	r.ord = b.u64()
	if b.err != nil {
		if errors.Is(b.err, io.EOF) {
			b.err = nil
		}
		return r, false
	}
	r.id = string(b.read(int(b.u32())))
	r.place = string(b.read(int(b.u32())))
	r.day = int32(b.u32())
	return r, b.err == nil
}

// eachListed calls fn with every good record's list entry in input order:
// file by file, each file's records from its shard's list.bin (a shard
// holds its files in order, each file's records together).
func eachListed(dir string, p *Plan, fn func(r listRec) error) error {
	readers := make([]*blobReader, p.Shards)
	pending := make([]*listRec, p.Shards)
	for s := range readers {
		f, err := p.fs.Open(filepath.Join(taskDir(dir, "profile", s), "list.bin"))
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
				r, ok := readers[s].listRec()
				if !ok {
					if readers[s].err != nil {
						return fmt.Errorf("%s: %w", filepath.Join(taskDir(dir, "profile", s), "list.bin"), readers[s].err)
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

// docTable is the documents of the job in input order, repeated ids left
// out: each number's ordinal, id and day. The numbers are the ones
// retold cluster gives.
type docTable struct {
	ords []uint64
	ids  []string
	days []int32
}

func readDocTable(p *Plan, dir string) (*docTable, error) {
	repeats, _ := skipFiles(dir, p, false)
	k, err := newSkipper(p.fs, repeats, 8)
	if err != nil {
		return nil, err
	}
	defer k.close()
	t := &docTable{}
	err = eachListed(dir, p, func(r listRec) error {
		if held, err := k.holds(r.ord); held || err != nil {
			return err
		}
		t.ords, t.ids, t.days = append(t.ords, r.ord), append(t.ids, r.id), append(t.days, r.day)
		return nil
	})
	return t, err
}

// number is the number of the document of ordinal ord.
func (t *docTable) number(ord uint64) (int32, error) {
	j, ok := slices.BinarySearch(t.ords, ord)
	if !ok {
		return 0, fmt.Errorf("record %#x is not a document of the job", ord)
	}
	return int32(j), nil
}

// docStore reads documents and signatures from the profile outputs by
// ordinal.
type docStore struct {
	dir   string
	p     *Plan
	metas map[int][]byte
	files map[int][2]Object // docs.bin, sigs.bin
}

func newDocStore(dir string, p *Plan) *docStore {
	return &docStore{dir: dir, p: p, metas: map[int][]byte{}, files: map[int][2]Object{}}
}

// locate returns the shard of ord and its record's place in meta.bin.
func (s *docStore) locate(ord uint64) (int, int, error) {
	sh := fileOf(ord) % s.p.Shards
	meta, ok := s.metas[sh]
	if !ok {
		var err error
		pdir := taskDir(s.dir, "profile", sh)
		if meta, err = readRecs(s.p.fs, filepath.Join(pdir, "meta.bin"), 20); err != nil {
			return 0, 0, err
		}
		docs, err := s.p.fs.Open(filepath.Join(pdir, "docs.bin"))
		if err != nil {
			return 0, 0, err
		}
		sigs, err := s.p.fs.Open(filepath.Join(pdir, "sigs.bin"))
		if err != nil {
			docs.Close()
			return 0, 0, err
		}
		s.metas[sh], s.files[sh] = meta, [2]Object{docs, sigs}
	}
	// A binary search over the fixed-width records.
	n := len(meta) / 20
	k := sort.Search(n, func(m int) bool { return le64(meta[m*20:]) >= ord })
	if k >= n || le64(meta[k*20:]) != ord {
		return 0, 0, fmt.Errorf("%s: not in the profile outputs", ordName(s.p, ord))
	}
	return sh, k, nil
}

func (s *docStore) doc(ord uint64) (retold.Document, error) {
	sh, k, err := s.locate(ord)
	if err != nil {
		return retold.Document{}, err
	}
	meta := s.metas[sh]
	off, size := int64(le64(meta[k*20+8:])), int(le32(meta[k*20+16:]))
	b := make([]byte, size)
	if _, err := s.files[sh][0].ReadAt(b, off); err != nil {
		return retold.Document{}, err
	}
	var d retold.Document
	return d, json.Unmarshal(b, &d)
}

// sig reads the English share and signature of ord into dst (sigLen
// values).
func (s *docStore) sig(ord uint64, dst []uint32) (float32, error) {
	sh, k, err := s.locate(ord)
	if err != nil {
		return 0, err
	}
	b := make([]byte, sigWidth)
	if _, err := s.files[sh][1].ReadAt(b, int64(k)*int64(sigWidth)); err != nil {
		return 0, err
	}
	for v := range dst {
		dst[v] = le32(b[4+4*v:])
	}
	return math.Float32frombits(le32(b)), nil
}

func (s *docStore) close() {
	for _, f := range s.files {
		f[0].Close()
		f[1].Close()
	}
}

// judgeCache is how many profiles a judge task keeps, and sigCache how
// many signatures.
const (
	judgeCache = 1024
	sigCache   = 1 << 16
)

// fifo keeps the latest values made, the oldest going first: a
// document's partners are mostly recent ones.
type fifo[V any] struct {
	max  int
	m    map[uint64]V
	made []uint64
	make func(uint64) (V, error)
}

func newFIFO[V any](n int, mk func(uint64) (V, error)) *fifo[V] {
	return &fifo[V]{max: n, m: map[uint64]V{}, make: mk}
}

func (f *fifo[V]) get(k uint64) (V, error) {
	if v, ok := f.m[k]; ok {
		return v, nil
	}
	v, err := f.make(k)
	if err != nil {
		return v, err
	}
	if len(f.made) == f.max {
		delete(f.m, f.made[0])
		f.made = f.made[1:]
	}
	f.m[k] = v
	f.made = append(f.made, k)
	return v, nil
}

// touchRec is one record of touch.Q.bin or share.Q.bin.
type touchRec struct {
	j, i uint64
	ch   byte
}

// judge takes partition i's documents, scores the earlier documents the
// channels touched (cluster.CandidateRule: the estimate from the
// signatures, the anchors and facts in common), keeps the best
// MaxCandidates (cluster.BestCandidates) and verifies the document
// against them with the compare engine (cluster.Judge: its neighbourhood
// is its candidates), profiling each document it needs from its text. It
// writes the edges with evidence to edges.bin: (earlier ordinal, later
// ordinal, verdict, score).
func judge(ctx context.Context, dir string, p *Plan, i int) error {
	var ts []touchRec
	add := func(b []byte) { ts = append(ts, touchRec{le64(b), le64(b[8:]), b[16]}) }
	name := "." + strconv.Itoa(i) + ".bin"
	if err := eachRec(p.fs, taskPaths(dir, "postings", p.Parts, "touch"+name), touchWidth, add); err != nil {
		return err
	}
	if err := eachRec(p.fs, taskPaths(dir, "shares", p.Parts, "share"+name), touchWidth, add); err != nil {
		return err
	}
	slices.SortFunc(ts, func(a, b touchRec) int {
		if c := cmp.Compare(a.j, b.j); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	counts, err := readRecs(p.fs, filepath.Join(taskDir(dir, "anchors", i), "counts.bin"), countWidth)
	if err != nil {
		return err
	}
	countsOf := func(j uint64) (anchors, facts int) {
		n := len(counts) / countWidth
		k := sort.Search(n, func(m int) bool { return le64(counts[m*countWidth:]) >= j })
		if k < n && le64(counts[k*countWidth:]) == j {
			return int(le32(counts[k*countWidth+8:])), int(le32(counts[k*countWidth+12:]))
		}
		return 0, 0
	}
	keyDF, err := readKeyDF(p, dir, i)
	if err != nil {
		return err
	}
	ds := newDocStore(dir, p)
	defer ds.close()
	cmpr := verify.New(nil)
	type signed struct {
		english float32
		sig     []uint32
	}
	sigs := newFIFO(sigCache, func(ord uint64) (signed, error) {
		s := signed{sig: make([]uint32, sigLen)}
		var err error
		s.english, err = ds.sig(ord, s.sig)
		return s, err
	})
	profiles := newFIFO(judgeCache, func(ord uint64) (*verify.Profile, error) {
		d, err := ds.doc(ord)
		if err != nil {
			return nil, err
		}
		return cmpr.Profile(d), nil
	})
	rule := cluster.NewCandidateRule(nil)
	maxCands := cluster.DefaultOptions.MaxCandidates
	return taskOutput(p.fs, taskDir(dir, "judge", i), func(files *taskFiles) error {
		ws, err := files.create("edges.bin")
		if err != nil {
			return err
		}
		out := ws[0]
		var cands []cluster.Scored[uint64]
		for lo := 0; lo < len(ts); {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			j := ts[lo].j
			sj, err := sigs.get(j)
			if err != nil {
				return err
			}
			anchors, factKeys := countsOf(j)
			cands = cands[:0]
			for lo < len(ts) && ts[lo].j == j {
				i, shared, facts := ts[lo].i, 0, 0
				for ; lo < len(ts) && ts[lo].j == j && ts[lo].i == i; lo++ {
					switch ts[lo].ch {
					case touchShare:
						shared++
					case touchFact:
						facts++
					}
				}
				si, err := sigs.get(i)
				if err != nil {
					return err
				}
				if score, ok := rule.Score(cluster.Estimate(sj.sig, si.sig), shared, facts, anchors, factKeys, sj.english, si.english); ok {
					cands = append(cands, cluster.Scored[uint64]{Doc: i, Score: score})
				}
			}
			best := cluster.BestCandidates(cands, maxCands)
			if len(best) == 0 {
				continue
			}
			pb, err := profiles.get(j)
			if err != nil {
				return err
			}
			as := make([]int32, len(best))
			pas := make([]*verify.Profile, len(best))
			for k, c := range best {
				as[k] = int32(k)
				if pas[k], err = profiles.get(c.Doc); err != nil {
					return err
				}
			}
			view := cluster.EventViewOf(pb, keyDF.of(j))
			for _, e := range cluster.Judge(cmpr, &cluster.DefaultEventModel, -1, pb, &view, as, pas) {
				out.u64(best[e.A].Doc)
				out.u64(j)
				out.u8(byte(e.Verdict.Rank()))
				out.u64(math.Float64bits(e.Score))
				out.u64(math.Float64bits(e.Event))
			}
		}
		return nil
	})
}

// keyDF holds, for the documents of one judge partition, how many
// documents so far (each one included) hold each of its keys that still
// weigh in event linking: the postings tasks' ranks, sorted by ordinal
// and key.
type keyDF struct {
	recs []keyRank
}

type keyRank struct {
	ord, key uint64
	df       int
}

// readKeyDF reads partition i's ranks from every postings task.
func readKeyDF(p *Plan, dir string, i int) (*keyDF, error) {
	var x keyDF
	err := eachRec(p.fs, taskPaths(dir, "postings", p.Parts, "ranked."+strconv.Itoa(i)+".bin"), rankedWidth, func(b []byte) {
		x.recs = append(x.recs, keyRank{le64(b), le64(b[8:]), int(le32(b[16:])) + 1})
	})
	slices.SortFunc(x.recs, func(a, b keyRank) int { return cmp.Or(cmp.Compare(a.ord, b.ord), cmp.Compare(a.key, b.key)) })
	return &x, err
}

// of is the document frequency function of document ord for
// cluster.EventViewOf: a key without a rank is held by EventCap or more.
func (x *keyDF) of(ord uint64) func(k uint64) int {
	lo := sort.Search(len(x.recs), func(m int) bool { return x.recs[m].ord >= ord })
	hi := lo
	for hi < len(x.recs) && x.recs[hi].ord == ord {
		hi++
	}
	rs := x.recs[lo:hi]
	return func(k uint64) int {
		if m, ok := slices.BinarySearchFunc(rs, k, func(r keyRank, k uint64) int { return cmp.Compare(r.key, k) }); ok {
			return rs[m].df
		}
		return cluster.EventCap
	}
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
	var bad error
	pair := func(a, b uint64) (int32, int32) {
		x, err := t.number(a)
		bad = cmp.Or(bad, err)
		y, err := t.number(b)
		bad = cmp.Or(bad, err)
		return x, y
	}
	err = eachRec(p.fs, taskPaths(dir, "judge", p.Parts, "edges.bin"), judgedWidth, func(b []byte) {
		a, c := pair(le64(b), le64(b[8:]))
		edges = append(edges, cluster.Edge{A: a, B: c, Verdict: retold.Verdicts[b[16]], Score: math.Float64frombits(le64(b[17:])), Event: math.Float64frombits(le64(b[25:]))})
	})
	if err != nil {
		return err
	}
	// A copy is an edge of full score to its first copy.
	err = eachRec(p.fs, taskPaths(dir, "copies", p.Parts, "dups.bin"), dupWidth, func(b []byte) {
		j, first := pair(le64(b), le64(b[8:]))
		edges = append(edges, cluster.Edge{A: first, B: j, Verdict: retold.Duplicate, Score: 1, Event: 1})
	})
	if err = cmp.Or(err, bad); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
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
	// The repeated ids, in input order.
	type repeat struct {
		ord uint64
		msg string
	}
	var reps []repeat
	for _, path := range taskPaths(dir, "ids", p.Parts, "dupids.bin") {
		f, err := p.fs.Open(path)
		if err != nil {
			return t, nil, err
		}
		b := &blobReader{r: bufio.NewReaderSize(f, 1<<16)}
		for {
			ord := b.u64()
			msg := b.read(int(b.u32()))
			if b.err != nil {
				break
			}
			reps = append(reps, repeat{ord, string(msg)})
		}
		f.Close()
		if !errors.Is(b.err, io.EOF) {
			return t, nil, fmt.Errorf("%s: %w", path, b.err)
		}
	}
	slices.SortFunc(reps, func(a, b repeat) int { return cmp.Compare(a.ord, b.ord) })
	for _, r := range reps {
		messages = append(messages, r.msg)
	}
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
