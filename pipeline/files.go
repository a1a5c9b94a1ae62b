package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
)

// The binary files between stages are runs of fixed-width little-endian
// records, so a reader can seek to the n-th record and a binary search
// needs no index.

// Ordinals: a record's place in the input, its file's number in the plan
// in the high 32 bits and its line (or record) number in the low 32. They
// order records as the single-process run reads them.
const ordFileBits = 32

func ordOf(file, line int) uint64 { return uint64(file)<<32 | uint64(uint32(line)) }
func fileOf(ord uint64) int       { return int(ord >> 32) }

// Widths of the records.
const (
	metaWidth = 40 // ord, hash, set offset (in values of 3 bytes), set length, id offset, id length
	keyWidth  = 25 // band, key, ord, hash
	candWidth = 17 // x, y, exact
	edgeWidth = 25 // x, y, similarity, exact
)

// recWriter writes records to a file through a buffer.
type recWriter struct {
	f   io.WriteCloser
	w   *bufio.Writer
	buf [64]byte
	n   int64 // bytes written
}

func createRec(fs Storage, path string) (*recWriter, error) {
	f, err := fs.Create(path)
	if err != nil {
		return nil, err
	}
	return &recWriter{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (r *recWriter) u8(v byte) { r.w.WriteByte(v); r.n++ }

func (r *recWriter) u32(v uint32) {
	binary.LittleEndian.PutUint32(r.buf[:4], v)
	r.w.Write(r.buf[:4])
	r.n += 4
}

// u24 writes a shingle value: 24 bits.
func (r *recWriter) u24(v uint32) {
	r.w.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16)})
	r.n += 3
}

func (r *recWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(r.buf[:8], v)
	r.w.Write(r.buf[:8])
	r.n += 8
}

func (r *recWriter) bytes(b []byte) { r.w.Write(b); r.n += int64(len(b)) }

// close flushes and closes the file (which syncs it: Storage.Create).
func (r *recWriter) close() error {
	err := r.w.Flush()
	if e := r.f.Close(); err == nil {
		err = e
	}
	return err
}

// readRecs reads a whole file of records of width w.
func readRecs(fs Storage, path string, w int) ([]byte, error) {
	b, err := fs.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b)%w != 0 {
		return nil, fmt.Errorf("%s: %d bytes, not whole records of %d", path, len(b), w)
	}
	return b, nil
}

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// shardIndex finds a record's id and shingle set in the sign output of
// one shard by binary search over its meta file, reading what it needs.
type shardIndex struct {
	meta, sets, ids Object
	n               int64
	rec             [metaWidth]byte
}

func openShardIndex(fs Storage, dir string) (*shardIndex, error) {
	var s shardIndex
	var err error
	for _, f := range []struct {
		p    *Object
		name string
	}{{&s.meta, "meta.bin"}, {&s.sets, "sets.bin"}, {&s.ids, "ids.bin"}} {
		if *f.p, err = fs.Open(filepath.Join(dir, f.name)); err != nil {
			s.close()
			return nil, err
		}
	}
	s.n = s.meta.Size() / metaWidth
	return &s, nil
}

func (s *shardIndex) close() {
	for _, f := range []Object{s.meta, s.sets, s.ids} {
		if f != nil {
			f.Close()
		}
	}
}

var errNoRecord = errors.New("no such record")

// find reads the meta record of ord into s.rec.
func (s *shardIndex) find(ord uint64) error {
	var ioErr error
	i := sort.Search(int(min(s.n, math.MaxInt)), func(k int) bool {
		if _, err := s.meta.ReadAt(s.rec[:], int64(k)*metaWidth); err != nil {
			ioErr = err
			return true
		}
		return le64(s.rec[:]) >= ord
	})
	if ioErr != nil {
		return ioErr
	}
	if int64(i) >= s.n {
		return errNoRecord
	}
	if _, err := s.meta.ReadAt(s.rec[:], int64(i)*metaWidth); err != nil {
		return err
	}
	if le64(s.rec[:]) != ord {
		return errNoRecord
	}
	return nil
}

// set appends the shingle set of ord to dst.
func (s *shardIndex) set(ord uint64, dst []uint32) ([]uint32, error) {
	if err := s.find(ord); err != nil {
		return dst, err
	}
	off, n := int64(le64(s.rec[16:])), int(le32(s.rec[24:]))
	b := make([]byte, 3*n)
	if _, err := s.sets.ReadAt(b, off*3); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return dst, err
	}
	for k := range n {
		dst = append(dst, uint32(b[3*k])|uint32(b[3*k+1])<<8|uint32(b[3*k+2])<<16)
	}
	return dst, nil
}

// id returns the id of ord.
func (s *shardIndex) id(ord uint64) (string, error) {
	if err := s.find(ord); err != nil {
		return "", err
	}
	off, n := int64(le64(s.rec[28:])), int(le32(s.rec[36:]))
	b := make([]byte, n)
	if _, err := s.ids.ReadAt(b, off); err != nil && n > 0 {
		return "", err
	}
	return string(b), nil
}
