package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/retold/retold"
)

// parseJSON reads data as one JSON record. Fields id, title, text, url,
// outlet, date and lang are strings (id may also be a number); other fields
// are ignored; null counts as absent. A text that is an HTML fragment or
// page is extracted as HTML, and the page's metadata fills the fields the
// record leaves empty.
func parseJSON(name string, data []byte, o Options) (retold.Document, error) {
	// encoding/json silently turns invalid UTF-8 into U+FFFD; refuse it
	// first so the user hears about it, with its position.
	if err := checkUTF8(name, data); err != nil {
		return retold.Document{}, err
	}
	body := bytes.TrimPrefix(data, utf8BOM)
	bad := func(off int64, format string, args ...any) error {
		line, col := position(body, off)
		return fmt.Errorf("%s: %w: line %d, column %d: %s", name, retold.ErrFormat, line, col, fmt.Sprintf(format, args...))
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return retold.Document{}, jsonError(name, body, err, bad)
	}
	start := int64(len(body) - len(bytes.TrimLeft(body, " \t\r\n")))
	if raw[0] != '{' {
		return retold.Document{}, bad(start, "want one JSON object, found %s", jsonKind(raw))
	}
	// A second value after the first: a JSONL file of several records.
	end := dec.InputOffset()
	var next json.RawMessage
	switch err := dec.Decode(&next); {
	case err == nil:
		at := end + int64(len(body[end:])-len(bytes.TrimLeft(body[end:], " \t\r\n")))
		line, _ := position(body, at)
		return retold.Document{}, fmt.Errorf("%s: %w: line %d: another record; compare takes one record per input",
			name, retold.ErrFormat, line)
	case !errors.Is(err, io.EOF):
		return retold.Document{}, jsonError(name, body, err, bad)
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return retold.Document{}, jsonError(name, body, err, bad)
	}
	var doc retold.Document
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"id", &doc.ID}, {"title", &doc.Title}, {"text", &doc.Text}, {"url", &doc.URL},
		{"outlet", &doc.Outlet}, {"date", &doc.Date}, {"lang", &doc.Lang},
	} {
		v, ok := fields[f.key]
		if !ok {
			continue
		}
		s, err := jsonString(v, f.key == "id")
		if err != nil {
			return retold.Document{}, fmt.Errorf("%s: %w: field %q: %v", name, retold.ErrFormat, f.key, err)
		}
		*f.dst = s
	}
	if _, ok := fields["text"]; !ok {
		return retold.Document{}, fmt.Errorf("%s: %w: missing field \"text\"", name, retold.ErrFormat)
	}
	if len(doc.ID) > retold.MaxIDBytes {
		return retold.Document{}, fmt.Errorf("%s: %w", name, idTooLong(len(doc.ID)))
	}
	if err := checkDate(doc.Date); err != nil {
		return retold.Document{}, fmt.Errorf("%s: %w", name, err)
	}
	if strings.TrimSpace(doc.Text) == "" {
		return retold.Document{}, fmt.Errorf("%s: %w: field \"text\" is empty", name, retold.ErrFormat)
	}
	if isMarkup(doc.Text) {
		// The string is already Unicode: a <meta charset> inside it
		// describes bytes long gone, so decodeHTML is not used.
		page, ok := extractHTML([]byte(doc.Text))
		if !ok {
			return retold.Document{}, fmt.Errorf("%s: %w: field \"text\" is HTML without visible text", name, retold.ErrEmpty)
		}
		doc.Text = page.Text
		fillEmpty(&doc.Title, page.Title)
		fillEmpty(&doc.URL, page.URL)
		fillEmpty(&doc.Outlet, page.Outlet)
		fillEmpty(&doc.Date, page.Date)
		fillEmpty(&doc.Lang, page.Lang)
	}
	return doc, nil
}

func fillEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// isMarkup reports whether a record's text is HTML rather than text that
// happens to mention a "<": it starts with '<' and opens with markup.
func isMarkup(s string) bool {
	b := bytes.TrimLeft([]byte(s), " \t\r\n\f")
	return looksLikeHTML(b) && countTags(b[:min(len(b), 4096)]) >= 1
}

// jsonString decodes a field's value: a string, null (as ""), or, when
// number is set, a number kept as written.
func jsonString(v json.RawMessage, number bool) (string, error) {
	switch k := jsonKind(v); {
	case k == "null":
		return "", nil
	case k == "a string":
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case k == "a number" && number:
		return string(bytes.TrimSpace(v)), nil
	case number:
		return "", fmt.Errorf("want a string or a number, found %s", k)
	default:
		return "", fmt.Errorf("want a string, found %s", k)
	}
}

// jsonKind names the kind of a JSON value from its first byte.
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch c := v[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

// jsonError turns a decoding error into one naming the file, line and
// column; errors without an offset are given at the end of the input.
func jsonError(name string, body []byte, err error, bad func(int64, string, ...any) error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset is just past the byte that was wrong; point at that byte.
		return bad(max(syn.Offset-1, 0), "%v", syn)
	case errors.As(err, &typ):
		return bad(typ.Offset, "%v", typ)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return bad(int64(len(body)), "unexpected end of JSON input")
	}
	return fmt.Errorf("%s: %w: %v", name, retold.ErrFormat, err)
}

// position converts a byte offset in b into a 1-based line and column,
// counting columns in characters.
func position(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[lineStart:])
}
