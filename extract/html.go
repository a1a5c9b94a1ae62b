package extract

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"github.com/retold/retold"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/htmlindex"
)

// Limits past which a parsed page is not handed to trafilatura, whose tree
// walks are recursive and superlinear (10,000 sibling paragraphs take
// seconds). In trafilatura's own corpus of 945 real pages the deepest tree
// is 42 levels and the largest 28,000 nodes; past these limits the page is
// hostile or not an article, and the linear tokenizer fallback reads it.
const (
	maxTreeDepth = 512
	maxTreeNodes = 40_000
)

// parseHTML decodes data as the page declares (a <meta> charset, an
// http-equiv Content-Type or an XML declaration; UTF-8 otherwise, and
// always after a UTF-8 BOM), then extracts the article.
func parseHTML(name string, data []byte) (retold.Document, error) {
	text, err := decodeHTML(name, data)
	if err != nil {
		return retold.Document{}, err
	}
	doc, ok := extractHTML(text)
	if !ok {
		return retold.Document{}, fmt.Errorf("%s: %w: no article or visible text in the HTML", name, retold.ErrEmpty)
	}
	doc.ID = retold.ShortID(name)
	return doc, nil
}

// decodeHTML returns the page as UTF-8 text, without its BOM.
func decodeHTML(name string, data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, utf8BOM) {
		data = data[len(utf8BOM):]
	} else if label := declaredCharset(data); label != "" {
		enc, err := htmlindex.Get(label)
		if err == nil {
			canon, _ := htmlindex.Name(enc)
			// A page cannot really be UTF-16 if its ASCII <meta> was
			// readable: the HTML standard says to take it as UTF-8.
			if canon != "utf-8" && !strings.HasPrefix(canon, "utf-16") {
				d, err := enc.NewDecoder().Bytes(data)
				if err != nil {
					return nil, fmt.Errorf("%s: %w: cannot decode as the declared charset %q: %v",
						name, retold.ErrInvalidUTF8, label, err)
				}
				return d, nil
			}
		}
	}
	if err := checkUTF8(name, data); err != nil {
		return nil, err
	}
	return data, nil
}

// prescanLen is how far into a page declaredCharset looks. The HTML
// standard's prescan stops at 1024 bytes; pages with long heads put their
// <meta charset> later, so look a little further.
const prescanLen = 8 << 10

var xmlEncoding = regexp.MustCompile(`^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// declaredCharset returns the charset label the page declares in its head,
// or "".
func declaredCharset(data []byte) string {
	head := data[:min(len(data), prescanLen)]
	if m := xmlEncoding.FindSubmatch(bytes.TrimLeft(head, " \t\r\n")); m != nil {
		return string(m[1])
	}
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tag, hasAttr := z.TagName()
			switch atom.Lookup(tag) {
			case atom.Body:
				return ""
			case atom.Meta:
				var charset, httpEquiv, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "charset":
						charset = string(v)
					case "http-equiv":
						httpEquiv = strings.ToLower(string(v))
					case "content":
						content = string(v)
					}
				}
				if charset = strings.TrimSpace(charset); charset != "" {
					return charset
				}
				if httpEquiv == "content-type" {
					if c := contentTypeCharset(content); c != "" {
						return c
					}
				}
			}
		}
	}
}

// contentTypeCharset finds charset=... in a Content-Type value such as
// "text/html; charset=ISO-8859-1".
func contentTypeCharset(ct string) string {
	low := strings.ToLower(ct)
	i := strings.Index(low, "charset")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(ct[i+len("charset"):], " \t")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.Trim(strings.TrimLeft(rest[1:], " \t"), `"'`)
	if j := strings.IndexAny(rest, ` ;"'`); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// extractHTML finds the article in a UTF-8 page, or an HTML fragment, and
// reports whether it holds any text. Title, date, URL and outlet come from
// the page's metadata, lang from <html lang>.
func extractHTML(page []byte) (retold.Document, bool) {
	var doc retold.Document
	root, err := html.Parse(bytes.NewReader(page))
	if err == nil {
		dropEmbedded(root)
		doc.Lang = htmlLang(root)
		if depth, nodes := treeSize(root); depth <= maxTreeDepth && nodes <= maxTreeNodes {
			if res := runTrafilatura(root); res != nil {
				doc.Title = strings.TrimSpace(collapseSpace(res.Metadata.Title))
				doc.URL = res.Metadata.URL
				doc.Outlet = res.Metadata.Sitename
				doc.Date = formatDate(res.Metadata.Date)
				if res.ContentNode != nil {
					doc.Text = contentText(res.ContentNode)
				}
			}
		}
	}
	if strings.TrimSpace(doc.Text) == "" {
		text, title := visibleText(page)
		doc.Text = text
		if doc.Title == "" {
			doc.Title = title
		}
	}
	return doc, strings.TrimSpace(doc.Text) != ""
}

// runTrafilatura extracts the main content of root, or returns nil. A
// panic inside the library (a large third-party code base fed untrusted
// pages) is taken as "found nothing", so the fallback still runs: the
// package promises never to panic.
func runTrafilatura(root *html.Node) (res *trafilatura.ExtractResult) {
	defer func() {
		if recover() != nil {
			res = nil
		}
	}()
	res, err := trafilatura.ExtractDocument(root, trafilatura.Options{
		ExcludeComments: true,
		// Fast reads dates from metadata and markup, not by guessing
		// from the running text.
		HtmlDateMode: trafilatura.Fast,
	})
	if err != nil {
		return nil
	}
	return res
}

// formatDate gives a date as YYYY-MM-DD when it has no time of day, as
// RFC 3339 otherwise, and "" when it is zero.
func formatDate(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0:
		return t.Format(time.DateOnly)
	default:
		return t.Format(time.RFC3339)
	}
}

// htmlLang returns the lang attribute of the <html> element.
func htmlLang(root *html.Node) string {
	for n := root.FirstChild; n != nil; n = n.NextSibling {
		if n.Type == html.ElementNode && n.DataAtom == atom.Html {
			for _, a := range n.Attr {
				if a.Key == "lang" {
					return strings.TrimSpace(a.Val)
				}
			}
		}
	}
	return ""
}

// treeSize returns the depth and node count of the tree under root,
// walking it without recursion.
func treeSize(root *html.Node) (depth, nodes int) {
	d := 0
	for n := root; n != nil; {
		nodes++
		depth = max(depth, d)
		if n.FirstChild != nil {
			n = n.FirstChild
			d++
			continue
		}
		for n != root && n.NextSibling == nil {
			n = n.Parent
			d--
		}
		if n == root {
			break
		}
		n = n.NextSibling
	}
	return depth, nodes
}

// contentText renders trafilatura's content tree (a <body> of blocks).
//
// When trafilatura's own extraction finds too little it falls back to its
// "baseline", which puts whole swathes of text (an <article>'s or the
// body's text content) in one <p>, sometimes after the short paragraphs it
// found first, which are then repeated in it. So: a last block whose text
// contains every block before it replaces them, and a single text-only
// block is split at its source line breaks, the only paragraph boundaries
// left in it.
func contentText(body *html.Node) string {
	var blocks []*html.Node
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			blocks = append(blocks, c)
		} else if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return nodeText(body)
		}
	}
	if len(blocks) == 0 {
		return ""
	}
	last := blocks[len(blocks)-1]
	lastText := textOnly(last)
	if strings.TrimSpace(lastText) == "" {
		return nodeText(body)
	}
	var before strings.Builder
	for _, b := range blocks[:len(blocks)-1] {
		t := nodeText(b)
		if !strings.Contains(collapseSpace(lastText), collapseSpace(t)) {
			return nodeText(body)
		}
		before.WriteString(t)
	}
	if len(blocks) > 1 && noSpace(before.String()) == noSpace(lastText) {
		// The tail repeats the blocks and adds nothing: keep the blocks.
		body.RemoveChild(last)
		return nodeText(body)
	}
	return lineParagraphs(lastText)
}

// noSpace returns s without any white space.
func noSpace(s string) string { return strings.Join(strings.Fields(s), "") }

// textOnly returns the text of n if its children are all text nodes, and
// "" otherwise.
func textOnly(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			return ""
		}
		b.WriteString(c.Data)
	}
	return b.String()
}

// lineParagraphs makes each non-blank line of s a paragraph, with white
// space collapsed inside it.
func lineParagraphs(s string) string {
	var p paragraphs
	for _, line := range strings.Split(normalizeNewlines(s), "\n") {
		p.text(line, false)
		p.paragraphBreak()
	}
	return p.String()
}

// nodeText renders trafilatura's content tree as text: one paragraph per
// block element, separated by blank lines, <br> as a line break, white
// space collapsed outside <pre>. The walk recurses; the depth is bounded
// by maxTreeDepth, checked before trafilatura ran.
func nodeText(root *html.Node) string {
	var p paragraphs
	p.walk(root, false)
	return p.String()
}

func (p *paragraphs) walk(n *html.Node, pre bool) {
	switch n.Type {
	case html.TextNode:
		p.text(n.Data, pre)
		return
	case html.ElementNode:
		// Trafilatura builds elements by name, without their atom.
		a := n.DataAtom
		if a == 0 {
			a = atom.Lookup([]byte(n.Data))
		}
		switch {
		case skippedTags[n.Data]:
			return
		case a == atom.Br:
			p.lineBreak()
			return
		case a == atom.Td || a == atom.Th:
			p.space()
		}
		block := blockTags[a]
		if block {
			p.paragraphBreak()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			p.walk(c, pre || a == atom.Pre)
		}
		if block {
			p.paragraphBreak()
		}
		return
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			p.walk(c, pre)
		}
	}
}

// visibleText is the fallback: the text a reader would see on the page,
// read with the tokenizer in one linear pass, so that no nesting or
// unclosed tag can make it slow. It also returns the <title>.
func visibleText(page []byte) (text, title string) {
	var p paragraphs
	z := html.NewTokenizer(bytes.NewReader(page))
	var (
		skipTag  string // outermost element whose content is being dropped
		skip     int    // how many skipTag elements are open
		pre      int
		inTitle  bool
		gotTitle bool
	)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return p.String(), strings.TrimSpace(collapseSpace(title))
		case html.TextToken:
			switch {
			case skip > 0:
			case inTitle:
				if !gotTitle {
					title += string(z.Text())
				}
			default:
				p.text(string(z.Text()), pre > 0)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			raw, _ := z.TagName()
			name := string(raw)
			a := atom.Lookup(raw)
			if tt == html.EndTagToken {
				switch {
				case skip > 0:
					if name == skipTag {
						skip--
					}
				case a == atom.Title:
					inTitle, gotTitle = false, gotTitle || title != ""
				case a == atom.Pre:
					pre = max(pre-1, 0)
				case blockTags[a]:
					p.paragraphBreak()
				}
				continue
			}
			selfClosing := tt == html.SelfClosingTagToken
			switch {
			case skip > 0:
				if name == skipTag && !selfClosing {
					skip++
				}
			case skippedTags[name]:
				if !selfClosing {
					skipTag, skip = name, 1
				}
			case a == atom.Title:
				inTitle = !selfClosing
			case a == atom.Br:
				p.lineBreak()
			case a == atom.Td || a == atom.Th:
				p.space()
			case blockTags[a]:
				p.paragraphBreak()
				if a == atom.Pre && !selfClosing {
					pre++
				}
			}
		}
	}
}

// skippedTags are elements whose content is not article text: code,
// styling, and the page furniture around an article.
var skippedTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"nav": true, "header": true, "footer": true, "aside": true,
	"svg": true, "math": true, "iframe": true, "object": true,
	"select": true, "button": true,
}

// blockTags are elements that start and end a paragraph.
var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Blockquote: true, atom.Body: true,
	atom.Caption: true, atom.Dd: true, atom.Details: true, atom.Dialog: true,
	atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true,
	atom.Figcaption: true, atom.Figure: true, atom.Form: true, atom.H1: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Hgroup: true, atom.Hr: true, atom.Html: true, atom.Legend: true,
	atom.Li: true, atom.Main: true, atom.Ol: true, atom.P: true, atom.Pre: true,
	atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tbody: true,
	atom.Tfoot: true, atom.Thead: true, atom.Tr: true, atom.Ul: true,
}

// paragraphs builds text from a stream of words and breaks: words joined by
// single spaces, a pending line or paragraph break written only before the
// next word, so the result has no leading, trailing or doubled breaks.
type paragraphs struct {
	b     strings.Builder
	brk   int  // pending break: 0 none, 1 "\n", 2 "\n\n"
	spc   bool // pending space between words on a line
	begun bool // something has been written
}

func (p *paragraphs) space()          { p.spc = true }
func (p *paragraphs) lineBreak()      { p.brk = max(p.brk, 1) }
func (p *paragraphs) paragraphBreak() { p.brk = 2 }

func (p *paragraphs) String() string { return p.b.String() }

// emit writes s after whatever separator is pending.
func (p *paragraphs) emit(s string) {
	if p.begun {
		switch {
		case p.brk == 2:
			p.b.WriteString("\n\n")
		case p.brk == 1:
			p.b.WriteString("\n")
		case p.spc:
			p.b.WriteByte(' ')
		}
	}
	p.b.WriteString(s)
	p.begun, p.brk, p.spc = true, 0, false
}

// text adds the content of a text node. Outside <pre>, runs of HTML white
// space become one space; inside, lines are kept as they are.
func (p *paragraphs) text(s string, pre bool) {
	if pre {
		for i, line := range strings.Split(normalizeNewlines(s), "\n") {
			if i > 0 {
				p.lineBreak()
			}
			if strings.TrimSpace(line) != "" {
				p.emit(line)
			}
		}
		return
	}
	if s != "" && isHTMLSpace(rune(s[0])) {
		p.space()
	}
	for _, w := range strings.FieldsFunc(s, isHTMLSpace) {
		p.emit(w)
		p.spc = true
	}
	p.spc = p.spc && (s == "" || isHTMLSpace(rune(s[len(s)-1])))
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
}

// collapseSpace turns runs of white space into single spaces.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// dropEmbedded removes from the body the elements that hold no article
// text but code or another document: <script> (not JSON-LD metadata),
// <noscript>, <iframe>, <style>, <template>. go-trafilatura drops the rest
// of a paragraph that holds one ("the toll rose to <script>...</script>
// 164 on Friday" lost its 164), so they go before it sees the page.
func dropEmbedded(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && embedded(c) {
			n.RemoveChild(c)
		} else {
			dropEmbedded(c)
		}
		c = next
	}
}

func embedded(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Noscript, atom.Iframe, atom.Style, atom.Template:
		return inBody(n)
	case atom.Script:
		for _, a := range n.Attr {
			if a.Key == "type" && strings.EqualFold(strings.TrimSpace(a.Val), "application/ld+json") {
				return false
			}
		}
		return inBody(n)
	}
	return false
}

// inBody reports whether n is inside <body>: the head's scripts and
// styles are metadata trafilatura may read.
func inBody(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Body {
			return true
		}
	}
	return false
}
