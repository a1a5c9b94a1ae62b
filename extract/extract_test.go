package extract

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/retold/retold"
)

// TestReadFileFormats reads each kind of fixture and checks the Document.
func TestReadFileFormats(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		want       retold.Document // fields compared when non-empty, except Text
		wantTitle  bool            // compare Title even when want.Title is ""
		text       []string        // must be in Text
		notText    []string        // must not be in Text
		exactText  string          // when set, Text must equal it
		paragraphs int             // minimum number of "\n\n"-separated paragraphs
	}{
		{
			name:      "plain text is kept as is, untitled",
			file:      "story.txt",
			want:      retold.Document{ID: "testdata/story.txt"},
			wantTitle: true,
			exactText: "Harbor ferry fares to rise in June\n\nThe Northbay Ferry Company will raise fares by 8 percent from June 1, its chief executive, Lars Oyelaran, said on Monday.\n\nA single crossing will cost 4.30 dollars, up from 3.98. Monthly passes rise to 96 dollars.\n",
		},
		{
			name:      "CRLF and CR line endings become LF",
			file:      "crlf.txt",
			exactText: "Line one of the bulletin\nLine two, Windows style\nLine three, old Mac style\nEnd\n",
		},
		{
			name: "JSON record with every field",
			file: "record.json",
			want: retold.Document{
				ID: "wire-2031-0314-17", Title: "Millbrook approves library",
				URL: "https://wire.example/2031/0314/17", Outlet: "Example Wire",
				Date: "2031-03-14", Lang: "en",
			},
			exactText: "The Millbrook town council voted 5 to 4 on Tuesday to build a new library.\n\nConstruction starts in September.",
		},
		{
			name:      "JSON record without title and with a numeric id",
			file:      "notitle.json",
			want:      retold.Document{ID: "4711"},
			wantTitle: true,
			exactText: "Council votes 5 to 4 for the new library.",
		},
		{
			name:      "JSON record whose text is HTML",
			file:      "htmltext.json",
			want:      retold.Document{ID: "site-88"},
			exactText: "The council voted 5 to 4 on Tuesday.\n\nWork begins in September.",
		},
		{
			name:      "JSONL with one record among blank lines",
			file:      "one.jsonl",
			want:      retold.Document{ID: "only"},
			exactText: "A single record in a JSONL file.",
		},
		{
			name: "HTML article without page furniture",
			file: "council.html",
			want: retold.Document{
				ID:     "testdata/council.html",
				Title:  "Millbrook council approves new library by one vote",
				URL:    "https://ledger.example/news/2024/03/14/millbrook-library-vote",
				Outlet: "The Millbrook Ledger",
				Date:   "2024-03-14",
				Lang:   "en",
			},
			text: []string{
				"The Millbrook town council voted 5 to 4 on Tuesday night",
				"Councillor Rosa Lindqvist, who cast the deciding vote",
				"Opponents, led by Councillor Peter Amsel",
				"the council has not yet decided what to do with it.",
			},
			notText: []string{
				"NAVLINK", "ASIDE", "FOOTER", "FOOTERLINK", "ADVERT", "cookies",
				"alert(1)", "SCRIPT TEXT", "STYLE TEXT", "<", ">",
			},
			paragraphs: 4,
		},
		{
			name: "latin-1 HTML declared in http-equiv Content-Type",
			file: "latin1.html",
			want: retold.Document{Title: "Stadtrat in Kleinfeld beschließt Brücke", Lang: "de"},
			text: []string{
				"Bürgermeisterin Jördis Müller sprach von einem »längst überfälligen« Schritt.",
				"Die Kosten von rund 2,3 Millionen Euro trägt zur Hälfte das Land.",
			},
			paragraphs: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ReadFile(filepath.Join("testdata", tt.file), nil)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			checkField(t, "ID", doc.ID, tt.want.ID, false)
			checkField(t, "Title", doc.Title, tt.want.Title, tt.wantTitle)
			checkField(t, "URL", doc.URL, tt.want.URL, false)
			checkField(t, "Outlet", doc.Outlet, tt.want.Outlet, false)
			checkField(t, "Date", doc.Date, tt.want.Date, false)
			checkField(t, "Lang", doc.Lang, tt.want.Lang, false)
			if tt.exactText != "" && doc.Text != tt.exactText {
				t.Errorf("Text = %q, want %q", doc.Text, tt.exactText)
			}
			for _, s := range tt.text {
				if !strings.Contains(doc.Text, s) {
					t.Errorf("Text lacks %q; Text:\n%s", s, doc.Text)
				}
			}
			for _, s := range tt.notText {
				if strings.Contains(doc.Text, s) {
					t.Errorf("Text holds %q; Text:\n%s", s, doc.Text)
				}
			}
			if n := len(strings.Split(doc.Text, "\n\n")); n < tt.paragraphs {
				t.Errorf("%d paragraphs, want at least %d; Text:\n%s", n, tt.paragraphs, doc.Text)
			}
			if strings.Contains(doc.Text, "\r") {
				t.Errorf("Text holds a carriage return: %q", doc.Text)
			}
		})
	}
}

func checkField(t *testing.T, field, got, want string, always bool) {
	t.Helper()
	if (want != "" || always) && got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

// TestReadFileErrors checks that each bad input gives the right sentinel
// and a one-line message naming the input.
func TestReadFileErrors(t *testing.T) {
	tmp := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("The council voted 5 to 4."))
	zw.Close()
	dir := filepath.Join(tmp, "a")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	latin1Undeclared := []byte("<html><body><p>Gem\xfcsemarkt er\xf6ffnet</p></body></html>")

	tests := []struct {
		name string
		path string
		want error
		msg  []string // substrings of the message, besides the path
	}{
		{"missing file", filepath.Join(tmp, "a.txt"), fs.ErrNotExist,
			[]string{"read " + filepath.Join(tmp, "a.txt") + ": no such file or directory"}},
		{"directory", dir, syscall.EISDIR, []string{dir + ": is a directory"}},
		{"empty", "testdata/empty.txt", retold.ErrEmpty, []string{"no text"}},
		{"white space only", "testdata/blank.txt", retold.ErrEmpty, []string{"only white space"}},
		{"NUL bytes", write("nul.txt", []byte("Council\x00\x00\x00vote\x00")), retold.ErrBinary, []string{"NUL byte at byte offset 7"}},
		{"control characters", write("ctl.txt", bytes.Repeat([]byte("ab\x01\x02\x03"), 100)), retold.ErrBinary, []string{"control characters"}},
		{"gzip magic", write("story.txt.gz", gz.Bytes()), retold.ErrBinary, []string{"gzip"}},
		{"zip magic", write("story.zip", []byte("PK\x03\x04rest of a zip")), retold.ErrBinary, []string{"zip archive"}},
		{"PDF magic", write("story.pdf", []byte("%PDF-1.7\n% a pdf\n")), retold.ErrBinary, []string{"PDF"}},
		{"invalid UTF-8 in text", "testdata/invalid.txt", retold.ErrInvalidUTF8, []string{"line 3, byte offset 68"}},
		{"invalid UTF-8 in undeclared HTML", write("page.html", latin1Undeclared), retold.ErrInvalidUTF8, []string{"line 1, byte offset 18"}},
		{"invalid UTF-8 in JSON", write("bad8.json", []byte("{\"text\":\n\"caf\xe9\"}")), retold.ErrInvalidUTF8, []string{"line 2, byte offset 13"}},
		{"bad JSON", "testdata/bad.json", retold.ErrFormat, []string{"line 4, column 3", "after object key:value pair"}},
		{"two JSONL records", "testdata/two.jsonl", retold.ErrFormat, []string{"line 2", "one record per input"}},
		{"JSON without text", "testdata/notext.json", retold.ErrFormat, []string{`missing field "text"`}},
		{"JSON with blank text", "testdata/emptytext.json", retold.ErrFormat, []string{`field "text" is empty`}},
		{"JSON with non-string title", write("t.json", []byte(`{"title": ["x"], "text": "y"}`)), retold.ErrFormat, []string{`field "title": want a string, found an array`}},
		{"JSON array", write("arr.json", []byte(`[{"text": "y"}]`)), retold.ErrFormat, []string{"want one JSON object, found an array"}},
		{"truncated JSON", write("cut.json", []byte("{\"text\": \"the council\"\n")), retold.ErrFormat, []string{"line 2, column 1", "unexpected end"}},
		{"HTML with no text", write("blank.html", []byte("<html><head><title></title><script>x()</script></head><body> </body></html>")), retold.ErrEmpty, []string{"no article or visible text"}},
		{"JSON with text-less HTML", write("h.json", []byte(`{"text": "<div><script>alert(1)</script></div>"}`)), retold.ErrEmpty, []string{`field "text" is HTML without visible text`}},
		{"line longer than MaxLine", write("long.txt", []byte("short\n"+strings.Repeat("x", DefaultMaxLine+1)+"\n")), retold.ErrTooLarge, []string{"line 2 is longer than 1048576 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ReadFile(tt.path, nil)
			if err == nil {
				t.Fatalf("ReadFile(%s) = %+v, want an error", tt.path, doc)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", err, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.path) {
				t.Errorf("error %q does not name %s", msg, tt.path)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q spans lines", msg)
			}
			for _, s := range tt.msg {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
		})
	}
}

// TestTooLarge checks that a huge input is refused with ErrTooLarge without
// being read in full: from a file (refused on its size) and from a stream
// (cut at MaxBytes+1).
func TestTooLarge(t *testing.T) {
	const size = 50 << 20
	path := filepath.Join(t.TempDir(), "huge.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, io.LimitReader(repeatReader('x'), size)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("50 MB single-line file", func(t *testing.T) {
		_, err := ReadFile(path, nil)
		if !errors.Is(err, retold.ErrTooLarge) || !strings.Contains(err.Error(), path) {
			t.Fatalf("ReadFile = %v, want ErrTooLarge naming %s", err, path)
		}
	})
	t.Run("50 MB stream", func(t *testing.T) {
		r := &countingReader{r: io.LimitReader(repeatReader('x'), size)}
		_, err := Read("", r, nil)
		if !errors.Is(err, retold.ErrTooLarge) || !strings.Contains(err.Error(), StdinName) {
			t.Fatalf("Read = %v, want ErrTooLarge naming stdin", err)
		}
		if r.n > DefaultMaxBytes+1 {
			t.Errorf("read %d bytes, want at most MaxBytes+1 = %d", r.n, DefaultMaxBytes+1)
		}
	})
	t.Run("custom MaxBytes", func(t *testing.T) {
		_, err := Parse("small.txt", []byte("twelve bytes"), &Options{MaxBytes: 11})
		if !errors.Is(err, retold.ErrTooLarge) || !strings.Contains(err.Error(), "more than 11 bytes") {
			t.Fatalf("Parse = %v, want ErrTooLarge with the limit", err)
		}
		if _, err := Parse("small.txt", []byte("twelve bytes"), &Options{MaxBytes: 12}); err != nil {
			t.Fatalf("Parse at the limit: %v", err)
		}
	})
	t.Run("custom MaxLine", func(t *testing.T) {
		_, err := Parse("lines.txt", []byte("ok\r\nok\rtoo long\n"), &Options{MaxLine: 4})
		if !errors.Is(err, retold.ErrTooLarge) || !strings.Contains(err.Error(), "line 3 is longer than 4 bytes") {
			t.Fatalf("Parse = %v, want ErrTooLarge at line 3", err)
		}
	})
}

type repeatReader byte

func (c repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestReadStdin reads from a reader, as `retold compare - b.txt` does.
func TestReadStdin(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		wantID string
		text   string
	}{
		{"unnamed plain text", "\ufeffCouncil votes 5 to 4.\r\n", "stdin", "Council votes 5 to 4.\n"},
		{"JSON detected from content", `  {"id": "w1", "text": "Council votes."}`, "w1", "Council votes."},
		{"HTML detected from content", "<p>Council votes.</p><p>Work begins.</p>", "stdin", "Council votes.\n\nWork begins."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read("", strings.NewReader(tt.input), nil)
			if err != nil {
				t.Fatal(err)
			}
			if doc.ID != tt.wantID || doc.Text != tt.text {
				t.Errorf("Read = ID %q Text %q, want ID %q Text %q", doc.ID, doc.Text, tt.wantID, tt.text)
			}
		})
	}

	t.Run("ReadFile dash is os.Stdin", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "in.txt")
		if err := os.WriteFile(p, []byte("From standard input."), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		saved := os.Stdin
		os.Stdin = f
		defer func() { os.Stdin = saved }()
		doc, err := ReadFile("-", nil)
		if err != nil || doc.ID != "stdin" || doc.Text != "From standard input." {
			t.Fatalf("ReadFile(-) = %+v, %v", doc, err)
		}
	})
}

// TestDetect checks format detection from content and extension.
func TestDetect(t *testing.T) {
	tests := []struct {
		name, body string
		want       format
	}{
		{"a.txt", "Plain words.", formatText},
		{"a.txt", "  {\"text\": \"x\"}", formatJSON},
		{"a", "<!DOCTYPE html><p>x", formatHTML},
		{"a", "<!-- saved page --><p>x", formatHTML},
		{"a", "<?xml version=\"1.0\"?><html>", formatHTML},
		{"a", "\n<HTML><BODY>x", formatHTML},
		{"a", "<p>x</p>", formatHTML},
		{"a", "<div class=story>x", formatHTML},
		{"a", "<article>x", formatHTML},
		{"a", "<story><hed>x</hed><body>y</body></story>", formatHTML}, // tag soup
		{"a", "<3 the new library", formatText},
		{"a", "<<< URGENT >>> council vote", formatText},
		{"a", "<Reuters> council vote", formatText},
		{"a.json", "not json at all", formatJSON},
		{"a.JSONL", "{}", formatJSON},
		{"a.html", "Plain words.", formatHTML},
		{"a.htm", "{\"text\": 1}", formatHTML},
	}
	for _, tt := range tests {
		if got := detect(tt.name, []byte(tt.body)); got != tt.want {
			t.Errorf("detect(%q, %q) = %v, want %v", tt.name, tt.body, got, tt.want)
		}
	}
}

// TestCharsets checks the declarations HTML pages use for their encoding.
func TestCharsets(t *testing.T) {
	const word = "Gemüsemarkt eröffnet in Kleinfeld"
	latin1 := "Gem\xfcsemarkt er\xf6ffnet in Kleinfeld"
	tests := []struct {
		name string
		page string
	}{
		{"meta charset", `<html><head><meta charset="iso-8859-1"></head><body><p>` + latin1 + `</p></body></html>`},
		{"http-equiv", `<html><head><meta http-equiv="content-type" content="text/html;charset=windows-1252"></head><body><p>` + latin1 + `</p></body></html>`},
		{"XML declaration", `<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p>` + latin1 + `</p></body></html>`},
		{"UTF-8 declared", `<html><head><meta charset="utf-8"></head><body><p>` + word + `</p></body></html>`},
		{"UTF-8 BOM wins over a wrong declaration", "\ufeff" + `<html><head><meta charset="iso-8859-1"></head><body><p>` + word + `</p></body></html>`},
		{"UTF-16 BOM", utf16LE("\ufeff<html><body><p>" + word + "</p></body></html>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("page", []byte(tt.page), nil)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Text != word {
				t.Errorf("Text = %q, want %q", doc.Text, word)
			}
		})
	}
}

func utf16LE(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8)) // BMP only, enough here
	}
	return string(b)
}

// TestHostileHTML feeds pages built to hurt a parser: each must come back
// quickly as plain text or as ErrEmpty, never as a panic or a hang.
func TestHostileHTML(t *testing.T) {
	tests := []struct {
		name string
		page string
		text string // must be in Text
	}{
		{"deep nesting", strings.Repeat("<div>", 100_000) + "deep text", "deep text"},
		{"deep formatting", "<body>" + strings.Repeat("<b><i><a href=x>", 20_000) + "bold text", "bold text"},
		{"huge attribute", `<p title="` + strings.Repeat("x", 4<<20) + `">attr text</p>`, "attr text"},
		{"unclosed paragraphs", "<body>" + strings.Repeat("<p>open para ", 50_000), "open para"},
		{"unclosed tables", "<body>" + strings.Repeat("<table><tr><td>", 20_000) + "cell text", "cell text"},
		{"many siblings", "<body><article>" + strings.Repeat("<p>A sentence of a long article.</p>", 30_000), "A sentence of a long article."},
		{"script injection", `<p>Safe text.</p><script>alert(1)</script><img src=x onerror="alert(2)"><p>More &lt;b&gt; text.</p><svg><script>alert(3)</script></svg>`, "Safe text."},
		{"unclosed script", `<p>Before the script.</p><script>alert(1); <p>never shown`, "Before the script."},
		{"unclosed comment", `<p>Before the comment.</p><!-- <p>hidden`, "Before the comment."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("hostile.html", []byte(tt.page), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(doc.Text, tt.text) {
				t.Errorf("Text lacks %q: %.200q", tt.text, doc.Text)
			}
			for _, bad := range []string{"alert(", "<p", "<div", "<script", "onerror"} {
				if strings.Contains(doc.Text, bad) {
					t.Errorf("Text holds markup %q: %.200q", bad, doc.Text)
				}
			}
		})
	}
}

// TestFallbackVisibleText checks the tokenizer fallback on its own: page
// furniture is dropped and blocks become paragraphs.
func TestFallbackVisibleText(t *testing.T) {
	page := `<html><head><title> The  vote </title><style>p{}</style></head><body>
<header>Masthead</header><nav><a>Home</a></nav>
<h1>Council votes</h1><p>First <b>bold</b> point.<br>Same paragraph, new line.</p>
<ul><li>One</li><li>Two</li></ul><pre>  kept   as
  is</pre><table><tr><td>a</td><td>b</td></tr></table>
<aside>Related</aside><footer>Legal</footer><template>T</template><noscript>N</noscript></body></html>`
	text, title := visibleText([]byte(page))
	want := "Council votes\n\nFirst bold point.\nSame paragraph, new line.\n\nOne\n\nTwo\n\n  kept   as\n  is\n\na b"
	if text != want {
		t.Errorf("text = %q\nwant   %q", text, want)
	}
	if title != "The vote" {
		t.Errorf("title = %q, want %q", title, "The vote")
	}
}

// TestCheckLinesOffsets pins the line and offset arithmetic of the UTF-8
// check for each kind of line ending.
func TestCheckLinesOffsets(t *testing.T) {
	tests := []struct {
		data string
		want string
	}{
		{"\xff", "line 1, byte offset 0"},
		{"ok\n\xff", "line 2, byte offset 3"},
		{"ok\r\nok\r\n a\xc3", "line 3, byte offset 10"},
		{"ok\rok\r\xe2\x82", "line 3, byte offset 6"},
		{"é\n\n\nü\x80", "line 4, byte offset 7"},
	}
	for _, tt := range tests {
		err := checkLines("f", []byte(tt.data), 0)
		if !errors.Is(err, retold.ErrInvalidUTF8) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("checkLines(%q) = %v, want %q", tt.data, err, tt.want)
		}
	}
	if err := checkLines("f", []byte("fine\r\nfine\n"), 0); err != nil {
		t.Errorf("checkLines on valid text: %v", err)
	}
}

// TestJSONPosition pins the line/column conversion used in JSON errors.
func TestJSONPosition(t *testing.T) {
	tests := []struct {
		data      string
		off       int64
		line, col int
	}{
		{"abc", 0, 1, 1},
		{"abc", 2, 1, 3},
		{"a\nbc", 3, 2, 2},
		{"ä\nöü x", 8, 2, 4}, // columns count characters, not bytes
		{"ab", 99, 1, 3},
	}
	for _, tt := range tests {
		if l, c := position([]byte(tt.data), tt.off); l != tt.line || c != tt.col {
			t.Errorf("position(%q, %d) = %d:%d, want %d:%d", tt.data, tt.off, l, c, tt.line, tt.col)
		}
	}
}

// FuzzParse checks that no input panics, and that every Document returned
// has valid, non-blank UTF-8 text.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(uint8(0), data)
			f.Add(uint8(1), data)
		}
	}
	for _, s := range []string{
		"", " ", "\ufeff", "{", "{}", `{"text": 1}`, `{"text": "<p>x</p>"}`, "<p>x", "<",
		"<html><meta charset=koi8-r><p>\xc1\xc2", "\xff\xfe<\x00p\x00>\x00", "a\rb\r\nc",
	} {
		f.Add(uint8(2), []byte(s))
	}
	names := []string{"in.txt", "in.html", "in.json", "in.jsonl", "in"}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		name := names[int(kind)%len(names)]
		doc, err := Parse(name, data, &Options{MaxBytes: 1 << 20, MaxLine: 1 << 16})
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, name+": ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q does not start with the name or spans lines", msg)
			}
			return
		}
		if !utf8.ValidString(doc.Text) {
			t.Errorf("Text is not valid UTF-8: %q", doc.Text)
		}
		if strings.TrimSpace(doc.Text) == "" {
			t.Errorf("Text is blank: %q", doc.Text)
		}
		if strings.Contains(doc.Text, "\r") {
			t.Errorf("Text holds a carriage return: %q", doc.Text)
		}
	})
}

func ExampleParse() {
	doc, err := Parse("wire.txt", []byte("Council votes 5 to 4.\r\n\r\nWork begins in May.\r\n"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %q\n", doc.ID, doc.Text)

	_, err = Parse("wire.json", []byte(`{"id": 7, "title": "Vote"}`), nil)
	fmt.Println(err, errors.Is(err, retold.ErrFormat))
	// Output:
	// wire.txt: "Council votes 5 to 4.\n\nWork begins in May.\n"
	// wire.json: bad input format: missing field "text" true
}

func BenchmarkParseHTML(b *testing.B) {
	data, err := os.ReadFile("testdata/council.html")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("council.html", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseText(b *testing.B) {
	data := bytes.Repeat([]byte("The council voted 5 to 4 on Tuesday to build a new library.\n"), 1<<14)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("story.txt", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestInlineEmbedsKeepTheParagraph: a <script>, <iframe> or <noscript>
// inside a paragraph does not cost the rest of the paragraph (and its
// numbers) in the extracted text.
func TestInlineEmbedsKeepTheParagraph(t *testing.T) {
	for _, tag := range []string{"script", "iframe", "noscript"} {
		t.Run(tag, func(t *testing.T) {
			d, err := ReadFile(filepath.Join("testdata", "inline-"+tag+".html"), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"164 on Friday", "2,200 people were hurt", "aid convoys"} {
				if !strings.Contains(d.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, d.Text)
				}
			}
			for _, not := range []string{"tracker", "pixel.gif", "ads.example"} {
				if strings.Contains(d.Text, not) {
					t.Errorf("text holds %q from the embedded element", not)
				}
			}
		})
	}
}
