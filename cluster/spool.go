package cluster

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/retold/retold"
)

// Spool holds a corpus on disk so that a batch job keeps only what it
// needs of each document in memory: the IDs, and one file offset a
// document. The rest (title, text, URL, outlet, date, language) goes to an
// unnamed temporary file, written once in order and read back by position,
// so a corpus of millions of articles costs tens of MB of memory instead
// of its size. Reads go through the operating system's page cache, which
// keeps a corpus that fits in memory there without holding it in the Go
// heap, where the garbage collector would scan and copy around it.
//
// Documents are added from one goroutine; once Seal has been called, Doc
// and ID may be called from any number of goroutines at once.
//
// A record is the six fields, each as a uvarint length and its bytes.
type Spool struct {
	f      *os.File
	w      *bufio.Writer
	ids    []string
	off    []int64 // off[i] is where document i starts; one more entry ends the last
	sealed atomic.Bool
	buf    []byte
}

// NewSpool makes an empty spool whose file lives in dir (the system's
// temporary directory when dir is ""). The file has no name once created,
// where the system allows it, so nothing is left behind if the process
// dies; Close releases it.
func NewSpool(dir string) (*Spool, error) {
	f, err := os.CreateTemp(dir, "retold-spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	// Unlinking an open file is allowed on Unix; elsewhere the name goes
	// at Close.
	_ = os.Remove(f.Name())
	return &Spool{f: f, w: bufio.NewWriterSize(f, 1<<20), off: []int64{0}}, nil
}

// ErrSealed is returned by Add after Seal.
var ErrSealed = errors.New("spool: sealed")

// Add appends d. Its ID stays in memory; the rest goes to the file.
func (s *Spool) Add(d retold.Document) error {
	if s.sealed.Load() {
		return ErrSealed
	}
	b := s.buf[:0]
	for _, f := range [...]string{d.Title, d.Text, d.URL, d.Outlet, d.Date, d.Lang} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	s.buf = b
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("spool: write: %w", err)
	}
	s.ids = append(s.ids, d.ID)
	s.off = append(s.off, s.off[len(s.off)-1]+int64(len(b)))
	return nil
}

// Seal ends adding: it writes out what is buffered, and Doc can read
// everything added.
func (s *Spool) Seal() error {
	if s.sealed.Swap(true) {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("spool: write: %w", err)
	}
	s.buf = nil
	return nil
}

// Len is the number of documents added.
func (s *Spool) Len() int { return len(s.ids) }

// ID is document i's ID, from memory.
func (s *Spool) ID(i int) string { return s.ids[i] }

// Doc reads document i back from the file. The spool must be sealed.
func (s *Spool) Doc(i int) (retold.Document, error) {
	if !s.sealed.Load() {
		return retold.Document{}, errors.New("spool: read before Seal")
	}
	lo, hi := s.off[i], s.off[i+1]
	b := make([]byte, hi-lo)
	if _, err := s.f.ReadAt(b, lo); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return retold.Document{}, fmt.Errorf("spool: read document %d: %w", i, err)
	}
	// One string holds the record; the fields are slices of it.
	rec := string(b)
	var fields [6]string
	pos := 0
	for k := range fields {
		n, w := binary.Uvarint(b[pos:])
		if w <= 0 || uint64(len(b)-pos-w) < n {
			return retold.Document{}, fmt.Errorf("spool: document %d is corrupt", i)
		}
		pos += w
		fields[k] = rec[pos : pos+int(n)]
		pos += int(n)
	}
	if pos != len(b) {
		return retold.Document{}, fmt.Errorf("spool: document %d is corrupt", i)
	}
	return retold.Document{ID: s.ids[i], Title: fields[0], Text: fields[1], URL: fields[2], Outlet: fields[3], Date: fields[4], Lang: fields[5]}, nil
}

// Close releases the file.
func (s *Spool) Close() error {
	err := s.f.Close()
	_ = os.Remove(s.f.Name()) // already gone where unlinking open files works
	return err
}
