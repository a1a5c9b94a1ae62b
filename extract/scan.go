package extract

// Scanning a JSONL line for its id and text
//
// retold dedup reads corpora of many GB and needs two fields of each line.
// encoding/json reflects into a struct and copies every string out, at
// about 100 MB/s; ScanIDText gives the same answers at several times that
// by building nothing. It is one pass of a small recursive-descent
// scanner over the line, which
//
//   - validates the whole line as JSON, as encoding/json's checkValid does:
//     every value of every field however nested, numbers by the JSON
//     grammar, literals, and nothing but white space after the object;
//   - validates the UTF-8 inside strings as it crosses them (outside
//     strings only ASCII is valid JSON anyway), and so also sees every NUL
//     byte, which is a syntax error wherever it stands;
//   - keeps no tree: of the top-level fields it remembers where the last
//     "id" and "text" strings lie, and the first known field whose value
//     has the wrong type;
//   - unescapes the id, the text and the keys while it validates them, and
//     only when they hold a backslash: a string without one is returned as
//     a slice of the line.
//
// Strings are most of a line. plainRun crosses ASCII 16 bytes a step with
// SWAR tests on two uint64s (a dozen integer operations for 8 bytes),
// twoByteRun crosses 2-byte UTF-8 (Cyrillic, Greek, Arabic, Hebrew) in the
// same way, threeByteRun runs of 3-byte characters (CJK, Indic, Thai), and
// escapes are decoded in a tight loop of their own, since they come in runs
// ("\n\n", or a whole text of "\u" escapes). Time is O(len(line)), and a
// good line allocates nothing once buf has grown to its escaped strings.
// The order of the checks is decodeJSONLine's: only when the scan fails is
// the line searched again, for a NUL byte and for invalid UTF-8, which
// take precedence over its syntax errors.
//
// Guarantee: for every input, ScanIDText accepts exactly the lines
// decodeJSONLine accepts, returns the id and text encoding/json decodes
// (text before normalizeNewlines), and refuses the others with the same
// sentinel error; FuzzScanIDText checks this against decodeJSONLine
// itself. The rules that make it so, all of them encoding/json's (v1):
//
//   - NUL bytes come first, then invalid UTF-8, then syntax errors, then
//     "not an object", then a known field of the wrong type (a number, a
//     boolean, an object or an array), then the id, then the text.
//   - Nesting deeper than 10000 containers is a syntax error.
//   - Keys are compared after unescaping, without regard to case. Unicode
//     case folding takes only U+017F (ſ) and U+212A (K) into ASCII, to 's'
//     and 'k', which no known field name holds; so a key matches exactly
//     when it is ASCII and equal to the name but for ASCII case.
//   - The last of repeated keys wins, except that null leaves a string
//     field as it was: {"id":"a","id":null} has id "a". For telling a
//     missing text from an empty one, though, a last null counts as
//     missing, as decodeJSONLine's probe sees it.
//   - A "\u" escape of a surrogate that is not the first half of a valid
//     pair becomes U+FFFD, and the escape after it is read on its own.

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/retold/retold"
)

// ScanIDText reads one line of a JSONL corpus, a JSON object, and returns
// its top-level "id" and "text" strings, unescaped. It applies the rules of
// JSONLReader.Next to the whole line (see JSONLReader), so it refuses
// exactly the lines Next refuses and with the same sentinel errors:
// retold.ErrBinary for a NUL byte or a "\u0000" in the text,
// retold.ErrInvalidUTF8, retold.ErrFormat for bad JSON, a line that is not
// an object, a missing, empty or blank id, a missing or null text, or a
// known field (id, title, text, url, outlet, date, lang) that is neither a
// string nor null, or a date too long to be one, and retold.ErrEmpty for a
// text that is empty or only white space. Error messages give the column,
// counted in characters.
//
// Unlike Next, ScanIDText returns the text as written: "\r\n" and "\r" are
// not turned into "\n". Its callers hash words, for which a line ending is
// white space like any other.
//
// A string without backslash escapes is returned as a slice of line;
// escaped ones are decoded into buf, grown as needed and returned as
// newBuf for the next call, so that a loop over a corpus allocates nothing
// once newBuf is large enough. id and text are valid until line or newBuf
// is changed; ScanIDText never writes to line.
func ScanIDText(line, buf []byte) (id, text, newBuf []byte, err error) {
	return Keys{}.ScanIDText(line, buf)
}

// Keys name the fields of a JSONL record that hold its id and its text;
// an empty name means the usual one, "id" or "text". Under another name
// the field is matched as encoding/json matches names (without regard to
// case), and a field called "id" or "text" is then just another field.
type Keys struct {
	ID   string `json:"id,omitempty"`
	Text string `json:"text,omitempty"`
}

// textKey is the name of the text's field.
func (k Keys) textKey() string { return cmp.Or(k.Text, "text") }

// custom reports whether k names a field other than the usual.
func (k Keys) custom() bool {
	return k.ID != "" && k.ID != "id" || k.Text != "" && k.Text != "text"
}

// ScanIDText is the package's ScanIDText with the id and the text read
// from the fields k names.
func (k Keys) ScanIDText(line, buf []byte) (id, text, newBuf []byte, err error) {
	s := lineScanner{line: line, buf: buf[:0], keys: k, customKeys: k.custom()}
	return s.idText()
}

// idText scans s.line and returns what ScanIDText returns.
func (s *lineScanner) idText() (id, text, newBuf []byte, err error) {
	line, k := s.line, s.keys
	if err := s.scanLine(); err != nil {
		return nil, nil, s.buf, lineError(line, err)
	}
	if s.typeErr != nil {
		return nil, nil, s.buf, s.typeErr
	}

	if !s.hasID {
		return nil, nil, s.buf, fmt.Errorf("%w: missing id", retold.ErrFormat)
	}
	if id = s.contents(s.id); isBlankString(id) {
		return nil, nil, s.buf, fmt.Errorf("%w: column %d: missing id (it is empty or only white space)",
			retold.ErrFormat, column(line, s.id.quote))
	}
	if len(id) > retold.MaxIDBytes {
		return nil, nil, s.buf, idTooLong(len(id))
	}
	if err := checkDate(string(s.contents(s.fields[fieldDate]))); err != nil {
		return nil, nil, s.buf, err
	}
	text = s.contents(s.text)
	switch {
	case !s.hasText || len(text) == 0 && s.textLastNull:
		// encoding/json leaves an empty string where the text is missing
		// or null; decodeJSONLine then reads a null last text as missing.
		return nil, nil, s.buf, fmt.Errorf("%w: missing field %q", retold.ErrFormat, k.textKey())
	case len(text) == 0:
		return nil, nil, s.buf, fmt.Errorf("%w: column %d: field %q is empty", retold.ErrEmpty, column(line, s.text.quote), k.textKey())
	case isBlankString(text):
		return nil, nil, s.buf, fmt.Errorf("%w: column %d: field %q is only white space",
			retold.ErrEmpty, column(line, s.text.quote), k.textKey())
	// The line has no NUL byte, so only an escape can have made one.
	case s.text.inBuf && bytes.IndexByte(text, 0) >= 0:
		return nil, nil, s.buf, fmt.Errorf("%w: column %d: field %q holds a NUL character (\\u0000)",
			retold.ErrBinary, column(line, s.text.quote), k.textKey())
	}
	return id, text, s.buf, nil
}

// scanDocument is decodeJSONLine's fast path for the usual keys: the
// Document of a line ScanIDText accepts, read in the same single pass
// (the other known fields are unescaped as they are crossed, the last
// string of each kept, null leaving it as it was, as encoding/json does).
// ok is false for a line ScanIDText refuses: decodeJSONLine then reads
// it with encoding/json, whose errors it reports. FuzzScanIDText holds
// the documents of the two paths equal.
func scanDocument(line []byte) (doc retold.Document, ok bool) {
	s := lineScanner{line: line, meta: true}
	id, text, _, err := s.idText()
	if err != nil {
		return retold.Document{}, false
	}
	date := s.contents(s.fields[fieldDate])
	return retold.Document{
		ID: string(id), Title: string(s.contents(s.fields[fieldTitle])), Text: normalizeNewlines(string(text)),
		URL: string(s.contents(s.fields[fieldURL])), Outlet: string(s.contents(s.fields[fieldOutlet])),
		Date: string(date), Lang: string(s.contents(s.fields[fieldLang])),
	}, true
}

// lineError returns the error for a line whose scan failed with err: a
// NUL byte anywhere in the line comes first, then invalid UTF-8 anywhere,
// and only then err, as in decodeJSONLine. The scan stops at its first
// fault, so the whole line is searched again, on this error path only.
func lineError(line []byte, err error) error {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		return fmt.Errorf("%w: column %d: NUL byte", retold.ErrBinary, column(line, i))
	}
	if i := invalidUTF8(line); i >= 0 {
		return fmt.Errorf("%w: column %d (byte offset %d of the line)", retold.ErrInvalidUTF8, column(line, i), i)
	}
	return err
}

// maxJSONDepth is the deepest nesting of objects and arrays encoding/json
// accepts, counting the outermost.
const maxJSONDepth = 10000

// lineScanner is the state of ScanIDText's scan of one line.
type lineScanner struct {
	line []byte
	buf  []byte // the unescaped strings, appended as they are met

	keys         Keys
	customKeys   bool      // keys are not the usual "id" and "text"
	id, text     stringRef // the last string value of each (the id's may be a number's literal)
	hasID        bool      // id has a string or number value
	hasText      bool      // text has a string value
	textLastNull bool      // the last "text" key has the value null
	typeErr      error     // the first known field whose value is not a string or null

	// fields holds the last string of the other known fields, unescaped:
	// always the date's (its length is checked), and with meta set the
	// title, url, outlet and lang too.
	meta   bool
	fields [fieldLang + 1]stringRef
}

// stringRef is where a string's unescaped contents are: line[start:end],
// or buf[start:end] if it held an escape. quote is the offset of its
// opening quote in the line, for error messages.
type stringRef struct {
	start, end, quote int
	inBuf             bool
}

// contents returns the unescaped contents of the string at r.
func (s *lineScanner) contents(r stringRef) []byte {
	if r.inBuf {
		return s.buf[r.start:r.end:r.end]
	}
	return s.line[r.start:r.end:r.end]
}

// jsonField is a top-level field ScanIDText knows.
type jsonField uint8

const (
	fieldOther jsonField = iota // any other key: its value is only validated
	fieldID
	fieldText
	fieldTitle
	fieldURL
	fieldOutlet
	fieldDate
	fieldLang
)

// fieldNames are the known fields' names, in lower case.
var fieldNames = [...]string{
	fieldID: "id", fieldText: "text", fieldTitle: "title", fieldURL: "url",
	fieldOutlet: "outlet", fieldDate: "date", fieldLang: "lang",
}

// scanLine validates the line as JSON and, if it is an object, records its
// known fields. It returns syntax errors and "not an object"; what the
// fields hold is the caller's to judge.
func (s *lineScanner) scanLine() error {
	line := s.line
	i := skipSpace(line, 0)
	if i == len(line) || line[i] != '{' {
		end, err := s.skipValue(i, 0)
		if err != nil {
			return err
		}
		if err := checkEnd(line, end); err != nil {
			return err
		}
		return fmt.Errorf("%w: column %d: want a JSON object, found %s", retold.ErrFormat, column(line, i), jsonKind(line[i:]))
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return checkEnd(line, i+1)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return syntaxError(line, i, "looking for beginning of object key string")
		}
		// An escaped key is decoded into buf for fieldNamed, then dropped.
		key, end, err := s.scanString(i, true)
		if err != nil {
			return err
		}
		field := s.fieldNamed(s.contents(key))
		if key.inBuf {
			s.buf = s.buf[:key.start]
		}

		i = skipSpace(line, end)
		if i >= len(line) || line[i] != ':' {
			return syntaxError(line, i, "after object key")
		}
		i = skipSpace(line, i+1)
		if i, err = s.scanField(i, field); err != nil {
			return err
		}
		i = skipSpace(line, i)
		switch {
		case i < len(line) && line[i] == ',':
			i = skipSpace(line, i+1)
		case i < len(line) && line[i] == '}':
			return checkEnd(line, i+1)
		default:
			return syntaxError(line, i, "after object key:value pair")
		}
	}
}

// scanField validates the value of a top-level field at line[i:] and
// returns the offset just past it, recording what it means for the known
// fields.
func (s *lineScanner) scanField(i int, field jsonField) (int, error) {
	line := s.line
	if field == fieldOther {
		return s.skipValue(i, 1)
	}
	if i < len(line) && line[i] == '"' {
		str, end, err := s.scanString(i, field == fieldID || field == fieldText || field == fieldDate || s.meta)
		if err != nil {
			return 0, err
		}
		switch field {
		case fieldID:
			s.id, s.hasID = str, true
		case fieldText:
			s.text, s.hasText, s.textLastNull = str, true, false
		default:
			s.fields[field] = str
		}
		return end, nil
	}
	end, err := s.skipValue(i, 1)
	if err != nil {
		return 0, err
	}
	switch {
	case field == fieldID && (line[i] == '-' || isDigit(line[i])):
		// A number is an id as written: no digit is lost on the way.
		s.id, s.hasID = stringRef{start: i, end: end, quote: i}, true
	case line[i] == 'n': // null leaves the field as it was
		if field == fieldText {
			s.textLastNull = true
		}
	case s.typeErr == nil:
		kind := jsonKind(line[i:])
		if field == fieldID {
			s.typeErr = fmt.Errorf("%w: column %d: id must be a string or a number, found %s", retold.ErrFormat, column(line, i), kind)
		} else {
			name := fieldNames[field]
			if field == fieldText {
				name = s.keys.textKey()
			}
			s.typeErr = fmt.Errorf("%w: column %d: field %q: want a string, found %s",
				retold.ErrFormat, column(line, i), name, kind)
		}
	}
	return end, nil
}

// fieldNamed returns the known field a key names, given its unescaped
// contents, under the scan's keys.
func (s *lineScanner) fieldNamed(key []byte) jsonField {
	if !s.customKeys {
		return fieldNamed(key)
	}
	switch f := fieldNamed(key); {
	case bytes.EqualFold(key, []byte(cmp.Or(s.keys.ID, "id"))):
		return fieldID
	case bytes.EqualFold(key, []byte(cmp.Or(s.keys.Text, "text"))):
		return fieldText
	case f == fieldID || f == fieldText:
		return fieldOther
	default:
		return f
	}
}

// fieldNamed returns the known field a key names, given its unescaped
// contents, under the usual keys.
func fieldNamed(key []byte) jsonField {
	if len(key) < len("id") || len(key) > len("outlet") {
		return fieldOther
	}
	for f := fieldID; f <= fieldLang; f++ {
		if equalFoldASCII(key, fieldNames[f]) {
			return f
		}
	}
	return fieldOther
}

// equalFoldASCII reports whether b equals name but for ASCII case; name is
// lower-case letters only. A non-ASCII byte in b matches none.
func equalFoldASCII(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i := range len(b) {
		// For a lower-case letter l, c|0x20 == l holds for c == l and for
		// its upper case, l-0x20, only.
		if b[i]|0x20 != name[i] {
			return false
		}
	}
	return true
}

// skipValue validates the JSON value at line[i:] and returns the offset
// just past it; depth is the number of containers around it.
func (s *lineScanner) skipValue(i, depth int) (int, error) {
	line := s.line
	if i >= len(line) {
		return 0, syntaxError(line, i, "looking for beginning of value")
	}
	switch c := line[i]; {
	case c == '"':
		_, end, err := s.scanString(i, false)
		return end, err
	case c == '{' || c == '[':
		return s.skipContainer(i, depth+1)
	case c == 't':
		return skipLiteral(line, i, "true")
	case c == 'f':
		return skipLiteral(line, i, "false")
	case c == 'n':
		return skipLiteral(line, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return skipNumber(line, i)
	}
	return 0, syntaxError(line, i, "looking for beginning of value")
}

// skipContainer validates the object or array at line[i:], the depth-th
// container from the outside, and returns the offset just past it.
func (s *lineScanner) skipContainer(i, depth int) (int, error) {
	line := s.line
	if depth > maxJSONDepth {
		return 0, fmt.Errorf("%w: column %d: nested more than %d deep", retold.ErrFormat, column(line, i), maxJSONDepth)
	}
	object := line[i] == '{'
	closer := byte(']')
	if object {
		closer = '}'
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == closer {
		return i + 1, nil
	}
	for {
		var err error
		if object {
			if i >= len(line) || line[i] != '"' {
				return 0, syntaxError(line, i, "looking for beginning of object key string")
			}
			if _, i, err = s.scanString(i, false); err != nil {
				return 0, err
			}
			i = skipSpace(line, i)
			if i >= len(line) || line[i] != ':' {
				return 0, syntaxError(line, i, "after object key")
			}
			i = skipSpace(line, i+1)
		}
		if i, err = s.skipValue(i, depth); err != nil {
			return 0, err
		}
		i = skipSpace(line, i)
		switch {
		case i < len(line) && line[i] == ',':
			i = skipSpace(line, i+1)
		case i < len(line) && line[i] == closer:
			return i + 1, nil
		case object:
			return 0, syntaxError(line, i, "after object key:value pair")
		default:
			return 0, syntaxError(line, i, "after array element")
		}
	}
}

// skipLiteral checks that line[i:] starts with the literal lit (true,
// false or null) and returns the offset just past it.
func skipLiteral(line []byte, i int, lit string) (int, error) {
	for j := range len(lit) {
		if i+j >= len(line) || line[i+j] != lit[j] {
			return 0, syntaxError(line, i+j, "in literal "+lit)
		}
	}
	return i + len(lit), nil
}

// skipNumber checks the number at line[i:] against the JSON grammar,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and returns the offset
// just past it. What follows is the caller's to check: in "01" the number
// is "0" and the "1" is a syntax error after it.
func skipNumber(line []byte, i int) (int, error) {
	if line[i] == '-' {
		i++
	}
	switch {
	case i < len(line) && line[i] == '0':
		i++
	case i < len(line) && '1' <= line[i] && line[i] <= '9':
		i = skipDigits(line, i+1)
	default:
		return 0, syntaxError(line, i, "in numeric literal")
	}
	if i < len(line) && line[i] == '.' {
		i++
		if i >= len(line) || !isDigit(line[i]) {
			return 0, syntaxError(line, i, "after decimal point in numeric literal")
		}
		i = skipDigits(line, i)
	}
	if i < len(line) && (line[i] == 'e' || line[i] == 'E') {
		i++
		if i < len(line) && (line[i] == '+' || line[i] == '-') {
			i++
		}
		if i >= len(line) || !isDigit(line[i]) {
			return 0, syntaxError(line, i, "in exponent of numeric literal")
		}
		i = skipDigits(line, i)
	}
	return i, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func skipDigits(line []byte, i int) int {
	for i < len(line) && isDigit(line[i]) {
		i++
	}
	return i
}

// skipSpace returns the offset of the first byte at or after i that is not
// JSON white space (space, tab, CR, LF).
func skipSpace(line []byte, i int) int {
	for i < len(line) {
		switch line[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// checkEnd checks that only white space follows the top-level value, which
// ends at i.
func checkEnd(line []byte, i int) error {
	if i = skipSpace(line, i); i < len(line) {
		return syntaxError(line, i, "after top-level value")
	}
	return nil
}

// scanString validates the string whose opening quote is line[i] and
// returns where its contents are and the offset just past its closing
// quote. With decode set, the contents of a string with escapes are
// appended to buf unescaped, as encoding/json decodes them; without it, or
// without escapes, the contents are left in the line.
func (s *lineScanner) scanString(i int, decode bool) (str stringRef, end int, err error) {
	line := s.line
	str = stringRef{start: i + 1, quote: i}
	i++
	copied := i // line[copied:i] is yet to be appended to buf, once decoding
	for {
		i += plainRun(line[i:])
		if i >= len(line) {
			return str, 0, syntaxError(line, i, "in string literal")
		}
		switch c := line[i]; {
		case c == '"':
			if !str.inBuf {
				str.end = i
				return str, i + 1, nil
			}
			s.buf = append(s.buf, line[copied:i]...)
			str.end = len(s.buf)
			return str, i + 1, nil
		case c >= utf8.RuneSelf:
			if i, err = skipRunes(line, i); err != nil {
				return str, 0, err
			}
		case c == '\\':
			if decode && !str.inBuf {
				str.inBuf, str.start = true, len(s.buf)
			}
			if str.inBuf {
				s.buf = append(s.buf, line[copied:i]...)
			}
			if i, err = s.scanEscapes(i, str.inBuf); err != nil {
				return str, 0, err
			}
			copied = i
		default: // a control character
			return str, 0, syntaxError(line, i, "in string literal")
		}
	}
}

// scanEscapes validates the run of escapes at line[i:], which starts with
// a backslash, and returns the offset just past it; with decode set it
// appends what they stand for to buf. Escapes come in runs: "\n\n", or a
// whole text of "\u" escapes.
func (s *lineScanner) scanEscapes(i int, decode bool) (int, error) {
	line := s.line
	for i < len(line) && line[i] == '\\' {
		if i+1 >= len(line) {
			return 0, escapeError(line, i)
		}
		if e := line[i+1]; e != 'u' {
			b := unescapeByte[e]
			if b == 0 {
				return 0, escapeError(line, i)
			}
			if decode {
				s.buf = append(s.buf, b)
			}
			i += 2
			continue
		}
		r := hex4(line, i+2)
		if r < 0 {
			return 0, escapeError(line, i)
		}
		i += 6
		if !decode {
			continue
		}
		if utf16.IsSurrogate(r) {
			// A valid pair is one rune. Anything else is U+FFFD, and an
			// escape after it is read on its own.
			next := rune(-1)
			if i+1 < len(line) && line[i] == '\\' && line[i+1] == 'u' {
				next = hex4(line, i+2)
			}
			if r = utf16.DecodeRune(r, next); r != unicode.ReplacementChar {
				i += 6
			}
		}
		// utf8.AppendRune is a call for all but ASCII; most letters of
		// most scripts take 2 bytes.
		if 0x80 <= r && r < 0x800 {
			s.buf = append(s.buf, 0xc0|byte(r>>6), 0x80|byte(r)&0x3f)
		} else {
			s.buf = utf8.AppendRune(s.buf, r)
		}
	}
	return i, nil
}

// unescapeByte maps the letter of a one-character escape to the byte it
// stands for, and any other byte to 0.
var unescapeByte = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hexDigits maps each byte to its value as a hexadecimal digit, or to -1.
var hexDigits = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i, c := range "0123456789abcdef" {
		t[c] = int8(i)
	}
	for i, c := range "ABCDEF" {
		t[c] = int8(10 + i)
	}
	return t
}()

// hex4 returns the value of the 4 hexadecimal digits at line[j:], or a
// negative number if there are not 4 of them: a -1 from hexDigits keeps
// the sign through the shifts and ORs.
func hex4(line []byte, j int) rune {
	if j+4 > len(line) {
		return -1
	}
	h := line[j : j+4]
	return rune(hexDigits[h[0]])<<12 | rune(hexDigits[h[1]])<<8 | rune(hexDigits[h[2]])<<4 | rune(hexDigits[h[3]])
}

// escapeError describes the bad escape at line[i:], a backslash.
func escapeError(line []byte, i int) error {
	if i+1 >= len(line) || line[i+1] != 'u' {
		return syntaxError(line, i+1, "in string escape code")
	}
	j := i + 2
	for j < i+6 && j < len(line) && hexDigits[line[j]] >= 0 {
		j++
	}
	return syntaxError(line, j, "in \\u hexadecimal character escape")
}

const (
	lsb = 0x0101010101010101 // the low bit of each byte of a uint64
	msb = 0x8080808080808080 // the high bit of each byte
)

// stringStops marks, with its high bit, each byte of the 8 in x (read in
// little-endian order) that plainRun stops at: '"', '\\', a control
// character (< 0x20) or a byte >= 0x80. The lowest mark is exact; marks
// above it may not be.
//
// For a byte v < 0x80, v-1 sets the high bit only if v == 0, and v-0x20
// only if v < 0x20; x^('"'*lsb) and x^('\\'*lsb) turn the bytes sought into
// zeros; a byte >= 0x80 has the high bit already. A borrow carries into the
// next byte only out of a byte that is marked, hence the exact lowest mark.
func stringStops(x uint64) uint64 {
	q, b := x^('"'*lsb), x^('\\'*lsb)
	return ((q - lsb) | (b - lsb) | (x - 0x20*lsb) | x) & msb
}

// plainRun returns the length of the run at the start of s of ASCII bytes
// that stand for themselves in a JSON string: not '"', '\\' or a control
// character. It tests 16 bytes a step, 8 at a time by stringStops.
func plainRun(s []byte) int {
	t := s
	for len(t) >= 16 {
		m1 := stringStops(binary.LittleEndian.Uint64(t))
		m2 := stringStops(binary.LittleEndian.Uint64(t[8:]))
		if m1|m2 != 0 {
			if m1 != 0 {
				return len(s) - len(t) + bits.TrailingZeros64(m1)/8
			}
			return len(s) - len(t) + 8 + bits.TrailingZeros64(m2)/8
		}
		t = t[16:]
	}
	for i, c := range t {
		if c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return len(s) - len(t) + i
		}
	}
	return len(s)
}

// skipRunes crosses string contents from line[i], a byte of a character
// other than ASCII, up to an ASCII byte that twoByteRun does not take:
// plainRun's to cross again, or a '"', '\\' or control character. Text in
// Cyrillic, Greek, Arabic or Hebrew is mostly 2-byte characters between
// ASCII spaces and punctuation, which twoByteRun crosses 8 bytes at a
// time; CJK, Indic and Thai text is runs of 3-byte characters, for
// threeByteRun. Other characters go one at a time.
func skipRunes(line []byte, i int) (int, error) {
	for i < len(line) {
		i += twoByteRun(line[i:])
		i += threeByteRun(line[i:])
		if i >= len(line) || line[i] < utf8.RuneSelf {
			break
		}
		n := utf8Len(line[i:])
		if n == 0 {
			return 0, fmt.Errorf("%w: column %d", retold.ErrInvalidUTF8, column(line, i))
		}
		i += n
	}
	return i, nil
}

// threeByteRun returns the length of the run at the start of s of valid
// 3-byte UTF-8 characters.
func threeByteRun(s []byte) int {
	i := 0
	for i+2 < len(s) {
		c, c1, c2 := s[i], s[i+1], s[i+2]
		if c&0xf0 != 0xe0 || c1&0xc0 != 0x80 || c2&0xc0 != 0x80 ||
			c == 0xe0 && c1 < 0xa0 || c == 0xed && c1 > 0x9f { // overlong, surrogate
			break
		}
		i += 3
	}
	return i
}

// twoByteRun returns the length of the run at the start of s, which is on
// a character boundary, of ASCII that plainRun would cross and whole
// 2-byte UTF-8 characters. It goes 8 bytes a step, 7 when the eighth
// starts a character (whose second byte is the next step's to check), and
// stops before 8 bytes that are all ASCII, or hold a byte of another kind,
// or run past the end of s.
//
// Bit 7 of each byte of x<<1 is bit 6 of that byte, and of x<<2 bit 5. A
// continuation byte is 10xxxxxx and a 2-byte lead 110xxxxx; the bytes are
// whole characters when the continuations are exactly the bytes after the
// leads.
func twoByteRun(s []byte) int {
	t := s
	for len(t) >= 8 {
		x := binary.LittleEndian.Uint64(t)
		s1, s2 := x<<1, x<<2
		cont := x &^ s1 & msb
		lead := x & s1 &^ s2 & msb
		switch {
		case x&msb == 0, // all ASCII
			x&s1&s2&msb != 0, // the lead byte of a 3- or 4-byte character
			cont != lead<<8,
			// 0xc0 and 0xc1 lead overlong forms; any other lead has a
			// bit of 0x1e set, which adding 0x7f carries into bit 7.
			lead&^(x&(0x1e*lsb)+0x7f*lsb) != 0,
			// A '"', '\\' or control character among the ASCII bytes, as
			// stringStops finds them; &^x masks the other bytes out.
			stringStops(x)&^x != 0:
			return len(s) - len(t)
		}
		t = t[8-int(lead>>63):]
	}
	return len(s) - len(t)
}

// utf8Len returns the length of the UTF-8 encoding of a character other
// than ASCII at the start of s, or 0 if s does not start with a valid one:
// no overlong forms, surrogates or code points past U+10FFFF.
func utf8Len(s []byte) int {
	c := s[0]
	switch {
	case c < 0xc2 || c > 0xf4: // a continuation byte, an overlong 2-byte form, or past U+10FFFF
		return 0
	case c < 0xe0:
		if len(s) < 2 || s[1]&0xc0 != 0x80 {
			return 0
		}
		return 2
	case c < 0xf0:
		if len(s) < 3 || s[1]&0xc0 != 0x80 || s[2]&0xc0 != 0x80 ||
			c == 0xe0 && s[1] < 0xa0 || c == 0xed && s[1] > 0x9f { // overlong, surrogate
			return 0
		}
		return 3
	default:
		if len(s) < 4 || s[1]&0xc0 != 0x80 || s[2]&0xc0 != 0x80 || s[3]&0xc0 != 0x80 ||
			c == 0xf0 && s[1] < 0x90 || c == 0xf4 && s[1] > 0x8f { // overlong, past U+10FFFF
			return 0
		}
		return 4
	}
}

// isBlankString reports whether s, valid UTF-8, is empty or only white
// space by unicode.IsSpace: strings.TrimSpace(s) == "" without a string.
func isBlankString(s []byte) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiSpace(c) {
				i++
				continue
			}
			return false
		}
		r, size := utf8.DecodeRune(s[i:])
		if !unicode.IsSpace(r) {
			return false
		}
		i += size
	}
	return true
}

// asciiSpace is the ASCII part of unicode.IsSpace.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// syntaxError describes the JSON syntax error at byte offset off of line,
// what telling where in the grammar it happened.
func syntaxError(line []byte, off int, what string) error {
	if off >= len(line) {
		return fmt.Errorf("%w: column %d: unexpected end of the line %s", retold.ErrFormat, column(line, off), what)
	}
	r, _ := utf8.DecodeRune(line[off:])
	return fmt.Errorf("%w: column %d: invalid character %q %s", retold.ErrFormat, column(line, off), r, what)
}

// column is the 1-based column of byte offset off in line, counted in
// characters, as position counts them.
func column(line []byte, off int) int {
	_, col := position(line, int64(off))
	return col
}
