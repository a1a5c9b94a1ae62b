package dedup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/retold/retold/internal/hugemem"
)

// The shingle log
//
// Verification needs the shingle set of every earlier document that a
// new one could match, and there is no telling which in advance. So every
// filed document's record is appended to the log, and only its position
// (8 bytes) is held per document. A record is
//
//	content hash  uint64    xxh3 of the text, for exact duplicates
//	group         uint32    the number of the kept document it resolves to
//	flags         byte      fromRef for documents of an --against corpus
//	id length     uvarint
//	shingles      uvarint   count
//	id            bytes
//	shingles      3 bytes each, the set, in order of first appearance
//
// Set members are 24 bits of the shingle hashes, three bytes each instead
// of four or eight (varint gaps would save a fifth more, but cost more
// than that in CPU on both ends). 24 bits are plenty: two of a
// thousand shingles of one document collide with probability about 3%,
// which merges two members and moves the document's Jaccard values by a
// thousandth at most; a member of one document matches one of an
// unrelated document by chance about once in 16 documents, which moves
// their Jaccard by 0.001. Workers encode the sets (encodeSet), so the
// deciding goroutine only copies bytes in and decodes candidates.
//
// Records are packed into slabs of slabSize bytes. Slabs stay in memory
// while the memory budget allows; past it the oldest are written to an
// unlinked temporary file and read back with ReadAt, one read per record
// (the operating system's page cache keeps recent ones in memory). On
// this machine writing a file costs far more CPU than filling memory, so
// a corpus whose store fits in the budget never touches the disk.

const slabSize = 16 << 20

const fromRef = 1

type record struct {
	hash    uint64
	group   uint32
	flags   byte
	id      []byte
	shingle []uint32
}

type slab struct {
	data    []byte // nil once written to the file
	used    int
	fileOff int64
	mapped  bool // data is a mapping of its own (hugemem.Alloc)
}

type shingleLog struct {
	dir     string
	f       *os.File // created at the first spill
	slabs   []slab
	offsets []uint64 // slab<<32 | offset of record i
	mem     int64    // bytes of slabs in memory
	disk    int64    // bytes written to f
	onDisk  int      // slabs[:onDisk] are in the file
	scratch []byte
}

// newShingleLog makes a store that spills to a temporary file in dir
// ("" for the system default) when asked to.
func newShingleLog(dir string) *shingleLog { return &shingleLog{dir: dir} }

// Close releases the slabs' memory and the file. The log is unusable
// after it.
func (s *shingleLog) Close() error {
	for i := range s.slabs {
		s.free(&s.slabs[i])
	}
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}

// free lets go of a slab's memory.
func (s *shingleLog) free(sl *slab) {
	if sl.mapped && sl.data != nil {
		hugemem.Free(sl.data)
	}
	sl.data, sl.mapped = nil, false
}

// size is the bytes of records stored, in memory and on disk.
func (s *shingleLog) size() int64 {
	var n int64
	for i := range s.slabs {
		n += int64(s.slabs[i].used)
	}
	return n
}

// encodeSet appends the log encoding of a set of 24-bit values:
// three bytes each, little-endian.
func encodeSet(dst []byte, set []uint32) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 3*len(set))[:n+3*len(set)]
	out := dst[n:]
	for i, v := range set {
		out[3*i], out[3*i+1], out[3*i+2] = byte(v), byte(v>>8), byte(v>>16)
	}
	return dst
}

// append stores a record with the encoded set enc of n members and
// returns its number.
func (s *shingleLog) append(hash uint64, group uint32, flags byte, id []byte, n int, enc []byte) uint32 {
	var hdr [8 + 4 + 1 + 2*binary.MaxVarintLen64]byte
	h := binary.LittleEndian.AppendUint64(hdr[:0], hash)
	h = binary.LittleEndian.AppendUint32(h, group)
	h = append(h, flags)
	h = binary.AppendUvarint(h, uint64(len(id)))
	h = binary.AppendUvarint(h, uint64(n))
	need := len(h) + len(id) + len(enc)
	if len(s.slabs) == 0 || s.slabs[len(s.slabs)-1].used+need > len(s.slabs[len(s.slabs)-1].data) {
		size := max(slabSize, need)
		// A slab is written once, front to back, and kept: its pages
		// are huge where the kernel has them (internal/hugemem).
		data, mapped := hugemem.Alloc(size)
		s.slabs = append(s.slabs, slab{data: data, mapped: mapped})
		s.mem += int64(size)
	}
	last := &s.slabs[len(s.slabs)-1]
	num := uint32(len(s.offsets))
	s.offsets = append(s.offsets, uint64(len(s.slabs)-1)<<32|uint64(last.used))
	last.used += copy(last.data[last.used:], h)
	last.used += copy(last.data[last.used:], id)
	last.used += copy(last.data[last.used:], enc)
	return num
}

// memBytes is the memory the log holds: its slabs in memory and the
// positions.
func (s *shingleLog) memBytes() int64 { return s.mem + int64(cap(s.offsets))*8 }

// spill writes the oldest slabs to the file, all but the one being
// filled, until the slabs in memory take at most budget bytes.
func (s *shingleLog) spill(budget int64) error {
	for s.mem > budget && s.onDisk < len(s.slabs)-1 {
		if s.f == nil {
			f, err := os.CreateTemp(s.dir, "retold-dedup-*.shingles")
			if err != nil {
				return fmt.Errorf("dedup: shingle log: %w", err)
			}
			// Unlinked at once, so nothing is left behind even after a
			// crash.
			os.Remove(f.Name())
			s.f = f
		}
		sl := &s.slabs[s.onDisk]
		if _, err := s.f.WriteAt(sl.data[:sl.used], s.disk); err != nil {
			return fmt.Errorf("dedup: shingle log: %w", err)
		}
		sl.fileOff = s.disk
		s.disk += int64(sl.used)
		s.mem -= int64(len(sl.data))
		s.free(sl)
		s.onDisk++
	}
	return nil
}

var errCorruptRecord = errors.New("dedup: shingle log: corrupt record")

// get reads record i into r, reusing r's slices; without shingles,
// r.shingle is left empty.
func (s *shingleLog) get(i uint32, r *record, shingles bool) error {
	pos := s.offsets[i]
	si, start := int(pos>>32), int(pos&0xffffffff)
	sl := &s.slabs[si]
	end := sl.used
	if int(i)+1 < len(s.offsets) && int(s.offsets[i+1]>>32) == si {
		end = int(s.offsets[i+1] & 0xffffffff)
	}
	var b []byte
	if sl.data != nil {
		b = sl.data[start:end]
	} else {
		s.scratch = slices.Grow(s.scratch[:0], end-start)[:end-start]
		if _, err := s.f.ReadAt(s.scratch, sl.fileOff+int64(start)); err != nil {
			return fmt.Errorf("dedup: shingle log: %w", err)
		}
		b = s.scratch
	}
	if len(b) < 13 {
		return errCorruptRecord
	}
	r.hash = binary.LittleEndian.Uint64(b)
	r.group = binary.LittleEndian.Uint32(b[8:])
	r.flags = b[12]
	b = b[13:]
	idLen, k := binary.Uvarint(b)
	if k <= 0 {
		return errCorruptRecord
	}
	b = b[k:]
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < idLen {
		return errCorruptRecord
	}
	b = b[k:]
	r.id = append(r.id[:0], b[:idLen]...)
	b = b[idLen:]
	r.shingle = r.shingle[:0]
	if !shingles {
		return nil
	}
	if uint64(len(b)) != 3*n {
		return errCorruptRecord
	}
	r.shingle = slices.Grow(r.shingle, int(n))[:n]
	for i := range r.shingle {
		r.shingle[i] = uint32(b[3*i]) | uint32(b[3*i+1])<<8 | uint32(b[3*i+2])<<16
	}
	return nil
}
