package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/retold/retold"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/unicode"
)

// Options tunes the limits of a read. A nil *Options means the defaults.
type Options struct {
	MaxBytes int64 // whole input; default 32 << 20 (32 MiB)
	MaxLine  int   // longest line accepted for plain text; default 1 << 20 (1 MiB)
	// ArticlesOnly refuses an HTML page that holds no article (ErrEmpty,
	// "not an article": fewer than 10 words besides its title, or not one
	// sentence of 5 words ending in a full stop): a home page, a gallery
	// or a login form. Corpus readers (ReadSource) set it; comparing two
	// given pages does not.
	ArticlesOnly bool
}

// Defaults for Options fields left at zero.
const (
	DefaultMaxBytes = 32 << 20
	DefaultMaxLine  = 1 << 20
)

// withDefaults returns a copy of opt with zero (or negative) fields set to
// their defaults.
func (opt *Options) withDefaults() Options {
	var o Options
	if opt != nil {
		o = *opt
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	return o
}

// StdinName is the name given to standard input in IDs and messages.
const StdinName = "stdin"

// ReadFile reads the file at path, or standard input when path is "-", and
// turns it into a Document whose ID defaults to path (or "stdin").
// A regular file larger than MaxBytes is refused without reading it.
func ReadFile(path string, opt *Options) (retold.Document, error) {
	if path == "-" {
		return Read(StdinName, os.Stdin, opt)
	}
	o := opt.withDefaults()
	f, fi, err := openFile(path)
	if err != nil {
		return retold.Document{}, err
	}
	defer f.Close()
	if fi.Mode().IsRegular() && fi.Size() > o.MaxBytes {
		return retold.Document{}, tooLarge(path, o.MaxBytes)
	}
	return Read(path, f, &o)
}

// unwrapPath drops the *fs.PathError layer, whose "open a.txt" would repeat
// the name we already give; the errno underneath still satisfies
// errors.Is(err, fs.ErrNotExist) and friends.
// openFile opens path for reading, refusing a directory, with errors that
// name the path once.
func openFile(path string) (*os.File, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, unwrapPath(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("read %s: %w", path, unwrapPath(err))
	}
	if fi.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, syscall.EISDIR)
	}
	return f, fi, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Read reads r to the end, but never more than MaxBytes+1 bytes, and turns
// it into a Document. name identifies the input in the Document ID and in
// errors; its extension may force the format (see the package doc). An
// empty name means "stdin".
func Read(name string, r io.Reader, opt *Options) (retold.Document, error) {
	if name == "" {
		name = StdinName
	}
	o := opt.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, o.MaxBytes+1))
	if err != nil {
		return retold.Document{}, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	return Parse(name, data, &o)
}

// Parse turns data, the whole content of the input called name, into a
// Document. It never keeps a reference to data.
func Parse(name string, data []byte, opt *Options) (retold.Document, error) {
	if name == "" {
		name = StdinName
	}
	o := opt.withDefaults()
	if int64(len(data)) > o.MaxBytes {
		return retold.Document{}, tooLarge(name, o.MaxBytes)
	}
	if d, ok := decodeUTF16(data); ok {
		data = d
	}
	if err := checkBinary(data); err != nil {
		return retold.Document{}, fmt.Errorf("%s: %w", name, err)
	}
	body := bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(body)) == 0 {
		if len(data) == 0 {
			return retold.Document{}, fmt.Errorf("%s: %w: the input is empty", name, retold.ErrEmpty)
		}
		return retold.Document{}, fmt.Errorf("%s: %w: only white space", name, retold.ErrEmpty)
	}

	var (
		doc retold.Document
		err error
	)
	switch detect(name, body) {
	case formatJSON:
		doc, err = parseJSON(name, data, o)
	case formatHTML:
		doc, err = parseHTML(name, data)
		if err == nil && o.ArticlesOnly {
			if why := notArticle(doc); why != "" {
				err = fmt.Errorf("%s: %w: not an article: %s", name, retold.ErrEmpty, why)
			}
		}
	default:
		doc, err = parseText(name, data, o)
	}
	if err != nil {
		return retold.Document{}, err
	}
	doc.Text = normalizeNewlines(doc.Text)
	if doc.ID == "" {
		doc.ID = retold.ShortID(name)
	}
	return doc, nil
}

func tooLarge(name string, max int64) error {
	return fmt.Errorf("%s: %w: more than %d bytes (MaxBytes)", name, retold.ErrTooLarge, max)
}

var utf8BOM = []byte("\xef\xbb\xbf")

// decodeUTF16 converts data to UTF-8 if it starts with a UTF-16 byte order
// mark (what Windows tools write as "Unicode"). Without a BOM, UTF-16 is
// not guessed: its NUL bytes make it binary.
func decodeUTF16(data []byte) ([]byte, bool) {
	if len(data) < 2 || !(data[0] == 0xff && data[1] == 0xfe || data[0] == 0xfe && data[1] == 0xff) {
		return nil, false
	}
	d, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
	if err != nil {
		return nil, false
	}
	return d, true
}

type format int

const (
	formatText format = iota
	formatJSON
	formatHTML
)

// detect decides the format of body (data without its BOM). The extension
// wins when it names a format; otherwise the first byte after white space
// decides, and '<' needs markup after it so that "<3" or "<<< URGENT >>>"
// stay plain text.
func detect(name string, body []byte) format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".jsonl":
		return formatJSON
	case ".html", ".htm", ".xhtml":
		return formatHTML
	}
	b := bytes.TrimLeft(body, " \t\r\n\f\v")
	switch {
	case len(b) > 0 && b[0] == '{':
		return formatJSON
	case looksLikeHTML(b):
		return formatHTML
	}
	return formatText
}

// looksLikeHTML reports whether b, which starts after leading white space,
// opens with markup: a doctype, comment or XML declaration, a known HTML
// element, or an unknown tag followed by more tags (tag soup).
func looksLikeHTML(b []byte) bool {
	if len(b) < 2 || b[0] != '<' {
		return false
	}
	if b[1] == '!' || b[1] == '?' {
		low := bytes.ToLower(b[:min(len(b), 9)])
		return bytes.HasPrefix(low, []byte("<!doctype")) ||
			bytes.HasPrefix(low, []byte("<!--")) ||
			bytes.HasPrefix(low, []byte("<?xml"))
	}
	name := tagName(b[1:])
	if len(name) == 0 {
		return false
	}
	rest := b[1+len(name):]
	if len(rest) > 0 && !isTagEnd(rest[0]) {
		return false
	}
	if atom.Lookup(bytes.ToLower(name)) != 0 {
		return true
	}
	return countTags(b[:min(len(b), 4096)]) >= 3
}

// tagName returns the run of ASCII letters and digits that starts b, if it
// starts with a letter.
func tagName(b []byte) []byte {
	if len(b) == 0 || !isASCIILetter(b[0]) {
		return nil
	}
	i := 1
	for i < len(b) && (isASCIILetter(b[i]) || ('0' <= b[i] && b[i] <= '9') || b[i] == '-') {
		i++
	}
	return b[:i]
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isTagEnd(c byte) bool {
	return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// countTags counts things shaped like <name ...> or </name> in b.
func countTags(b []byte) int {
	n := 0
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			return n
		}
		b = b[i+1:]
		if len(b) > 0 && b[0] == '/' {
			b = b[1:]
		}
		name := tagName(b)
		if len(name) > 0 && len(b) > len(name) && isTagEnd(b[len(name)]) &&
			bytes.IndexByte(b[len(name):], '>') >= 0 {
			n++
		}
	}
}

// normalizeNewlines turns "\r\n" and lone "\r" into "\n".
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
