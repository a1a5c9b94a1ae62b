package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"

	"github.com/retold/retold"
)

// Reading news feeds
//
// A feed (RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed, told apart by
// github.com/mmcdole/gofeed) is read whole: feeds are small, and a parser
// that gave up halfway would leave entries unreported either way. Each
// entry becomes one Document:
//
//   - Text: the entry's full content (content:encoded, Atom content),
//     else its summary (description, Atom summary), as visible text with
//     paragraphs kept, through the same HTML text extraction as pages
//     (visibleText): no markup survives, entities are decoded.
//   - ID: the entry's GUID (Atom id), else its link, else "NAME#N";
//     URL: its link; Title: its title as text (markup taken out, white
//     space collapsed); Date: its
//     publication (else update) time, in UTC as pages give it (RFC 3339,
//     or YYYY-MM-DD for a date without a time); Outlet: the feed's
//     title; Lang: the feed's language.
//
// An entry without text is a *RecordError (ErrEmpty) with Line the
// entry's number, and the others are still returned. A feed whose XML
// breaks keeps the entries before the break, and the break is a
// *RecordError (ErrFormat). A document that is not a feed, or breaks
// before its first entry, is an error naming the file, and so is one
// larger than MaxBytes (after decompression: a .rss.gz is read through
// gunzip).

// DefaultFeedMaxBytes is the largest feed ReadFeed reads when
// FeedOptions.MaxBytes is zero.
const DefaultFeedMaxBytes = 32 << 20

// FeedOptions tune ReadFeed. A nil *FeedOptions means the defaults.
type FeedOptions struct {
	// MaxBytes is the largest feed accepted, in bytes; 0 means
	// DefaultFeedMaxBytes.
	MaxBytes int64
}

// ReadFeed parses the feed in r, named name in errors, and returns a
// Record per entry with text (Record.Line is the entry's 1-based number,
// Raw is nil) and a *RecordError per entry without. err is set when the
// input is not a readable feed at all; then there are no records.
func ReadFeed(name string, r io.Reader, opt *FeedOptions) (recs []Record, bad []error, errOut error) {
	max := int64(DefaultFeedMaxBytes)
	if opt != nil && opt.MaxBytes > 0 {
		max = opt.MaxBytes
	}
	// A gzipped feed (.rss.gz) is read through gunzip, its size bounded
	// after decompression.
	src, zr, _, err := sniffGzip(name, r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if zr != nil {
		defer zr.Close()
	}
	data, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	if int64(len(data)) > max {
		return nil, nil, fmt.Errorf("%s: %w: a feed larger than %d bytes", name, retold.ErrTooLarge, max)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, fmt.Errorf("%s: %w: empty file", name, retold.ErrEmpty)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, nil, fmt.Errorf("%s: %w: not an RSS, Atom or JSON feed", name, retold.ErrFormat)
		}
		// The entries before the break are kept: the feed is cut after
		// its last complete entry and closed again.
		whole, ok := salvageFeed(data)
		if !ok {
			return nil, nil, fmt.Errorf("%s: %w: broken feed: %v", name, retold.ErrFormat, err)
		}
		if feed, ok = parseFeed(whole); !ok || len(feed.Items) == 0 {
			return nil, nil, fmt.Errorf("%s: %w: broken feed: %v", name, retold.ErrFormat, err)
		}
		defer func() {
			// Nothing readable before the break: the feed is broken as
			// a whole.
			if len(recs) == 0 && errOut == nil {
				recs, bad, errOut = nil, nil, fmt.Errorf("%s: %w: broken feed: %v", name, retold.ErrFormat, err)
			}
		}()
		bad = append(bad, &RecordError{Name: name, Line: len(feed.Items) + 1,
			Err: fmt.Errorf("%w: the feed breaks after entry %d (%v); the entries before it are kept", retold.ErrFormat, len(feed.Items), err)})
	}
	for i, it := range feed.Items {
		n := i + 1
		body := it.Content
		if strings.TrimSpace(body) == "" {
			body = it.Description
		}
		text, _ := visibleText([]byte(body))
		text = normalizeNewlines(strings.TrimSpace(text))
		if text == "" {
			bad = append(bad, &RecordError{Name: name, Line: n, Err: fmt.Errorf("%w: entry %q has no content or summary", retold.ErrEmpty, it.Title)})
			continue
		}
		id := it.GUID
		if id == "" {
			id = it.Link
		}
		if id == "" {
			id = name + "#" + strconv.Itoa(n)
		}
		d := retold.Document{ID: retold.ShortID(id), Title: feedTitle(it.Title), Text: text, URL: it.Link, Outlet: collapseSpace(feed.Title), Lang: feed.Language}
		if t := it.PublishedParsed; t != nil {
			d.Date = formatDate(*t)
		} else if t := it.UpdatedParsed; t != nil {
			d.Date = formatDate(*t)
		}
		recs = append(recs, Record{Doc: d, Name: name, Line: n})
	}
	return recs, bad, nil
}

// feedTitle is an entry title as text: Atom titles may be HTML
// (type="html"), and RSS titles often carry markup too; when taking the
// markup out leaves nothing, the title is kept as written.
func feedTitle(s string) string {
	if t, _ := visibleText([]byte(s)); strings.TrimSpace(t) != "" {
		return collapseSpace(t)
	}
	return collapseSpace(s)
}

// ReadFeedFile is ReadFeed on the file at path.
func ReadFeedFile(path string, opt *FeedOptions) ([]Record, []error, error) {
	f, _, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return ReadFeed(path, f, opt)
}

// parseFeed parses data as a feed.
func parseFeed(data []byte) (*gofeed.Feed, bool) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	return f, err == nil
}

// salvageFeed cuts an XML feed after its last complete entry (</item> or
// </entry>) and closes its root (RSS 2.0 <channel> and <rss>, RSS 1.0
// <rdf:RDF>, Atom <feed>), so the entries before a break can be read.
func salvageFeed(data []byte) ([]byte, bool) {
	end := -1
	for _, tag := range []string{"</item>", "</entry>"} {
		if i := bytes.LastIndex(data, []byte(tag)); i >= 0 {
			end = max(end, i+len(tag))
		}
	}
	if end < 0 {
		return nil, false
	}
	var closing string
	switch {
	case bytes.Contains(data[:min(len(data), 4096)], []byte("<feed")):
		closing = "</feed>"
	case bytes.Contains(data[:min(len(data), 4096)], []byte("<rdf:RDF")):
		closing = "</rdf:RDF>"
	default:
		closing = "</channel></rss>"
	}
	out := make([]byte, 0, end+len(closing))
	return append(append(out, data[:end]...), closing...), true
}
