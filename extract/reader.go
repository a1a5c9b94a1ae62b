package extract

import (
	"bufio"
	"compress/gzip"
	"errors"
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
		return OpenJSONL(src.Path, opt.jsonl())
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
		return &listReader{recs: []Record{{Doc: d, Name: src.Path, Line: 1}}}, nil
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

// OpenAll reads every file under paths (Sources: a directory gives its
// files in lexical order), one after another, as one Reader; "-" is
// stdin, read as JSONL. Each file is opened when its turn comes. A file
// that cannot be opened or read to its end is reported and skipped as a
// bad record is (the records read from it before the break are kept),
// and the next file is read. A path that does not exist is an error
// now.
func OpenAll(paths []string, stdin io.Reader, opt *SourceOptions) (Reader, error) {
	var srcs []Source
	for _, p := range paths {
		if p == "-" {
			srcs = append(srcs, Source{Path: "-", Kind: KindJSONL})
			continue
		}
		s, err := Sources([]string{p})
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, s...)
	}
	return &multiReader{srcs: srcs, stdin: stdin, opt: opt}, nil
}

// multiReader is OpenAll's Reader.
type multiReader struct {
	srcs  []Source
	stdin io.Reader
	opt   *SourceOptions
	cur   Reader // the open file's, or nil between files
}

// open opens the next file; a file that cannot be opened gives the error
// to report (skipped), and the file is passed over.
func (m *multiReader) open() error {
	src := m.srcs[0]
	m.srcs = m.srcs[1:]
	var r Reader
	var err error
	if src.Path == "-" {
		r, err = NewJSONL("stdin", m.stdin, m.opt.jsonl())
	} else {
		r, err = Open(src, m.opt)
	}
	if err != nil {
		return skipped{err}
	}
	m.cur = r
	return nil
}

func (m *multiReader) Next() (Record, error) {
	for {
		if m.cur == nil {
			if len(m.srcs) == 0 {
				return Record{}, io.EOF
			}
			if err := m.open(); err != nil {
				return Record{}, err
			}
		}
		rec, err := m.cur.Next()
		if err == nil || skippable(err) {
			return rec, err
		}
		m.cur.Close()
		m.cur = nil
		if !errors.Is(err, io.EOF) {
			// The file broke off: report it, go on with the next.
			return Record{}, skipped{err}
		}
	}
}

// each is Each over the files: a JSONL file is decoded on every core.
func (m *multiReader) each(workers int, fn func(Record, error) error) error {
	for len(m.srcs) > 0 || m.cur != nil {
		if m.cur == nil {
			if err := m.open(); err != nil {
				if err := fn(Record{}, err); err != nil {
					return err
				}
				continue
			}
		}
		stop := false // fn's own error, not the file's
		err := Each(m.cur, workers, func(rec Record, err error) error {
			if err := fn(rec, err); err != nil {
				stop = true
				return err
			}
			return nil
		})
		m.cur.Close()
		m.cur = nil
		if stop {
			return err
		}
		if err != nil {
			if err := fn(Record{}, skipped{err}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *multiReader) Close() error {
	m.srcs = nil
	if m.cur != nil {
		err := m.cur.Close()
		m.cur = nil
		return err
	}
	return nil
}

// skippable reports whether err from a Reader's Next is one record's, to
// report and skip: a *RecordError, or an error a reader marked so.
func skippable(err error) bool {
	var re *RecordError
	if errors.As(err, &re) {
		return true
	}
	_, ok := err.(skipped)
	return ok
}

// Each calls fn with every result r's Next would give, in order: a record
// with a nil error, or a zero Record with the error of one reported and
// skipped, until the clean end (Each returns nil) or an error that ends
// the stream (Each returns it, after fn has seen every record before
// it). A JSONL stream, alone or in OpenAll's files, has its lines decoded
// on workers goroutines (JSONLReader.Each); fn runs on the calling
// goroutine. If fn returns an error, Each stops and returns it.
func Each(r Reader, workers int, fn func(Record, error) error) error {
	switch r := r.(type) {
	case *JSONLReader:
		return r.Each(workers, fn)
	case *multiReader:
		return r.each(workers, fn)
	}
	for {
		rec, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil && !skippable(err):
			return err
		}
		if err := fn(rec, err); err != nil {
			return err
		}
	}
}
