package dedup

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/zeebo/xxh3"

	retold "github.com/retold/retold"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/sketch"
)

// Options configures a Run. The zero value of a field means its default.
type Options struct {
	// Threshold is the word-shingle Jaccard similarity at or above which a
	// document is a near-duplicate of an earlier one. Default 0.8.
	Threshold float64
	// NGram is the shingle size in words. Default 5.
	NGram int
	// Workers is the number of goroutines computing signatures. Default
	// runtime.GOMAXPROCS(0). The output does not depend on it.
	Workers int
	// TempDir holds what spills past MemBytes (unlinked temporary files);
	// "" means the system default.
	TempDir string
	// Seed seeds every hash. Output for one seed is deterministic; two
	// seeds can differ only in which rare borderline pairs LSH proposes.
	Seed uint64
	// MemBytes is the memory budget of the band buckets and the shingle
	// log together. Past it the log's oldest slabs go to a file in
	// TempDir, and once the buckets alone pass half of it, they are
	// spilled to sorted run files there too, which lookups read through
	// in-memory Bloom filters. So a corpus whose index does not fit in
	// memory still runs, more slowly. 0 means no budget: all in memory.
	MemBytes int64
	// NoVerify turns verification off, for comparison with pipelines that
	// trust LSH (text-dedup, NeMo Curator by default): a record is dropped
	// when it shares a band key with an earlier one, with the banding
	// datasketch would pick for Threshold and 128 permutations (9 x 13 at
	// 0.8), and Dropped.Similarity is the fraction of bands shared, not a
	// Jaccard value. Exact duplicates are still found by content hash.
	NoVerify bool
	// Sketch is the MinHash scheme behind the LSH keys: "oneperm" (the
	// default: one-permutation hashing with densification, O(n + k) per
	// document) or "kperm" (textbook k-permutation MinHash, O(n·k), kept
	// as the reference to measure against). Both give the same keys'
	// collision probabilities, so the same duplicates up to chance.
	Sketch string
	// MaxLine is the longest input line accepted; 0 means
	// extract.DefaultJSONLMaxLine.
	MaxLine int
	// MaxBytes bounds the decompressed bytes read from each input (a
	// guard against gzip bombs); 0 means no bound.
	MaxBytes int64
	// Keys name the fields of a JSONL record's id and text.
	Keys extract.Keys
	// Progress, if set, is called from the deciding goroutine after each
	// batch with the totals so far.
	Progress func(docs, bytes int64)
}

func (o Options) withDefaults() Options {
	if o.Threshold == 0 {
		o.Threshold = 0.8
	}
	if o.NGram == 0 {
		o.NGram = 5
	}
	if o.Sketch == "" {
		o.Sketch = "oneperm"
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// Input is one stream of records, named in errors by Name. Open, for a
// JSONL stream (plain or gzipped), or Records, for any other kind, is
// called once, when the stream's turn comes, and what it gives is closed
// after it is read. A kept JSONL line is written as read, with every
// field; a kept record of another reader (a WARC page, a feed entry, a
// page: see extract.Open) is written as one JSON line of its fields.
type Input struct {
	Name    string
	Open    func() (io.ReadCloser, error)
	Records func() (extract.Reader, error)
}

// Report is what a Run did.
type Report struct {
	Docs         int64 // good input records read (not counting --against)
	Bytes        int64 // bytes of input lines read, good or bad
	Kept         int64
	DroppedExact int64
	DroppedNear  int64
	Bad          int64 // records reported and skipped
	RefDocs      int64 // records of the reference corpora
	Candidates   int64 // candidate pairs verified
	Seconds      float64
	// BucketBytes is the memory of the band buckets at the end; BucketEntries
	// the keys in it. Each document also costs 8 bytes of offset.
	BucketBytes   int64
	BucketEntries int64
	// LogBytes is the size of the shingle log; LogDiskBytes the
	// part of it spilled to disk.
	LogBytes     int64
	LogDiskBytes int64
	// Spills counts how often the band buckets passed MemBytes and was
	// written to disk.
	Spills int
	Bands  int
	Rows   int
	// Truncated counts inputs that ended with a fatal read error (a
	// truncated gzip, say); what was read before it was processed.
	Truncated int
}

// MemoryPerDoc is the memory the buckets and offsets hold per document seen.
func (r Report) MemoryPerDoc() float64 {
	n := r.Docs + r.RefDocs
	if n == 0 {
		return 0
	}
	return float64(r.BucketBytes+8*n) / float64(n)
}

// Dropped is one dropped record, as written to the dropped stream.
type Dropped struct {
	ID string `json:"id"`
	// DupOf is the earlier record it was verified against: the most
	// similar candidate at or above the threshold, earliest on ties.
	DupOf      string  `json:"dup_of"`
	Similarity float64 `json:"similarity"`
	// Kind is "exact" (the same text) or "near".
	Kind string `json:"kind"`
	// Kept is the record that stands for the group in the output (or the
	// reference record): DupOf itself when it was kept.
	Kept string `json:"kept"`
	// Against is set when Kept comes from a reference corpus.
	Against bool `json:"against,omitempty"`
}

// ErrTruncated is returned by Run when an input ended early (a truncated
// gzip or a read error); everything before the break was processed.
var ErrTruncated = errors.New("an input ended early")

// maxVerify bounds the candidates verified per document, earliest first:
// a key shared by many documents (boilerplate) must not make one document
// cost thousands of reads.
const maxVerify = 64

// Run reads the reference corpora, then the inputs, in order, and writes
// every input line that is not a near-duplicate of an earlier input line
// or of a reference record to kept, unchanged, with "\n". For each dropped
// line it writes a Dropped as one JSON line to dropped, if not nil. Bad
// records are passed to bad (with file and line) and skipped. The output
// bytes depend only on the inputs, Threshold, NGram and Seed.
func Run(ctx context.Context, opt Options, refs, inputs []Input, kept, dropped io.Writer, bad func(error)) (Report, error) {
	opt = opt.withDefaults()
	if !(opt.Threshold > 0 && opt.Threshold <= 1) {
		return Report{}, fmt.Errorf("dedup: threshold %v: want 0 < t <= 1", opt.Threshold)
	}
	if opt.NGram < 1 {
		return Report{}, fmt.Errorf("dedup: ngram %d: want >= 1", opt.NGram)
	}
	if opt.Sketch != "oneperm" && opt.Sketch != "kperm" {
		return Report{}, fmt.Errorf("dedup: sketch %q: want oneperm or kperm", opt.Sketch)
	}
	start := time.Now()
	bands, rows := bandRows(opt.Threshold)
	if opt.NoVerify {
		bands, rows = sketch.BandParams(min(opt.Threshold, 0.99), 128)
	}
	store := newShingleLog(opt.TempDir)
	defer store.Close()
	d := &decider{
		opt: opt, bands: bands, rows: rows,
		buckets: newBandBuckets(bands, opt.TempDir), log: store,
		kept: bufio.NewWriterSize(kept, 256<<10),
	}
	if dropped != nil {
		d.dropped = bufio.NewWriterSize(dropped, 1<<16)
	}
	defer d.buckets.close()
	d.rep.Bands, d.rep.Rows = bands, rows
	var truncated []error
	for _, set := range []struct {
		inputs []Input
		ref    bool
	}{{refs, true}, {inputs, false}} {
		if len(set.inputs) == 0 {
			continue
		}
		errs, err := d.pass(ctx, set.inputs, set.ref, bad)
		truncated = append(truncated, errs...)
		if err != nil {
			return d.rep, err
		}
	}
	if err := d.kept.Flush(); err != nil {
		return d.rep, fmt.Errorf("dedup: write kept: %w", err)
	}
	if d.dropped != nil {
		if err := d.dropped.Flush(); err != nil {
			return d.rep, fmt.Errorf("dedup: write dropped: %w", err)
		}
	}
	d.rep.Seconds = time.Since(start).Seconds()
	d.rep.BucketBytes = d.buckets.bytes()
	d.rep.BucketEntries = d.buckets.entries()
	d.rep.LogBytes = store.size()
	d.rep.LogDiskBytes = store.disk
	d.rep.Spills = d.buckets.spills
	d.rep.Truncated = len(truncated)
	if len(truncated) > 0 {
		return d.rep, fmt.Errorf("%w: %w", ErrTruncated, errors.Join(truncated...))
	}
	return d.rep, nil
}

// bandRows picks the LSH banding for a threshold. Every candidate is
// verified on its shingle sets, so a false candidate costs one read and
// a missed pair is lost for good: the banding is the one with the fewest
// bands (the memory per document) whose chance of proposing a pair at
// exactly the threshold is at least 99.5%, with at least 3 rows so pairs
// far below the threshold are seldom proposed. At 0.8 that is 8 bands of
// 3 rows: P(0.8) = 0.9968, P(0.5) = 0.66, P(0.2) = 0.063.
func bandRows(t float64) (bands, rows int) {
	best, bestRows := math.MaxInt, 3
	for r := 3; r <= 16; r++ {
		p := math.Pow(t, float64(r))
		if p >= 1 {
			return 1, r
		}
		b := int(math.Ceil(math.Log(0.005) / math.Log(1-p)))
		if b <= best { // ties go to the more rows: fewer chance candidates
			best, bestRows = b, r
		}
	}
	return best, bestRows
}

// batch is a run of consecutive lines of one input, read by the reader,
// signed by a worker and decided in order.
type batch struct {
	seq   int
	input int
	data  []byte // the lines, each with its "\n", back to back
	items []item
	// fatal, if not nil, is the error that ended the input after these
	// lines.
	fatal error
	done  chan struct{} // closed when signed
	// Arenas the items' slices point into, kept for the batch's next use.
	ids      []byte
	shingles []uint32
	keys     []uint64
	enc      []byte
}

type item struct {
	start, end int // the line in data, without its "\n" (at end)
	line       int
	err        error // a bad record: reported and skipped
	named      bool  // err names its input and place already
	id         []byte
	hash       uint64
	shingles   []uint32 // the set of 24-bit shingle values (store.go), distinct, unordered
	enc        []byte   // shingles encoded for the log
	keys       []uint64
}

// A batch closes at batchLines lines or batchBytes bytes, whichever comes
// first. Batches are recycled, 2*Workers+2 of them per pass, so memory is
// bounded by that many batches whatever the input.
const (
	batchLines = 512
	batchBytes = 2 << 20
)

// decider is the sequential half of Run: it owns the buckets, the log and
// the outputs.
type decider struct {
	opt         Options
	bands, rows int
	buckets     *bandBuckets
	log         *shingleLog
	kept        *bufio.Writer
	dropped     *bufio.Writer
	rep         Report

	cands []uint32
	rec   record
	set   set24 // the values of the record being decided, for verification
	// runStart, runEnd delimit kept lines of the batch being decided not
	// yet written (keep, flushKept).
	runStart, runEnd int
	names            []string // of the inputs of the current pass
}

// pass runs the pipeline over one list of inputs: a reader goroutine cuts
// batches, workers sign them, and this goroutine decides them in order.
// It returns the fatal errors of inputs that ended early, and an error
// that stops the run.
func (d *decider) pass(ctx context.Context, inputs []Input, ref bool, bad func(error)) ([]error, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.names = d.names[:0]
	for _, in := range inputs {
		d.names = append(d.names, in.Name)
	}
	jobs := make(chan *batch, d.opt.Workers)
	order := make(chan *batch, 2*d.opt.Workers)
	free := make(chan *batch, 2*d.opt.Workers+2)
	for range cap(free) {
		free <- &batch{}
	}
	var readErr error
	go func() {
		defer close(jobs)
		defer close(order)
		readErr = d.read(ctx, inputs, free, jobs, order)
	}()
	var wg sync.WaitGroup
	for range d.opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newSigner(d.opt, d.bands, d.rows)
			for b := range jobs {
				s.sign(b)
				close(b.done)
			}
		}()
	}
	defer wg.Wait()

	var truncated []error
	for b := range order {
		select {
		case <-b.done:
		case <-ctx.Done():
			return truncated, ctx.Err()
		}
		if err := d.decide(b, ref, bad); err != nil {
			cancel()
			for range order {
			}
			return truncated, err
		}
		if b.fatal != nil {
			bad(b.fatal)
			truncated = append(truncated, b.fatal)
		}
		if d.opt.Progress != nil && !ref {
			d.opt.Progress(d.rep.Docs, d.rep.Bytes)
		}
		free <- b
	}
	if readErr != nil {
		return truncated, readErr
	}
	return truncated, ctx.Err()
}

// read cuts the inputs into batches and hands each to the workers (jobs)
// and, in the same order, to the decider (order).
func (d *decider) read(ctx context.Context, inputs []Input, free <-chan *batch, jobs, order chan<- *batch) error {
	seq := 0
	send := func(b *batch) bool {
		select {
		case order <- b:
		case <-ctx.Done():
			return false
		}
		select {
		case jobs <- b:
		case <-ctx.Done():
			return false
		}
		return true
	}
	// newBatch waits for a free batch; nil means the run was cancelled.
	newBatch := func(input int) *batch {
		var b *batch
		select {
		case b = <-free:
		case <-ctx.Done():
			return nil
		}
		seq++
		b.seq, b.input, b.fatal, b.done = seq, input, nil, make(chan struct{})
		b.data, b.items = b.data[:0], b.items[:0]
		return b
	}
	for i, in := range inputs {
		b := newBatch(i)
		if b == nil {
			return ctx.Err()
		}
		// full sends a batch and gives the next one of this input.
		full := func(b *batch) *batch {
			if !send(b) {
				return nil
			}
			return newBatch(i)
		}
		var err error
		if in.Records != nil {
			b, err = d.readRecords(in, b, full)
		} else {
			b, err = d.readLines(in, b, full)
		}
		if err != nil {
			return cmp.Or(ctx.Err(), err)
		}
		if !send(b) {
			return ctx.Err()
		}
	}
	return nil
}

// readLines reads the JSONL stream in into batches: b, and after full
// (which sends a batch and gives the next, or nil when the run was
// cancelled) new ones. It returns the batch to send last, its fatal error
// set when the stream broke, or the run's error.
func (d *decider) readLines(in Input, b *batch, full func(*batch) *batch) (*batch, error) {
	rc, err := in.Open()
	if err != nil {
		b.fatal = fmt.Errorf("%s: %w", in.Name, err)
		return b, nil
	}
	defer rc.Close()
	jr, err := extract.NewJSONL(in.Name, rc, &extract.JSONLOptions{MaxLine: d.opt.MaxLine, MaxBytes: d.opt.MaxBytes, Keys: d.opt.Keys})
	if err != nil {
		b.fatal = err
		return b, nil
	}
	defer jr.Close()
	for {
		line, n, err := jr.NextLine()
		if err == io.EOF {
			return b, nil
		}
		var re *extract.RecordError
		if errors.As(err, &re) {
			b.items = append(b.items, item{line: n, err: err})
		} else if err != nil {
			b.fatal = err
			return b, nil
		} else {
			b.addLine(line, n)
		}
		if b.full() {
			if b = full(b); b == nil {
				return nil, context.Canceled
			}
		}
	}
}

// readRecords is readLines for a stream of another kind: each record is
// written into the batch as a JSON line of its fields.
func (d *decider) readRecords(in Input, b *batch, full func(*batch) *batch) (*batch, error) {
	r, err := in.Records()
	if err != nil {
		b.fatal = err
		return b, nil
	}
	defer r.Close()
	var line []byte
	err = extract.Each(r, 1, func(rec extract.Record, err error) error {
		if err != nil {
			// A page or feed's error names its file already.
			var re *extract.RecordError
			b.items = append(b.items, item{line: rec.Line, err: err, named: !errors.As(err, &re)})
		} else {
			line, err = appendRecord(line[:0], rec.Doc, d.opt.Keys)
			if err != nil {
				return err
			}
			b.addLine(line, rec.Line)
		}
		if b.full() {
			if b = full(b); b == nil {
				return context.Canceled
			}
		}
		return nil
	})
	if errors.Is(err, context.Canceled) && b == nil {
		return nil, err
	}
	b.fatal = err
	return b, nil
}

// appendRecord appends d as one JSON line, without its "\n": its fields
// in a fixed order, the empty ones left out but id and text, those two
// under the names keys gives.
func appendRecord(dst []byte, d retold.Document, keys extract.Keys) ([]byte, error) {
	fields := []struct{ name, value string }{
		{cmp.Or(keys.ID, "id"), d.ID}, {"title", d.Title}, {cmp.Or(keys.Text, "text"), d.Text},
		{"url", d.URL}, {"outlet", d.Outlet}, {"date", d.Date}, {"lang", d.Lang},
	}
	dst = append(dst, '{')
	for i, f := range fields {
		if f.value == "" && i != 0 && i != 2 {
			continue
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		for _, s := range []string{f.name, f.value} {
			b, err := json.Marshal(s)
			if err != nil {
				return dst, err
			}
			dst = append(dst, b...)
			dst = append(dst, ':')
		}
		dst = dst[:len(dst)-1]
	}
	return append(dst, '}'), nil
}

// addLine adds a good line to the batch. Lines keep their "\n", so a run
// of kept lines is one slice to write.
func (b *batch) addLine(line []byte, n int) {
	s := len(b.data)
	b.data = append(b.data, line...)
	b.data = append(b.data, '\n')
	b.items = append(b.items, item{start: s, end: len(b.data) - 1, line: n})
}

// full reports whether the batch is ready to send.
func (b *batch) full() bool { return len(b.items) >= batchLines || len(b.data) >= batchBytes }

// signer is one worker's scratch.
type signer struct {
	bands, rows int
	sh          *shingler
	oph         *sketch.OnePerm
	kperm       *sketch.MinHasher // instead of oph, for Sketch "kperm"
	hashes      []uint64          // kperm's shingle hashes
	sig         []uint64
	grams       int // the number of shingles behind sig
	buf         []byte
	set         set24 // makes each document's values distinct
	seed        uint64
	keys        extract.Keys
}

func newSigner(opt Options, bands, rows int) *signer {
	s := &signer{bands: bands, rows: rows, sh: newShingler(opt.NGram, opt.Seed), seed: opt.Seed, keys: opt.Keys}
	if opt.Sketch == "kperm" {
		s.kperm = sketch.NewMinHasher(bands*rows, opt.Seed)
	} else {
		s.oph = sketch.NewOnePerm(bands*rows, opt.Seed^0x6f6e657065726d) // "oneperm"
	}
	return s
}

// sign fills in the id, content hash, stored shingles and band keys of
// every good line of b. The slices point into arenas owned by b.
func (s *signer) sign(b *batch) {
	a := arenas{b.ids[:0], b.shingles[:0], b.keys[:0], b.enc[:0]}
	for i := range b.items {
		it := &b.items[i]
		if it.err != nil {
			continue
		}
		it.err = s.signLine(b.data[it.start:it.end], it, &a)
	}
	// The arenas grew by append, so earlier items may point into an old
	// array; that is fine, the old arrays stay alive through them. The
	// grown ones are kept for the batch's next use.
	b.ids, b.shingles, b.keys, b.enc = a.ids, a.shingles, a.keys, a.enc
}

// arenas hold the signed fields of the items of a batch.
type arenas struct {
	ids      []byte
	shingles []uint32
	keys     []uint64
	enc      []byte
}

// signLine fills in the id, content hash, stored shingles and band keys
// of one line, in slices of a, or returns why the line is refused.
func (s *signer) signLine(line []byte, it *item, a *arenas) error {
	id, text, buf, err := s.keys.ScanIDText(line, s.buf)
	s.buf = buf
	if err != nil {
		return err
	}
	is := len(a.ids)
	a.ids = append(a.ids, id...)
	it.id = a.ids[is:len(a.ids):len(a.ids)]
	it.hash = xxh3.HashSeed(text, s.seed)
	// The set keeps 24 bits of each shingle hash (shinglelog.go), each
	// member once (set24.go).
	ss := len(a.shingles)
	a.shingles = s.sign24(a.shingles, text)
	set := s.set.distinct(a.shingles[ss:])
	a.shingles = a.shingles[:ss+len(set)]
	it.shingles = a.shingles[ss:len(a.shingles):len(a.shingles)]
	es := len(a.enc)
	a.enc = encodeSet(a.enc, it.shingles)
	it.enc = a.enc[es:len(a.enc):len(a.enc)]
	ks := len(a.keys)
	a.keys = s.bandKeys(a.keys, it.hash)
	it.keys = a.keys[ks:len(a.keys):len(a.keys)]
	return nil
}

// sign24 makes the MinHash signature of text's shingles in s.sig (s.grams
// the number of shingles) and appends their 24-bit set members to set,
// with repeats. One-permutation signatures are built in the same pass as
// the shingles (shingler.signGrams); kperm takes the shingle hashes
// whole.
func (s *signer) sign24(set []uint32, text []byte) []uint32 {
	words := s.sh.wordHashes(text)
	if s.kperm != nil {
		s.hashes = s.sh.appendGrams(s.hashes[:0], words)
		for _, h := range s.hashes {
			set = append(set, uint32(h)>>8)
		}
		s.grams = len(s.hashes)
		if s.grams > 0 {
			s.sig = s.kperm.Signature(s.hashes, s.sig)
		}
		return set
	}
	s.sig = s.oph.Reset(s.sig)
	set, s.grams = s.sh.signGrams(words, s.oph, s.sig, set)
	if s.grams > 0 {
		s.oph.Finish(s.sig)
	}
	return set
}

// bandKeys appends the band keys of the signature in s.sig, made by
// sign24. A text without shingles (no words at all) gets keys from its
// content hash, so that its exact copies still meet.
func (s *signer) bandKeys(dst []uint64, contentHash uint64) []uint64 {
	if s.grams == 0 {
		for b := range s.bands {
			dst = append(dst, sketch.Mix64(contentHash^uint64(b+1)*gramMul))
		}
		return dst
	}
	for b := range s.bands {
		k := s.seed ^ uint64(b+1)*wordMul
		for _, v := range s.sig[b*s.rows : (b+1)*s.rows] {
			k = sketch.Mix64(k ^ v)
		}
		dst = append(dst, k)
	}
	return dst
}

// decide takes the signed lines of b in order: verify candidates, keep or
// drop, file the document.
func (d *decider) decide(b *batch, ref bool, bad func(error)) error {
	for i := range b.items {
		it := &b.items[i]
		d.rep.Bytes += int64(it.end - it.start)
		if it.err != nil {
			var re *extract.RecordError
			if !it.named && !errors.As(it.err, &re) {
				it.err = &extract.RecordError{Name: d.inputName(b), Line: it.line, Err: it.err}
			}
			bad(it.err)
			d.rep.Bad++
			continue
		}
		if ref {
			d.rep.RefDocs++
		} else {
			d.rep.Docs++
		}
		if err := d.decideOne(b, it, ref); err != nil {
			return err
		}
	}
	return d.flushKept(b)
}

// keep adds a kept line to the run of kept lines waiting to be written:
// consecutive kept lines are adjacent in the batch, and a long run goes
// to the output in one write, past the writer's buffer.
func (d *decider) keep(b *batch, it *item) error {
	if d.runEnd > d.runStart && d.runEnd == it.start {
		d.runEnd = it.end + 1
		return nil
	}
	if err := d.flushKept(b); err != nil {
		return err
	}
	d.runStart, d.runEnd = it.start, it.end+1
	return nil
}

// flushKept writes the run of kept lines of b.
func (d *decider) flushKept(b *batch) error {
	if d.runEnd <= d.runStart {
		return nil
	}
	_, err := d.kept.Write(b.data[d.runStart:d.runEnd])
	d.runStart, d.runEnd = 0, 0
	return err
}

func (d *decider) inputName(b *batch) string { return d.names[b.input] }

func (d *decider) decideOne(b *batch, it *item, ref bool) error {
	best, bestSim, exact := -1, 0.0, false
	var bestGroup uint32
	var bestFlags byte
	// Candidates: every earlier document filed under one of the band
	// keys. An exact copy shares all of them with its twin, which is
	// always filed (copies are not, but their twin is), so exact
	// duplicates are among the candidates too.
	d.cands = d.cands[:0]
	var err error
	for band, key := range it.keys {
		if d.cands, err = d.buckets.lookup(band, key, d.cands); err != nil {
			return err
		}
	}
	slices.Sort(d.cands)
	if d.opt.NoVerify {
		best, bestSim, exact, bestGroup, bestFlags, err = d.trustBands(it)
		if err != nil {
			return err
		}
	} else {
		d.cands = slices.Compact(d.cands)
		if len(d.cands) > maxVerify {
			// An exact twin is found wherever it stands among the
			// candidates (the first record of a text shares every key
			// with its copies), so that "exact" means the same text came
			// before, whatever else shares its keys; the near search
			// stays within the earliest maxVerify.
			twin, err := d.exactTwin(it.hash)
			if err != nil {
				return err
			}
			d.cands = d.cands[:maxVerify]
			if twin >= 0 {
				d.cands = append(d.cands[:0], uint32(twin))
			}
		}
		filled := false // d.set holds it.shingles
		for _, c := range d.cands {
			if err := d.log.get(c, &d.rec, true); err != nil {
				return err
			}
			d.rep.Candidates++
			// An equal content hash (all 64 bits) is an exact duplicate and
			// ends the search; otherwise the shingle sets decide.
			if d.rec.hash == it.hash {
				best, bestSim, exact = int(c), 1, true
				bestGroup, bestFlags = d.rec.group, d.rec.flags
				break
			}
			if !filled {
				d.set.reset(len(it.shingles))
				for _, v := range it.shingles {
					d.set.add(v)
				}
				filled = true
			}
			if sim := d.set.jaccard(d.rec.shingle); sim >= d.opt.Threshold && sim > bestSim {
				best, bestSim = int(c), sim
				bestGroup, bestFlags = d.rec.group, d.rec.flags
			}
		}
	}
	self := uint32(len(d.log.offsets))
	group, flags := self, byte(0)
	if ref {
		flags = fromRef
	}
	if best >= 0 {
		group = bestGroup
		flags |= bestFlags & fromRef
	}
	if d.opt.NoVerify {
		d.log.append(it.hash, group, flags, it.id, 0, nil) // sets are never read
	} else {
		d.log.append(it.hash, group, flags, it.id, len(it.shingles), it.enc)
	}
	// An exact copy files nothing: its twin is filed. A near duplicate
	// files all its keys like a kept record: a later version may reach
	// the threshold with it and not with the record it matched (a chain
	// of write-thrus), and under a shared key only it would be found.
	if !exact {
		for band, key := range it.keys {
			d.buckets.insert(band, key, self)
		}
	}
	// The budget covers the buckets and the log. The log gives way
	// first (its oldest slabs are the least likely candidates); the index
	// spills when it alone passes half the budget.
	if d.opt.MemBytes > 0 {
		if d.buckets.memBytes() > d.opt.MemBytes/2 {
			if err := d.buckets.spill(); err != nil {
				return err
			}
		}
		if over := d.buckets.memBytes() + d.log.memBytes(); over > d.opt.MemBytes {
			if err := d.log.spill(d.opt.MemBytes - d.buckets.memBytes() - int64(cap(d.log.offsets))*8); err != nil {
				return err
			}
		}
	}
	if ref {
		return nil
	}
	if best < 0 {
		d.rep.Kept++
		return d.keep(b, it)
	}
	if exact {
		d.rep.DroppedExact++
	} else {
		d.rep.DroppedNear++
	}
	if d.dropped == nil {
		return nil
	}
	return d.writeDropped(uint32(best), bestSim, exact, bestGroup, bestFlags&fromRef != 0, it.id)
}

// exactTwin is the earliest of d.cands whose content hash is hash, or -1.
func (d *decider) exactTwin(hash uint64) (int, error) {
	for _, c := range d.cands {
		if err := d.log.get(c, &d.rec, false); err != nil {
			return -1, err
		}
		if d.rec.hash == hash {
			return int(c), nil
		}
	}
	return -1, nil
}

// trustBands decides without verification (Options.NoVerify): an exact
// twin by content hash if there is one among the candidates (d.cands,
// sorted, with repeats: one per band shared), else the candidate sharing
// the most bands, earliest on ties.
func (d *decider) trustBands(it *item) (best int, share float64, exact bool, group uint32, flags byte, err error) {
	best, most := -1, 0
	for i, seen := 0, 0; i < len(d.cands) && seen < maxVerify; seen++ {
		j := i
		for j < len(d.cands) && d.cands[j] == d.cands[i] {
			j++
		}
		c := d.cands[i]
		if err := d.log.get(c, &d.rec, false); err != nil {
			return 0, 0, false, 0, 0, err
		}
		d.rep.Candidates++
		if d.rec.hash == it.hash {
			return int(c), 1, true, d.rec.group, d.rec.flags, nil
		}
		if j-i > most {
			best, most, group, flags = int(c), j-i, d.rec.group, d.rec.flags
		}
		i = j
	}
	if best < 0 {
		return -1, 0, false, 0, 0, nil
	}
	return best, float64(most) / float64(d.bands), false, group, flags, nil
}

// writeDropped writes one Dropped line. The ids are read back from the
// store (the duplicate's own is still in hand).
func (d *decider) writeDropped(dupOf uint32, sim float64, exact bool, group uint32, against bool, id []byte) error {
	var r record
	if err := d.log.get(dupOf, &r, false); err != nil {
		return err
	}
	dupID := string(r.id)
	keptID := dupID
	if group != dupOf {
		if err := d.log.get(group, &r, false); err != nil {
			return err
		}
		keptID = string(r.id)
	}
	line, err := droppedLine(string(id), dupID, keptID, sim, exact, against)
	if err != nil {
		return err
	}
	_, err = d.dropped.Write(line)
	return err
}
