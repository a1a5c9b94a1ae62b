package extract

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/retold/retold"
)

// This file turns a WARC response into an article page: the HTTP body
// decoded and extracted, and the checks that it holds an article.

// page turns the raw body of an HTTP 200 response into a Document. ok is
// false, with no error, for a body without a Content-Type that does not
// sniff as HTML. An error is the record's: the caller reports it.
func (r *WARCReader) page(h warcHeader, hh httpHead, known bool, body []byte) (retold.Document, bool, error) {
	body, err := decodeHTTPBody(body, hh, r.opt.MaxRecord)
	if err != nil {
		return retold.Document{}, false, h.about(err)
	}
	if !known && !sniffHTML(body) {
		return retold.Document{}, false, nil
	}
	body = decodeHTTPCharset(body, contentTypeCharset(hh.contentType))
	doc, err := parsePage(h.target, body, max(r.opt.MaxRecord, int64(len(body))))
	if err != nil {
		return retold.Document{}, false, err
	}
	if why := notArticle(doc); why != "" {
		return retold.Document{}, false, h.about(fmt.Errorf("%w: not an article: %s", retold.ErrEmpty, why))
	}
	doc.ID = retold.ShortID(h.target)
	if doc.URL == "" {
		doc.URL = h.target // trafilatura keeps only an absolute canonical URL
	}
	if doc.Date == "" {
		doc.Date = warcDay(h.date)
	}
	return doc, true, nil
}

// parsePage hands an HTML page to Parse. Parse picks the format from the
// name and the first bytes, but here the HTTP Content-Type has decided
// it: a page that opens with text (a PHP warning before <!DOCTYPE>, say)
// must not become plain text, markup and all, nor a URI ending in .json
// a JSON record. So Parse gets a name ending in .html, which forces HTML,
// and its errors, which start with that name, get the page's URI instead.
func parsePage(uri string, body []byte, maxBytes int64) (retold.Document, error) {
	doc, err := Parse(warcPageName, body, &Options{MaxBytes: maxBytes})
	if err != nil {
		return retold.Document{}, &pageError{uri, err}
	}
	return doc, nil
}

// minPageWords is the fewest words a page's text must have, besides its
// title, to be taken as an article. Parse takes any visible text when it
// finds no article, and trafilatura's own fallback starts the text with
// the <title>: an image gallery or a login form comes out as its title
// and a few words of navigation. Ten words is far below any article on
// the web (a short brief has thirty) and above such leftovers.
const minPageWords = 10

// minSentenceWords is how many words the one sentence an article must
// have needs: a home page's text is a run of link labels ("World Sport
// About us") that never ends in a full stop.
const minSentenceWords = 5

// notArticle says why doc, parsed from an HTML page, is not an article,
// or "" when it is one: fewer than minPageWords words besides its title,
// or no sentence of minSentenceWords words ending in . ! or ?.
func notArticle(doc retold.Document) string {
	text := collapseSpace(doc.Text)
	if t := collapseSpace(doc.Title); t != "" {
		text = strings.TrimPrefix(text, t)
	}
	if n := len(strings.Fields(text)); n < minPageWords {
		return fmt.Sprintf("%d words of text besides the title, fewer than %d", n, minPageWords)
	}
	if !hasSentence(doc.Text) {
		return fmt.Sprintf("no sentence of %d words or more ends in a full stop, question or exclamation mark", minSentenceWords)
	}
	return ""
}

// hasSentence reports whether text holds minSentenceWords words in a row,
// within one line, followed by sentence-ending punctuation.
func hasSentence(text string) bool {
	words, inWord := 0, false
	for _, r := range text {
		switch {
		case r == '.' || r == '!' || r == '?' || r == '\u3002':
			if words >= minSentenceWords {
				return true
			}
			words, inWord = 0, false
		case r == '\n':
			words, inWord = 0, false
		case unicode.IsSpace(r):
			inWord = false
		default:
			if !inWord {
				words++
			}
			inWord = true
		}
	}
	return false
}

// pageError is an error of Parse about the page at uri.
type pageError struct {
	uri string
	err error
}

func (e *pageError) Error() string {
	return e.uri + ": " + strings.TrimPrefix(e.err.Error(), warcPageName+": ")
}

func (e *pageError) Unwrap() error { return e.err }

// warcDay is the date part of a WARC-Date (an ISO 8601 UTC timestamp such
// as 2024-03-05T14:07:00Z), or "" if it has none.
func warcDay(s string) string {
	if len(s) < len(time.DateOnly) {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, s[:len(time.DateOnly)]); err != nil {
		return ""
	}
	return s[:len(time.DateOnly)]
}
