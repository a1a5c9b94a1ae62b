package extract

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/retold/retold"
)

// parseText takes data as plain text: the whole input, less a UTF-8 BOM,
// is the Text. It must be valid UTF-8 and have no line longer than
// o.MaxLine bytes. The title is left empty: a first line is not reliably a
// headline.
func parseText(name string, data []byte, o Options) (retold.Document, error) {
	if err := checkLines(name, data, o.MaxLine); err != nil {
		return retold.Document{}, err
	}
	return retold.Document{ID: retold.ShortID(name), Text: string(bytes.TrimPrefix(data, utf8BOM))}, nil
}

// checkLines walks the lines of data once (ended by "\n", "\r\n" or a lone
// "\r", as normalizeNewlines sees them), refusing a line longer than maxLine
// bytes (if maxLine > 0) with retold.ErrTooLarge and the first invalid
// UTF-8 with retold.ErrInvalidUTF8. Line numbers count from 1 and byte
// offsets from 0 in data as given.
func checkLines(name string, data []byte, maxLine int) error {
	line := 1
	for start := 0; start <= len(data); line++ {
		end := start + lineEnd(data[start:])
		if maxLine > 0 && end-start > maxLine {
			return fmt.Errorf("%s: %w: line %d is longer than %d bytes (MaxLine)",
				name, retold.ErrTooLarge, line, maxLine)
		}
		if bad := invalidUTF8(data[start:end]); bad >= 0 {
			return fmt.Errorf("%s: %w: line %d, byte offset %d", name, retold.ErrInvalidUTF8, line, start+bad)
		}
		if end == len(data) {
			break
		}
		start = end + 1
		if data[end] == '\r' && start < len(data) && data[start] == '\n' {
			start++
		}
	}
	return nil
}

// lineEnd is the index of the first '\n' or '\r' in b, or len(b).
func lineEnd(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return len(b)
}

// invalidUTF8 returns the offset of the first byte of b that does not start
// a valid UTF-8 sequence, or -1 if b is valid.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// checkUTF8 refuses invalid UTF-8 in data with its line and byte offset,
// for the formats whose lines may be of any length.
func checkUTF8(name string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	return checkLines(name, data, 0)
}
