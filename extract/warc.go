package extract

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/retold/retold"
)

// Reading a WARC file
//
// A WARC file (ISO 28500, versions 1.0 and 1.1) is a run of records, each
// a version line ("WARC/1.1"), header fields, a blank line, a block of
// exactly Content-Length bytes and an end-of-record marker of two CRLFs.
// A crawl stores every page it fetched as a response record whose block
// is the HTTP response as it came off the wire: status line, headers and
// body, the body possibly chunked and gzipped.
//
// The record parser is written here rather than taken from a WARC
// library, after reading the two known to build here:
//
//   - github.com/internetarchive/gowarc v0.8.101 is a crawler's library:
//     its module pulls in a DNS resolver, uTLS, a SOCKS proxy, cobra and
//     zstd/xz. Its Reader copies every block into a spooled temporary
//     file (on disk past 1 MB, tuned by environment variables), with no
//     limit of its own on Content-Length, and it reads a gzipped file one
//     member at a time with multistream off and then drains the member:
//     a whole-file gzip yields its first record and silently drops the
//     rest.
//   - github.com/nlnwa/gowarc/v2 v2.0.1 depends on prometheus (for one
//     file helper) and buffers blocks to disk too. By default it skips
//     bytes until it finds "WARC/" and, under its default ErrWarn spec
//     policy, a block cut short by the end of the file only adds a
//     warning to a Validation value: the truncated record comes back with
//     a nil error. ErrFail fixes that but also fails on harmless spec
//     deviations of real crawls.
//
// The format itself is small, and the parser here reads it under the
// rules this package needs: it streams, holds at most MaxRecord bytes of
// a record, and reports a cut-short file as an error, never as a short
// record.
//
// Layers, from the bottom: the input; gzip, recognized by its magic bytes
// and read as one multistream, which covers both the usual .warc.gz of
// one gzip member per record and a whole file gzipped at once; the
// MaxBytes meter (meteredReader, shared with JSONLReader); and one
// bufio.Reader that the record parser reads lines, peeks and blocks from.
// A record that yields no page (a request, a 404, an image, a record
// larger than MaxRecord) is discarded through the buffer without being
// held.
//
// Errors come in two kinds, as in JSONLReader. A record that can be
// stepped over, because its Content-Length is known, is a *RecordError
// when it is worth reporting: an HTML page that is not an article, one
// too large, a malformed header. Anything that leaves the reader unsure
// where the next record starts (no Content-Length, a block not followed by
// its end-of-record marker, the end of the file inside a record, broken
// gzip, MaxBytes passed) is fatal.

// DefaultWARCMaxRecord is the largest HTTP body WARCReader reads when
// WARCOptions.MaxRecord is zero.
const DefaultWARCMaxRecord = 32 << 20

const (
	// warcBufSize is the read buffer: large enough that a peek can hold
	// maxHTTPHead and a typical page's whole block.
	warcBufSize = 256 << 10
	// maxWARCHeader bounds the WARC header of a record (real ones are
	// under 2 KB); past it the stream is taken to be garbage.
	maxWARCHeader = 1 << 20
	// maxHTTPHead bounds the status line and headers of an HTTP response.
	maxHTTPHead = 64 << 10
	// warcPageName is the name Parse is given for a page: its extension
	// forces HTML (see parsePage).
	warcPageName = "page.html"
)

// WARCOptions tunes the limits of a WARCReader. A nil *WARCOptions means
// the defaults.
type WARCOptions struct {
	// MaxRecord is the largest HTTP body read into memory, in bytes, both
	// as stored and after its Content-Encoding is undone; 0 means
	// DefaultWARCMaxRecord. A larger HTML page is stepped over unread and
	// reported as a *RecordError wrapping retold.ErrTooLarge; larger
	// records of any other kind are skipped in silence.
	MaxRecord int64
	// MaxBytes is the most bytes read from the stream in total, after
	// decompression; 0 means no limit. Set it to guard against gzip bombs.
	// Passing it is a fatal error wrapping retold.ErrTooLarge.
	MaxBytes int64
}

func (opt *WARCOptions) withDefaults() WARCOptions {
	var o WARCOptions
	if opt != nil {
		o = *opt
	}
	if o.MaxRecord <= 0 {
		o.MaxRecord = DefaultWARCMaxRecord
	}
	o.MaxBytes = max(o.MaxBytes, 0)
	return o
}

// WARCReader reads the article pages of a WARC file one at a time.
//
// Only response records whose block is an HTTP response (WARC
// Content-Type application/http, or none and a block starting "HTTP/")
// with status 200 and an HTML body yield documents. The body is HTML when
// its Content-Type is text/html or application/xhtml+xml, or, without a
// Content-Type, when net/http.DetectContentType (the WHATWG sniffing
// rules) says text/html. Every other record (warcinfo, request, metadata,
// resource, revisit, conversion, continuation, unknown types, responses
// that are not 200 or not HTML, DNS responses) is skipped silently.
//
// For a page, chunked Transfer-Encoding and gzip, x-gzip or deflate
// Content-Encoding are undone (a body that does not carry the signature
// of its coding is taken to be stored decoded already, as some crawlers
// do). When the page declares no charset of its own (no BOM, <meta> or
// XML declaration), the charset of the HTTP Content-Type is used to
// decode it to UTF-8; otherwise the page's declaration wins, as Parse
// reads it. The body then goes to Parse as HTML (never as text or JSON,
// whatever it starts with). In the Record:
//
//   - Doc.ID is the WARC-Target-URI (angle brackets, which some WARC/1.1
//     writers add, taken off).
//   - Doc.URL is the page's canonical URL as Parse found it (<link
//     rel=canonical> or og:url, when absolute), else the target URI.
//   - Doc.Date is the page's date as Parse found it, else the date part
//     (YYYY-MM-DD) of WARC-Date.
//   - Doc.Title, Text, Outlet and Lang are Parse's.
//   - Line is the 1-based number of the record in the file, every record
//     counted, skipped ones too; Raw is nil.
//
// A page that cannot be read is a *RecordError whose Line is the record
// number, and the reader goes on with the next record on the next call:
// a page Parse refuses (no text: ErrEmpty; bad UTF-8, binary), a body
// larger than MaxRecord (ErrTooLarge), an undecodable body or an
// unsupported Content-Encoding such as br (ErrFormat), a page the crawler
// marked truncated (WARC-Truncated) or split into segments, a response
// without a WARC-Target-URI, and a record whose WARC header is malformed
// but has a Content-Length (ErrFormat). A page that notArticle refuses
// (fewer than minPageWords words besides its title, or no sentence of
// minSentenceWords words) is not an article (ErrEmpty): Parse itself
// takes any visible text, so an image gallery or a login form would
// otherwise come out as its title and a few words of navigation.
//
// Blank lines between records are tolerated, and so is an end-of-record
// marker of bare "\n"s. A WARC file may hold no records at all.
//
// # Guarantees
//
//   - A record is returned only once all of it has been read: its block,
//     its end-of-record marker and, in a .warc.gz, the CRC of its gzip
//     member. A file cut short, or with a corrupt gzip member, gives the
//     records before the damage and then a fatal error naming the record.
//     (A file gzipped whole has one CRC, checked at its end: a corrupt one
//     fails the last record.)
//   - Memory is the 256 KiB read buffer, the WARC header (at most 1 MiB),
//     and one HTTP body of at most MaxRecord bytes with its decoded
//     copies, whatever the size of the file or of its records.
//   - No input makes the reader panic or loop: every call to Next
//     consumes input, and Parse's own guarantees hold for the pages.
//
// A WARCReader is not safe for concurrent use; cancellation is the
// caller's loop around Next.
type WARCReader struct {
	stream // its err is io.EOF or the fatal error
	opt    WARCOptions
	rec    int    // records begun so far
	in     bool   // inside record rec (for naming where an error is)
	body   []byte // the raw HTTP body of the current page, reused
}

// NewWARC reads a WARC file from r; name identifies it in errors (an empty
// name means "stdin"). Gzip input is recognized by its magic bytes, not by
// the name.
//
// NewWARC reads the start of the stream at once, and refuses with
// retold.ErrFormat a stream that does not start, after any blank lines,
// with a WARC version line: a wrong file gives one clear error. It also
// fails on a stream that cannot be read or whose gzip header is broken.
// Close does not close r.
func NewWARC(name string, r io.Reader, opt *WARCOptions) (*WARCReader, error) {
	if name == "" {
		name = StdinName
	}
	wr := &WARCReader{stream: stream{name: name}, opt: opt.withDefaults()}

	src, zr, gzipped, err := sniffGzip(name, r)
	if gzipped && err != nil {
		var corrupt flate.CorruptInputError
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: truncated gzip: the file ends inside the gzip header: %w", name, io.ErrUnexpectedEOF)
		}
		if errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt) {
			return nil, fmt.Errorf("%s: corrupt gzip: %w", name, err)
		}
		return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	if err != nil {
		return nil, err
	}
	wr.gz = zr
	wr.meter = &meteredReader{r: src, max: wr.opt.MaxBytes}
	wr.br = bufio.NewReaderSize(wr.meter, warcBufSize)

	// A read error here is not lost: the meter repeats it, and Next
	// reports it with the record it happened in.
	head, _ := wr.br.Peek(sniffLen)
	if rest := bytes.TrimLeft(head, "\r\n"); len(rest) > 0 && !bytes.HasPrefix(rest, []byte("WARC/")[:min(len(rest), 5)]) {
		what := fmt.Sprintf("it starts with %q", firstLine(rest, 40))
		if err := checkBinary(rest); err != nil {
			what = err.Error()
		}
		if wr.gz != nil {
			what = "after gunzip, " + what
		}
		return nil, fmt.Errorf("%s: %w: not a WARC file (%s): a WARC record starts with a version line such as \"WARC/1.1\"",
			name, retold.ErrFormat, what)
	}
	return wr, nil
}

// firstLine returns b up to its first line ending, cut to at most n bytes.
func firstLine(b []byte, n int) []byte {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return b[:min(len(b), n)]
}

// OpenWARC opens the file at path and reads it as NewWARC does, naming it
// path in errors. Close closes the file. Standard input ("-") is the
// caller's to handle, with NewWARC.
func OpenWARC(path string, opt *WARCOptions) (*WARCReader, error) {
	return openPath(path, func(name string, f io.Reader) (*WARCReader, error) { return NewWARC(name, f, opt) })
}

// Close releases the reader and closes the file OpenWARC opened. Next
// fails after Close. Closing twice is harmless.
func (r *WARCReader) Close() error {
	r.body = nil
	return r.stream.close()
}

// Next returns the next article page. At the clean end of the file it
// returns io.EOF. A page that cannot be read gives a *RecordError, after
// which Next may be called again. Any other error is fatal: it names the
// file and the record, the stream cannot be read further, and Next
// returns the same error from then on; records returned before it stay
// valid. A fatal error for a file that ends too early wraps
// io.ErrUnexpectedEOF (the record cut short is not returned); for
// MaxBytes, retold.ErrTooLarge; for a stream that is not well-formed
// WARC, retold.ErrFormat.
func (r *WARCReader) Next() (Record, error) {
	for r.err == nil {
		rec, ok, err := r.readRecord()
		if _, bad := err.(*RecordError); bad {
			return Record{}, err
		}
		if err != nil {
			r.err = err
			break
		}
		if ok {
			return rec, nil
		}
	}
	return Record{}, r.err
}

// warcHeader is what the reader keeps of a record's WARC header.
type warcHeader struct {
	typ       string // WARC-Type, lower case
	target    string // WARC-Target-URI, without angle brackets
	date      string // WARC-Date
	ctype     string // Content-Type of the block
	truncated string // WARC-Truncated
	segment   string // WARC-Segment-Number
	length    int64  // Content-Length; -1 when absent or unusable
	// bad is the first thing wrong with the header when the record can
	// still be stepped over, for a *RecordError.
	bad error
}

// readRecord reads one record to its end. It returns ok and the page's
// Record, a *RecordError for a record stepped over with a complaint, no
// error for one skipped in silence, and any other error when the stream
// cannot be read further: io.EOF at its clean end, else the fatal error.
func (r *WARCReader) readRecord() (Record, bool, error) {
	if err := r.skipLineEnds(); err != nil {
		if err == io.EOF {
			return Record{}, false, io.EOF
		}
		return Record{}, false, r.streamErr(err, "the start of a record")
	}
	r.rec++
	r.in = true
	defer func() { r.in = false }()

	h, err := r.readHeader()
	if err != nil {
		return Record{}, false, err
	}
	left := h.length
	if h.bad != nil {
		return r.stepOver(left, h.bad)
	}
	if h.typ != "response" {
		return r.stepOver(left, nil)
	}
	switch mediaType(h.ctype) {
	case "application/http", "":
	default:
		return r.stepOver(left, nil) // DNS responses and the like
	}

	peek, err := r.br.Peek(int(min(left, maxHTTPHead)))
	if err != nil {
		return Record{}, false, r.streamErr(err, fmt.Sprintf("the block (%d of %d bytes)", len(peek), left))
	}
	if h.ctype == "" && !bytes.HasPrefix(peek, []byte("HTTP/")) {
		return r.stepOver(left, nil)
	}
	hh, n, err := parseHTTPHead(peek, left <= maxHTTPHead)
	if err != nil {
		return r.stepOver(left, h.about(err))
	}
	r.br.Discard(n) // peeked, so it cannot fail
	left -= int64(n)

	isHTML, known := htmlType(hh.contentType)
	if hh.status != 200 || (known && !isHTML) {
		return r.stepOver(left, nil)
	}
	if err := h.pageError(); err != nil {
		return r.stepOver(left, h.about(err))
	}
	if left > r.opt.MaxRecord {
		if !known && hh.contentEncoding == "" && hh.transferEncoding == "" {
			head, _ := r.br.Peek(512)
			if !sniffHTML(head) {
				return r.stepOver(left, nil)
			}
		}
		return r.stepOver(left, h.about(fmt.Errorf("%w: an HTTP body of %d bytes, more than %d (MaxRecord)",
			retold.ErrTooLarge, left, r.opt.MaxRecord)))
	}

	if int64(cap(r.body)) < left {
		r.body = make([]byte, left)
	}
	body := r.body[:left]
	if got, err := io.ReadFull(r.br, body); err != nil {
		return Record{}, false, r.streamErr(err, fmt.Sprintf("the block (%d of %d bytes)", int64(n+got), h.length))
	}
	if err := r.endRecord(); err != nil {
		return Record{}, false, err
	}

	doc, ok, err := r.page(h, hh, known, body)
	switch {
	case err != nil:
		return Record{}, false, &RecordError{r.name, r.rec, err}
	case !ok:
		return Record{}, false, nil
	}
	return Record{Doc: doc, Name: r.name, Line: r.rec}, true, nil
}

// pageError says why the record of a would-be page cannot give one.
func (h *warcHeader) pageError() error {
	switch {
	case h.target == "":
		return fmt.Errorf("%w: a response record without a WARC-Target-URI", retold.ErrFormat)
	case h.truncated != "":
		return fmt.Errorf("%w: the crawler truncated the page (WARC-Truncated: %s)", retold.ErrFormat, h.truncated)
	case h.segment != "":
		return fmt.Errorf("%w: the page is split over segmented records (WARC-Segment-Number: %s), which are not joined",
			retold.ErrFormat, h.segment)
	}
	return nil
}

// about puts the page's URI, if known, in front of an error about it.
func (h *warcHeader) about(err error) error {
	if h.target == "" {
		return err
	}
	return fmt.Errorf("%s: %w", h.target, err)
}

// stepOver discards the rest of the block, left bytes, and the end of the
// record. It returns a *RecordError for complaint, if any.
func (r *WARCReader) stepOver(left int64, complaint error) (Record, bool, error) {
	for left > 0 {
		d, err := r.br.Discard(int(min(left, 1<<30)))
		left -= int64(d)
		if err != nil {
			return Record{}, false, r.streamErr(err, fmt.Sprintf("the block (%d bytes short)", left))
		}
	}
	if err := r.endRecord(); err != nil {
		return Record{}, false, err
	}
	if complaint != nil {
		return Record{}, false, &RecordError{r.name, r.rec, complaint}
	}
	return Record{}, false, nil
}

// skipLineEnds consumes the blank lines before a record. It returns io.EOF
// at the end of the stream, nil before any other byte.
func (r *WARCReader) skipLineEnds() error {
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return err
		}
		if c != '\r' && c != '\n' {
			r.br.UnreadByte()
			return nil
		}
	}
}

// endRecord reads the end-of-record marker after a block and, in a gzip
// stream, makes sure the gzip member that holds it was checked whole.
func (r *WARCReader) endRecord() error {
	for range 2 {
		c, err := r.br.ReadByte()
		if err == nil && c == '\r' {
			c, err = r.br.ReadByte()
		}
		if err != nil {
			return r.streamErr(err, "the end-of-record marker")
		}
		if c != '\n' {
			return r.formatErr("no end-of-record marker (CRLF CRLF) after the block: its Content-Length is wrong or the file is corrupt")
		}
	}
	// compress/gzip checks a member's CRC when it reads the member's end,
	// which may not have happened yet: peeking one byte past the record
	// makes it so, and a corrupt or cut member fails this record, not
	// the next. (A whole-file gzip has one CRC, checked at its end.)
	// MaxBytes passed just past the record is the next record's problem.
	if r.gz != nil {
		if _, err := r.br.Peek(1); err != nil && err != io.EOF && err != errMaxBytes {
			return r.streamErr(err, "its gzip member")
		}
	}
	return nil
}

// readHeader reads the version line and the header fields of a record.
// The error is fatal: the record cannot be stepped over. Problems with a
// record that can be are left in h.bad.
func (r *WARCReader) readHeader() (warcHeader, error) {
	h := warcHeader{length: -1}
	size := 0
	line, long, err := r.headerLine(&size)
	if err != nil {
		return h, err
	}
	if long || !bytes.HasPrefix(line, []byte("WARC/")) {
		return h, r.formatErr("expected a WARC version line (\"WARC/1.1\"), found %q", firstLine(line, 40))
	}
	if v := string(bytes.TrimRight(line, " \t")); v != "WARC/1.0" && v != "WARC/1.1" {
		h.bad = fmt.Errorf("%w: unsupported WARC version %q (1.0 and 1.1 are read)", retold.ErrFormat, firstLine(line, 40))
	}
	setBad := func(format string, args ...any) {
		if h.bad == nil {
			h.bad = fmt.Errorf("%w: "+format, append([]any{retold.ErrFormat}, args...)...)
		}
	}

	var (
		last      *string // the field a continuation line goes on, if kept
		lengthVal string  // Content-Length as written, for the message
	)
	for {
		line, long, err := r.headerLine(&size)
		if err != nil {
			return h, err
		}
		if !long && len(line) == 0 {
			break // the blank line that ends the header
		}
		switch {
		case long:
			setBad("a header line longer than %d bytes", warcBufSize)
			last = nil
		case line[0] == ' ' || line[0] == '\t':
			// A folded line (WARC/1.0 allows them) continues the field
			// before it.
			if last != nil {
				*last += " " + string(bytes.TrimSpace(line))
			}
		default:
			name, value, ok := bytes.Cut(line, []byte(":"))
			if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
				setBad("header line %q is not a field (Name: value)", firstLine(line, 60))
				last = nil
				break
			}
			v := string(bytes.TrimSpace(value))
			last = nil
			switch strings.ToLower(string(name)) {
			case "content-length":
				n, ok := parseLength(v)
				switch {
				case !ok:
					lengthVal = v
					setBad("Content-Length %q is not a number of bytes", firstLine([]byte(v), 40))
				case h.length >= 0 && h.length != n:
					return h, r.formatErr("two different Content-Length fields (%d and %d)", h.length, n)
				default:
					h.length = n
				}
			case "warc-type":
				h.typ, last = strings.ToLower(v), &h.typ
			case "warc-target-uri":
				h.target, last = v, &h.target
			case "warc-date":
				h.date, last = v, &h.date
			case "content-type":
				h.ctype, last = v, &h.ctype
			case "warc-truncated":
				h.truncated, last = v, &h.truncated
			case "warc-segment-number":
				h.segment, last = v, &h.segment
			}
		}
	}
	if h.length < 0 {
		if lengthVal != "" {
			return h, r.formatErr("Content-Length %q is not a number of bytes: cannot find the next record", firstLine([]byte(lengthVal), 40))
		}
		return h, r.formatErr("no Content-Length: cannot find the next record")
	}
	h.target = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(h.target, "<"), ">"))
	if h.typ == "" {
		setBad("no WARC-Type")
	}
	return h, nil
}

// parseLength parses a Content-Length: decimal digits only (no sign), at
// most 18 of them, so it cannot overflow.
func parseLength(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// headerLine reads one line of a WARC header and returns it without its
// "\n" or "\r\n", as a slice of the read buffer valid until the next read.
// A line longer than the buffer is read to its end and dropped (long).
// size counts the header's bytes; past maxWARCHeader, or at the end of the
// stream, the error is fatal.
func (r *WARCReader) headerLine(size *int) (line []byte, long bool, err error) {
	for {
		frag, err := r.br.ReadSlice('\n')
		*size += len(frag)
		if *size > maxWARCHeader {
			return nil, false, r.formatErr("a WARC header longer than %d bytes: not a WARC record", maxWARCHeader)
		}
		switch err {
		case nil:
			if long {
				return nil, true, nil
			}
			return bytes.TrimSuffix(frag[:len(frag)-1], []byte("\r")), false, nil
		case bufio.ErrBufferFull:
			long = true
		default:
			return nil, false, r.streamErr(err, "the WARC header")
		}
	}
}

// streamErr turns an error of the stream, met while reading where, into
// the reader's fatal error.
func (r *WARCReader) streamErr(err error, where string) error {
	at := r.at()
	var corrupt flate.CorruptInputError
	switch {
	case err == errMaxBytes:
		what := "bytes"
		if r.gz != nil {
			what = "bytes after decompression"
		}
		return fmt.Errorf("%s: %w: more than %d %s (MaxBytes)", at, retold.ErrTooLarge, r.opt.MaxBytes, what)
	case err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF):
		kind := "truncated"
		if r.gz != nil && err != io.EOF {
			kind = "truncated gzip"
		}
		return fmt.Errorf("%s: %s: the file ends inside %s: %w", at, kind, where, io.ErrUnexpectedEOF)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &corrupt):
		return fmt.Errorf("%s: corrupt gzip in %s: %w", at, where, err)
	}
	return fmt.Errorf("%s: read: %w", at, unwrapPath(err))
}

// formatErr is the fatal error for a stream that is not well-formed WARC
// at the current record.
func (r *WARCReader) formatErr(format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", r.at(), retold.ErrFormat, fmt.Sprintf(format, args...))
}

// at names the place of an error: "NAME: record N" inside a record (or
// before the first), "NAME: after record N" between records.
func (r *WARCReader) at() string {
	if !r.in && r.rec > 0 {
		return fmt.Sprintf("%s: after record %d", r.name, r.rec)
	}
	return fmt.Sprintf("%s: record %d", r.name, max(r.rec, 1))
}
