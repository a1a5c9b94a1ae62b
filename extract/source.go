package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Sources: what `retold add PATH...` reads
//
// A path is a file or a directory; a directory is walked recursively in
// lexical order, skipping entries whose names start with ".". Each file is
// read as one of four kinds, decided by its name and, failing that, its
// first bytes:
//
//   - KindJSONL: .jsonl, .ndjson (also gzipped): a record per line;
//   - KindWARC: .warc, .warc.gz: the HTML responses of a web crawl;
//   - KindFeed: .rss, .atom, or XML whose root is <rss>, <feed> or
//     <rdf:RDF>: an RSS, Atom or JSON feed, a document per entry;
//   - KindPage: anything else: one HTML page, plain text or JSON record,
//     read by Parse.
//
// ReadSource reads one file of any kind through the same two callbacks:
// good records, and bad ones (a *RecordError, or for a page the error
// Parse gave) to report and skip; the error it returns ended the file
// early (a truncated gzip, an unreadable file) after the records before it.

// Kind is how a source file is read.
type Kind string

// The kinds of source files.
const (
	KindJSONL Kind = "jsonl"
	KindWARC  Kind = "warc"
	KindFeed  Kind = "feed"
	KindPage  Kind = "page"
)

// Source is one file to read.
type Source struct {
	Path string `json:"path"`
	Kind Kind   `json:"kind"`
}

// Sources lists the files under paths, each with its kind, in the order
// Files gives them.
func Sources(paths []string) ([]Source, error) {
	files, err := Files(paths)
	if err != nil {
		return nil, err
	}
	out := make([]Source, 0, len(files))
	for _, f := range files {
		k, err := kindOfFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, Source{f, k})
	}
	return out, nil
}

// Files lists the files under paths in the order given, a directory
// expanded to its regular files, recursively, in lexical order, without
// entries whose names start with ".". A path that does not exist, or a
// directory that holds no file, is an error naming it.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, unwrapPath(err))
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read directory %s: %w", p, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: directory holds no files", p)
		}
		slices.Sort(files)
		out = append(out, files...)
	}
	return out, nil
}

// kindHead is how many first bytes of a file KindOf is given.
const kindHead = 1024

func kindOfFile(path string) (Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	head := make([]byte, kindHead)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", fmt.Errorf("read %s: %w", path, unwrapPath(err))
	}
	return KindOf(path, head[:n]), nil
}

// KindOf decides how a file is read from its name and its first bytes.
func KindOf(name string, head []byte) Kind {
	base := strings.ToLower(filepath.Base(name))
	base = strings.TrimSuffix(base, ".gz")
	switch filepath.Ext(base) {
	case ".jsonl", ".ndjson":
		return KindJSONL
	case ".warc":
		return KindWARC
	case ".rss", ".atom":
		return KindFeed
	}
	if bytes.HasPrefix(head, []byte("WARC/")) {
		return KindWARC
	}
	if isFeed(head) {
		return KindFeed
	}
	if filepath.Ext(base) != ".json" && isJSONL(head) {
		return KindJSONL
	}
	return KindPage
}

// isJSONL reports whether head starts with a line that is one JSON
// object, or (a line longer than head) looks like the start of one: a
// corpus named .txt, or with no extension. A .json file is one record,
// and is read as a page is (Parse).
func isJSONL(head []byte) bool {
	b := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if !bytes.HasPrefix(b, []byte("{")) {
		return false
	}
	line, _, complete := bytes.Cut(b, []byte("\n"))
	if !complete && len(head) >= kindHead {
		return bytes.HasPrefix(b, []byte(`{"`))
	}
	return json.Valid(line)
}

// isFeed reports whether head starts an XML document whose root element
// is a feed's, after the declaration, comments and processing
// instructions.
func isFeed(head []byte) bool {
	b := bytes.TrimPrefix(head, utf8BOM)
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return false
			}
			b = b[i+2:]
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b, []byte("-->"))
			if i < 0 {
				return false
			}
			b = b[i+3:]
		default:
			for _, root := range []string{"<rss", "<feed", "<rdf:RDF"} {
				if bytes.HasPrefix(b, []byte(root)) && len(b) > len(root) && strings.ContainsRune(" \t\r\n>", rune(b[len(root)])) {
					return true
				}
			}
			return false
		}
	}
}

// SourceOptions tune ReadSource; nil means the defaults.
type SourceOptions struct {
	// MaxBytes bounds what one file may hold after decompression (a page
	// or a feed whole, a JSONL or WARC stream in total); 0 means each
	// reader's default (no bound for streams).
	MaxBytes int64
	// Keys name the fields of a JSONL record's id and text.
	Keys Keys
}

// jsonl is the options of a JSONL file read with o (which may be nil).
func (o *SourceOptions) jsonl() *JSONLOptions {
	if o == nil {
		return nil
	}
	return &JSONLOptions{MaxBytes: o.MaxBytes, Keys: o.Keys}
}

// ReadSource reads every document of src: good calls fn with each record
// (Record.Line is the line, entry or WARC record number; Raw is set for
// JSONL), bad with each record reported and skipped. An error from fn stops
// the reading and is returned; any other error returned ended the file
// early, after the records before it were passed to fn.
func ReadSource(src Source, opt *SourceOptions, good func(Record) error, bad func(error)) error {
	r, err := Open(src, opt)
	if err != nil {
		return err
	}
	defer r.Close()
	return drain(r.Next, good, bad)
}

// drain passes a reader's records on until its end.
func drain(next func() (Record, error), good func(Record) error, bad func(error)) error {
	for {
		r, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if sk, ok := err.(skipped); ok {
			bad(sk.err)
			continue
		}
		if skippable(err) {
			bad(err)
			continue
		}
		if err != nil {
			return err
		}
		if err := good(r); err != nil {
			return err
		}
	}
}
