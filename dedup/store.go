package dedup

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
)

// The shingle store
//
// Verification needs the shingle set of every earlier document that a
// new one could match, and there is no telling which in advance. Holding
// them in memory would cost kilobytes per document, so each document's
// record goes to the end of an unlinked temporary file and only its offset
// (8 bytes) stays in memory. A record is
//
//	content hash  uint64    xxh3 of the text, for exact duplicates
//	group         uint32    the number of the kept document it resolves to
//	flags         uint32    fromRef for documents of an --against corpus
//	id length     uint32
//	shingles      uint32    count
//	id            bytes
//	shingles      uint32 each, the low 32 bits of the shingle hashes,
//	              ascending, no repeats
//
// Shingles are stored as a sorted set, made by the workers in parallel
// (an O(n) radix sort), so that verification is one merge. 32 bits per
// member are plenty:
// two of a document's thousand shingles collide with probability about
// 10^-4, which moves its Jaccard by a thousandth at most.
//
// Records are appended to an in-memory tail that is written out when it
// passes storeFlush bytes, so a record can be read back at once; the
// operating system's page cache keeps recent records in memory for free.

const storeFlush = 4 << 20

const fromRef = 1

type record struct {
	hash    uint64
	group   uint32
	flags   uint32
	id      []byte
	shingle []uint32
}

type shingleStore struct {
	f       *os.File
	offsets []uint64 // offsets[i] is where record i starts
	tail    []byte   // bytes from flushed on, not yet written
	flushed int64    // bytes written to f
	scratch []byte
}

// newShingleStore makes a store in a new temporary file under dir ("" for
// the system default). The file is removed at once and lives until Close.
func newShingleStore(dir string) (*shingleStore, error) {
	f, err := os.CreateTemp(dir, "retold-dedup-*.shingles")
	if err != nil {
		return nil, fmt.Errorf("dedup: shingle store: %w", err)
	}
	// Unlinked now, so nothing is left behind even after a crash.
	os.Remove(f.Name())
	return &shingleStore{f: f}, nil
}

func (s *shingleStore) Close() error { return s.f.Close() }

// size is the bytes of records stored.
func (s *shingleStore) size() int64 { return s.flushed + int64(len(s.tail)) }

// append stores r as the next record and returns its number.
func (s *shingleStore) append(r *record) (uint32, error) {
	n := uint32(len(s.offsets))
	s.offsets = append(s.offsets, uint64(s.size()))
	b := s.tail
	b = binary.LittleEndian.AppendUint64(b, r.hash)
	b = binary.LittleEndian.AppendUint32(b, r.group)
	b = binary.LittleEndian.AppendUint32(b, r.flags)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(r.id)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(r.shingle)))
	b = append(b, r.id...)
	for _, v := range r.shingle {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	s.tail = b
	if len(s.tail) >= storeFlush {
		if _, err := s.f.WriteAt(s.tail, s.flushed); err != nil {
			return 0, fmt.Errorf("dedup: shingle store: %w", err)
		}
		s.flushed += int64(len(s.tail))
		s.tail = s.tail[:0]
	}
	return n, nil
}

// get reads record i into r, reusing r's slices; without shingles,
// r.shingle is left empty.
func (s *shingleStore) get(i uint32, r *record, shingles bool) error {
	start := int64(s.offsets[i])
	end := s.size()
	if int(i)+1 < len(s.offsets) {
		end = int64(s.offsets[i+1])
	}
	b, err := s.read(start, end)
	if err != nil {
		return err
	}
	r.hash = binary.LittleEndian.Uint64(b)
	r.group = binary.LittleEndian.Uint32(b[8:])
	r.flags = binary.LittleEndian.Uint32(b[12:])
	idLen := int(binary.LittleEndian.Uint32(b[16:]))
	n := int(binary.LittleEndian.Uint32(b[20:]))
	b = b[24:]
	r.id = append(r.id[:0], b[:idLen]...)
	b = b[idLen:]
	if !shingles {
		r.shingle = r.shingle[:0]
		return nil
	}
	r.shingle = slices.Grow(r.shingle[:0], n)[:n]
	for j := range r.shingle {
		r.shingle[j] = binary.LittleEndian.Uint32(b[4*j:])
	}
	return nil
}

// read returns bytes [start, end) of the store, valid until the next call.
func (s *shingleStore) read(start, end int64) ([]byte, error) {
	if start >= s.flushed {
		return s.tail[start-s.flushed : end-s.flushed], nil
	}
	// The tail is only ever written out whole, after a record is
	// complete, so a record is either all on disk or all in the tail.
	s.scratch = slices.Grow(s.scratch[:0], int(end-start))[:end-start]
	if _, err := s.f.ReadAt(s.scratch, start); err != nil {
		return nil, fmt.Errorf("dedup: shingle store: %w", err)
	}
	return s.scratch, nil
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets; two empty sets give 0.
func jaccard(a, b []uint32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
