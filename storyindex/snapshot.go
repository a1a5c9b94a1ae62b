package storyindex

// The postings snapshot: the in-memory inverted index (postings.go)
// written to one file as it is, slot tables and arenas, so that a
// process that starts reads it in one sequential pass and checks it
// (tens of milliseconds) instead of filing every key row again (0.7 s at
// 95,751 documents), then catches up with the rows stored after it as
// sync does.
//
// A snapshot is the index of one store's key rows up to its lastSeq, at
// one count of deletions. Within one store's history that pair names one
// state: rows are only appended, in Seq order, and only taken away by
// deletes, which Deletions counts. What the pair cannot tell apart is
// another history: another database, a copy restored from a backup that
// then took other documents, a database rebuilt from scratch, or key
// rows a migration rewrote. The probes do: the snapshot keeps the Seq and
// a hash of the key row found after each of some Seqs (lastSeq itself,
// then ever further back in powers of two, and the first row), and a
// store that does not give the same rows back does not get the
// snapshot. Anything that does not check out (a missing or short file,
// another format, a bad checksum, other deletions, other rows) is
// ignored, and the index is built from the store's rows as without a
// snapshot: the cost of a bad snapshot is time, never a wrong index.
//
// Format, little-endian throughout:
//
//	header
//	  [8]byte  magic "retoldPS"
//	  uint32   format version (snapshotVersion)
//	  uint32   layout: partBits | numClasses<<8 | countBits<<16 | MaxPostings<<24
//	  int64    lastSeq: the index holds every key row up to it
//	  int64    the store's Deletions() when it was written
//	  int64    distinct keys; int64 postings
//	  uint64   body length in bytes
//	  uint32   CRC-32C of the body
//	  uint32   number of probes (at most maxProbes)
//	  probes   each int64 after, int64 seq, uint64 hash: the first key row
//	           with a Seq above after is seq's, and rowHash of it is hash
//	  uint32   CRC-32C of the header before it
//	body
//	  per capacity class (numClasses): uint64 length and capacity of its
//	    arena, uint64 length and capacity of its free list, then the
//	    arena's uint32s and the free list's
//	  per partition (1<<partBits): uint64 slots (0 or a power of two),
//	    uint64 used, then per slot uint64 key, uint64 v
//
// Capacities are kept so that a loaded index holds (and Stats reports)
// the memory of the one it was written from. The file is written to a
// temporary file beside it, synced, and renamed over it, so a reader
// sees a whole snapshot or the one before, and two processes writing at
// once leave one of theirs.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"unsafe"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/hugemem"
)

const (
	snapshotMagic   = "retoldPS"
	snapshotVersion = 1
	snapshotLayout  = partBits | numClasses<<8 | countBits<<16 | retold.MaxPostings<<24
	// maxProbes bounds the probes a header may list: one per power of
	// two of a Seq, and the first row.
	maxProbes      = 66
	snapHeaderBase = 8 + 4 + 4 + 8*4 + 8 + 4 + 4
	snapProbeSize  = 24
	snapChunk      = 1 << 20 // bytes read or written at a time
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errNoSnapshot is a snapshot file that is not there: the usual case
// before the first one is written, and no news.
var errNoSnapshot = errors.New("no snapshot")

// probe is one key row a snapshot expects of its store.
type probe struct {
	after, seq int64
	hash       uint64
}

// snapHeader is a snapshot's header, without magic and layout.
type snapHeader struct {
	lastSeq, dels  int64
	keys, postings int64
	bodyLen        uint64
	bodyCRC        uint32
	probes         []probe
	headerLen      int
}

// rowHash is the hash of one key row a probe compares: FNV-1a over its
// Seq and keys as little-endian bytes.
func rowHash(seq int64, keys []uint64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seq))
	h.Write(b[:])
	for _, k := range keys {
		binary.LittleEndian.PutUint64(b[:], k)
		h.Write(b[:])
	}
	return h.Sum64()
}

// errProbed stops a Keys scan after its first row.
var errProbed = errors.New("probed")

// readProbe reads the first key row above after: its Seq and rowHash (0,
// 0 when there is none).
func readProbe(tx retold.ReadTx, after int64) (seq int64, hash uint64, err error) {
	err = tx.Keys(after, func(s int64, keys []uint64) error {
		seq, hash = s, rowHash(s, keys)
		return errProbed
	})
	if errors.Is(err, errProbed) {
		err = nil
	}
	return seq, hash, err
}

// takeProbes reads the probes of a snapshot whose index ends at lastSeq:
// the rows at lastSeq, lastSeq-1, lastSeq-3, lastSeq-7, ... (or the
// first after each), and the first row. Recent rows are probed densest:
// a copy of the store that went its own way differs from the point it
// split to its end. ok is false when lastSeq's own row is not there (the
// index is ahead of tx).
func takeProbes(tx retold.ReadTx, lastSeq int64) (ps []probe, ok bool, err error) {
	last := int64(-1)
	for back := int64(1); ; back *= 2 {
		after := max(lastSeq-back, 0)
		seq, h, err := readProbe(tx, after)
		if err != nil {
			return nil, false, err
		}
		if back == 1 && seq != lastSeq {
			return nil, false, nil
		}
		if seq != last {
			ps = append(ps, probe{after: after, seq: seq, hash: h})
			last = seq
		}
		if after == 0 {
			return ps, true, nil
		}
	}
}

// checkProbes reports whether the store answers every probe as the
// snapshot's store did; an error is the store's.
func checkProbes(tx retold.ReadTx, ps []probe) (bool, error) {
	for _, p := range ps {
		seq, h, err := readProbe(tx, p.after)
		if err != nil {
			return false, err
		}
		if seq != p.seq || h != p.hash {
			return false, nil
		}
	}
	return true, nil
}

func (h *snapHeader) encode() []byte {
	le := binary.LittleEndian
	b := make([]byte, 0, snapHeaderBase+snapProbeSize*len(h.probes)+4)
	b = append(b, snapshotMagic...)
	b = le.AppendUint32(b, snapshotVersion)
	b = le.AppendUint32(b, snapshotLayout)
	for _, v := range []int64{h.lastSeq, h.dels, h.keys, h.postings} {
		b = le.AppendUint64(b, uint64(v))
	}
	b = le.AppendUint64(b, h.bodyLen)
	b = le.AppendUint32(b, h.bodyCRC)
	b = le.AppendUint32(b, uint32(len(h.probes)))
	for _, p := range h.probes {
		b = le.AppendUint64(b, uint64(p.after))
		b = le.AppendUint64(b, uint64(p.seq))
		b = le.AppendUint64(b, p.hash)
	}
	return le.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// readSnapHeader reads and checks a header's format.
func readSnapHeader(r io.Reader) (*snapHeader, error) {
	le := binary.LittleEndian
	b := make([]byte, snapHeaderBase, snapHeaderBase+snapProbeSize*maxProbes+4)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("truncated header: %w", err)
	}
	if string(b[:8]) != snapshotMagic {
		return nil, errors.New("not a postings snapshot")
	}
	if v := le.Uint32(b[8:]); v != snapshotVersion {
		return nil, fmt.Errorf("format version %d (this retold reads %d)", v, snapshotVersion)
	}
	if l := le.Uint32(b[12:]); l != snapshotLayout {
		return nil, fmt.Errorf("index layout %#x (this retold's is %#x)", l, snapshotLayout)
	}
	h := &snapHeader{
		lastSeq:  int64(le.Uint64(b[16:])),
		dels:     int64(le.Uint64(b[24:])),
		keys:     int64(le.Uint64(b[32:])),
		postings: int64(le.Uint64(b[40:])),
		bodyLen:  le.Uint64(b[48:]),
		bodyCRC:  le.Uint32(b[56:]),
	}
	n := int(le.Uint32(b[60:]))
	if n > maxProbes {
		return nil, fmt.Errorf("damaged header: %d probes", n)
	}
	b = b[:snapHeaderBase+snapProbeSize*n+4]
	if _, err := io.ReadFull(r, b[snapHeaderBase:]); err != nil {
		return nil, fmt.Errorf("truncated header: %w", err)
	}
	end := len(b) - 4
	if crc32.Checksum(b[:end], castagnoli) != le.Uint32(b[end:]) {
		return nil, errors.New("damaged header (checksum)")
	}
	for i := range n {
		p := b[snapHeaderBase+snapProbeSize*i:]
		h.probes = append(h.probes, probe{after: int64(le.Uint64(p)), seq: int64(le.Uint64(p[8:])), hash: le.Uint64(p[16:])})
	}
	h.headerLen = len(b)
	if h.lastSeq <= 0 || len(h.probes) == 0 || h.probes[0].seq != h.lastSeq {
		return nil, errors.New("damaged header")
	}
	return h, nil
}

// bodyWriter writes a body a chunk at a time and sums it.
type bodyWriter struct {
	w   *bufio.Writer
	buf []byte
	crc uint32
	n   uint64
}

func (b *bodyWriter) flush() error {
	b.crc = crc32.Update(b.crc, castagnoli, b.buf)
	b.n += uint64(len(b.buf))
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

func (b *bodyWriter) u64(v uint64) error {
	if len(b.buf)+8 > snapChunk {
		if err := b.flush(); err != nil {
			return err
		}
	}
	b.buf = binary.LittleEndian.AppendUint64(b.buf, v)
	return nil
}

func (b *bodyWriter) u32s(vs []uint32) error {
	for _, v := range vs {
		if len(b.buf)+4 > snapChunk {
			if err := b.flush(); err != nil {
				return err
			}
		}
		b.buf = binary.LittleEndian.AppendUint32(b.buf, v)
	}
	return nil
}

// writeBody writes x as a snapshot's body.
func (x *postings) writeBody(b *bodyWriter) error {
	for i := range x.lists {
		a := &x.lists[i]
		for _, v := range []int{len(a.data), cap(a.data), len(a.free), cap(a.free)} {
			if err := b.u64(uint64(v)); err != nil {
				return err
			}
		}
		if err := b.u32s(a.data); err != nil {
			return err
		}
		if err := b.u32s(a.free); err != nil {
			return err
		}
	}
	for i := range x.parts {
		p := &x.parts[i]
		if err := b.u64(uint64(len(p.slots))); err != nil {
			return err
		}
		if err := b.u64(uint64(p.used)); err != nil {
			return err
		}
		for _, s := range p.slots {
			if err := b.u64(s.key); err != nil {
				return err
			}
			if err := b.u64(s.v); err != nil {
				return err
			}
		}
	}
	return b.flush()
}

// bodyReader reads a body a chunk at a time, sums it, and refuses to
// read past its declared length.
type bodyReader struct {
	r    io.Reader
	buf  []byte
	crc  uint32
	left uint64
}

var errTruncated = errors.New("truncated")

// next returns the next n bytes (n <= snapChunk).
func (b *bodyReader) next(n int) ([]byte, error) {
	if uint64(n) > b.left {
		return nil, errTruncated
	}
	p := b.buf[:n]
	if _, err := io.ReadFull(b.r, p); err != nil {
		return nil, errTruncated
	}
	b.left -= uint64(n)
	b.crc = crc32.Update(b.crc, castagnoli, p)
	return p, nil
}

func (b *bodyReader) u64() (uint64, error) {
	p, err := b.next(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(p), nil
}

// length reads a length of things of size bytes each, which must fit
// in what is left of the body: a damaged length never allocates much.
func (b *bodyReader) length(size uint64) (int, error) {
	n, err := b.u64()
	if err == nil && n > b.left/size {
		err = errTruncated
	}
	return int(n), err
}

// littleEndian is whether this machine's memory holds numbers as a
// snapshot does: then the file is read straight into the index's slices
// (a slot is two uint64s, 16 bytes, as in the file), which saves a copy
// of all of it: 70 ms against 100 ms per 100,000 documents
// (BenchmarkLoad). A var, so that a test can take the portable path.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// A slot is 16 bytes in memory, as in a snapshot (else this does not
// compile).
var _ = [1]struct{}{}[unsafe.Sizeof(postingSlot{})-16]

// into reads the next len(p) bytes into p.
func (b *bodyReader) into(p []byte) error {
	if uint64(len(p)) > b.left {
		return errTruncated
	}
	if _, err := io.ReadFull(b.r, p); err != nil {
		return errTruncated
	}
	b.left -= uint64(len(p))
	b.crc = crc32.Update(b.crc, castagnoli, p)
	return nil
}

// slots reads len(dst) <= snapChunk/16 slots.
func (b *bodyReader) slots(dst []postingSlot) error {
	if littleEndian {
		return b.into(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), 16*len(dst)))
	}
	p, err := b.next(16 * len(dst))
	if err != nil {
		return err
	}
	for j := range dst {
		dst[j] = postingSlot{key: binary.LittleEndian.Uint64(p[16*j:]), v: binary.LittleEndian.Uint64(p[16*j+8:])}
	}
	return nil
}

func (b *bodyReader) u32s(dst []uint32) error {
	if littleEndian && len(dst) > 0 {
		return b.into(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), 4*len(dst)))
	}
	for len(dst) > 0 {
		n := min(len(dst), snapChunk/4)
		p, err := b.next(4 * n)
		if err != nil {
			return err
		}
		for i := range dst[:n] {
			dst[i] = binary.LittleEndian.Uint32(p[4*i:])
		}
		dst = dst[n:]
	}
	return nil
}

// lenCap reads the length and the capacity of a slice of uint32s.
func (b *bodyReader) lenCap() (n, c int, err error) {
	if n, err = b.length(4); err != nil {
		return 0, 0, err
	}
	cu, err := b.u64()
	if err != nil {
		return 0, 0, err
	}
	// A capacity is memory the writer held, not bytes of the file; it
	// may be larger than the rest of the body, but not absurdly.
	if cu < uint64(n) || cu > 2*uint64(n)+1<<20 {
		return 0, 0, errors.New("damaged body (capacity)")
	}
	return n, int(cu), nil
}

// readBody reads a snapshot's body into a new index and checks that it
// holds together: every list inside its arena, the counts the header
// gives. What it cannot check, that the lists are those of the store's
// rows, the checksum and the probes vouch for.
func readBody(r io.Reader, h *snapHeader) (*postings, error) {
	b := &bodyReader{r: r, buf: make([]byte, snapChunk), left: h.bodyLen}
	// Big slices come from huge-page buffers when they are read in
	// place (carver).
	mem := carver{on: littleEndian && h.bodyLen >= hugeBody}
	x, err := readBodyInto(b, h, &mem)
	if err != nil {
		mem.free()
		return nil, err
	}
	mem.handTo(x)
	return x, nil
}

// hugeBody is the body size from which a snapshot's slot tables and
// arenas are read into huge-page memory (carver) instead of Go's heap (a
// var for the tests).
var hugeBody uint64 = 4 << 20

// carver hands out the loaded index's big slices from buffers of
// internal/hugemem. A process that opens an index reads all of its
// snapshot into fresh memory; in 4 KiB pages that cost a page fault
// each, and every pass over the tables (the checksum, then the lookups)
// a TLB miss per page: loading the snapshot of 95,454 documents took
// 0.31 CPU-s, most of a one-document `retold match`. The buffers are
// given back when the index is no longer reachable (handTo): nothing
// but the index refers to its slices (lookups copy what they return, and
// a table or arena that grows moves to Go's heap).
type carver struct {
	on     bool     // carve; else make
	chunks [][]byte // every buffer taken
	rest   []byte   // what is left of the last
}

// carveChunk is the least buffer taken at a time.
const carveChunk = 16 << 20

// take returns n zeroed bytes, 16-byte aligned.
func (c *carver) take(n int) []byte {
	n = (n + 15) &^ 15
	if len(c.rest) < n {
		buf, mapped := hugemem.Alloc(max(n, carveChunk))
		if !mapped {
			// No mapping to be had: the heap, for this and the rest.
			c.on = false
			return make([]byte, n)
		}
		c.chunks = append(c.chunks, buf)
		c.rest = buf
	}
	p := c.rest[:n:n]
	c.rest = c.rest[n:]
	return p
}

// u32s is make([]uint32, n, capacity) from the buffers.
func (c *carver) u32s(n, capacity int) []uint32 {
	if !c.on || capacity == 0 {
		return make([]uint32, n, capacity)
	}
	p := c.take(4 * capacity)
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(p))), capacity)[:n]
}

// slots is make([]postingSlot, n) from the buffers.
func (c *carver) slots(n int) []postingSlot {
	if !c.on {
		return make([]postingSlot, n)
	}
	p := c.take(16 * n)
	return unsafe.Slice((*postingSlot)(unsafe.Pointer(unsafe.SliceData(p))), n)
}

// free gives the buffers back at once (the index was not made).
func (c *carver) free() {
	for _, b := range c.chunks {
		hugemem.Free(b)
	}
	c.chunks, c.rest = nil, nil
}

// handTo gives the buffers back when x is no longer reachable.
func (c *carver) handTo(x *postings) {
	if len(c.chunks) == 0 {
		return
	}
	runtime.AddCleanup(x, func(chunks [][]byte) {
		for _, b := range chunks {
			hugemem.Free(b)
		}
	}, c.chunks)
	c.chunks, c.rest = nil, nil
}

// readBodyInto is readBody's reading and checking, with the slices from
// mem.
func readBodyInto(b *bodyReader, h *snapHeader, mem *carver) (*postings, error) {
	x := &postings{}
	var freeLen [numClasses]int
	for i := range x.lists {
		n, c, err := b.lenCap()
		if err != nil {
			return nil, err
		}
		fn, fc, err := b.lenCap()
		if err != nil {
			return nil, err
		}
		a := &x.lists[i]
		a.data = mem.u32s(n, c)
		if fn > 0 || fc > 0 {
			a.free = make([]uint32, fn, fc)
		}
		if err := b.u32s(a.data); err != nil {
			return nil, err
		}
		if err := b.u32s(a.free); err != nil {
			return nil, err
		}
		size := uint32(2 << i)
		if n%int(size) != 0 {
			return nil, fmt.Errorf("damaged body (arena %d)", i)
		}
		for _, off := range a.free {
			if off%size != 0 || int(off) >= n {
				return nil, fmt.Errorf("damaged body (free list %d)", i)
			}
		}
		freeLen[i] = fn
	}
	keys, postings := 0, 0
	for i := range x.parts {
		n, err := b.length(16)
		if err != nil {
			return nil, err
		}
		used, err := b.u64()
		if err != nil {
			return nil, err
		}
		if n != 0 && (bits.OnesCount(uint(n)) != 1 || 4*used > 3*uint64(n)) {
			return nil, fmt.Errorf("damaged body (partition %d)", i)
		}
		p := &x.parts[i]
		p.used = int(used)
		if n > 0 {
			p.slots = mem.slots(n)
		}
		filled := 0
		for s := p.slots; len(s) > 0; {
			k := min(len(s), snapChunk/16)
			if err := b.slots(s[:k]); err != nil {
				return nil, err
			}
			for j := range s[:k] {
				key, v := s[j].key, s[j].v
				c := int(v & countMask)
				switch {
				case key == 0 && v == 0:
					continue
				case key == 0 || key>>(64-partBits) != uint64(i) || c == 0 || c > retold.MaxPostings:
					return nil, fmt.Errorf("damaged body (slot in partition %d)", i)
				case c >= 2:
					cl := class(c)
					if off := v >> countBits; off%uint64(2<<cl) != 0 || off+uint64(2<<cl) > uint64(len(x.lists[cl].data)) {
						return nil, fmt.Errorf("damaged body (list in partition %d)", i)
					}
				}
				filled++
				postings += c
			}
			s = s[k:]
		}
		if filled != p.used {
			return nil, fmt.Errorf("damaged body (partition %d counts %d keys, holds %d)", i, p.used, filled)
		}
		keys += filled
	}
	if b.left != 0 {
		return nil, errors.New("damaged body (longer than its contents)")
	}
	if b.crc != h.bodyCRC {
		return nil, errors.New("damaged body (checksum)")
	}
	if int64(keys) != h.keys || int64(postings) != h.postings {
		return nil, errors.New("damaged body (counts)")
	}
	x.keys, x.n = keys, postings
	return x, nil
}

// readSnapshot reads the snapshot at path if check, given its header,
// accepts it: the body (most of the file) is read only then.
func readSnapshot(path string, check func(*snapHeader) error) (*postings, *snapHeader, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, errNoSnapshot
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 4096)
	h, err := readSnapHeader(br)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := f.Stat(); err != nil {
		return nil, nil, err
	} else if uint64(fi.Size()) != uint64(h.headerLen)+h.bodyLen {
		return nil, nil, fmt.Errorf("truncated: %d bytes, the header says %d", fi.Size(), uint64(h.headerLen)+h.bodyLen)
	}
	if err := check(h); err != nil {
		return nil, nil, err
	}
	// The body straight from the file, past what the header's reader
	// buffered.
	rest := io.MultiReader(io.LimitReader(br, int64(br.Buffered())), f)
	x, err := readBody(rest, h)
	if err != nil {
		return nil, nil, err
	}
	return x, h, nil
}

// writeSnapshot writes x, the index of a store's key rows up to h.lastSeq
// at h.dels deletions, to a temporary file beside path, synced: rename
// it over path to publish it. The temporary file is removed on an error.
func writeSnapshot(path string, x *postings, h *snapHeader) (tmp string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// A header of zeros until the body is written: a file cut short
	// anywhere is not a snapshot.
	h.keys, h.postings = int64(x.keys), int64(x.n)
	placeholder := make([]byte, len(h.encode()))
	w := bufio.NewWriterSize(f, snapChunk)
	if _, err := w.Write(placeholder); err != nil {
		return "", err
	}
	b := &bodyWriter{w: w, buf: make([]byte, 0, snapChunk)}
	if err := x.writeBody(b); err != nil {
		return "", err
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	h.bodyLen, h.bodyCRC = b.n, b.crc
	if _, err := f.WriteAt(h.encode(), 0); err != nil {
		return "", err
	}
	// Readable as the database beside it usually is: it holds key hashes
	// and document numbers, nothing of the texts.
	if err := f.Chmod(0o644); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}
