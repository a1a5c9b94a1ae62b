package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold"
)

// TestScanIDText runs each rule of a JSONL line through ScanIDText, and
// each line through decodeJSONLine too, which must agree.
func TestScanIDText(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		id, text string
		is       error  // the sentinel of a refused line
		msg      string // part of the error message
	}{
		{name: "plain record", line: `{"id":"a","text":"Alpha."}`, id: "a", text: "Alpha."},
		{name: "white space around every token", line: " \t{ \"id\" :\r\"a\" , \"text\"\n: \"x\" } \t\r\n", id: "a", text: "x"},
		{name: "non-ASCII strings", line: `{"id":"ü-1","text":"Müller sagt: „Nein.“"}`, id: "ü-1", text: "Müller sagt: „Nein.“"},
		{name: "one-character escapes", line: `{"id":"a\/b","text":"say \"hi\"\\\b\f\n\r\t"}`, id: "a/b", text: "say \"hi\"\\\b\f\n\r\t"},
		{name: "CRLF in text is kept", line: `{"id":"a","text":"one\r\ntwo\rthree"}`, id: "a", text: "one\r\ntwo\rthree"},
		{name: "unicode escapes", line: `{"id":"\u0041","text":"caf\u00e9 \u20AC"}`, id: "A", text: "café €"},
		{name: "surrogate pair", line: `{"id":"a","text":"\ud83d\ude00!"}`, id: "a", text: "😀!"},
		{name: "lone high surrogate", line: `{"id":"a","text":"x\ud800y"}`, id: "a", text: "x\uFFFDy"},
		{name: "lone low surrogate", line: `{"id":"a","text":"\udc00"}`, id: "a", text: "\uFFFD"},
		{name: "high surrogate before another escape", line: `{"id":"a","text":"\ud800\u0041"}`, id: "a", text: "\uFFFDA"},
		{name: "high surrogate before a pair", line: `{"id":"a","text":"\ud800\ud800\udc00"}`, id: "a", text: "\uFFFD\U00010000"},
		{name: "high surrogate at the end", line: `{"id":"a","text":"x\udbff"}`, id: "a", text: "x\uFFFD"},
		{name: "text keeps its white space", line: `{"id":" a ","text":"  x \n"}`, id: " a ", text: "  x \n"},
		{name: "keys in any ASCII case", line: `{"ID":"a","tExT":"x"}`, id: "a", text: "x"},
		{name: "escaped keys", line: `{"\u0069d":"a","te\u0078t":"x"}`, id: "a", text: "x"},
		{name: "last repeated key wins", line: `{"id":"a","text":"x","Id":"b","TEXT":"y"}`, id: "b", text: "y"},
		{name: "last repeated escaped key wins", line: `{"id":"\u0061","text":"x\ny","ID":"\u0062","text":"\u0041\n"}`, id: "b", text: "A\n"},
		{name: "long escaped key", line: `{"\u0069\u0064\u0069\u0064\u0069\u0064\u0069\u0064":"k","id":"a","text":"x"}`, id: "a", text: "x"},
		{name: "null leaves a string as it was", line: `{"id":"a","id":null,"text":"x","text":null}`, id: "a", text: "x"},
		{name: "nested id and text are not the record's", line: `{"meta":{"id":"m","text":"n"},"id":"a","tags":["id","text"],"text":"x"}`, id: "a", text: "x"},
		{name: "other fields hold any JSON", line: `{"id":"a","text":"x","n":[0,-1,2.50,-0.5e+10,1E-2,3e7],"b":[true,false,null],"o":{"":{"x":[[],{}]}}}`, id: "a", text: "x"},
		{name: "optional fields null or strings", line: `{"id":"a","text":"x","title":null,"URL":"u","outlet":"o","date":null,"lang":"en"}`, id: "a", text: "x"},
		{name: "escaped NUL in id is kept", line: `{"id":"\u0000","text":"x"}`, id: "\x00", text: "x"},
		{name: "non-ASCII look-alike key is another field", line: `{"ıd":"a","İD":"b","id":"c","text":"x"}`, id: "c", text: "x"},
		{name: "Kelvin sign does not fold into a field", line: `{"id":"a","te\u212At":5,"text":"x"}`, id: "a", text: "x"},

		{name: "NUL byte", line: "{\"id\":\"a\",\"text\":\"x\x00\"}", is: retold.ErrBinary, msg: "column 20: NUL byte"},
		{name: "NUL byte before a syntax error", line: "{\"id\x00", is: retold.ErrBinary},
		{name: "invalid UTF-8 in an unknown field", line: "{\"id\":\"a\",\"text\":\"x\",\"note\":\"\xff\"}", is: retold.ErrInvalidUTF8, msg: "byte offset 29"},
		{name: "invalid UTF-8 after the object", line: "{\"id\":\"a\",\"text\":\"x\"} \xc3", is: retold.ErrInvalidUTF8},
		{name: "UTF-8 for a surrogate", line: "{\"id\":\"a\",\"text\":\"\xed\xa0\x80\"}", is: retold.ErrInvalidUTF8},

		{name: "empty line", line: ``, is: retold.ErrFormat, msg: "unexpected end"},
		{name: "not JSON", line: `not json`, is: retold.ErrFormat, msg: "column 2: invalid character 'o'"},
		{name: "syntax error gives its column", line: `{"id": "a", "text": }`, is: retold.ErrFormat, msg: "column 21: invalid character '}'"},
		{name: "column counts characters", line: `{"title": "Müller", "text" "x"}`, is: retold.ErrFormat, msg: "column 28"},
		{name: "truncated string", line: `{"id":"a","text":"Alph`, is: retold.ErrFormat, msg: "unexpected end"},
		{name: "truncated object", line: `{"id":"a","text":"x"`, is: retold.ErrFormat, msg: "unexpected end"},
		{name: "two objects", line: `{"id":"a","text":"x"} {}`, is: retold.ErrFormat, msg: "after top-level value"},
		{name: "trailing comma", line: `{"id":"a","text":"x",}`, is: retold.ErrFormat, msg: "object key string"},
		{name: "missing colon", line: `{"id" "a"}`, is: retold.ErrFormat, msg: "after object key"},
		{name: "key not a string", line: `{id:"a"}`, is: retold.ErrFormat},
		{name: "single quotes", line: `{'id':'a'}`, is: retold.ErrFormat},
		{name: "raw tab in a string", line: "{\"id\":\"a\",\"text\":\"x\ty\"}", is: retold.ErrFormat, msg: "in string literal"},
		{name: "unknown escape", line: `{"id":"a","text":"\x41"}`, is: retold.ErrFormat, msg: "escape"},
		{name: "escaped apostrophe", line: `{"id":"a","text":"\'"}`, is: retold.ErrFormat, msg: "escape"},
		{name: "short unicode escape", line: `{"id":"a","text":"\u12"}`, is: retold.ErrFormat, msg: "hexadecimal"},
		{name: "bad hex digit", line: `{"id":"a","text":"\u12G4"}`, is: retold.ErrFormat, msg: "hexadecimal"},
		{name: "leading zero", line: `{"id":"a","text":"x","n":01}`, is: retold.ErrFormat},
		{name: "bare minus", line: `{"id":"a","text":"x","n":-}`, is: retold.ErrFormat, msg: "numeric literal"},
		{name: "plus sign", line: `{"id":"a","text":"x","n":+1}`, is: retold.ErrFormat},
		{name: "no digit after the point", line: `{"id":"a","text":"x","n":1.}`, is: retold.ErrFormat, msg: "decimal point"},
		{name: "no digit before the point", line: `{"id":"a","text":"x","n":.5}`, is: retold.ErrFormat},
		{name: "no exponent digits", line: `{"id":"a","text":"x","n":1e+}`, is: retold.ErrFormat, msg: "exponent"},
		{name: "misspelt literal", line: `{"id":"a","text":"x","b":tru}`, is: retold.ErrFormat, msg: "literal true"},
		{name: "literal in capitals", line: `{"id":"a","text":"x","b":NULL}`, is: retold.ErrFormat},
		{name: "unbalanced brackets", line: `{"id":"a","text":"x","m":[1,2}}`, is: retold.ErrFormat, msg: "after array element"},
		{name: "unclosed nested object", line: `{"id":"a","text":"x","m":{"k":1}`, is: retold.ErrFormat, msg: "unexpected end"},
		{name: "syntax error before a type error", line: `{"id":5,"text":"x",]`, is: retold.ErrFormat, msg: "invalid character ']'"},
		{name: "an array", line: `[{"id":"a","text":"x"}]`, is: retold.ErrFormat, msg: "want a JSON object, found an array"},
		{name: "a string", line: `"text"`, is: retold.ErrFormat, msg: "found a string"},
		{name: "a number", line: ` -1.5 `, is: retold.ErrFormat, msg: "found a number"},
		{name: "null", line: `null`, is: retold.ErrFormat, msg: "found null"},

		{name: "id missing", line: `{"text":"x"}`, is: retold.ErrFormat, msg: "missing id"},
		{name: "id too long", line: `{"id":"` + strings.Repeat("k", retold.MaxIDBytes+1) + `","text":"x"}`, is: retold.ErrFormat, msg: "longer than the 2048"},
		{name: "id empty", line: `{"id":"","text":"x"}`, is: retold.ErrFormat, msg: "missing id"},
		{name: "id blank", line: `{"id":" \t","text":"x"}`, is: retold.ErrFormat, msg: "missing id"},
		{name: "id escaped blank", line: `{"id":"\u0020\u00a0\n","text":"x"}`, is: retold.ErrFormat, msg: "missing id"},
		{name: "id null", line: `{"id":null,"text":"x"}`, is: retold.ErrFormat, msg: "missing id"},
		{name: "id a boolean at its column", line: `{"id":false,"text":"x"}`, is: retold.ErrFormat, msg: "column 7: id must be a string or a number, found a boolean"},
		{name: "id a boolean", line: `{"id":true,"text":"x"}`, is: retold.ErrFormat, msg: "found a boolean"},
		{name: "id an object", line: `{"id":{"v":"a"},"text":"x"}`, is: retold.ErrFormat, msg: "found an object"},
		{name: "id a boolean then a string", line: `{"id":true,"id":"a","text":"x"}`, is: retold.ErrFormat, msg: "id must be a string or a number"},
		{name: "missing id before empty text", line: `{"text":""}`, is: retold.ErrFormat, msg: "missing id"},

		{name: "text missing", line: `{"id":"a"}`, is: retold.ErrFormat, msg: `missing field "text"`},
		{name: "text null", line: `{"id":"a","text":null}`, is: retold.ErrFormat, msg: `missing field "text"`},
		{name: "text empty then null", line: `{"id":"a","text":"","text":null}`, is: retold.ErrFormat, msg: `missing field "text"`},
		{name: "text null then empty", line: `{"id":"a","text":null,"text":""}`, is: retold.ErrEmpty, msg: `field "text" is empty`},
		{name: "text empty", line: `{"id":"a","text":""}`, is: retold.ErrEmpty, msg: `column 18: field "text" is empty`},
		{name: "text white space", line: `{"id":"a","text":" \n\t\u00a0\u2028　"}`, is: retold.ErrEmpty, msg: "only white space"},
		{name: "text CRLF only", line: `{"id":"a","text":"\r\n"}`, is: retold.ErrEmpty, msg: "only white space"},
		{name: "text a number", line: `{"id":"a","text":5}`, is: retold.ErrFormat, msg: `field "text": want a string, found a number`},
		{name: "text an array", line: `{"id":"a","text":["x"]}`, is: retold.ErrFormat, msg: "found an array"},
		{name: "text a boolean in capitals", line: `{"id":"a","TEXT":false}`, is: retold.ErrFormat, msg: "found a boolean"},
		{name: "text with an escaped NUL", line: `{"id":"a","text":"x\u0000y"}`, is: retold.ErrBinary, msg: `holds a NUL character`},
		{name: "text of white space and NUL", line: `{"id":"a","text":" \u0000 "}`, is: retold.ErrBinary},

		{name: "title a number", line: `{"id":"a","text":"x","title":5}`, is: retold.ErrFormat, msg: `field "title": want a string, found a number`},
		{name: "url a boolean", line: `{"id":"a","text":"x","Url":true}`, is: retold.ErrFormat, msg: `field "url"`},
		{name: "outlet an array", line: `{"id":"a","text":"x","outlet":[]}`, is: retold.ErrFormat, msg: `field "outlet"`},
		{name: "date an object", line: `{"id":"a","text":"x","date":{}}`, is: retold.ErrFormat, msg: `field "date"`},
		{name: "lang a number", line: `{"id":"a","text":"x","lang":1}`, is: retold.ErrFormat, msg: `field "lang"`},
		{name: "type error before empty text", line: `{"id":"a","text":"","title":5}`, is: retold.ErrFormat, msg: `field "title"`},
		{name: "type error before missing id", line: `{"text":"x","date":5}`, is: retold.ErrFormat, msg: `field "date"`},
		{name: "first type error is told", line: `{"id":"a","text":"x","title":5,"lang":6}`, is: retold.ErrFormat, msg: `field "title"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, text, _, err := ScanIDText([]byte(tt.line), nil)
			switch {
			case tt.is == nil && err != nil:
				t.Fatalf("ScanIDText(%q): %v", tt.line, err)
			case tt.is == nil && (string(id) != tt.id || string(text) != tt.text):
				t.Errorf("ScanIDText(%q) = %q, %q; want %q, %q", tt.line, id, text, tt.id, tt.text)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("ScanIDText(%q) = %v, want an error wrapping %v", tt.line, err, tt.is)
			case tt.is != nil && !strings.Contains(err.Error(), tt.msg):
				t.Errorf("ScanIDText(%q): error %q lacks %q", tt.line, err, tt.msg)
			}
			checkScanMatchesDecode(t, []byte(tt.line))
		})
	}
}

// TestScanIDTextNesting checks encoding/json's limit of 10000 nested
// containers, the record's object included.
func TestScanIDTextNesting(t *testing.T) {
	nested := func(depth int) []byte {
		inner := depth - 1 // inside the record's object
		return []byte(`{"id":"a","text":"x","deep":` + strings.Repeat("[", inner) + strings.Repeat("]", inner) + `}`)
	}
	if _, _, _, err := ScanIDText(nested(maxJSONDepth), nil); err != nil {
		t.Errorf("%d deep: %v", maxJSONDepth, err)
	}
	if _, _, _, err := ScanIDText(nested(maxJSONDepth+1), nil); !errors.Is(err, retold.ErrFormat) {
		t.Errorf("%d deep: %v, want ErrFormat", maxJSONDepth+1, err)
	}
	for _, depth := range []int{2, maxJSONDepth, maxJSONDepth + 1} {
		checkScanMatchesDecode(t, nested(depth))
	}
}

// TestScanIDTextBuffers checks where id and text live: in line when they
// have no escapes, in the returned buffer when they have, which is reused
// without allocating.
func TestScanIDTextBuffers(t *testing.T) {
	plain := []byte(`{"id":"a","text":"Plain text."}`)
	escaped := []byte(`{"te\u0078t":"Line one.\nLine \"two\".","\u0069d":"caf\u00e9"}`)

	id, text, buf, err := ScanIDText(plain, nil)
	if err != nil || !within(id, plain) || !within(text, plain) || buf != nil {
		t.Errorf("plain: %q, %q, buf %q, %v; want slices of the line and no buffer", id, text, buf, err)
	}
	id, text, buf, err = ScanIDText(escaped, make([]byte, 3, 8))
	if err != nil || string(id) != "café" || string(text) != "Line one.\nLine \"two\"." {
		t.Fatalf("escaped: %q, %q, %v", id, text, err)
	}
	// The escaped keys are decoded into the buffer too, but dropped.
	if !within(id, buf) || !within(text, buf) || len(buf) != len(id)+len(text) {
		t.Errorf("escaped: id %q and text %q are not the buffer %q", id, text, buf)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		_, _, buf, err = ScanIDText(escaped, buf)
		_, _, buf, err = ScanIDText(plain, buf)
	}); allocs != 0 || err != nil {
		t.Errorf("%v allocations a run with a grown buffer, want 0 (%v)", allocs, err)
	}
}

// within reports whether s is a slice of the memory of b.
func within(s, b []byte) bool {
	if len(s) == 0 || cap(b) == 0 {
		return false
	}
	b = b[:cap(b)]
	for i := range b {
		if &b[i] == &s[0] {
			return i+len(s) <= len(b)
		}
	}
	return false
}

// TestScanIDTextCorpus checks the agreement with decodeJSONLine on a whole
// corpus of realistic records, and on the example corpus of the package.
func TestScanIDTextCorpus(t *testing.T) {
	corpus := jsonlCorpus(200<<10, 3000)
	mixed, err := os.ReadFile("testdata/jsonl/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range append(benchLines(t, corpus), bytes.Split(mixed, []byte("\n"))...) {
		checkScanMatchesDecode(t, l)
	}
}

// TestScanIDTextRandomLines checks the agreement with decodeJSONLine on
// random lines built from the pieces the rules are about (keys in any
// case or escaped, strings of escapes, surrogates and Unicode spaces,
// values of every kind), some of them then damaged by a byte: lines the
// fuzzer would take long to find.
func TestScanIDTextRandomLines(t *testing.T) {
	keys := []string{"id", "ID", "iD", "text", "TEXT", "Text", "title", "URL", "outlet", "date", "lang",
		`\u0069d`, `te\u0078t`, `\u0054ext`, "ıd", "te\u212At", "note", "", "meta"}
	pieces := []string{"a", "Z9", " ", "  ", "\u00a0", `\u00a0`, `\u3000`, `\u0000`, `\n`, `\r\n`, `\t`, `\"`, `\\`, `\/`,
		`\ud800`, `\udc00`, `\ud83d\ude00`, `\uD83D`, `\u0041`, "é", "😀", "д", `\u2028`, `\b\f`}
	others := []string{"null", "true", "false", "0", "-1.5e3", "1E+2", "[]", "{}", `{"id":"x","text":"y"}`, `["a",1,[null]]`, `{"":{}}`}
	damage := []string{",", "}", "{", "]", ":", `"`, `\`, "\x00", "\xff", "\xc3", "\t", " ", "0", "n"}
	rng := rand.New(rand.NewPCG(9, 10))
	str := func() string {
		var b strings.Builder
		b.WriteByte('"')
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		b.WriteByte('"')
		return b.String()
	}
	value := func() string {
		if rng.IntN(3) == 0 {
			return others[rng.IntN(len(others))]
		}
		return str()
	}
	outcomes := map[error]int{}
	for range 20000 {
		// Most lines have an id and a text, in some spelling.
		var members []string
		for range rng.IntN(4) {
			members = append(members, fmt.Sprintf(`"%s":%s`, keys[rng.IntN(len(keys))], value()))
		}
		if rng.IntN(5) > 0 {
			members = append(members, fmt.Sprintf(`"%s":%s`, keys[rng.IntN(3)], str()))
		}
		if rng.IntN(5) > 0 {
			members = append(members, fmt.Sprintf(`"%s":%s`, keys[3+rng.IntN(3)], str()))
		}
		rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		var b strings.Builder
		b.WriteString(" "[:rng.IntN(2)])
		b.WriteByte('{')
		for i, m := range members {
			if i > 0 {
				b.WriteString([]string{",", ", ", " ,\t"}[rng.IntN(3)])
			}
			b.WriteString(m)
		}
		b.WriteString("}")
		line := []byte(b.String())
		if rng.IntN(4) == 0 {
			at := rng.IntN(len(line) + 1)
			switch d := damage[rng.IntN(len(damage))]; rng.IntN(3) {
			case 0:
				line = slices.Insert(line, at, []byte(d)...)
			case 1:
				if at < len(line) {
					line = slices.Delete(line, at, at+1)
				}
			default:
				line = append(line[:at:at], append([]byte(d), line[min(at+len(d), len(line)):]...)...)
			}
		}
		outcomes[checkScanMatchesDecode(t, line)]++
	}
	// The lines must reach every outcome, or they test less than they seem.
	t.Logf("outcomes: %v", outcomes)
	for _, want := range []error{nil, retold.ErrFormat, retold.ErrEmpty, retold.ErrInvalidUTF8, retold.ErrBinary} {
		if outcomes[want] < 100 {
			t.Errorf("only %d of the lines have outcome %v: %v", outcomes[want], want, outcomes)
		}
	}
}

// TestPlainRun compares the 8-bytes-at-a-time plainRun with a byte loop
// on random strings where the bytes it stops at are rare, at every offset.
func TestPlainRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Last the bytes it stops at, first their neighbours.
	alphabet := []byte("ab \x7f\x21\x23\x5b\x5d\x20\x01\x1f\x00\x80\xff\"\\")
	for range 2000 {
		s := make([]byte, rng.IntN(70))
		for i := range s {
			s[i] = alphabet[rng.IntN(len(alphabet)-7)]
			if rng.IntN(20) == 0 {
				s[i] = alphabet[len(alphabet)-1-rng.IntN(7)]
			}
		}
		for off := range len(s) + 1 {
			want := len(s[off:])
			for i, c := range s[off:] {
				if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
					want = i
					break
				}
			}
			if got := plainRun(s[off:]); got != want {
				t.Fatalf("plainRun(%q) = %d, want %d", s[off:], got, want)
			}
		}
	}
}

// TestTwoByteRun compares the 8-bytes-at-a-time twoByteRun with a
// reference that walks each 8 bytes one character at a time, on random
// strings of ASCII, 2-byte characters and the things it must stop at, at
// every offset.
func TestTwoByteRun(t *testing.T) {
	// chunk is the reference for one step of twoByteRun.
	chunk := func(c []byte) int {
		if !slices.ContainsFunc(c, func(b byte) bool { return b >= utf8.RuneSelf }) {
			return 0 // all ASCII: plainRun's
		}
		for i := 0; i < 8; {
			switch b := c[i]; {
			case b == '"' || b == '\\' || b < 0x20:
				return 0
			case b < utf8.RuneSelf:
				i++
			case b < 0xc2 || b >= 0xe0:
				return 0
			case i == 7:
				return 7
			case c[i+1]&0xc0 != 0x80:
				return 0
			default:
				i += 2
			}
		}
		return 8
	}
	rng := rand.New(rand.NewPCG(5, 6))
	common := []string{"a", "Z", " ", ",", "д", "é", "ß", "ω", "ש", "\u07ff"}
	rare := []string{"\"", "\\", "\n", "\x1f", "\x7f", "€", "😀", "\xc0\x80", "\xc1\xbf", "\x80", "\xdf", "\xe0"}
	for range 5000 {
		var s []byte
		for range rng.IntN(40) {
			p := common[rng.IntN(len(common))]
			if rng.IntN(30) == 0 {
				p = rare[rng.IntN(len(rare))]
			}
			s = append(s, p...)
		}
		for off := range len(s) + 1 {
			want := 0
			for len(s[off:])-want >= 8 {
				n := chunk(s[off+want : off+want+8])
				if n == 0 {
					break
				}
				want += n
			}
			if got := twoByteRun(s[off:]); got != want {
				t.Fatalf("twoByteRun(%q) = %d, want %d", s[off:], got, want)
			}
		}
	}
}

// TestThreeByteRun compares threeByteRun with utf8Len, one character at a
// time, on random strings of 3-byte characters valid and not.
func TestThreeByteRun(t *testing.T) {
	pieces := []string{"中", "文", "€", "\u0800", "\uffff", "\ud7ff", "\ue000", "a", "é", "😀",
		"\xe0\x9f\xbf", "\xed\xa0\x80", "\xe4\xb8", "\xe4", "\xe4\x00\x80", "\xf0\x90\x80"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 5000 {
		var s []byte
		for range rng.IntN(10) {
			p := pieces[rng.IntN(len(pieces))]
			if rng.IntN(3) > 0 {
				p = pieces[rng.IntN(7)] // mostly valid 3-byte characters
			}
			s = append(s, p...)
		}
		for off := range len(s) + 1 {
			want := 0
			for rest := s[off:]; want < len(rest) && rest[want] >= utf8.RuneSelf && utf8Len(rest[want:]) == 3; {
				want += 3
			}
			if got := threeByteRun(s[off:]); got != want {
				t.Fatalf("threeByteRun(%q) = %d, want %d", s[off:], got, want)
			}
		}
	}
}

// TestUTF8Len compares utf8Len with utf8.DecodeRune on every first and
// second byte, with the third and fourth bytes drawn from the edges of
// the ranges that matter, and on sequences cut short.
func TestUTF8Len(t *testing.T) {
	edges := []byte{0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff}
	for b0 := 0x80; b0 <= 0xff; b0++ {
		for b1 := range 0x100 {
			for _, b2 := range edges {
				for _, b3 := range edges {
					s := []byte{byte(b0), byte(b1), b2, b3}
					for n := 1; n <= len(s); n++ {
						want := 0
						if r, size := utf8.DecodeRune(s[:n]); r != utf8.RuneError || size > 1 {
							want = size
						}
						if got := utf8Len(s[:n]); got != want {
							t.Fatalf("utf8Len(% x) = %d, want %d", s[:n], got, want)
						}
					}
				}
			}
		}
	}
}

// TestFieldNamesFoldOnlyInASCII checks the premise of fieldNamed's ASCII
// comparison: encoding/json folds keys with unicode.SimpleFold, and no
// non-ASCII rune folds into a letter of a known field's name.
func TestFieldNamesFoldOnlyInASCII(t *testing.T) {
	letters := strings.Join(fieldNames[fieldID:], "")
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf && strings.ContainsRune(letters, unicode.ToLower(f)) {
				t.Errorf("%U folds to %q, a letter of a field name", r, f)
			}
		}
	}
}

// FuzzScanIDText checks that ScanIDText accepts exactly the lines
// decodeJSONLine accepts, with the same id and text, and refuses the
// others with the same sentinel error.
func FuzzScanIDText(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","text":"b"}`, `{"ID":"a","TEXT":"b"}`, `{"id":1,"text":"b"}`, `{"id":"a","text":"\u0000"}`,
		"{\"id\":\"a\",\"text\":\"\xff\"}", `{"id":"a","text":"b","date":5}`, `null`, `[]`, `{}`, ``, ` `,
		`{"id":"a","text":"\ud800\udc00\ud800\u0041\udc00"}`, `{"id":"a","text":"x","n":[-0.5e+10,{"k":[true,null]}]}`,
		`{"id":"a","text":"","text":null}`, `{"id":"a","text":null,"text":""}`, `{"id":"a","id":null,"text":"x"}`,
		`{"\u0069d":"a","te\u0078t":"\"x\"\n"}`, `{"ıd":"a","text":"x"}`, `{"id":" ","text":"\u00a0"}`,
		`{"id":"a","text":"x"} `, `{"id":"a","text":"x"}x`, `{"id":"a","text":"x","n":01}`,
		`{"id":"ru-1","text":"Совет проголосовал «за», 5 против 4.\n\nМэр сказал: \"Да\"."}`,
		`{"id":"zh-1","text":"市议会周二投票决定修建一座新图书馆。","lang":"zh"}`,
		`{"id":"esc-1","text":"\u0421\u043e\u0432\u0435\u0442 \u5e02\u8bae\u4f1a \ud83d\udcf0"}`,
		`{"id":"m","text":"x","title":"A \"quoted\" title","url":"https:\/\/example.org\/a","outlet":"Caf\u00e9 Post","date":"2024-01-02","lang":"fr"}`,
		`{"id":"m","text":"x","Title":"first","TITLE":"second","date":null,"lang":"en","lang":null}`,
		`{"id":"m","text":"x","outlet":7}`, `{"id":"m","text":"x","date":"` + strings.Repeat("9", 80) + `"}`,
		`{"id":"m","title":"t\u0000","text":"x","url":["a"]}`,
	} {
		f.Add([]byte(s))
	}
	for _, l := range benchLines(f, jsonlCorpus(4<<10, 300)) {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checkScanMatchesDecode(t, line)
	})
}

// checkScanMatchesDecode is the equivalence FuzzScanIDText checks: on any
// line, ScanIDText and decodeJSONLine accept or refuse alike, agree on id
// and text (before decodeJSONLine normalizes line endings) and refuse with
// the same sentinel error. ScanIDText must also leave line unchanged. It
// returns that sentinel, or nil for a line both accept.
func checkScanMatchesDecode(t *testing.T, line []byte) error {
	t.Helper()
	var fields jsonlFields
	doc, wantErr := decodeJSONLineStd(line, &fields)
	orig := bytes.Clone(line)
	// decodeJSONLine's fast path reads every field of the lines the
	// reference accepts, as the reference does, and refuses the others.
	switch fast, ok := scanDocument(line); {
	case ok && wantErr != nil:
		t.Fatalf("line %q: scanDocument accepts it, encoding/json refuses it: %v", line, wantErr)
	case !ok && wantErr == nil:
		t.Fatalf("line %q: scanDocument refuses it, encoding/json accepts it", line)
	case ok && fast != doc:
		t.Fatalf("line %q: scanDocument = %+v, encoding/json = %+v", line, fast, doc)
	}
	if !bytes.Equal(line, orig) {
		t.Fatalf("scanDocument changed its line %q to %q", orig, line)
	}
	id, text, _, err := ScanIDText(line, []byte("left over"))
	if !bytes.Equal(line, orig) {
		t.Fatalf("ScanIDText changed its line %q to %q", orig, line)
	}
	switch {
	case err != nil && wantErr != nil:
		if got, want := sentinel(err), sentinel(wantErr); got != want || got == nil {
			t.Fatalf("line %q: ScanIDText says %q, decodeJSONLine %q: not the same sentinel", line, err, wantErr)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("line %q: error %q spans lines", line, msg)
		}
		return sentinel(err)
	case err != nil:
		t.Fatalf("line %q: ScanIDText refuses it (%v), decodeJSONLine accepts it", line, err)
	case wantErr != nil:
		t.Fatalf("line %q: ScanIDText accepts it (%q, %q), decodeJSONLine refuses it: %v", line, id, text, wantErr)
	default:
		// encoding/json's own reading: a number id as its literal.
		var plain struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(line, &plain); err != nil {
			id, ok := numberID(line)
			if !ok {
				t.Fatalf("line %q: encoding/json: %v", line, err)
			}
			plain.ID = id
			var text struct {
				Text string `json:"text"`
			}
			json.Unmarshal(line, &text)
			plain.Text = text.Text
		}
		if string(id) != plain.ID || string(text) != plain.Text {
			t.Fatalf("line %q: ScanIDText = %q, %q; encoding/json = %q, %q", line, id, text, plain.ID, plain.Text)
		}
		if doc.ID != plain.ID || doc.Text != normalizeNewlines(plain.Text) {
			t.Fatalf("line %q: decodeJSONLine = %q, %q; encoding/json = %q, %q", line, doc.ID, doc.Text, plain.ID, plain.Text)
		}
	}
	return nil
}

// sentinel returns the error of the retold package that err wraps.
func sentinel(err error) error {
	for _, s := range []error{retold.ErrFormat, retold.ErrEmpty, retold.ErrInvalidUTF8, retold.ErrBinary, retold.ErrTooLarge} {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// TestJSONLNextLine reads raw lines: blank ones skipped but counted, line
// endings cut, a too-long line refused and passed, then the end.
func TestJSONLNextLine(t *testing.T) {
	a, b, c := `{"id":"a","text":"x"}`, `{"id":"b","text":"y"}`, `not JSON, but a line`
	in := a + "\n\n \t\r\n" + b + "\r\n" + `{"id":"long","text":"` + strings.Repeat("x", 50) + `"}` + "\n" + c
	type result struct {
		line   string
		lineNo int
		is     error
	}
	want := []result{{a, 1, nil}, {b, 4, nil}, {"", 5, retold.ErrTooLarge}, {c, 6, nil}, {"", 0, io.EOF}, {"", 0, io.EOF}}
	for _, plain := range []bool{true, false} {
		data := in
		if !plain {
			data = gzipString(t, in)
		}
		r := newJSONL(t, "in.jsonl", data, &JSONLOptions{MaxLine: 40})
		for _, w := range want {
			line, lineNo, err := r.NextLine()
			var re *RecordError
			switch {
			case w.is == nil && err != nil:
				t.Fatalf("NextLine: %v, want line %d", err, w.lineNo)
			case w.is == io.EOF && err != io.EOF:
				t.Fatalf("NextLine = %q, %d, %v; want io.EOF", line, lineNo, err)
			case w.is == retold.ErrTooLarge && (!errors.As(err, &re) || !errors.Is(err, w.is) || re.Line != w.lineNo):
				t.Fatalf("NextLine = %q, %d, %v; want a RecordError for line %d wrapping %v", line, lineNo, err, w.lineNo, w.is)
			case string(line) != w.line || lineNo != w.lineNo:
				t.Fatalf("NextLine = %q, %d; want %q, %d", line, lineNo, w.line, w.lineNo)
			}
		}
	}
}

// TestJSONLNextLineTruncatedGzip checks that a gzip stream cut short gives
// the lines before the cut, then one fatal error, again and again.
func TestJSONLNextLineTruncatedGzip(t *testing.T) {
	corpus := jsonlCorpus(200<<10, 2000)
	lines := strings.Split(strings.TrimSuffix(string(corpus), "\n"), "\n")
	gz := gzipString(t, string(corpus))
	r := newJSONL(t, "in.jsonl.gz", gz[:len(gz)/2], nil)
	n := 0
	for {
		line, lineNo, err := r.NextLine()
		if err != nil {
			if err == io.EOF || !errors.Is(err, io.ErrUnexpectedEOF) || lineNo != 0 {
				t.Fatalf("after %d lines: %v (line number %d), want a fatal truncated gzip", n, err, lineNo)
			}
			if want := fmt.Sprintf("in.jsonl.gz:%d: truncated gzip", n+1); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
			if _, _, again := r.NextLine(); again != err {
				t.Errorf("NextLine after a fatal error = %v, want it again", again)
			}
			break
		}
		if n >= len(lines) || string(line) != lines[n] || lineNo != n+1 {
			t.Fatalf("line %d: %.40q, want line %d", lineNo, line, n+1)
		}
		n++
	}
	if n == 0 || n >= len(lines) {
		t.Errorf("%d of %d lines before the cut", n, len(lines))
	}
}

// ExampleScanIDText reads the ids and texts of a corpus as retold dedup
// does: raw lines from NextLine, two fields from ScanIDText, one buffer
// for the escaped strings.
func ExampleScanIDText() {
	r, err := OpenJSONL("testdata/jsonl/mixed.jsonl", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	var buf []byte
	for {
		line, lineNo, err := r.NextLine()
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, retold.ErrTooLarge) {
			fmt.Println(err) // the stream is broken
			return
		}
		var id, text []byte
		if err == nil {
			id, text, buf, err = ScanIDText(line, buf)
		}
		if err != nil {
			fmt.Printf("line %d: skip: %v\n", lineNo, err)
			continue
		}
		fmt.Printf("line %d: %s, %d words\n", lineNo, id, len(bytes.Fields(text)))
	}
	// Output:
	// line 1: ledger-0314, 9 words
	// line 3: 4711, 6 words
	// line 4: skip: no text: column 27: field "text" is only white space
	// line 5: skip: bad input format: column 50: invalid character '"' after object key:value pair
	// line 6: skip: bad input format: column 94: field "date": want a string, found a number
	// line 7: wire-20, 6 words
}

// BenchmarkScanIDText scans lines of about 5 KB of news text, the id and
// a title before the text, four short fields after it. "ascii" is English
// with quotes and paragraph breaks escaped; "cyrillic" has the text's
// letters in Cyrillic, two bytes each; "escaped" is the same written with
// \uXXXX escapes, as Python's json.dumps writes by default; "cjk" has
// them in CJK ideographs, three bytes each.
func BenchmarkScanIDText(b *testing.B) {
	for _, set := range scanBenchSets(b) {
		b.Run(set.name, func(b *testing.B) {
			b.SetBytes(set.size)
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				for _, line := range set.lines {
					var err error
					if _, _, buf, err = ScanIDText(line, buf); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkDecodeJSONLine decodes the lines of BenchmarkScanIDText with
// encoding/json, as Next does, for the ratio.
func BenchmarkDecodeJSONLine(b *testing.B) {
	for _, set := range scanBenchSets(b) {
		b.Run(set.name, func(b *testing.B) {
			b.SetBytes(set.size)
			b.ReportAllocs()
			var f jsonlFields
			for b.Loop() {
				for _, line := range set.lines {
					if _, err := decodeJSONLine(line, &f, Keys{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkNextLineScanIDText reads the 10 MB corpus of BenchmarkJSONL
// as retold dedup does, NextLine then ScanIDText, for comparing with
// BenchmarkJSONL/plain's Next.
func BenchmarkNextLineScanIDText(b *testing.B) {
	corpus := jsonlCorpus(10<<20, 5000)
	b.SetBytes(int64(len(corpus)))
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		r, err := NewJSONL("bench.jsonl", bytes.NewReader(corpus), nil)
		if err != nil {
			b.Fatal(err)
		}
		for {
			line, _, err := r.NextLine()
			if err == io.EOF {
				break
			}
			if err == nil {
				_, _, buf, err = ScanIDText(line, buf)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

type scanBenchSet struct {
	name  string
	lines [][]byte
	size  int64
}

// scanBenchSets makes the lines of the scan benchmarks from jsonlCorpus.
func scanBenchSets(tb testing.TB) []scanBenchSet {
	ascii := benchLines(tb, jsonlCorpus(1<<20, 5000))
	var cyrillic, escaped, cjk [][]byte
	for _, l := range ascii {
		var f jsonlFields
		if err := json.Unmarshal(l, &f); err != nil {
			tb.Fatal(err)
		}
		f.Text = strings.Map(func(r rune) rune {
			switch {
			case 'a' <= r && r <= 'z':
				return r - 'a' + 'а'
			case 'A' <= r && r <= 'Z':
				return r - 'A' + 'А'
			}
			return r
		}, f.Text)
		c, err := json.Marshal(f)
		if err != nil {
			tb.Fatal(err)
		}
		cyrillic = append(cyrillic, c)
		escaped = append(escaped, asciiJSON(c))
		f.Text = strings.Map(func(r rune) rune {
			if 'а' <= r && r <= 'я' || 'А' <= r && r <= 'Я' {
				return r - 'а' + '一'
			}
			return r
		}, f.Text)
		if c, err = json.Marshal(f); err != nil {
			tb.Fatal(err)
		}
		cjk = append(cjk, c)
	}
	var sets []scanBenchSet
	for _, s := range []scanBenchSet{{name: "ascii", lines: ascii}, {name: "cyrillic", lines: cyrillic}, {name: "escaped", lines: escaped}, {name: "cjk", lines: cjk}} {
		for _, l := range s.lines {
			s.size += int64(len(l))
		}
		sets = append(sets, s)
	}
	return sets
}

// asciiJSON writes every non-ASCII character of the JSON text b as a \u
// escape (a surrogate pair above U+FFFF).
func asciiJSON(b []byte) []byte {
	var out []byte
	for _, r := range string(b) {
		switch {
		case r < utf8.RuneSelf:
			out = append(out, byte(r))
		case r > 0xffff:
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out
}

// benchLines splits a corpus into its lines, without their "\n".
func benchLines(tb testing.TB, corpus []byte) [][]byte {
	tb.Helper()
	lines := bytes.Split(bytes.TrimSuffix(corpus, []byte("\n")), []byte("\n"))
	if len(lines) == 0 {
		tb.Fatal("empty corpus")
	}
	return lines
}

// numberID reads the id of a line that has a number for it, by
// encoding/json's rules for a string field (a key matches without regard
// to case, the last one wins, null leaves it), a number standing as its
// literal.
func numberID(line []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil { // {
		return "", false
	}
	id, found := "", false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", false
		}
		if key, _ := tok.(string); !equalFoldASCII([]byte(key), "id") {
			continue
		}
		switch c := v[0]; {
		case c == '"':
			json.Unmarshal(v, &id)
		case c == '-' || '0' <= c && c <= '9':
			id, found = string(v), true
		}
	}
	return id, found
}

// TestKeysReadIDAndTextFromOtherFields reads a corpus whose id and text
// are under other names, by both readers: the usual "id" and "text" are
// then just other fields, whatever they hold.
func TestKeysReadIDAndTextFromOtherFields(t *testing.T) {
	keys := Keys{ID: "doc_id", Text: "body"}
	lines := []struct {
		line, id, text, err string
	}{
		{`{"doc_id":"a1","body":"The text.","text":5,"id":{"x":1},"title":"T"}`, "a1", "The text.", ""},
		{`{"DOC_ID":77,"Body":"Folded names match."}`, "77", "Folded names match.", ""},
		{`{"id":"a2","text":"no body here"}`, "", "", `missing id`},
		{`{"doc_id":"a3","text":"no body here"}`, "", "", `missing field "body"`},
		{`{"doc_id":"a4","body":"   "}`, "", "", `field "body" is only white space`},
		{`{"doc_id":"a5","body":7}`, "", "", `field "body": want a string, found a number`},
		{`{"doc_id":"a6","body":"x","title":3}`, "", "", `field "title": want a string, found a number`},
	}
	var corpus strings.Builder
	for _, l := range lines {
		corpus.WriteString(l.line + "\n")
		id, text, _, err := keys.ScanIDText([]byte(l.line), nil)
		if l.err != "" {
			if err == nil || !strings.Contains(err.Error(), l.err) {
				t.Errorf("ScanIDText(%s): %v, want %q", l.line, err, l.err)
			}
			continue
		}
		if err != nil || string(id) != l.id || string(text) != l.text {
			t.Errorf("ScanIDText(%s) = %q, %q, %v", l.line, id, text, err)
		}
	}
	r, err := NewJSONL("keys.jsonl", strings.NewReader(corpus.String()), &JSONLOptions{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		rec, err := r.Next()
		if l.err != "" {
			if err == nil || !strings.Contains(err.Error(), l.err) || !strings.HasPrefix(err.Error(), fmt.Sprintf("keys.jsonl:%d:", i+1)) {
				t.Errorf("line %d: %v, want %q", i+1, err, l.err)
			}
			continue
		}
		if err != nil || rec.Doc.ID != l.id || rec.Doc.Text != l.text {
			t.Errorf("line %d: %+v %v", i+1, rec.Doc, err)
		}
		if i == 0 && rec.Doc.Title != "T" {
			t.Errorf("line 1: title %q, want T", rec.Doc.Title)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last line: %v", err)
	}
}
