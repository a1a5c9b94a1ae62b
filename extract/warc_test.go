package extract

import (
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/retold/retold"
)

// warcField is one header field of a record written by warcFile.
type warcField struct{ name, value string }

// warcRec is one record for warcFile to write.
type warcRec struct {
	version string      // "WARC/1.1" when empty
	typ     string      // WARC-Type; no field when empty
	uri     string      // WARC-Target-URI; no field when empty
	date    string      // WARC-Date; "2024-03-05T14:07:00Z" when empty
	ctype   string      // Content-Type of the block; none when empty
	fields  []warcField // more fields, after the others
	block   string
	// length, when not zero, is written as Content-Length instead of the
	// block's length (-1 writes none).
	length int
}

// warcFile writes records as a WARC writer does: a version line, fields,
// a blank line, the block, and CRLF CRLF; with gzipEach, each record is a
// gzip member of its own, as in the usual .warc.gz.
func warcFile(t testing.TB, gzipEach bool, recs ...warcRec) []byte {
	t.Helper()
	var out bytes.Buffer
	for i, rc := range recs {
		var b bytes.Buffer
		b.WriteString(cmp.Or(rc.version, "WARC/1.1") + "\r\n")
		if rc.typ != "" {
			b.WriteString("WARC-Type: " + rc.typ + "\r\n")
		}
		fmt.Fprintf(&b, "WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-%012d>\r\n", i+1)
		b.WriteString("WARC-Date: " + cmp.Or(rc.date, "2024-03-05T14:07:00Z") + "\r\n")
		if rc.uri != "" {
			b.WriteString("WARC-Target-URI: " + rc.uri + "\r\n")
		}
		if rc.ctype != "" {
			b.WriteString("Content-Type: " + rc.ctype + "\r\n")
		}
		for _, f := range rc.fields {
			b.WriteString(f.name + ": " + f.value + "\r\n")
		}
		switch {
		case rc.length == 0:
			b.WriteString("Content-Length: " + strconv.Itoa(len(rc.block)) + "\r\n")
		case rc.length > 0:
			b.WriteString("Content-Length: " + strconv.Itoa(rc.length) + "\r\n")
		}
		b.WriteString("\r\n" + rc.block + "\r\n\r\n")
		if gzipEach {
			out.Write(gzipBytes(t, b.Bytes()))
		} else {
			out.Write(b.Bytes())
		}
	}
	return out.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// warcHTTP is an HTTP response as a crawler stores it in a response
// record: status line, headers in the order given, blank line, body.
func warcHTTP(status int, body string, headers ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, map[int]string{200: "OK", 301: "Moved Permanently", 404: "Not Found", 500: "Internal Server Error"}[status])
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

// warcResponse is a response record of an HTTP response for uri.
func warcResponse(uri, http string) warcRec {
	return warcRec{typ: "response", uri: uri, ctype: "application/http; msgtype=response", block: http}
}

const (
	articleURI   = "https://www.lakeside-courier.example/news/2024/03/ferry-returns?utm_source=feed"
	canonicalURL = "https://www.lakeside-courier.example/news/2024/03/ferry-returns"
	galleryURI   = "https://www.lakeside-courier.example/photos/spring-regatta"
)

// articleHTML is an invented news page: one article of five paragraphs in
// the usual furniture (cookie banner, header and navigation, sidebar,
// newsletter box, footer). The strings in upper case mark the furniture.
const articleHTML = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Ferry returns to Port Elsmere after repairs | The Lakeside Courier</title>
<meta property="og:title" content="Port Elsmere ferry back in service after six-month repair">
<meta property="og:site_name" content="The Lakeside Courier">
<meta property="article:published_time" content="2024-03-04T08:30:00Z">
<link rel="canonical" href="https://www.lakeside-courier.example/news/2024/03/ferry-returns">
<script>window.dataLayer = ["SCRIPT BOILERPLATE"];</script>
</head>
<body>
<div class="cookie-banner">COOKIE BANNER: we use cookies. <button>Accept</button></div>
<header class="masthead">
  <a class="logo" href="/">The Lakeside Courier</a>
  <nav class="primary-nav"><ul>
    <li><a href="/news">News NAVLINK</a></li>
    <li><a href="/sport">Sport NAVLINK</a></li>
    <li><a href="/opinion">Opinion NAVLINK</a></li>
    <li><a href="/subscribe">Subscribe NAVLINK</a></li>
  </ul></nav>
</header>
<main>
<article>
  <h1>Port Elsmere ferry back in service after six-month repair</h1>
  <p class="byline">By Ines Halvorsen</p>
  <div class="article-body">
    <p>The Port Elsmere ferry carried its first passengers in six months on Monday morning, after a repair to its hull and engines that ran nine weeks over schedule and cost the county 2.4 million crowns.</p>
    <p>About 140 commuters crossed the bay on the 7:15 sailing, the harbour master, Tobias Rindal, said. "People clapped when the ramp came down," he said. "Some of them have driven round the lake every day since September."</p>
    <p>The vessel, the Maren Lind, was taken out of the water last autumn when inspectors found corrosion in two of its ballast tanks. The shipyard in Kvalvik then discovered that both engine mounts had to be replaced as well, which pushed the return from January to March.</p>
    <p>The county council had set aside 1.6 million crowns for the work. Its transport committee will ask the full council on 21 March to cover the difference from the road maintenance budget, a plan the opposition has called short-sighted.</p>
    <p>Fares stay at 38 crowns for a single crossing until the end of the year. A second, smaller boat that stood in during the repair will return to the island route on Thursday.</p>
  </div>
</article>
</main>
<aside class="sidebar">
  <h2>Most read SIDEBAR</h2>
  <ul>
    <li><a href="/news/a">Council budget talks stall SIDEBAR</a></li>
    <li><a href="/news/b">Ice fishing season opens early SIDEBAR</a></li>
  </ul>
</aside>
<div class="newsletter">NEWSLETTER BOX: sign up for our morning briefing.</div>
<footer class="site-footer">
  <p>FOOTER &copy; 2024 The Lakeside Courier. All rights reserved.</p>
  <p><a href="/privacy">Privacy policy FOOTER</a> <a href="/contact">Contact us FOOTER</a></p>
</footer>
</body>
</html>
`

// galleryHTML is an invented page that is not an article: an image
// gallery whose only words are in the furniture and in alt attributes.
const galleryHTML = `<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Spring regatta in pictures | The Lakeside Courier</title></head>
<body>
<header><a href="/">The Lakeside Courier</a><nav><a href="/photos">Photos</a> <a href="/news">News</a></nav></header>
<main>
  <div class="gallery">
    <figure><img src="/img/regatta-1.jpg" alt="Boats at the start line"></figure>
    <figure><img src="/img/regatta-2.jpg" alt="Crowds on the pier"></figure>
    <figure><img src="/img/regatta-3.jpg" alt="The winning crew"></figure>
  </div>
</main>
<footer><a href="/privacy">Privacy policy</a></footer>
</body>
</html>
`

const briefHTML = `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Road closed after rockfall | The Lakeside Courier</title></head><body><article><h1>Road closed after rockfall</h1><p>The county road between Kvalvik and Port Elsmere was closed on Tuesday after a rockfall near the old quarry. Nobody was hurt, the police said, and the road should reopen on Friday.</p></article></body></html>`

const briefURI = "https://www.lakeside-courier.example/news/2024/03/rockfall"

// articleText is what Parse makes of articleHTML: the five paragraphs and
// nothing of the furniture.
const articleText = "The Port Elsmere ferry carried its first passengers in six months on Monday morning, after a repair to its hull and engines that ran nine weeks over schedule and cost the county 2.4 million crowns.\n\n" +
	"About 140 commuters crossed the bay on the 7:15 sailing, the harbour master, Tobias Rindal, said. \"People clapped when the ramp came down,\" he said. \"Some of them have driven round the lake every day since September.\"\n\n" +
	"The vessel, the Maren Lind, was taken out of the water last autumn when inspectors found corrosion in two of its ballast tanks. The shipyard in Kvalvik then discovered that both engine mounts had to be replaced as well, which pushed the return from January to March.\n\n" +
	"The county council had set aside 1.6 million crowns for the work. Its transport committee will ask the full council on 21 March to cover the difference from the road maintenance budget, a plan the opposition has called short-sighted.\n\n" +
	"Fares stay at 38 crowns for a single crossing until the end of the year. A second, smaller boat that stood in during the repair will return to the island route on Thursday."

// articleDoc is the Document the article's response record gives.
var articleDoc = retold.Document{
	ID:     articleURI,
	Title:  "Port Elsmere ferry back in service after six-month repair",
	Text:   articleText,
	URL:    canonicalURL,
	Outlet: "The Lakeside Courier",
	Date:   "2024-03-04",
	Lang:   "en-GB",
}

// boilerplate are strings of articleHTML's furniture that must not reach
// the text.
var boilerplate = []string{"NAVLINK", "SIDEBAR", "FOOTER", "COOKIE", "NEWSLETTER", "SCRIPT", "<", "&copy;"}

// The records around the pages in a crawl.
var (
	warcinfoRec = warcRec{typ: "warcinfo", ctype: "application/warc-fields",
		block: "software: retold-test-writer/1.0\r\nformat: WARC File Format 1.1\r\nrobots: obey\r\n"}
	requestRec = warcRec{typ: "request", uri: articleURI, ctype: "application/http; msgtype=request",
		block: "GET /news/2024/03/ferry-returns?utm_source=feed HTTP/1.1\r\nHost: www.lakeside-courier.example\r\nAccept-Encoding: gzip\r\n\r\n"}
	metadataRec = warcRec{typ: "metadata", uri: articleURI, ctype: "application/warc-fields",
		block: "via: https://www.lakeside-courier.example/\r\nfetchTimeMs: 212\r\n"}
	articleRec = warcResponse(articleURI, warcHTTP(200, articleHTML, "Content-Type: text/html; charset=utf-8", "Server: test"))
	briefRec   = warcResponse(briefURI, warcHTTP(200, briefHTML, "Content-Type: text/html"))
	galleryRec = warcResponse(galleryURI, warcHTTP(200, galleryHTML, "Content-Type: text/html; charset=UTF-8"))
)

func newWARC(t *testing.T, data []byte, opt *WARCOptions) *WARCReader {
	t.Helper()
	r, err := NewWARC("crawl.warc", bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("NewWARC: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// readWARC calls Next until io.EOF or a fatal error, which it returns,
// turning records and record errors into steps (see jsonl_test.go). It
// checks the invariants of every result: record numbers increase, records
// have an ID and a Text and no Raw, record errors name the file and the
// record, and a fatal error is returned again by the next call.
func readWARC(t *testing.T, r *WARCReader) ([]step, []Record, error) {
	t.Helper()
	var (
		steps []step
		recs  []Record
		last  int
	)
	for i := 0; ; i++ {
		if i > 1e5 {
			t.Fatal("Next does not reach the end")
		}
		rc, err := r.Next()
		var re *RecordError
		switch {
		case errors.As(err, &re):
			if want := fmt.Sprintf("crawl.warc:%d: ", re.Line); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
			if sentinel(err) == nil {
				t.Errorf("record error %q wraps no retold sentinel", err)
			}
			steps = append(steps, step{line: re.Line, is: re.Err, msg: re.Err.Error()})
			rc.Line = re.Line
		case err != nil:
			if _, again := r.Next(); again != err {
				t.Errorf("Next after %v returned %v", err, again)
			}
			if err != io.EOF && errors.Is(err, io.EOF) {
				t.Errorf("fatal error %q wraps io.EOF: callers would take it for the end", err)
			}
			if err == io.EOF {
				return steps, recs, nil
			}
			return steps, recs, err
		default:
			if rc.Doc.ID == "" || strings.TrimSpace(rc.Doc.Text) == "" || rc.Raw != nil {
				t.Errorf("record %d: no ID or Text, or a Raw: %+v", rc.Line, rc)
			}
			steps = append(steps, rec(rc.Line, rc.Doc.ID))
			recs = append(recs, rc)
		}
		if rc.Line <= last {
			t.Errorf("record %d after record %d", rc.Line, last)
		}
		last = rc.Line
	}
}

// readAllWARC is readWARC on data, failing the test on a fatal error.
func readAllWARC(t *testing.T, data []byte, opt *WARCOptions) ([]step, []Record) {
	t.Helper()
	steps, recs, err := readWARC(t, newWARC(t, data, opt))
	if err != nil {
		t.Fatalf("fatal error after %+v: %v", steps, err)
	}
	return steps, recs
}

// TestWARCReadsArticlePage reads a small crawl, plain and gzipped, and checks the
// one Document in it field by field.
func TestWARCReadsArticlePage(t *testing.T) {
	crawl := []warcRec{warcinfoRec, requestRec, articleRec, metadataRec}
	v10 := slices.Clone(crawl)
	for i := range v10 {
		v10[i].version = "WARC/1.0"
	}
	lfOnly := bytes.ReplaceAll(warcFile(t, false, crawl...), []byte("\r\n\r\nWARC/"), []byte("\n\n\n\nWARC/"))
	tests := []struct {
		name string
		data []byte
	}{
		{"plain WARC/1.1", warcFile(t, false, crawl...)},
		{"plain WARC/1.0", warcFile(t, false, v10...)},
		{"gzip member per record (.warc.gz)", warcFile(t, true, crawl...)},
		{"whole file gzipped", gzipBytes(t, warcFile(t, false, crawl...))},
		{"bare LF end-of-record markers and blank lines between records", lfOnly},
		{"blank lines before the first record", append([]byte("\r\n\r\n"), warcFile(t, false, crawl...)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, recs := readAllWARC(t, tt.data, nil)
			checkSteps(t, steps, []step{rec(3, articleURI)})
			if len(recs) != 1 {
				return
			}
			if got := recs[0].Doc; got != articleDoc {
				t.Errorf("Doc =\n%#v\nwant\n%#v", got, articleDoc)
			}
			for _, s := range boilerplate {
				if strings.Contains(recs[0].Doc.Text, s) {
					t.Errorf("Text holds boilerplate %q", s)
				}
			}
		})
	}
}

// TestWARCSkipsWhatIsNotAPage puts each kind of record that is not an article page
// before the article: it must be skipped without a word, and counted.
func TestWARCSkipsWhatIsNotAPage(t *testing.T) {
	big := strings.Repeat("\xff\xd8\xff\xe0 JFIF ", 20_000)
	tests := []struct {
		name string
		rec  warcRec
		opt  *WARCOptions
	}{
		{"warcinfo", warcinfoRec, nil},
		{"request", requestRec, nil},
		{"metadata", metadataRec, nil},
		{"resource of an image", warcRec{typ: "resource", uri: "https://www.lakeside-courier.example/img/ferry.jpg", ctype: "image/jpeg", block: "\xff\xd8\xff\xe0\x00\x10JFIF\x00"}, nil},
		{"resource of an HTML page", warcRec{typ: "resource", uri: "file:///home/crawler/page.html", ctype: "text/html", block: articleHTML}, nil},
		{"revisit", warcRec{typ: "revisit", uri: articleURI, ctype: "application/http; msgtype=response",
			fields: []warcField{{"WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"}},
			block:  warcHTTP(200, "", "Content-Type: text/html")}, nil},
		{"conversion", warcRec{typ: "conversion", uri: articleURI, ctype: "text/plain", block: articleText}, nil},
		{"continuation", warcRec{typ: "continuation", uri: articleURI, block: "the rest of a page",
			fields: []warcField{{"WARC-Segment-Number", "2"}, {"WARC-Segment-Origin-ID", "<urn:uuid:00000000-0000-4000-8000-000000000009>"}}}, nil},
		{"unknown record type", warcRec{typ: "x-screenshot", uri: articleURI, ctype: "image/png", block: "\x89PNG\r\n\x1a\n"}, nil},
		{"404 page", warcResponse(articleURI+"&page=2", warcHTTP(404, articleHTML, "Content-Type: text/html")), nil},
		{"500 page", warcResponse(articleURI+"&page=3", warcHTTP(500, articleHTML, "Content-Type: text/html")), nil},
		{"redirect", warcResponse("http://lakeside-courier.example/", warcHTTP(301, "", "Location: https://www.lakeside-courier.example/", "Content-Length: 0")), nil},
		{"image", warcResponse("https://www.lakeside-courier.example/img/ferry.png", warcHTTP(200, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Content-Type: image/png")), nil},
		{"JSON", warcResponse("https://www.lakeside-courier.example/api/latest", warcHTTP(200, `{"id":"a","text":"b"}`, "Content-Type: application/json")), nil},
		{"plain text", warcResponse("https://www.lakeside-courier.example/robots.txt", warcHTTP(200, "User-agent: *\nDisallow: /admin\n", "Content-Type: text/plain")), nil},
		{"no Content-Type, sniffed as not HTML", warcResponse("https://www.lakeside-courier.example/feed.json", warcHTTP(200, `{"items":[]}`)), nil},
		{"DNS response", warcRec{typ: "response", uri: "dns:www.lakeside-courier.example", ctype: "text/dns",
			block: "20240305140659\nwww.lakeside-courier.example.\t300\tIN\tA\t192.0.2.7\n"}, nil},
		{"response block that is not HTTP, no Content-Type", warcRec{typ: "response", uri: "ftp://files.example/a.txt", block: "plain bytes"}, nil},
		{"image larger than MaxRecord", warcResponse("https://www.lakeside-courier.example/img/big.jpg", warcHTTP(200, big, "Content-Type: image/jpeg")), &WARCOptions{MaxRecord: 64 << 10}},
		{"404 page larger than MaxRecord", warcResponse(articleURI+"&page=4", warcHTTP(404, big, "Content-Type: text/html")), &WARCOptions{MaxRecord: 64 << 10}},
		{"untyped body larger than MaxRecord that does not sniff as HTML", warcResponse("https://www.lakeside-courier.example/img/big", warcHTTP(200, big)), &WARCOptions{MaxRecord: 64 << 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, zip := range []bool{false, true} {
				steps, _ := readAllWARC(t, warcFile(t, zip, tt.rec, articleRec), tt.opt)
				checkSteps(t, steps, []step{rec(2, articleURI)})
			}
		})
	}
}

// httpChunked writes body in HTTP chunked transfer coding, in chunks of n
// bytes, the first with a chunk extension, and a trailer.
func httpChunked(body string, n int) string {
	var b strings.Builder
	for i := 0; i < len(body); i += n {
		c := body[i:min(i+n, len(body))]
		ext := ""
		if i == 0 {
			ext = ";name=value"
		}
		fmt.Fprintf(&b, "%x%s\r\n%s\r\n", len(c), ext, c)
	}
	b.WriteString("0\r\nX-Trailer: done\r\n\r\n")
	return b.String()
}

func httpDeflated(t *testing.T, body string, zlibWrapped bool) string {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	if zlibWrapped {
		w = zlib.NewWriter(&b)
	} else {
		w, _ = flate.NewWriter(&b, flate.DefaultCompression)
	}
	w.Write([]byte(body))
	w.Close()
	return b.String()
}

// TestWARCDecodesPageBodies stores the article's HTTP response in the ways
// crawlers and servers do; each must give the article.
func TestWARCDecodesPageBodies(t *testing.T) {
	gz := string(gzipBytes(t, []byte(articleHTML)))
	noMeta := strings.Replace(articleHTML, `<meta charset="utf-8">`, "", 1)
	latin1 := strings.Replace(noMeta, "Kvalvik", "Kv\xe5lvik", 1)     // å in ISO-8859-1
	utf8Page := strings.Replace(articleHTML, "Kvalvik", "Kvålvik", 1) // å in UTF-8, declared
	noDate := strings.Replace(articleHTML, `<meta property="article:published_time" content="2024-03-04T08:30:00Z">`, "", 1)
	noURL := strings.Replace(noDate, `<link rel="canonical" href="https://www.lakeside-courier.example/news/2024/03/ferry-returns">`,
		`<link rel="canonical" href="/news/2024/03/ferry-returns">`, 1)
	const html = "Content-Type: text/html"
	tests := []struct {
		name string
		rec  warcRec
		want retold.Document // compared field by field when set; Text when set must be in the Text
	}{
		{"chunked", warcResponse(articleURI, warcHTTP(200, httpChunked(articleHTML, 700), html, "Transfer-Encoding: chunked")), articleDoc},
		{"gzip Content-Encoding", warcResponse(articleURI, warcHTTP(200, gz, html, "Content-Encoding: gzip")), articleDoc},
		{"chunked and gzip", warcResponse(articleURI, warcHTTP(200, httpChunked(gz, 256), html, "Content-Encoding: gzip", "Transfer-Encoding: chunked")), articleDoc},
		{"x-gzip", warcResponse(articleURI, warcHTTP(200, gz, html, "Content-Encoding: x-gzip")), articleDoc},
		{"deflate (zlib)", warcResponse(articleURI, warcHTTP(200, httpDeflated(t, articleHTML, true), html, "Content-Encoding: deflate")), articleDoc},
		{"deflate (raw, as some servers send it)", warcResponse(articleURI, warcHTTP(200, httpDeflated(t, articleHTML, false), html, "Content-Encoding: deflate")), articleDoc},
		{"gzip twice", warcResponse(articleURI, warcHTTP(200, string(gzipBytes(t, []byte(gz))), html, "Content-Encoding: gzip, gzip")), articleDoc},
		{"gzip header but stored decoded", warcResponse(articleURI, warcHTTP(200, articleHTML, html, "Content-Encoding: gzip")), articleDoc},
		{"br header but stored decoded", warcResponse(articleURI, warcHTTP(200, articleHTML, html, "Content-Encoding: br")), articleDoc},
		{"chunked header but stored dechunked", warcResponse(articleURI, warcHTTP(200, articleHTML, html, "Transfer-Encoding: chunked")), articleDoc},
		{"no Content-Type, sniffed as HTML", warcResponse(articleURI, warcHTTP(200, articleHTML)), articleDoc},
		{"application/xhtml+xml", warcResponse(articleURI, warcHTTP(200, articleHTML, "Content-Type: application/xhtml+xml")), articleDoc},
		{"no WARC Content-Type, HTTP block", warcRec{typ: "response", uri: articleURI, block: warcHTTP(200, articleHTML, html)}, articleDoc},
		{"HTTP/1.0 and header names in any case", warcResponse(articleURI, strings.Replace(warcHTTP(200, articleHTML, "content-TYPE: text/HTML"), "HTTP/1.1", "HTTP/1.0", 1)), articleDoc},
		{"HTTP/2 status line without reason", warcResponse(articleURI, strings.Replace(warcHTTP(200, articleHTML, html), "HTTP/1.1 200 OK", "HTTP/2 200", 1)), articleDoc},
		{"LF-only HTTP header", warcResponse(articleURI, strings.ReplaceAll(warcHTTP(200, "", html), "\r\n", "\n")+articleHTML), articleDoc},
		{"target URI in angle brackets", warcResponse("<"+articleURI+">", warcHTTP(200, articleHTML, html)), articleDoc},
		{"folded WARC header field", func() warcRec {
			r := warcResponse(articleURI, warcHTTP(200, articleHTML, html))
			r.fields = []warcField{{"WARC-Payload-Digest", "sha1:UZY6ND6CCHXETFVJD2MSS7ZENMWF7KQ2\r\n  (folded)"}}
			return r
		}(), articleDoc},
		{"charset from the HTTP header when the page declares none", warcResponse(articleURI, warcHTTP(200, latin1, "Content-Type: text/html; charset=ISO-8859-1")),
			retold.Document{ID: articleURI, Text: "The shipyard in Kvålvik then discovered"}},
		{"the page's own charset wins over the HTTP header", warcResponse(articleURI, warcHTTP(200, utf8Page, "Content-Type: text/html; charset=ISO-8859-1")),
			retold.Document{ID: articleURI, Text: "The shipyard in Kvålvik then discovered"}},
		{"text before the doctype is still HTML", warcResponse(articleURI, warcHTTP(200, "Warning: session_start(): headers already sent in /var/www/index.php on line 3\n"+articleHTML, html)),
			retold.Document{ID: articleURI, Title: articleDoc.Title, Text: "The Port Elsmere ferry carried"}},
		{"URI ending in .json is still HTML", warcResponse("https://www.lakeside-courier.example/news/ferry.json", warcHTTP(200, articleHTML, html)),
			retold.Document{ID: "https://www.lakeside-courier.example/news/ferry.json", Text: articleText}},
		{"no date in the page: the day of WARC-Date", warcResponse(articleURI, warcHTTP(200, noDate, html)),
			retold.Document{ID: articleURI, URL: canonicalURL, Date: "2024-03-05", Text: articleText}},
		{"no absolute canonical URL: the target URI", warcResponse(articleURI, warcHTTP(200, noURL, html)),
			retold.Document{ID: articleURI, URL: articleURI, Date: "2024-03-05", Text: articleText}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, recs := readAllWARC(t, warcFile(t, false, warcinfoRec, tt.rec), nil)
			checkSteps(t, steps, []step{rec(2, tt.want.ID)})
			if len(recs) != 1 {
				return
			}
			got := recs[0].Doc
			if tt.want == articleDoc {
				if got != articleDoc {
					t.Errorf("Doc =\n%#v\nwant\n%#v", got, articleDoc)
				}
				return
			}
			checkField(t, "Title", got.Title, tt.want.Title, false)
			checkField(t, "URL", got.URL, tt.want.URL, false)
			checkField(t, "Date", got.Date, tt.want.Date, false)
			if !strings.Contains(got.Text, tt.want.Text) {
				t.Errorf("Text lacks %q:\n%s", tt.want.Text, got.Text)
			}
			if strings.Contains(got.Text, "<") || strings.Contains(got.Text, "NAVLINK") {
				t.Errorf("Text holds markup or navigation:\n%s", got.Text)
			}
		})
	}
}

// TestWARCReportsBadRecordsAndGoesOn puts each kind of bad record before a good one:
// the bad one is a *RecordError with its record number, and the reader
// goes on to the good one.
func TestWARCReportsBadRecordsAndGoesOn(t *testing.T) {
	gz := gzipBytes(t, []byte(articleHTML))
	bomb := string(gzipBytes(t, []byte("<!DOCTYPE html><p>"+strings.Repeat(" ", 8<<20))))
	const html = "Content-Type: text/html"
	small := &WARCOptions{MaxRecord: 64 << 10}
	page := func(body string, headers ...string) warcRec {
		return warcResponse(articleURI, warcHTTP(200, body, headers...))
	}
	withFields := func(r warcRec, f ...warcField) warcRec {
		r.fields = f
		return r
	}
	tests := []struct {
		name string
		rec  warcRec
		opt  *WARCOptions
		is   error
		msg  string
	}{
		{"image gallery: no article", galleryRec, nil, retold.ErrEmpty,
			galleryURI + ": no text: not an article: 8 words of text besides the title, fewer than 10"},
		{"empty page", page("", html), nil, retold.ErrEmpty, articleURI + ": no text: the input is empty"},
		{"page without visible text", page("<html><body><img src=a.png></body></html>", html), nil, retold.ErrEmpty, articleURI + ": no text"},
		{"invalid UTF-8", page("<html><body><p>caf\xe9 au lait</p></body></html>", html), nil, retold.ErrInvalidUTF8, articleURI + ": invalid UTF-8"},
		{"binary labeled HTML", page("<html>\x00\x00\x00\x01", html), nil, retold.ErrBinary, articleURI + ": binary data"},
		{"body larger than MaxRecord", page(articleHTML+strings.Repeat("<p>more</p>", 10_000), html), small, retold.ErrTooLarge, "(MaxRecord)"},
		{"untyped HTML body larger than MaxRecord", page(articleHTML + strings.Repeat("<p>more</p>", 10_000)), small, retold.ErrTooLarge, "(MaxRecord)"},
		{"gzip bomb in Content-Encoding", page(bomb, html, "Content-Encoding: gzip"), small, retold.ErrTooLarge, "once decoded (Content-Encoding gzip)"},
		{"corrupt gzip Content-Encoding", page(string(gz[:10])+strings.Repeat("\xa5", 200), html, "Content-Encoding: gzip"), nil, retold.ErrFormat, "Content-Encoding gzip: flate: corrupt input"},
		{"truncated gzip Content-Encoding", page(string(gz[:len(gz)/2]), html, "Content-Encoding: gzip"), nil, retold.ErrFormat, "Content-Encoding gzip: unexpected EOF"},
		{"unsupported Content-Encoding", page("\x1b\x2c\x00\xf8\xa5\x04", html, "Content-Encoding: br"), nil, retold.ErrFormat, `unsupported Content-Encoding "br"`},
		{"bad chunked body", page("400\r\n<html><p>a short chunk</p>", html, "Transfer-Encoding: chunked"), nil, retold.ErrFormat, "bad chunked Transfer-Encoding: unexpected EOF"},
		{"page the crawler truncated", withFields(page(articleHTML, html), warcField{"WARC-Truncated", "length"}), nil, retold.ErrFormat, "truncated the page (WARC-Truncated: length)"},
		{"segmented page", withFields(page(articleHTML, html), warcField{"WARC-Segment-Number", "1"}), nil, retold.ErrFormat, "segmented records (WARC-Segment-Number: 1)"},
		{"response without a target URI", warcRec{typ: "response", ctype: "application/http", block: warcHTTP(200, articleHTML, html)}, nil, retold.ErrFormat, "without a WARC-Target-URI"},
		{"bad HTTP status line", warcResponse(articleURI, "HTPT/1.1 200 OK\r\n\r\n"+articleHTML), nil, retold.ErrFormat, `bad HTTP status line "HTPT/1.1 200 OK"`},
		{"empty HTTP response", warcResponse(articleURI, ""), nil, retold.ErrFormat, "an empty HTTP response"},
		{"HTTP header without end", warcResponse(articleURI, "HTTP/1.1 200 OK\r\n"+strings.Repeat("X-Padding: 0123456789\r\n", 4000)), nil, retold.ErrFormat, "an HTTP header longer than 65536 bytes"},
		{"WARC header line that is not a field", withFields(page(articleHTML, html), warcField{"this line has", "no field name"}), nil, retold.ErrFormat, `header line "this line has: no field name" is not a field`},
		{"WARC header line longer than the buffer", withFields(page(articleHTML, html), warcField{"X-Long", strings.Repeat("a", 300<<10)}), nil, retold.ErrFormat, "a header line longer than 262144 bytes"},
		{"unsupported WARC version", func() warcRec { r := page(articleHTML, html); r.version = "WARC/2.0"; return r }(), nil, retold.ErrFormat, `unsupported WARC version "WARC/2.0"`},
		{"no WARC-Type", warcRec{uri: articleURI, block: warcHTTP(200, articleHTML, html)}, nil, retold.ErrFormat, "no WARC-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, zip := range []bool{false, true} {
				steps, _ := readAllWARC(t, warcFile(t, zip, tt.rec, briefRec), tt.opt)
				checkSteps(t, steps, []step{bad(1, tt.is, tt.msg), rec(2, briefURI)})
			}
		})
	}
}

// TestWARCCountsEveryRecord mixes good and bad pages: every record is
// counted, and each page gives either a Record or a *RecordError.
func TestWARCCountsEveryRecord(t *testing.T) {
	crawl := []warcRec{warcinfoRec, galleryRec, requestRec, articleRec, galleryRec, briefRec, metadataRec}
	want := []step{
		bad(2, retold.ErrEmpty, "not an article"), rec(4, articleURI),
		bad(5, retold.ErrEmpty, "not an article"), rec(6, briefURI),
	}
	for _, zip := range []bool{false, true} {
		steps, recs := readAllWARC(t, warcFile(t, zip, crawl...), nil)
		checkSteps(t, steps, want)
		if len(recs) == 2 && recs[0].Doc != articleDoc {
			t.Errorf("Doc = %#v, want %#v", recs[0].Doc, articleDoc)
		}
	}
	// The message, whole, as a user sees it.
	_, err := newWARC(t, warcFile(t, false, galleryRec), nil).Next()
	if want := "crawl.warc:1: " + galleryURI + ": no text: not an article: 8 words of text besides the title, fewer than 10"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

// TestWARCStopsAtDamage cuts and breaks files: the complete records before the
// damage come back, then a fatal error naming the file and the record,
// which Next keeps returning.
func TestWARCStopsAtDamage(t *testing.T) {
	three := []warcRec{warcinfoRec, articleRec, briefRec}
	plain := warcFile(t, false, three...)
	perRecord := warcFile(t, true, three...)
	whole := gzipBytes(t, plain)
	cut := func(b []byte, n int) []byte { return b[:len(b)-n] }
	flipped := bytes.Clone(perRecord)
	flipped[len(flipped)-6] ^= 0xff // in the last member's CRC
	lengthOff := func(delta int) []byte {
		b := briefRec
		b.length = len(b.block) + delta
		return warcFile(t, false, warcinfoRec, articleRec, b)
	}
	noLength := func() []byte {
		b := briefRec
		b.length = -1
		return warcFile(t, false, warcinfoRec, articleRec, b)
	}
	// extraLength writes Content-Length: v before the record's own, or
	// instead of it.
	extraLength := func(v string, own bool) []byte {
		b := briefRec
		if !own {
			b.length = -1
		}
		b.fields = []warcField{{"Content-Length", v}}
		return warcFile(t, false, warcinfoRec, articleRec, b)
	}
	hugeHeader := append(warcFile(t, false, warcinfoRec, articleRec), "WARC/1.1\r\n"...)
	for range 100_000 {
		hugeHeader = append(hugeHeader, "X-Field: 0123456789\r\n"...)
	}
	bomb := warcFile(t, true, warcinfoRec, articleRec,
		warcRec{typ: "resource", uri: "https://www.lakeside-courier.example/zeros", ctype: "application/octet-stream", block: strings.Repeat("\x00", 8<<20)})
	tests := []struct {
		name  string
		data  []byte
		opt   *WARCOptions
		is    error
		msg   string
		steps []step // before the error; the article alone when nil
	}{
		{"plain, cut inside the last block", cut(plain, 100), nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated: the file ends inside the block", nil},
		{"plain, cut inside the last header", plain[:bytes.LastIndex(plain, []byte("Content-Length"))], nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated: the file ends inside the WARC header", nil},
		{"plain, cut inside the end-of-record marker", cut(plain, 2), nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated: the file ends inside the end-of-record marker", nil},
		{"gzip member per record, last member cut", cut(perRecord, 40), nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated gzip: the file ends inside", nil},
		{"gzip member per record, cut inside the last CRC", cut(perRecord, 5), nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated gzip: the file ends inside its gzip member", nil},
		{"whole file gzipped, cut", cut(whole, 40), nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated gzip", nil},
		{"gzip member per record, bad CRC", flipped, nil, gzip.ErrChecksum,
			"crawl.warc: record 3: corrupt gzip in its gzip member", nil},
		{"gzip followed by garbage", append(bytes.Clone(perRecord), "garbage after the members"...), nil, gzip.ErrHeader,
			"crawl.warc: record 3: corrupt gzip in its gzip member", nil},
		{"gzip followed by a few bytes", append(bytes.Clone(perRecord), "\x00\x00"...), nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated gzip: the file ends inside its gzip member", nil},
		{"garbage after the records", append(bytes.Clone(plain), "<html>not a record</html>\r\n"...), nil, retold.ErrFormat,
			`crawl.warc: record 4: bad input format: expected a WARC version line ("WARC/1.1"), found "<html>not a record</html>"`,
			[]step{rec(2, articleURI), rec(3, briefURI)}},
		{"no Content-Length", noLength(), nil, retold.ErrFormat,
			"crawl.warc: record 3: bad input format: no Content-Length: cannot find the next record", nil},
		{"Content-Length not a number", extraLength("12kB", false), nil, retold.ErrFormat,
			`crawl.warc: record 3: bad input format: Content-Length "12kB" is not a number of bytes: cannot find the next record`, nil},
		{"two different Content-Lengths", extraLength("3", true), nil, retold.ErrFormat,
			"two different Content-Length fields", nil},
		{"Content-Length too short", lengthOff(-7), nil, retold.ErrFormat,
			"crawl.warc: record 3: bad input format: no end-of-record marker (CRLF CRLF) after the block", nil},
		{"Content-Length too long", lengthOff(+7), nil, io.ErrUnexpectedEOF,
			"crawl.warc: record 3: truncated: the file ends inside the block", nil},
		{"WARC header that never ends", hugeHeader, nil, retold.ErrFormat,
			"crawl.warc: record 3: bad input format: a WARC header longer than 1048576 bytes", nil},
		{"MaxBytes", plain, &WARCOptions{MaxBytes: int64(len(plain) - 100)}, retold.ErrTooLarge,
			fmt.Sprintf("crawl.warc: record 3: input too large: more than %d bytes (MaxBytes)", len(plain)-100), nil},
		{"MaxBytes between records", plain, &WARCOptions{MaxBytes: int64(len(warcFile(t, false, warcinfoRec, articleRec)))}, retold.ErrTooLarge,
			"crawl.warc: after record 2: input too large", nil},
		{"MaxBytes against a gzip bomb", bomb, &WARCOptions{MaxBytes: 1 << 20}, retold.ErrTooLarge,
			"crawl.warc: record 3: input too large: more than 1048576 bytes after decompression (MaxBytes)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, _, err := readWARC(t, newWARC(t, tt.data, tt.opt))
			if tt.steps == nil {
				tt.steps = []step{rec(2, articleURI)}
			}
			checkSteps(t, steps, tt.steps)
			switch {
			case err == nil:
				t.Fatal("no fatal error")
			case !errors.Is(err, tt.is):
				t.Errorf("error %q is not %v", err, tt.is)
			case !strings.Contains(err.Error(), tt.msg):
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
			var re *RecordError
			if errors.As(err, &re) || strings.Contains(err.Error(), "\n") {
				t.Errorf("fatal error %q is a RecordError or spans lines", err)
			}
		})
	}
}

// TestWARCLimitsAtTheirEdges reads a body of exactly MaxRecord bytes and
// a file of exactly MaxBytes, and one byte less of each.
func TestWARCLimitsAtTheirEdges(t *testing.T) {
	body := len(briefHTML)
	plain := warcFile(t, false, warcinfoRec, briefRec)
	tests := []struct {
		name  string
		opt   WARCOptions
		steps []step
		fatal error
	}{
		{"body of MaxRecord bytes", WARCOptions{MaxRecord: int64(body)}, []step{rec(2, briefURI)}, nil},
		{"body one byte over MaxRecord", WARCOptions{MaxRecord: int64(body - 1)}, []step{bad(2, retold.ErrTooLarge, briefURI+": input too large: an HTTP body of")}, nil},
		{"file of MaxBytes bytes", WARCOptions{MaxBytes: int64(len(plain))}, []step{rec(2, briefURI)}, nil},
		{"file one byte over MaxBytes", WARCOptions{MaxBytes: int64(len(plain) - 1)}, nil, retold.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, _, err := readWARC(t, newWARC(t, plain, &tt.opt))
			checkSteps(t, steps, tt.steps)
			if !errors.Is(err, tt.fatal) || (err == nil) != (tt.fatal == nil) {
				t.Errorf("fatal error %v, want %v", err, tt.fatal)
			}
		})
	}
}

// TestWARCHugeContentLengthIsNotAllocated gives an HTML page a Content-Length of a
// terabyte in a file of a few KB: the reader must neither allocate it nor
// wait for it, but report the file as cut short.
func TestWARCHugeContentLengthIsNotAllocated(t *testing.T) {
	huge := articleRec
	huge.length = 1 << 40
	data := warcFile(t, false, warcinfoRec, huge)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	steps, _, err := readWARC(t, newWARC(t, data, nil))
	runtime.ReadMemStats(&after)
	checkSteps(t, steps, nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "crawl.warc: record 2: truncated") {
		t.Errorf("error = %v, want record 2 truncated", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("reading allocated %d bytes", n)
	}
}

// TestNewWARCRefusesWhatIsNotWARC gives NewWARC files of other kinds.
func TestNewWARCRefusesWhatIsNotWARC(t *testing.T) {
	tests := []struct {
		name string
		data string
		is   error
		msg  string
	}{
		{"plain text", "Harbour ferry fares to rise in June\n", retold.ErrFormat,
			`crawl.warc: bad input format: not a WARC file (it starts with "Harbour ferry fares to rise in June")`},
		{"an HTML page", articleHTML, retold.ErrFormat, `not a WARC file (it starts with "<!DOCTYPE html>")`},
		{"a JSONL corpus", `{"id":"a","text":"b"}` + "\n", retold.ErrFormat, `not a WARC file (it starts with "{\"id\":\"a\",\"text\":\"b\"}")`},
		{"a PNG image", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", retold.ErrFormat, "not a WARC file (binary data, not text: PNG image)"},
		{"a zstd WARC", "\x28\xb5\x2f\xfd\x00\x58", retold.ErrFormat, "not a WARC file (binary data, not text: zstd compressed data)"},
		{"gzipped text", string(gzipBytes(t, []byte("hello, world\n"))), retold.ErrFormat, `not a WARC file (after gunzip, it starts with "hello, world")`},
		{"almost WARC", "WARX/1.1\r\n", retold.ErrFormat, "not a WARC file"},
		{"truncated gzip header", "\x1f\x8b\x08\x00", io.ErrUnexpectedEOF, "crawl.warc: truncated gzip: the file ends inside the gzip header"},
		{"corrupt gzip header", "\x1f\x8b\x07\x00\x00\x00\x00\x00\x00\x00", gzip.ErrHeader, "crawl.warc: corrupt gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewWARC("crawl.warc", strings.NewReader(tt.data), nil)
			switch {
			case err == nil:
				r.Close()
				t.Fatal("NewWARC accepted it")
			case !errors.Is(err, tt.is):
				t.Errorf("error %q is not %v", err, tt.is)
			case !strings.Contains(err.Error(), tt.msg):
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
		})
	}
}

// TestWARCWithoutRecords reads files without records: no error, just the end.
func TestWARCWithoutRecords(t *testing.T) {
	for _, data := range []string{"", "\r\n\r\n", string(gzipBytes(t, nil))} {
		steps, _ := readAllWARC(t, []byte(data), nil)
		checkSteps(t, steps, nil)
	}
	// A stream that stops inside the version line is not empty.
	_, _, err := readWARC(t, newWARC(t, []byte("WARC/1."), nil))
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "crawl.warc: record 1: truncated") {
		t.Errorf("error = %v, want a truncated record 1", err)
	}
}

func TestOpenWARC(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crawl.warc.gz")
	if err := os.WriteFile(path, warcFile(t, true, warcinfoRec, articleRec, galleryRec), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := OpenWARC(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rc, err := r.Next(); err != nil || rc.Doc != articleDoc || rc.Line != 2 {
		t.Errorf("Next = %+v, %v; want the article at record 2", rc, err)
	}
	var re *RecordError
	if _, err := r.Next(); !errors.As(err, &re) || re.Name != path || re.Line != 3 {
		t.Errorf("Next = %v, want a RecordError at %s:3", err, path)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next = %v, want io.EOF", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := r.Next(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Next after Close = %v, want os.ErrClosed", err)
	}

	if _, err := OpenWARC(filepath.Join(dir, "missing.warc"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenWARC(missing) = %v, want fs.ErrNotExist", err)
	}
	if _, err := OpenWARC(dir, nil); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("OpenWARC(dir) = %v, want EISDIR", err)
	}
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("not a crawl"), 0o644)
	if _, err := OpenWARC(bad, nil); !errors.Is(err, retold.ErrFormat) || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("OpenWARC(text) = %v, want ErrFormat naming %s", err, bad)
	}
}

// FuzzWARC checks that no input, plain or gzipped, panics or loops, that
// record numbers increase, that every Record has an ID and a Text, and
// that a fatal error names the file, is one line, and stays.
func FuzzWARC(f *testing.F) {
	// Small pages: trafilatura, not the reader, takes the time of a run,
	// and mutations of a record's framing are what the fuzzer is for.
	tiny := warcResponse("https://t.example/a", warcHTTP(200, "<html><title>T</title><p>one two three four five six seven eight nine ten eleven</p></html>", "Content-Type: text/html"))
	coded := warcResponse(briefURI, warcHTTP(200, httpChunked(string(gzipBytes(f, []byte(briefHTML))), 100),
		"Content-Type: text/html", "Content-Encoding: gzip", "Transfer-Encoding: chunked"))
	crawl := warcFile(f, false, warcinfoRec, requestRec, tiny, coded, metadataRec)
	f.Add(false, crawl)
	f.Add(false, crawl[:len(crawl)-50])
	f.Add(false, warcFile(f, true, warcinfoRec, tiny))
	f.Add(true, warcFile(f, false, tiny, briefRec))
	for _, s := range []string{
		"", "\r\n", "WARC/1.1\r\n\r\n", "WARC/1.1\r\nContent-Length: 0\r\n\r\n\r\n\r\n",
		"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nHTTP/\r\n\r\n",
		"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: a\r\nContent-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<p>one two three four</p>\r\n\r\n",
		"WARC/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", "\x1f\x8b\x08\x00", "WARC/\x00\n:\n\n",
	} {
		f.Add(false, []byte(s))
	}
	f.Fuzz(func(t *testing.T, zip bool, data []byte) {
		in := data
		if zip {
			in = gzipBytes(t, data)
		}
		r, err := NewWARC("fuzz.warc", bytes.NewReader(in), &WARCOptions{MaxRecord: 64 << 10, MaxBytes: 4 << 20})
		if err != nil {
			return
		}
		defer r.Close()
		// Each call reads at least one byte of a record; only unzipped
		// data that is itself gzip can inflate, and MaxBytes bounds it.
		calls := len(data) + 2
		if !zip && bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			calls = 4<<20 + 2
		}
		last := 0
		for range calls {
			rc, err := r.Next()
			var re *RecordError
			switch {
			case err == io.EOF:
				return
			case errors.As(err, &re):
				if sentinel(err) == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("fuzz.warc:%d: ", re.Line)) {
					t.Fatalf("record error %q wraps no retold sentinel or does not name the record", err)
				}
				rc.Line = re.Line
			case err != nil:
				if !strings.HasPrefix(err.Error(), "fuzz.warc: ") || strings.Contains(err.Error(), "\n") || errors.Is(err, io.EOF) {
					t.Fatalf("fatal error %q does not name the file, spans lines, or wraps io.EOF", err)
				}
				if _, again := r.Next(); again != err {
					t.Fatalf("Next after %q returned %v", err, again)
				}
				return
			default:
				if rc.Doc.ID == "" || strings.TrimSpace(rc.Doc.Text) == "" || !utf8.ValidString(rc.Doc.Text) {
					t.Fatalf("record %d: no ID or Text, or invalid UTF-8: %+v", rc.Line, rc.Doc)
				}
			}
			if rc.Line <= last {
				t.Fatalf("record %d after record %d", rc.Line, last)
			}
			last = rc.Line
		}
		t.Fatalf("Next did not end after %d calls on %d bytes", calls, len(data))
	})
}

func ExampleNewWARC() {
	page := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + briefHTML
	crawl := fmt.Sprintf("WARC/1.1\r\nWARC-Type: response\r\nWARC-Date: 2024-03-05T14:07:00Z\r\n"+
		"WARC-Target-URI: %s\r\nContent-Type: application/http; msgtype=response\r\n"+
		"Content-Length: %d\r\n\r\n%s\r\n\r\n", briefURI, len(page), page)
	r, err := NewWARC("crawl.warc", strings.NewReader(crawl), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		var bad *RecordError
		switch {
		case err == io.EOF:
			return
		case errors.As(err, &bad):
			fmt.Println("skipped:", bad)
			continue
		case err != nil:
			fmt.Println(err)
			return
		}
		fmt.Printf("record %d: %s\n%s (%s)\n", rec.Line, rec.Doc.ID, rec.Doc.Title, rec.Doc.Date)
	}
	// Output:
	// record 1: https://www.lakeside-courier.example/news/2024/03/rockfall
	// Road closed after rockfall (2024-03-05)
}

// BenchmarkWARC reads a .warc.gz of 200 article pages, each with its
// request and metadata records; MB/s counts the decompressed WARC.
func BenchmarkWARC(b *testing.B) {
	var crawl []warcRec
	for i := range 200 {
		uri := fmt.Sprintf("https://www.lakeside-courier.example/news/%d", i)
		page := strings.Replace(articleHTML, "140 commuters", fmt.Sprintf("%d commuters", 100+i), 1)
		crawl = append(crawl, requestRec, warcResponse(uri, warcHTTP(200, page, "Content-Type: text/html")), metadataRec)
	}
	plain := warcFile(b, false, crawl...)
	data := warcFile(b, true, crawl...)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewWARC("bench.warc.gz", bytes.NewReader(data), nil)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		if n != 200 {
			b.Fatalf("%d pages, want 200", n)
		}
	}
}

// BenchmarkWARCSkip reads a .warc.gz of 200 images of 64 KB each, which
// are skipped: the cost of the framing, gzip and the HTTP head alone.
func BenchmarkWARCSkip(b *testing.B) {
	img := strings.Repeat("\xff\xd8\xff\xe0 JFIF pixels ", 64<<10/20)
	var crawl []warcRec
	for i := range 200 {
		uri := fmt.Sprintf("https://www.lakeside-courier.example/img/%d.jpg", i)
		crawl = append(crawl, warcResponse(uri, warcHTTP(200, img, "Content-Type: image/jpeg")))
	}
	plain := warcFile(b, false, crawl...)
	data := warcFile(b, true, crawl...)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewWARC("bench.warc.gz", bytes.NewReader(data), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Next(); err != io.EOF {
			b.Fatalf("Next = %v, want io.EOF", err)
		}
		r.Close()
	}
}
