package extract

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/retold/retold"
)

// step is one result of Next: a record with id, or a *RecordError wrapping
// is whose message holds msg.
type step struct {
	line int
	id   string
	is   error
	msg  string
}

func rec(line int, id string) step { return step{line: line, id: id} }
func bad(line int, is error, msg string) step {
	return step{line: line, is: is, msg: msg}
}

// readSteps calls Next until io.EOF, turning records and record errors into
// steps; any other error fails the test. It also checks the invariants of
// every result: lines increase, records have an ID and Text, errors name
// the stream and line.
func readSteps(t *testing.T, r *JSONLReader) ([]step, []Record) {
	t.Helper()
	var (
		steps []step
		recs  []Record
		last  int
	)
	for i := 0; ; i++ {
		if i > 1e6 {
			t.Fatal("Next does not reach the end")
		}
		rc, err := r.Next()
		if err == io.EOF {
			return steps, recs
		}
		var re *RecordError
		switch {
		case errors.As(err, &re):
			if want := fmt.Sprintf("%s:%d: ", re.Name, re.Line); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
			steps = append(steps, step{line: re.Line, is: re.Err, msg: re.Err.Error()})
			rc.Line = re.Line
		case err != nil:
			t.Fatalf("Next: fatal %v", err)
		default:
			if rc.Doc.ID == "" || strings.TrimSpace(rc.Doc.Text) == "" {
				t.Errorf("line %d: record without ID or Text: %+v", rc.Line, rc.Doc)
			}
			steps = append(steps, rec(rc.Line, rc.Doc.ID))
			recs = append(recs, rc)
		}
		if rc.Line <= last {
			t.Errorf("line %d after line %d", rc.Line, last)
		}
		last = rc.Line
	}
}

// checkSteps compares what readSteps got with what a test wants.
func checkSteps(t *testing.T, got, want []step) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			t.Errorf("missing %+v", want[i])
		case i >= len(want):
			t.Errorf("unexpected %+v", got[i])
		case got[i].line != want[i].line || got[i].id != want[i].id:
			t.Errorf("step %d = %+v, want %+v", i, got[i], want[i])
		case want[i].is != nil && !errors.Is(got[i].is, want[i].is):
			t.Errorf("line %d: error %q is not %v", got[i].line, got[i].msg, want[i].is)
		case !strings.Contains(got[i].msg, want[i].msg):
			t.Errorf("line %d: error %q lacks %q", got[i].line, got[i].msg, want[i].msg)
		}
	}
}

func newJSONL(t *testing.T, name, in string, opt *JSONLOptions) *JSONLReader {
	t.Helper()
	r, err := NewJSONL(name, strings.NewReader(in), opt)
	if err != nil {
		t.Fatalf("NewJSONL: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestJSONLLines runs each rule for a line through Next.
func TestJSONLLines(t *testing.T) {
	const (
		a = `{"id": "a", "text": "Alpha."}`
		b = `{"id": "b", "text": "Bravo."}`
	)
	tests := []struct {
		name string
		in   string
		opt  *JSONLOptions
		want []step
	}{
		{"records in order with their line numbers", a + "\n" + b + "\n",
			nil, []step{rec(1, "a"), rec(2, "b")}},
		{"blank lines are skipped but counted", "\n  \t\n" + a + "\n\r\n\v\f\n" + b + "\n\n",
			nil, []step{rec(3, "a"), rec(6, "b")}},
		{"a last line without newline is a record", a + "\n" + b,
			nil, []step{rec(1, "a"), rec(2, "b")}},
		{"CRLF line endings", a + "\r\n" + b + "\r\n",
			nil, []step{rec(1, "a"), rec(2, "b")}},
		{"BOM at the start is ignored", "\ufeff" + a + "\n",
			nil, []step{rec(1, "a")}},
		{"BOM later is an error", a + "\n\ufeff" + b + "\n",
			nil, []step{rec(1, "a"), bad(2, retold.ErrFormat, "column 1: invalid character")}},
		{"duplicate ids both come through", a + "\n" + a + "\n",
			nil, []step{rec(1, "a"), rec(2, "a")}},
		{"unknown fields are allowed", `{"id": "u", "text": "x", "story": 5, "tags": ["a"], "meta": {"k": null}}`,
			nil, []step{rec(1, "u")}},
		{"optional fields null or absent", `{"id": "n", "text": "x", "title": null, "url": null, "outlet": null, "date": null, "lang": null}`,
			nil, []step{rec(1, "n")}},

		{"not JSON", "a\nnot json\n" + b,
			nil, []step{bad(1, retold.ErrFormat, "column 1: invalid character 'a'"), bad(2, retold.ErrFormat, "column 2: invalid character 'o'"), rec(3, "b")}},
		{"syntax error gives its column", `{"id": "a", "text": }`,
			nil, []step{bad(1, retold.ErrFormat, "column 21: invalid character '}' looking for beginning of value")}},
		{"column counts characters", `{"title": "Müller", "text" "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "column 28: invalid character '\"' after object key")}},
		{"truncated object", `{"id": "a", "text": "Alph`,
			nil, []step{bad(1, retold.ErrFormat, "unexpected end of JSON input")}},
		{"two objects on a line", a + " " + b,
			nil, []step{bad(1, retold.ErrFormat, "after top-level value")}},
		{"an array", `[` + a + `]`,
			nil, []step{bad(1, retold.ErrFormat, "want a JSON object, found an array")}},
		{"a string", `"text"`,
			nil, []step{bad(1, retold.ErrFormat, "want a JSON object, found a string")}},
		{"null", `null`,
			nil, []step{bad(1, retold.ErrFormat, "want a JSON object, found null")}},

		{"id missing", `{"text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "missing id")}},
		{"date too long", `{"id": "d", "date": "` + strings.Repeat("9", 65) + `", "text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "field \"date\" of 65 bytes is not a date")}},
		{"id too long", `{"id": "` + strings.Repeat("k", retold.MaxIDBytes+1) + `", "text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "an id of 2049 bytes, longer than the 2048 retold takes")}},
		{"id empty", `{"id": "", "text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "missing id")}},
		{"id blank", `{"id": "  ", "text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "missing id")}},
		{"id null", `{"id": null, "text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "missing id")}},
		{"id a number, taken as written", `{"id": 04711, "text": "x"}` + "\n" + `{"id": -1.50e3, "text": "x"}` + "\n" + `{"id": 4711, "text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "invalid character '4' after object key:value pair"), rec(2, "-1.50e3"), rec(3, "4711")}},
		{"id a boolean", `{"id": true, "text": "x"}`,
			nil, []step{bad(1, retold.ErrFormat, "id must be a string or a number, found a boolean")}},

		{"text missing", `{"id": "a"}`,
			nil, []step{bad(1, retold.ErrFormat, `missing field "text"`)}},
		{"text null", `{"id": "a", "text": null}`,
			nil, []step{bad(1, retold.ErrFormat, `missing field "text"`)}},
		{"text a number", `{"id": "a", "text": 5}`,
			nil, []step{bad(1, retold.ErrFormat, `field "text": want a string, found a number`)}},
		{"text an object", `{"id": "a", "text": {"body": "x"}}`,
			nil, []step{bad(1, retold.ErrFormat, `field "text": want a string, found an object`)}},
		{"text empty", `{"id": "a", "text": ""}`,
			nil, []step{bad(1, retold.ErrEmpty, `field "text" is empty`)}},
		{"text white space", `{"id": "a", "text": " \n\t\u00a0"}`,
			nil, []step{bad(1, retold.ErrEmpty, `field "text" is only white space`)}},

		{"date a number", `{"id": "a", "text": "x", "date": 5}`,
			nil, []step{bad(1, retold.ErrFormat, `field "date": want a string, found a number`)}},
		{"title an array", `{"id": "a", "text": "x", "title": ["x"]}`,
			nil, []step{bad(1, retold.ErrFormat, `field "title": want a string, found an array`)}},
		{"lang a boolean", `{"id": "a", "text": "x", "lang": false}`,
			nil, []step{bad(1, retold.ErrFormat, `field "lang": want a string, found a boolean`)}},

		{"invalid UTF-8 in text", a + "\n{\"id\": \"c\", \"text\": \"caf\xe9\"}\n" + b,
			nil, []step{rec(1, "a"), bad(2, retold.ErrInvalidUTF8, "byte offset 24 of the line"), rec(3, "b")}},
		{"invalid UTF-8 in an unknown field", "{\"id\": \"c\", \"text\": \"x\", \"note\": \"\xff\"}",
			nil, []step{bad(1, retold.ErrInvalidUTF8, "byte offset 34")}},
		{"escaped NUL in text", `{"id": "c", "text": "x\u0000y"}`,
			nil, []step{bad(1, retold.ErrBinary, `field "text" holds a NUL character`)}},

		{"line longer than MaxLine", a + "\n" + `{"id": "long", "text": "` + strings.Repeat("x", 100) + `"}` + "\n" + b,
			&JSONLOptions{MaxLine: 64}, []step{rec(1, "a"), bad(2, retold.ErrTooLarge, "longer than 64 bytes (MaxLine)"), rec(3, "b")}},
		{"line of exactly MaxLine", a + "\r\n" + b,
			&JSONLOptions{MaxLine: len(a)}, []step{rec(1, "a"), rec(2, "b")}},
		{"blank line longer than MaxLine", "        \n" + a,
			&JSONLOptions{MaxLine: 4}, []step{bad(1, retold.ErrTooLarge, "MaxLine"), bad(2, retold.ErrTooLarge, "MaxLine")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := readSteps(t, newJSONL(t, "in.jsonl", tt.in, tt.opt))
			checkSteps(t, got, tt.want)
		})
	}
}

// TestJSONLRecord checks what a good line turns into.
func TestJSONLRecord(t *testing.T) {
	line := `{"id": "ledger-0314", "title": "Council approves library", "text": "Vote: 5 to 4.\r\nWork starts soon.", ` +
		`"url": "https://ledger.example/0314", "outlet": "The Ledger", "date": "2031-03-14", "lang": "en", "story": {"id": 9}}`
	r := newJSONL(t, "in.jsonl", "\ufeff"+line+"\r\n", nil)
	got, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := Record{
		Doc: retold.Document{
			ID: "ledger-0314", Title: "Council approves library", Text: "Vote: 5 to 4.\nWork starts soon.",
			URL: "https://ledger.example/0314", Outlet: "The Ledger", Date: "2031-03-14", Lang: "en",
		},
		Line: 1,
		Raw:  []byte(line),
	}
	if got.Doc != want.Doc || got.Line != want.Line || !bytes.Equal(got.Raw, want.Raw) {
		t.Errorf("Next =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after the last record = %v, want io.EOF", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next again = %v, want io.EOF", err)
	}
}

// TestJSONLRawOwned reads a corpus several times the read buffer and checks
// that every Raw still holds its line after the buffer was reused.
func TestJSONLRawOwned(t *testing.T) {
	corpus := jsonlCorpus(3*jsonlBufSize, 5000)
	want := strings.Split(strings.TrimSuffix(string(corpus), "\n"), "\n")
	_, recs := readSteps(t, newJSONL(t, "in.jsonl", string(corpus), nil))
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, rc := range recs {
		if string(rc.Raw) != want[i] {
			t.Fatalf("record %d: Raw changed after later reads", i+1)
		}
	}
}

// TestJSONLEmpty checks that inputs without records end at once.
func TestJSONLEmpty(t *testing.T) {
	for name, in := range map[string]string{
		"empty":       "",
		"blank lines": "\n \n\t\r\n",
		"only a BOM":  "\ufeff",
		"gzip, empty": gzipString(t, ""),
	} {
		t.Run(name, func(t *testing.T) {
			r := newJSONL(t, "in.jsonl", in, nil)
			if rc, err := r.Next(); err != io.EOF {
				t.Errorf("Next = %+v, %v; want io.EOF", rc, err)
			}
		})
	}
}

// TestJSONLLongLine puts a 50 MiB line between two good ones. The reader
// generates it, so that the test itself does not hold it, and the bytes
// allocated while reading must stay under MaxLine plus a little: the line
// is never held whole.
func TestJSONLLongLine(t *testing.T) {
	const size = 50 << 20
	for _, maxLine := range []int{0, 1 << 20} {
		t.Run(fmt.Sprintf("MaxLine=%d", maxLine), func(t *testing.T) {
			in := io.MultiReader(
				strings.NewReader(`{"id": "before", "text": "x"}`+"\n"+`{"id": "big", "text": "`),
				io.LimitReader(repeatReader('x'), size),
				strings.NewReader(`"}`+"\r\n"+`{"id": "after", "text": "x"}`+"\n"),
			)
			opt := &JSONLOptions{MaxLine: maxLine}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r, err := NewJSONL("big.jsonl", in, opt)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := readSteps(t, r)
			runtime.ReadMemStats(&after)
			checkSteps(t, got, []step{rec(1, "before"), bad(2, retold.ErrTooLarge, "MaxLine"), rec(3, "after")})
			limit := uint64(opt.withDefaults().MaxLine + 4<<20)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %.1f MiB", float64(alloc)/(1<<20))
			if alloc > limit {
				t.Errorf("allocated %d MiB reading a %d MiB line, want at most %d MiB", alloc>>20, size>>20, limit>>20)
			}
		})
	}
}

// TestJSONLLinesLongerThanBuffer checks lines that do not fit the read
// buffer but are within MaxLine: they come through whole.
func TestJSONLLinesLongerThanBuffer(t *testing.T) {
	text := strings.Repeat("word ", 3*jsonlBufSize/5)
	first := `{"id": "long", "text": "` + text + `"}`
	in := first + "\r\n" + `{"id": "short", "text": "x"}` + "\n" + `{"id": "last", "text": "` + text + `"}`
	got, recs := readSteps(t, newJSONL(t, "in.jsonl", in, nil))
	checkSteps(t, got, []step{rec(1, "long"), rec(2, "short"), rec(3, "last")})
	if len(recs) == 3 && (string(recs[0].Raw) != first || recs[0].Doc.Text != text || recs[2].Doc.Text != text) {
		t.Errorf("long record changed: Raw %d bytes (want %d), Text %d bytes (want %d)",
			len(recs[0].Raw), len(first), len(recs[0].Doc.Text), len(text))
	}
	// Just over MaxLine, in the long path: one byte too many, then a good line.
	opt := &JSONLOptions{MaxLine: len(first) - 1}
	got, _ = readSteps(t, newJSONL(t, "in.jsonl", in, opt))
	checkSteps(t, got, []step{bad(1, retold.ErrTooLarge, "MaxLine"), rec(2, "short"), bad(3, retold.ErrTooLarge, "MaxLine")})
}

// TestJSONLGzip checks that gzip is found by its magic, whatever the name,
// and that concatenated members read as one stream.
func TestJSONLGzip(t *testing.T) {
	a := `{"id": "a", "text": "Alpha."}` + "\n\n"
	b := `{"id": "b", "text": "Bravo."}` + "\n"
	tests := []struct {
		name, file, in string
		want           []step
	}{
		{"gzip named .gz", "in.jsonl.gz", gzipString(t, a+b), []step{rec(1, "a"), rec(3, "b")}},
		{"gzip named .jsonl", "in.jsonl", gzipString(t, a+b), []step{rec(1, "a"), rec(3, "b")}},
		{"plain named .gz", "in.jsonl.gz", a + b, []step{rec(1, "a"), rec(3, "b")}},
		{"concatenated members", "in.gz", gzipString(t, a) + gzipString(t, b) + gzipString(t, a), []step{rec(1, "a"), rec(3, "b"), rec(4, "a")}},
		{"BOM inside gzip", "in.gz", gzipString(t, "\ufeff"+b), []step{rec(1, "b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := readSteps(t, newJSONL(t, tt.file, tt.in, nil))
			checkSteps(t, got, tt.want)
		})
	}
}

// TestJSONLBrokenGzip cuts and damages a gzipped corpus: the records before
// the damage come through, then one fatal error that names the file, the
// line and the cause, and Next repeats it.
func TestJSONLBrokenGzip(t *testing.T) {
	corpus := jsonlCorpus(200<<10, 2000)
	lines := strings.Split(strings.TrimSuffix(string(corpus), "\n"), "\n")
	gz := []byte(gzipString(t, string(corpus)))
	corrupt := bytes.Clone(gz)
	corrupt[len(corrupt)/2] ^= 0xff
	badCRC := bytes.Clone(gz)
	badCRC[len(badCRC)-8] ^= 0xff

	tests := []struct {
		name string
		in   []byte
		is   error
		msg  string
		// intact: the data before the damage is as written, so every line
		// before it is a record and the error names the line after them.
		intact bool
		all    bool // the damage is after the last line
	}{
		{"cut in the middle", gz[:len(gz)/2], io.ErrUnexpectedEOF, "truncated gzip: the stream ends inside this line", true, false},
		{"trailer missing", gz[:len(gz)-4], io.ErrUnexpectedEOF, "truncated gzip", true, true},
		{"bad checksum", badCRC, gzip.ErrChecksum, "corrupt gzip", true, true},
		{"corrupt data", corrupt, nil, "corrupt gzip", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewJSONL("in.jsonl.gz", bytes.NewReader(tt.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var recs []Record
			for {
				rc, err := r.Next()
				if err == nil {
					recs = append(recs, rc)
					continue
				}
				if err == io.EOF {
					t.Fatalf("io.EOF after %d records, want a fatal error", len(recs))
				}
				var re *RecordError
				if errors.As(err, &re) {
					if tt.intact {
						t.Fatalf("RecordError %v in intact data", err)
					}
					continue // damaged data may decode into bad lines first
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("error %q is not %v", err, tt.is)
				}
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("error %q lacks %q", err, tt.msg)
				}
				if prefix := fmt.Sprintf("in.jsonl.gz:%d: ", len(recs)+1); tt.intact && !strings.HasPrefix(err.Error(), prefix) {
					t.Errorf("error %q does not start with %q", err, prefix)
				}
				if _, again := r.Next(); again != err {
					t.Errorf("Next after a fatal error = %v, want it again", again)
				}
				break
			}
			if len(recs) == 0 || tt.all && len(recs) != len(lines) || !tt.all && len(recs) >= len(lines) {
				t.Errorf("%d of %d records before the error", len(recs), len(lines))
			}
			for i, rc := range recs {
				if tt.intact && (rc.Line != i+1 || string(rc.Raw) != lines[i]) {
					t.Fatalf("record %d: line %d, Raw %.40q; want line %d, %.40q", i, rc.Line, rc.Raw, i+1, lines[i])
				}
			}
		})
	}
	t.Run("header cut", func(t *testing.T) {
		_, err := NewJSONL("in.jsonl.gz", bytes.NewReader(gz[:5]), nil)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "in.jsonl.gz: truncated gzip") {
			t.Errorf("NewJSONL = %v, want a truncated gzip header", err)
		}
	})
}

// TestJSONLMaxBytes stops a gzip bomb at MaxBytes, reading little of it,
// and checks the limit is exact on plain input.
func TestJSONLMaxBytes(t *testing.T) {
	line := `{"id": "bomb", "text": "The same record, over and over."}` + "\n"
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	for range (64 << 20) / len(line) {
		zw.Write([]byte(line))
	}
	zw.Close()

	t.Run("gzip bomb", func(t *testing.T) {
		const limit = 1 << 20
		in := &countingReader{r: bytes.NewReader(gz.Bytes())}
		r, err := NewJSONL("bomb.jsonl.gz", in, &JSONLOptions{MaxBytes: limit})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			_, err = r.Next()
			if err != nil {
				break
			}
			n++
		}
		if !errors.Is(err, retold.ErrTooLarge) || !strings.Contains(err.Error(), "more than 1048576 bytes after decompression (MaxBytes)") {
			t.Errorf("Next = %v, want ErrTooLarge past MaxBytes", err)
		}
		if n != limit/len(line) {
			t.Errorf("%d records before the limit, want the %d that fit", n, limit/len(line))
		}
		if want := fmt.Sprintf("bomb.jsonl.gz:%d: ", n+1); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %q does not start with %q", err, want)
		}
		t.Logf("read %d of %d compressed bytes", in.n, gz.Len())
		if in.n > int64(gz.Len())/4 {
			t.Errorf("read %d of %d compressed bytes to find %d bytes too many", in.n, gz.Len(), limit)
		}
	})

	plain := strings.Repeat(line, 3)
	for _, tt := range []struct {
		max  int64
		want []step
	}{
		{int64(len(plain)), []step{rec(1, "bomb"), rec(2, "bomb"), rec(3, "bomb")}},
		{int64(len(plain) - 1), []step{rec(1, "bomb"), rec(2, "bomb")}}, // then the fatal error
	} {
		t.Run(fmt.Sprintf("plain, MaxBytes=%d of %d", tt.max, len(plain)), func(t *testing.T) {
			r := newJSONL(t, "in.jsonl", plain, &JSONLOptions{MaxBytes: tt.max})
			var got []step
			var err error
			for {
				var rc Record
				if rc, err = r.Next(); err != nil {
					break
				}
				got = append(got, rec(rc.Line, rc.Doc.ID))
			}
			checkSteps(t, got, tt.want)
			if wantEOF := tt.max == int64(len(plain)); (err == io.EOF) != wantEOF || !wantEOF && !errors.Is(err, retold.ErrTooLarge) {
				t.Errorf("last Next = %v", err)
			}
		})
	}
}

// TestJSONLBinary feeds binary files: they are refused up front or give
// record errors, quickly, never a panic or a hang.
func TestJSONLBinary(t *testing.T) {
	const nulLine = "{\"id\": \"c\", \"text\": \"x\x00y\"}"
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 1<<20)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	// Bytes that pass the binary test at the start: no control characters,
	// a newline now and then.
	textish := make([]byte, 1<<20)
	for i := range textish {
		textish[i] = byte(0x20 + rng.IntN(0xe0))
		if rng.IntN(200) == 0 {
			textish[i] = '\n'
		}
	}

	t.Run("refused up front", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			in   []byte
			is   error
			msg  string
		}{
			{"random bytes", random, retold.ErrBinary, "in.jsonl: binary data"},
			{"a NUL byte in the first 8 KiB", []byte(nulLine), retold.ErrBinary, "NUL byte at byte offset 22"},
			{"gzipped random bytes", []byte(gzipString(t, string(random))), retold.ErrBinary, "in.jsonl: binary data"},
			{"zip archive", []byte("PK\x03\x04\x14\x00\x00\x00"), retold.ErrBinary, "zip archive"},
			{"UTF-16", []byte("\xff\xfe{\x00\"\x00"), retold.ErrInvalidUTF8, "UTF-16"},
			{"random bytes after the gzip magic", append([]byte{0x1f, 0x8b}, random[:4096]...), gzip.ErrHeader, "in.jsonl: corrupt gzip"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := NewJSONL("in.jsonl", bytes.NewReader(tt.in), nil)
				if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("NewJSONL = %v, want %v with %q", err, tt.is, tt.msg)
				}
			})
		}
	})
	t.Run("a NUL byte later is a record error", func(t *testing.T) {
		good := `{"id": "a", "text": "Alpha."}` + "\n"
		n := sniffLen/len(good) + 1
		got, _ := readSteps(t, newJSONL(t, "in.jsonl", strings.Repeat(good, n)+nulLine+"\n"+good, nil))
		want := make([]step, 0, n+2)
		for i := range n {
			want = append(want, rec(i+1, "a"))
		}
		want = append(want, bad(n+1, retold.ErrBinary, "NUL byte at byte offset 22 of the line"), rec(n+2, "a"))
		checkSteps(t, got, want)
	})
	t.Run("record errors", func(t *testing.T) {
		got, recs := readSteps(t, newJSONL(t, "in.jsonl", string(textish), nil))
		if len(recs) > 0 || len(got) < 100 {
			t.Errorf("%d records and %d record errors from random text, want none and many", len(recs), len(got))
		}
		for _, s := range got {
			if !errors.Is(s.is, retold.ErrInvalidUTF8) && !errors.Is(s.is, retold.ErrFormat) {
				t.Fatalf("line %d: %v, want invalid UTF-8 or bad format", s.line, s.msg)
			}
		}
	})
}

// TestOpenJSONL reads a file from testdata and the errors of opening.
func TestOpenJSONL(t *testing.T) {
	r, err := OpenJSONL("testdata/jsonl/mixed.jsonl", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := readSteps(t, r)
	checkSteps(t, got, []step{
		rec(1, "ledger-0314"),
		rec(3, "4711"),
		bad(4, retold.ErrEmpty, "only white space"),
		bad(5, retold.ErrFormat, "column 50: invalid character '\"' after object key:value pair"),
		bad(6, retold.ErrFormat, `field "date": want a string, found a number`),
		rec(7, "wire-20"),
	})
	if err := r.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := r.file.Stat(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("file after Close: Stat = %v, want it closed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := r.Next(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Next after Close = %v, want os.ErrClosed", err)
	}

	tmp := t.TempDir()
	gzPath := filepath.Join(tmp, "corpus.data")
	if err := os.WriteFile(gzPath, []byte(gzipString(t, `{"id": "z", "text": "Zipped."}`)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = OpenJSONL(gzPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = readSteps(t, r)
	checkSteps(t, got, []step{rec(1, "z")})
	r.Close()

	missing := filepath.Join(tmp, "missing.jsonl")
	for _, tt := range []struct {
		path string
		is   error
		msg  string
	}{
		{missing, fs.ErrNotExist, "read " + missing + ": no such file or directory"},
		{tmp, syscall.EISDIR, tmp + ": is a directory"},
	} {
		if _, err := OpenJSONL(tt.path, nil); !errors.Is(err, tt.is) || err.Error() != tt.msg {
			t.Errorf("OpenJSONL(%s) = %v, want %q", tt.path, err, tt.msg)
		}
	}
}

// TestRecordError pins the message form and the unwrapping.
func TestRecordError(t *testing.T) {
	var err error = &RecordError{Name: "in.jsonl", Line: 7, Err: fmt.Errorf("%w: missing id", retold.ErrFormat)}
	if got, want := err.Error(), "in.jsonl:7: bad input format: missing id"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, retold.ErrFormat) || errors.Is(err, retold.ErrEmpty) {
		t.Errorf("errors.Is sees the wrong sentinel through %v", err)
	}
}

// FuzzJSONL checks that no input, plain or gzipped, panics or loops, that
// line numbers increase, and that every Record has an ID, a Text and valid
// UTF-8.
func FuzzJSONL(f *testing.F) {
	if data, err := os.ReadFile("testdata/jsonl/mixed.jsonl"); err == nil {
		f.Add(false, data)
		f.Add(true, data)
	}
	for _, s := range []string{
		"", "\n", "\ufeff", "{}", `{"id":"a","text":"b"}`, "{\"id\":\"a\",\"text\":\"b\"}\r\n\r\n{",
		`{"id":1,"text":"b"}`, `{"id":"a","text":"\u0000"}`, "{\"id\":\"a\",\"text\":\"\xff\"}", "\x1f\x8b\x08\x00",
		`{"id":"a","text":"b","date":5}`, `{"ID":"a","TEXT":"b"}`, "null\n[]\n\"x\"",
	} {
		f.Add(false, []byte(s))
	}
	f.Fuzz(func(t *testing.T, zip bool, data []byte) {
		in := data
		if zip {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(data)
			zw.Close()
			in = b.Bytes()
		}
		r, err := NewJSONL("fuzz.jsonl", bytes.NewReader(in), &JSONLOptions{MaxLine: 256, MaxBytes: 1 << 20})
		if err != nil {
			return
		}
		defer r.Close()
		// Lines are at most the decompressed bytes; only unzipped data that
		// is itself gzip can inflate, and MaxBytes bounds it.
		calls := len(data) + 2
		if !zip && bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			calls = 1<<20 + 2
		}
		last := 0
		for range calls {
			rc, err := r.Next()
			var re *RecordError
			switch {
			case err == io.EOF:
				return
			case errors.As(err, &re):
				rc.Line = re.Line
			case err != nil:
				if !strings.HasPrefix(err.Error(), "fuzz.jsonl:") || strings.Contains(err.Error(), "\n") {
					t.Fatalf("fatal error %q does not name the stream and line, or spans lines", err)
				}
				return
			default:
				if rc.Doc.ID == "" || strings.TrimSpace(rc.Doc.Text) == "" {
					t.Fatalf("line %d: record without ID or Text: %q", rc.Line, rc.Raw)
				}
				if !utf8.Valid(rc.Raw) || len(rc.Raw) > 256 {
					t.Fatalf("line %d: Raw %q invalid or over MaxLine", rc.Line, rc.Raw)
				}
			}
			if rc.Line <= last {
				t.Fatalf("line %d after line %d", rc.Line, last)
			}
			last = rc.Line
		}
		t.Fatalf("Next did not end after %d calls on %d bytes", calls, len(data))
	})
}

func ExampleOpenJSONL() {
	r, err := OpenJSONL("testdata/jsonl/mixed.jsonl", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var bad *RecordError
		if errors.As(err, &bad) {
			fmt.Println("skip", err)
			continue
		}
		if err != nil {
			fmt.Println(err) // the stream is broken; what came before stands
			return
		}
		fmt.Printf("line %d: %s %q\n", rec.Line, rec.Doc.ID, rec.Doc.Title)
	}
	// Output:
	// line 1: ledger-0314 "Council approves library"
	// line 3: 4711 ""
	// skip testdata/jsonl/mixed.jsonl:4: no text: field "text" is only white space
	// skip testdata/jsonl/mixed.jsonl:5: bad input format: column 50: invalid character '"' after object key:value pair
	// skip testdata/jsonl/mixed.jsonl:6: bad input format: field "date": want a string, found a number
	// line 7: wire-20 ""
}

// BenchmarkJSONL reads a 10 MB corpus of 5 KB texts, plain and gzipped;
// MB/s counts decompressed bytes in both.
func BenchmarkJSONL(b *testing.B) {
	corpus := jsonlCorpus(10<<20, 5000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(corpus)
	zw.Close()
	for _, bb := range []struct {
		name string
		in   []byte
	}{{"plain", corpus}, {"gzip", gz.Bytes()}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(corpus)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewJSONL("bench.jsonl", bytes.NewReader(bb.in), nil)
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// jsonlCorpus makes a deterministic corpus of about size bytes whose
// records have every field and a text of about textLen bytes in sentences
// with quotes and paragraph breaks, as news text has.
func jsonlCorpus(size, textLen int) []byte {
	words := strings.Fields("the council voted on Tuesday to build a new library for 4.3 million dollars " +
		"said mayor Oyelaran whose party lost two seats in March while critics called the plan \"reckless\" and late")
	rng := rand.New(rand.NewPCG(7, 11))
	var buf bytes.Buffer
	var text strings.Builder
	for i := 0; buf.Len() < size; i++ {
		text.Reset()
		for text.Len() < textLen {
			for range 8 + rng.IntN(20) {
				text.WriteString(words[rng.IntN(len(words))])
				text.WriteByte(' ')
			}
			text.WriteString("end.")
			if rng.IntN(4) == 0 {
				text.WriteString("\n\n")
			} else {
				text.WriteByte(' ')
			}
		}
		fmt.Fprintf(&buf, `{"id": "doc-%06d", "title": "Story %d", "text": %q, "url": "https://news.example/%d", "outlet": "Example News", "date": "2031-03-%02d", "lang": "en"}`+"\n",
			i, i, text.String(), i, 1+i%28)
	}
	return buf.Bytes()
}

func gzipString(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
