package extract

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"strings"

	"github.com/retold/retold"
	"golang.org/x/text/encoding/htmlindex"
)

// This file reads the HTTP response inside a WARC record: its status line
// and headers, and its body undone of chunking, compression and charset.

// httpHead is what the reader keeps of an HTTP response header.
type httpHead struct {
	status           int
	contentType      string // the first Content-Type
	transferEncoding string // every Transfer-Encoding, joined by ", "
	contentEncoding  string // every Content-Encoding, joined by ", "
}

// parseHTTPHead parses the status line and headers at the start of b and
// returns them with their length, blank line included. whole says that b
// is the whole block, so that a head without a blank line is a response
// without a body; otherwise b is the first maxHTTPHead bytes and the head
// must end inside it. Malformed header lines are ignored, as browsers do:
// only the status line and the blank line matter for finding the body.
func parseHTTPHead(b []byte, whole bool) (httpHead, int, error) {
	var h httpHead
	first := true
	for n := 0; n < len(b); {
		line, next := b[n:], len(b)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], n+i+1
		} else if !whole {
			break
		}
		n = next
		line = bytes.TrimSuffix(line, []byte("\r"))
		if first {
			first = false
			code, ok := httpStatus(line)
			if !ok {
				return h, 0, fmt.Errorf("%w: bad HTTP status line %q", retold.ErrFormat, firstLine(line, 60))
			}
			h.status = code
			continue
		}
		if len(line) == 0 {
			return h, n, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || line[0] == ' ' || line[0] == '\t' {
			continue // folded or malformed: nothing kept needs it
		}
		v := string(bytes.TrimSpace(value))
		switch strings.ToLower(string(bytes.TrimSpace(name))) {
		case "content-type":
			if h.contentType == "" {
				h.contentType = v
			}
		case "transfer-encoding":
			h.transferEncoding = joinList(h.transferEncoding, v)
		case "content-encoding":
			h.contentEncoding = joinList(h.contentEncoding, v)
		}
	}
	switch {
	case first:
		return h, 0, fmt.Errorf("%w: an empty HTTP response", retold.ErrFormat)
	case !whole:
		return h, 0, fmt.Errorf("%w: an HTTP header longer than %d bytes", retold.ErrFormat, maxHTTPHead)
	}
	return h, len(b), nil // a head without a body
}

// httpStatus parses "HTTP/1.1 200 OK" (or "HTTP/2 200", reason optional)
// into its status code.
func httpStatus(line []byte) (int, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("HTTP/"))
	if !ok {
		return 0, false
	}
	_, code, ok := bytes.Cut(rest, []byte(" "))
	code = bytes.TrimLeft(code, " ")
	if !ok || len(code) < 3 || len(code) > 3 && code[3] != ' ' {
		return 0, false
	}
	n := 0
	for _, c := range code[:3] {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func joinList(list, v string) string {
	if list == "" {
		return v
	}
	return list + ", " + v
}

// mediaType returns the type/subtype of a Content-Type, in lower case.
func mediaType(ct string) string {
	t, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// htmlType reports whether a Content-Type is HTML, and known is false when
// there is none, so that the body must be sniffed.
func htmlType(ct string) (isHTML, known bool) {
	switch mediaType(ct) {
	case "":
		return false, false
	case "text/html", "application/xhtml+xml":
		return true, true
	}
	return false, true
}

// sniffHTML reports whether a body without a Content-Type is HTML by the
// WHATWG sniffing rules.
func sniffHTML(b []byte) bool {
	return strings.HasPrefix(http.DetectContentType(b), "text/html")
}

// decodeHTTPBody undoes chunked transfer coding and the content codings of
// an HTTP body, keeping the result within max bytes. A body that does not
// look coded as the headers say is taken as stored decoded already:
// crawlers differ in what they keep.
func decodeHTTPBody(body []byte, hh httpHead, max int64) ([]byte, error) {
	if hasToken(hh.transferEncoding, "chunked") && looksChunked(body) {
		d, err := readAllMax(httputil.NewChunkedReader(bytes.NewReader(body)), max)
		if err != nil {
			return nil, fmt.Errorf("%w: bad chunked Transfer-Encoding: %v", retold.ErrFormat, err)
		}
		body = d
	}
	codings := strings.Split(hh.contentEncoding, ",")
	for i := len(codings) - 1; i >= 0; i-- {
		c := strings.ToLower(strings.TrimSpace(codings[i]))
		var (
			d   []byte
			err error
		)
		switch {
		case c == "" || c == "identity":
			continue
		case c == "gzip" || c == "x-gzip":
			if !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
				return body, nil
			}
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(bytes.NewReader(body)); err == nil {
				zr.Multistream(false) // junk after the member is ignored
				d, err = readAllMax(zr, max)
			}
		case c == "deflate":
			// HTTP's deflate is zlib-wrapped; some servers send raw
			// deflate instead, which has no signature to test.
			if isZlib(body) {
				var zr io.ReadCloser
				if zr, err = zlib.NewReader(bytes.NewReader(body)); err == nil {
					d, err = readAllMax(zr, max)
				}
			} else if d, err = readAllMax(flate.NewReader(bytes.NewReader(body)), max); err != nil && !errors.Is(err, retold.ErrTooLarge) {
				return body, nil
			}
		default:
			if startsWithMarkup(body) {
				return body, nil
			}
			return nil, fmt.Errorf("%w: unsupported Content-Encoding %q", retold.ErrFormat, c)
		}
		if errors.Is(err, retold.ErrTooLarge) {
			return nil, fmt.Errorf("%w (Content-Encoding %s)", err, c)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: Content-Encoding %s: %v", retold.ErrFormat, c, err)
		}
		body = d
	}
	return body, nil
}

// readAllMax reads r to its end, failing with retold.ErrTooLarge past max
// bytes.
func readAllMax(r io.Reader, max int64) ([]byte, error) {
	d, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(d)) > max {
		return nil, fmt.Errorf("%w: the body is larger than %d bytes (MaxRecord) once decoded", retold.ErrTooLarge, max)
	}
	return d, nil
}

// hasToken reports whether a comma-separated header list holds tok.
func hasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

// looksChunked reports whether b starts as a chunked body does: a hex
// chunk size, perhaps extensions, and a line ending.
func looksChunked(b []byte) bool {
	i := 0
	for i < len(b) && i < 16 && isHexDigit(b[i]) {
		i++
	}
	return i > 0 && i < len(b) && (b[i] == '\r' || b[i] == '\n' || b[i] == ';' || b[i] == ' ' || b[i] == '\t')
}

func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// isZlib reports whether b starts with a zlib header using deflate.
func isZlib(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

// startsWithMarkup reports whether b, after white space, starts with '<':
// a body in a coding this reader does not know, stored decoded.
func startsWithMarkup(b []byte) bool {
	b = bytes.TrimLeft(bytes.TrimPrefix(b, utf8BOM), " \t\r\n\f")
	return len(b) > 0 && b[0] == '<'
}

// decodeHTTPCharset decodes body to UTF-8 from the charset of its HTTP
// Content-Type, label, when the page declares none of its own (Parse reads
// a declaration, and a BOM, itself). An unknown label, or UTF-8, leaves
// the body as it is for Parse to check.
func decodeHTTPCharset(body []byte, label string) []byte {
	if label == "" || bytes.HasPrefix(body, utf8BOM) || bytes.HasPrefix(body, []byte("\xff\xfe")) ||
		bytes.HasPrefix(body, []byte("\xfe\xff")) || declaredCharset(body) != "" {
		return body
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return body
	}
	if name, _ := htmlindex.Name(enc); name == "utf-8" {
		return body
	}
	d, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return d
}
