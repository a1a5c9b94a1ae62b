package extract

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/retold/retold"
)

// Reading a JSONL corpus
//
// A corpus is one JSON object per line, possibly gzipped, often hundreds of
// MB. JSONLReader streams it: one bufio.Reader of jsonlBufSize bytes sits
// over the (decompressed) stream, each line is found with ReadSlice inside
// that buffer and decoded from there, and only a good record's Raw is
// copied out. Memory is therefore the buffer plus the record being
// returned, whatever the size of the corpus.
//
// A line longer than the buffer is collected in buffer-sized pieces. Once
// the pieces pass MaxLine the line is known to be too long: the pieces are
// dropped and the rest of the line is read and discarded up to its '\n', so
// a 50 MB line costs at most MaxLine bytes of memory, not 50 MB.
//
// The stream is decided to be gzip by its first two bytes (1f 8b), never by
// the file name; compress/gzip reads concatenated members as one stream.
// MaxBytes counts decompressed bytes, which is what a gzip bomb inflates.
//
// Errors come in two kinds. A bad line is a *RecordError: the caller
// reports it and calls Next again. A broken stream (a read error, a
// truncated or corrupt gzip, MaxBytes passed) is fatal: Next returns it,
// and again on every later call.

// DefaultJSONLMaxLine is the longest line JSONLReader accepts when
// JSONLOptions.MaxLine is zero.
const DefaultJSONLMaxLine = 32 << 20

// jsonlBufSize is the read buffer. Typical records (a few KB) are found and
// decoded inside it with no copy; a read system call fetches 1 MiB.
const jsonlBufSize = 1 << 20

// JSONLOptions tunes the limits of a JSONLReader. A nil *JSONLOptions means
// the defaults.
type JSONLOptions struct {
	// MaxLine is the longest line accepted, in bytes, without its line
	// ending; 0 means DefaultJSONLMaxLine. A longer line is skipped without
	// being held in memory whole and reported as a *RecordError wrapping
	// retold.ErrTooLarge, even if it holds only white space.
	MaxLine int
	// Keys name the fields of the id and the text; the zero value means
	// "id" and "text".
	Keys Keys
	// MaxBytes is the most bytes read from the stream in total, after
	// decompression; 0 means no limit. Set it to guard against gzip bombs.
	// Passing it is a fatal error wrapping retold.ErrTooLarge.
	MaxBytes int64
}

func (opt *JSONLOptions) withDefaults() JSONLOptions {
	var o JSONLOptions
	if opt != nil {
		o = *opt
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultJSONLMaxLine
	}
	o.MaxBytes = max(o.MaxBytes, 0)
	return o
}

// Record is one good line of a JSONL corpus.
type Record struct {
	// Doc holds the fields id, title, text, url, outlet, date and lang.
	// ID and Text are never empty; Text has its line endings normalized to
	// "\n", as Parse does.
	Doc retold.Document
	// Name is the stream's name, as errors give it: the file's path.
	Name string
	// Line is the 1-based line number in the decompressed stream; blank
	// and bad lines are counted too, so it points at the line in the file.
	// For a WARC file it counts records, for a feed entries, and a page
	// is line 1.
	Line int
	// Raw is the line as read, without its "\n" or "\r\n", for passing the
	// record through with its unknown fields. It belongs to the caller: the
	// reader never touches it again.
	Raw []byte
}

// RecordError is a bad line of a JSONL corpus. The line is skipped: the
// caller reports the error and may go on with Next. Err wraps one of
// retold.ErrFormat, ErrEmpty, ErrInvalidUTF8, ErrBinary or ErrTooLarge.
type RecordError struct {
	Name string // the stream's name, as given to NewJSONL or OpenJSONL
	Line int    // 1-based line number in the decompressed stream
	Err  error
}

// Error returns "NAME:LINE: message", the form editors and grep -n use.
func (e *RecordError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err) }

// Unwrap returns Err, so that errors.Is(err, retold.ErrFormat) and friends
// see through a RecordError.
func (e *RecordError) Unwrap() error { return e.Err }

// JSONLReader reads the records of a JSONL corpus one at a time.
//
// Each non-blank line must be one JSON object with a non-empty string "id"
// and a "text" string holding something other than white space; "title",
// "url", "outlet", "date" and "lang" are optional strings (absent or null
// means empty). Other fields are allowed and ignored; Record.Raw keeps
// them. As in encoding/json, field names match without regard to case and
// the last of repeated fields wins. Text is taken as given: unlike Parse,
// no HTML is extracted from it.
//
// A line is refused, as a *RecordError, when it is not valid UTF-8 (checked
// on the raw bytes, because encoding/json would silently replace them),
// holds a NUL byte or a "\u0000" in its text (ErrBinary: text with NULs
// breaks downstream tools, and is binary data in practice), is not a JSON
// object, lacks a usable id or text, gives a field a value that is not a
// string (an id may also be a number, taken as its literal: 0042 is not
// JSON, 42.0 stays "42.0", so no digit is lost or guessed), or is longer
// than MaxLine. Keys moves the id and the text to other fields. Blank lines (only spaces, tabs, "\r", "\v" and
// "\f") are skipped silently, a last line without "\n" is read, "\r\n"
// endings work, and a UTF-8 byte order mark at the very start is ignored.
//
// Duplicate ids are not detected: the caller decides what a duplicate
// means. A JSONLReader is not safe for concurrent use; cancellation is the
// caller's loop around Next.
type JSONLReader struct {
	stream
	opt   JSONLOptions
	line  int      // lines read so far
	parts [][]byte // pieces of a line longer than the buffer, reused
	// fields is decoded into for every line; kept here because
	// json.Unmarshal would otherwise move a fresh one to the heap each time.
	fields jsonlFields
}

// NewJSONL reads a JSONL corpus from r; name identifies it in errors (an
// empty name means "stdin"). Gzip input is recognized by its magic bytes,
// not by the name, and decompressed; concatenated gzip members are read as
// one stream.
//
// NewJSONL reads the start of the stream at once. It returns an error for a
// stream that cannot be read or decompressed, and refuses one whose first
// 8 KiB look binary (a known file signature, a NUL byte, many control
// characters; no valid JSONL has them) with retold.ErrBinary, or that is
// UTF-16 with retold.ErrInvalidUTF8: reported line by line, such a file
// would bury the user in errors. Close does not close r.
func NewJSONL(name string, r io.Reader, opt *JSONLOptions) (*JSONLReader, error) {
	if name == "" {
		name = StdinName
	}
	jr := &JSONLReader{stream: stream{name: name}, opt: opt.withDefaults()}

	src, zr, gzipped, err := sniffGzip(name, r)
	switch {
	case gzipped && err != nil:
		return nil, jr.gzipError(err, "")
	case err != nil:
		return nil, err
	}
	jr.gz = zr
	jr.meter = &meteredReader{r: src, max: jr.opt.MaxBytes}
	jr.br = bufio.NewReaderSize(jr.meter, jsonlBufSize)

	// A read error here is not lost: the meter repeats it, and Next reports
	// it with the line it happened in, after the records before it.
	head, _ := jr.br.Peek(sniffLen)
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return nil, fmt.Errorf("%s: %w: the stream is UTF-16 (it starts with a UTF-16 byte order mark); convert it to UTF-8",
			name, retold.ErrInvalidUTF8)
	}
	if err := checkBinary(head); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		jr.br.Discard(len(utf8BOM))
	}
	return jr, nil
}

// OpenJSONL opens the file at path and reads it as NewJSONL does, naming it
// path in errors. Close closes the file. Standard input ("-") is the
// caller's to handle, with NewJSONL.
func OpenJSONL(path string, opt *JSONLOptions) (*JSONLReader, error) {
	return openPath(path, func(name string, f io.Reader) (*JSONLReader, error) { return NewJSONL(name, f, opt) })
}

// Close releases the reader and closes the file OpenJSONL opened. Next
// fails after Close. Closing twice is harmless.
func (r *JSONLReader) Close() error {
	r.parts = nil
	return r.stream.close()
}

// Next returns the next record. At the clean end of the stream it returns
// io.EOF. A bad line gives a *RecordError, after which Next may be called
// again. Any other error is fatal: the stream cannot be read further, and
// Next returns the same error from then on; records returned before it
// stay valid.
func (r *JSONLReader) Next() (Record, error) {
	line, owned, err := r.nextLine()
	if err != nil {
		return Record{}, err
	}
	doc, err := decodeJSONLine(line, &r.fields, r.opt.Keys)
	if err != nil {
		return Record{}, &RecordError{r.name, r.line, err}
	}
	if !owned {
		line = bytes.Clone(line)
	}
	return Record{Doc: doc, Name: r.name, Line: r.line, Raw: line}, nil
}

// NextLine returns the next non-blank line as read, without its "\n" or
// "\r\n", and its 1-based line number, leaving the decoding to the caller
// (ScanIDText, say). The line is valid only until the next call: it is
// usually a slice of the read buffer, which the next call reuses.
//
// Blank lines are skipped and counted as Next skips them. The one line
// NextLine refuses is one longer than MaxLine: a *RecordError wrapping
// retold.ErrTooLarge, with lineNo its line, after which NextLine may be
// called again. io.EOF and fatal errors are as in Next, with lineNo 0.
// NextLine and Next may be mixed; each takes the next line.
func (r *JSONLReader) NextLine() (line []byte, lineNo int, err error) {
	line, _, err = r.nextLine()
	if _, bad := err.(*RecordError); err == nil || bad {
		return line, r.line, err
	}
	return nil, 0, err
}

// nextLine skips blank lines and returns the next other line as readLine
// does (owned tells that the line is the caller's), or the error Next and
// NextLine return: a *RecordError for a line past MaxLine, io.EOF, or the
// fatal error, kept in r.err.
func (r *JSONLReader) nextLine() (line []byte, owned bool, err error) {
	for r.err == nil {
		line, owned, err = r.readLine()
		switch {
		case err == errLineTooLong:
			return nil, false, &RecordError{r.name, r.line,
				fmt.Errorf("%w: line longer than %d bytes (MaxLine)", retold.ErrTooLarge, r.opt.MaxLine)}
		case err == io.EOF:
			return nil, false, io.EOF
		case err != nil:
			r.err = r.fatal(err)
			return nil, false, r.err
		case isBlank(line):
			continue
		}
		return line, owned, nil
	}
	return nil, false, r.err
}

// errLineTooLong is readLine's report of a line past MaxLine, already read
// to its end.
var errLineTooLong = errors.New("line too long")

// readLine reads one line and returns it without its "\n" or "\r\n". The
// line is a slice of the read buffer, valid until the next read, unless
// owned is set. err is io.EOF at the clean end, errLineTooLong for a line
// past MaxLine (counted as read), and otherwise an error of the stream; a
// line cut short by a stream error is not returned.
func (r *JSONLReader) readLine() (line []byte, owned bool, err error) {
	frag, err := r.br.ReadSlice('\n')
	switch {
	case err == nil:
		line = frag[:len(frag)-1]
	case err == bufio.ErrBufferFull:
		line, err = r.readLong(frag)
		if err != nil && err != errLineTooLong {
			return nil, false, err
		}
		owned = true
	case err == io.EOF && len(frag) > 0:
		line = frag // the last line, without "\n"; the next call sees EOF
	default:
		return nil, false, err
	}
	r.line++
	if err == errLineTooLong {
		return nil, false, err
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > r.opt.MaxLine {
		return nil, false, errLineTooLong
	}
	return line, owned, nil
}

// readLong finishes a line that filled the read buffer; first is that
// buffer-full. The pieces are copied out, because the buffer is reused,
// and joined once the line ends: a long line costs about twice its size,
// and never more than MaxLine. Past MaxLine (plus one byte for a "\r") the
// pieces are dropped and the rest of the line is discarded.
func (r *JSONLReader) readLong(first []byte) ([]byte, error) {
	limit := r.opt.MaxLine + 1
	n, tooLong := 0, false
	frag, err := first, bufio.ErrBufferFull
	for {
		piece := frag
		if err == nil {
			piece = frag[:len(frag)-1]
		}
		n += len(piece)
		if !tooLong && n > limit {
			tooLong = true
			clear(r.parts) // let the pieces be collected now
			r.parts = r.parts[:0]
		}
		if !tooLong {
			r.parts = append(r.parts, bytes.Clone(piece))
		}
		if err != bufio.ErrBufferFull {
			break
		}
		frag, err = r.br.ReadSlice('\n')
	}
	if err != nil && err != io.EOF {
		clear(r.parts)
		r.parts = r.parts[:0]
		return nil, err
	}
	if tooLong {
		return nil, errLineTooLong
	}
	line := make([]byte, 0, n)
	for _, p := range r.parts {
		line = append(line, p...)
	}
	clear(r.parts)
	r.parts = r.parts[:0]
	return line, nil
}

// fatal describes a stream error met while reading line r.line+1.
func (r *JSONLReader) fatal(err error) error {
	line := r.line + 1
	if err == errMaxBytes {
		what := "bytes"
		if r.gz != nil {
			what = "bytes after decompression"
		}
		return fmt.Errorf("%s:%d: %w: more than %d %s (MaxBytes)", r.name, line, retold.ErrTooLarge, r.opt.MaxBytes, what)
	}
	if r.gz != nil {
		if e := r.gzipError(err, fmt.Sprintf(":%d", line)); e != nil {
			return e
		}
	}
	return fmt.Errorf("%s:%d: read: %w", r.name, line, unwrapPath(err))
}

// gzipError names a decompression error, at is ":LINE" or "" for the
// header; it returns nil for an error that is not the gzip stream's.
func (r *JSONLReader) gzipError(err error, at string) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		if at == "" {
			return fmt.Errorf("%s: truncated gzip: the stream ends inside the gzip header: %w", r.name, err)
		}
		return fmt.Errorf("%s%s: truncated gzip: the stream ends inside this line: %w", r.name, at, err)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &corrupt):
		return fmt.Errorf("%s%s: corrupt gzip: %w", r.name, at, err)
	case at == "":
		return fmt.Errorf("read %s: %w", r.name, unwrapPath(err))
	}
	return nil
}

// sniffGzip reads the first two bytes of r and returns the stream to
// read: r itself (the two bytes put back in front with a MultiReader, not
// a bufio.Reader, so that plain input is read straight into the caller's
// buffer), or, when they are the gzip magic 1f 8b, its decompression zr,
// with gzipped set. A failed read of r is an error naming the stream; a
// gzip header that does not decode is gzip's error, with gzipped set,
// for the caller to name.
func sniffGzip(name string, r io.Reader) (src io.Reader, zr *gzip.Reader, gzipped bool, err error) {
	var magic [2]byte
	n, err := io.ReadFull(r, magic[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, nil, false, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	src = io.MultiReader(bytes.NewReader(magic[:n]), r)
	if n < 2 || magic != [2]byte{0x1f, 0x8b} {
		return src, nil, false, nil
	}
	// compress/gzip needs an io.ByteReader below it, or it adds its own
	// small buffer; give it a larger one.
	zr, err = gzip.NewReader(bufio.NewReaderSize(src, 64<<10))
	return zr, zr, true, err
}

// isBlank reports whether b holds only ASCII white space.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\v' && c != '\f' {
			return false
		}
	}
	return true
}

// jsonlFields is what a line decodes into: the Document's fields, with tags
// of their own so that a field added to Document for output does not
// silently become an input field.
type jsonlFields struct {
	ID     jsonID `json:"id"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	URL    string `json:"url"`
	Outlet string `json:"outlet"`
	Date   string `json:"date"`
	Lang   string `json:"lang"`
}

// jsonID is an id as a line gives it: a string, or a number as written
// (no digit is lost on the way).
type jsonID string

func (id *jsonID) UnmarshalJSON(b []byte) error {
	switch c := b[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = jsonID(s)
	case c == '-' || '0' <= c && c <= '9':
		*id = jsonID(b)
	case c == 'n': // null leaves the field as it was
	default:
		// The Value names the kind as encoding/json's own errors do,
		// for typeErrorKind.
		kind := map[byte]string{'t': "bool", 'f': "bool", '[': "array", '{': "object"}[c]
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[string]()}
	}
	return nil
}

// jsonlMeta is jsonlFields without the id and the text, for a corpus
// that keeps them under other names (Keys).
type jsonlMeta struct {
	Title  string `json:"title"`
	URL    string `json:"url"`
	Outlet string `json:"outlet"`
	Date   string `json:"date"`
	Lang   string `json:"lang"`
}

// decodeJSONLine checks and decodes one non-blank line, using f as scratch,
// its id and text under the names keys gives. It keeps no reference to b:
// encoding/json copies every string out.
func decodeJSONLine(b []byte, f *jsonlFields, keys Keys) (retold.Document, error) {
	if keys.custom() {
		return decodeWithKeys(b, keys)
	}
	if doc, ok := scanDocument(b); ok {
		return doc, nil
	}
	return decodeJSONLineStd(b, f)
}

// decodeJSONLineStd is decodeJSONLine for the usual keys by encoding/json:
// the reference scanDocument is held to, and the reader of the lines it
// refuses, for their errors.
func decodeJSONLineStd(b []byte, f *jsonlFields) (retold.Document, error) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return retold.Document{}, fmt.Errorf("%w: NUL byte at byte offset %d of the line", retold.ErrBinary, i)
	}
	if i := invalidUTF8(b); i >= 0 {
		return retold.Document{}, fmt.Errorf("%w: byte offset %d of the line", retold.ErrInvalidUTF8, i)
	}
	*f = jsonlFields{}
	err := json.Unmarshal(b, f)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		bad := func(off int64, format string, args ...any) error {
			_, col := position(b, off)
			return fmt.Errorf("%w: column %d: %s", retold.ErrFormat, col, fmt.Sprintf(format, args...))
		}
		return retold.Document{}, jsonError("", b, err, bad)
	}
	// The line is valid JSON from here, so its first byte names its kind
	// (null would decode into f without an error).
	if k := jsonKind(b); k != "an object" {
		return retold.Document{}, fmt.Errorf("%w: want a JSON object, found %s", retold.ErrFormat, k)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		found := typeErrorKind(typ.Value)
		if typ.Field == "id" {
			return retold.Document{}, fmt.Errorf("%w: id must be a string or a number, found %s", retold.ErrFormat, found)
		}
		return retold.Document{}, fmt.Errorf("%w: field %q: want a string, found %s", retold.ErrFormat, typ.Field, found)
	}
	if err != nil {
		return retold.Document{}, fmt.Errorf("%w: %v", retold.ErrFormat, err)
	}

	if strings.TrimSpace(string(f.ID)) == "" {
		return retold.Document{}, fmt.Errorf("%w: missing id", retold.ErrFormat)
	}
	if len(f.ID) > retold.MaxIDBytes {
		return retold.Document{}, idTooLong(len(f.ID))
	}
	if err := checkDate(f.Date); err != nil {
		return retold.Document{}, err
	}
	switch {
	case f.Text == "":
		// Only now tell a missing (or null) text from an empty one: a
		// pointer field would cost an allocation on every good line.
		var probe struct {
			Text *string `json:"text"`
		}
		if json.Unmarshal(b, &probe) == nil && probe.Text == nil {
			return retold.Document{}, fmt.Errorf("%w: missing field \"text\"", retold.ErrFormat)
		}
		return retold.Document{}, fmt.Errorf("%w: field \"text\" is empty", retold.ErrEmpty)
	case strings.TrimSpace(f.Text) == "":
		return retold.Document{}, fmt.Errorf("%w: field \"text\" is only white space", retold.ErrEmpty)
	case strings.IndexByte(f.Text, 0) >= 0:
		return retold.Document{}, fmt.Errorf("%w: field \"text\" holds a NUL character (\\u0000)", retold.ErrBinary)
	}
	return retold.Document{
		ID: string(f.ID), Title: f.Title, Text: normalizeNewlines(f.Text), URL: f.URL,
		Outlet: f.Outlet, Date: f.Date, Lang: f.Lang,
	}, nil
}

// decodeWithKeys is decodeJSONLine for a corpus whose id or text is under
// another name: the scan reads those two and checks the line, and
// encoding/json the other fields.
func decodeWithKeys(b []byte, keys Keys) (retold.Document, error) {
	id, text, _, err := keys.ScanIDText(b, nil)
	if err != nil {
		return retold.Document{}, err
	}
	var m jsonlMeta
	if err := json.Unmarshal(b, &m); err != nil {
		// The scan found every field of the wrong type already, so this
		// is only a safeguard.
		return retold.Document{}, fmt.Errorf("%w: %v", retold.ErrFormat, err)
	}
	if err := checkDate(m.Date); err != nil {
		return retold.Document{}, err
	}
	return retold.Document{
		ID: string(id), Title: m.Title, Text: normalizeNewlines(string(text)), URL: m.URL,
		Outlet: m.Outlet, Date: m.Date, Lang: m.Lang,
	}, nil
}

// typeErrorKind names the JSON value of an *json.UnmarshalTypeError, whose
// Value is "bool", "array", "object", "number" or "number -5".
func typeErrorKind(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "bool":
		return "a boolean"
	case "array":
		return "an array"
	case "object":
		return "an object"
	case "number":
		return "a number"
	}
	return value
}

// errMaxBytes is the meter's report that the stream passed MaxBytes.
var errMaxBytes = errors.New("MaxBytes passed")

// meteredReader counts the bytes of the decompressed stream and stops it
// after max of them (if max > 0). It also keeps the first error it meets
// and returns it on every later call: bufio.Reader.Peek forgets an error
// once it has reported it, and the stream must not be read on past one.
type meteredReader struct {
	r   io.Reader
	n   int64
	max int64
	err error
}

func (m *meteredReader) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if m.max > 0 && int64(len(p)) > m.max-m.n+1 {
		// One byte more than allowed tells a stream that ends at the
		// limit from one that goes past it.
		p = p[:m.max-m.n+1]
	}
	n, err := m.r.Read(p)
	m.n += int64(n)
	if m.max > 0 && m.n > m.max {
		n -= int(m.n - m.max)
		m.n = m.max
		err = errMaxBytes
	}
	if err != nil {
		m.err = err
	}
	return n, err
}

// idTooLong is the error of a record whose id is longer than
// retold.MaxIDBytes.
func idTooLong(n int) error {
	return fmt.Errorf("%w: an id of %d bytes, longer than the %d retold takes", retold.ErrFormat, n, retold.MaxIDBytes)
}

// maxDateBytes bounds a date field: an RFC 3339 time is at most 35
// bytes, and a longer value is no date (it would also be too long for an
// index's key on it).
const maxDateBytes = 64

// checkDate refuses a date field too long to be a date.
func checkDate(date string) error {
	if len(date) > maxDateBytes {
		return fmt.Errorf("%w: field \"date\" of %d bytes is not a date", retold.ErrFormat, len(date))
	}
	return nil
}
