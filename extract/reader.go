package extract

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// Reader is a stream of records: JSONL lines, WARC article pages, feed
// entries, or the one page of an HTML or text file. Next returns io.EOF at
// the clean end; a *RecordError (or, from Open's feed and page readers, an
// error that unwraps to the cause) for a record that is reported and
// skipped, after which Next may be called again; any other error ends the
// stream. Close releases what Open opened.
type Reader interface {
	Next() (Record, error)
	Close() error
}

// Open reads src, a file of any kind retold reads (see Sources and
// KindOf), as one Reader. ReadSource is Open and a loop over Next.
func Open(src Source, opt *SourceOptions) (Reader, error) {
	var max int64
	if opt != nil {
		max = opt.MaxBytes
	}
	switch src.Kind {
	case KindJSONL:
		return OpenJSONL(src.Path, &JSONLOptions{MaxBytes: max})
	case KindWARC:
		return OpenWARC(src.Path, &WARCOptions{MaxBytes: max})
	case KindFeed:
		recs, bad, err := ReadFeedFile(src.Path, &FeedOptions{MaxBytes: max})
		if err != nil {
			return nil, err
		}
		return &listReader{bad: bad, recs: recs}, nil
	default:
		d, err := ReadFile(src.Path, &Options{MaxBytes: max, ArticlesOnly: true})
		if err != nil {
			// A page that holds no article is reported and skipped, as
			// a bad record of a stream is.
			return &listReader{bad: []error{err}}, nil
		}
		return &listReader{recs: []Record{{Doc: d, Line: 1}}}, nil
	}
}

// listReader gives records read whole (a feed's entries, a page): first
// the ones reported as bad, then the good ones.
type listReader struct {
	bad  []error
	recs []Record
}

func (l *listReader) Next() (Record, error) {
	if len(l.bad) > 0 {
		err := l.bad[0]
		l.bad = l.bad[1:]
		return Record{}, skipped{err}
	}
	if len(l.recs) == 0 {
		return Record{}, io.EOF
	}
	r := l.recs[0]
	l.recs = l.recs[1:]
	return r, nil
}

func (l *listReader) Close() error { l.bad, l.recs = nil, nil; return nil }

// skipped marks an error of listReader as one record's, to be reported
// and skipped; it reads as the error it wraps.
type skipped struct{ err error }

func (s skipped) Error() string { return s.err.Error() }
func (s skipped) Unwrap() error { return s.err }

// stream is what the JSONL and WARC readers share: the input, buffered
// and metered, its gzip layer, the file Open opened, and the error that
// ended it.
type stream struct {
	name  string
	br    *bufio.Reader // over meter
	meter *meteredReader
	gz    *gzip.Reader // nil for plain input
	file  *os.File     // closed by Close when the reader's Open opened it
	err   error        // the fatal error, returned by every later Next
}

func (s *stream) setFile(f *os.File) { s.file = f }

// close is the shared part of Close: Next fails after it, and closing
// twice is harmless.
func (s *stream) close() error {
	if s.br == nil {
		return nil
	}
	s.br = nil
	s.err = fmt.Errorf("%s: read after Close: %w", s.name, os.ErrClosed)
	if s.gz != nil {
		// Its error can only repeat one Next has already returned.
		s.gz.Close()
	}
	if s.file != nil {
		return s.file.Close()
	}
	return nil
}

// openPath opens the file at path and reads it with newReader, naming it
// path in errors; the reader's Close closes the file.
func openPath[R interface{ setFile(*os.File) }](path string, newReader func(name string, f io.Reader) (R, error)) (R, error) {
	var zero R
	f, _, err := openFile(path)
	if err != nil {
		return zero, err
	}
	r, err := newReader(path, f)
	if err != nil {
		f.Close()
		return zero, err
	}
	r.setFile(f)
	return r, nil
}
