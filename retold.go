package retold

import (
	"errors"
	"fmt"
	"hash/fnv"
	"unicode/utf8"
)

// Document is one text as it came in: a news article, a wire copy, a
// translation. Text is the article body; offsets reported anywhere in retold
// are byte offsets into Text.
type Document struct {
	ID     string `json:"id"`
	Title  string `json:"title,omitempty"`
	Text   string `json:"text"`
	URL    string `json:"url,omitempty"`
	Outlet string `json:"outlet,omitempty"`
	Date   string `json:"date,omitempty"` // RFC 3339 or YYYY-MM-DD, as given
	Lang   string `json:"lang,omitempty"`
}

// Verdict is what retold says about two documents. The verdicts are ordered
// from closest to farthest; see DESIGN.md for their definitions.
type Verdict string

// The verdicts, from closest to farthest.
const (
	Duplicate     Verdict = "duplicate"
	NearDuplicate Verdict = "near-duplicate"
	Version       Verdict = "version"
	SameEvent     Verdict = "same-event"
	Unrelated     Verdict = "unrelated"
)

// Verdicts lists every verdict from closest to farthest.
var Verdicts = []Verdict{Duplicate, NearDuplicate, Version, SameEvent, Unrelated}

// Rank is the verdict's position in Verdicts: 0 for Duplicate, 4 for
// Unrelated, and 5 for a value that is not a verdict.
func (v Verdict) Rank() int {
	for i, w := range Verdicts {
		if v == w {
			return i
		}
	}
	return len(Verdicts)
}

// AtLeast reports whether v is as close as w or closer: Duplicate.AtLeast(Version)
// is true, SameEvent.AtLeast(Version) is false.
func (v Verdict) AtLeast(w Verdict) bool { return v.Rank() <= w.Rank() }

// SameStory reports whether the verdict puts both documents in one story
// (duplicate, near-duplicate or version).
func (v Verdict) SameStory() bool { return v.AtLeast(Version) }

// ParseVerdict turns a verdict's name back into a Verdict.
func ParseVerdict(s string) (Verdict, error) {
	v := Verdict(s)
	if v.Rank() == len(Verdicts) {
		return "", fmt.Errorf("%w: %q", ErrUnknownVerdict, s)
	}
	return v, nil
}

// MaxIDBytes is the longest document id retold takes: a record whose own
// id is longer is refused as ErrFormat, and an id made from a URL or a
// path is shortened to fit (ShortID). An index's key on the id must hold
// it (PostgreSQL's B-tree entries are at most about 2.7 KB).
const MaxIDBytes = 2048

// ShortID is id if it is at most MaxIDBytes long, else its start and a
// hash of the whole, which keep two long ids apart: for ids made from a
// URL, a feed entry's GUID or a path.
func ShortID(id string) string {
	if len(id) <= MaxIDBytes {
		return id
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	tail := fmt.Sprintf("#%016x", h.Sum64())
	cut := MaxIDBytes - len(tail)
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return id[:cut] + tail
}

// Errors callers branch on. Readers wrap them with the file (and line) at fault.
var (
	ErrUnknownVerdict = errors.New("unknown verdict")
	// ErrEmpty: the input holds no text (empty or whitespace only).
	ErrEmpty = errors.New("no text")
	// ErrBinary: the input looks like a binary file, not text.
	ErrBinary = errors.New("binary data, not text")
	// ErrInvalidUTF8: the input is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrTooLarge: the input, or one line of it, is larger than retold accepts.
	ErrTooLarge = errors.New("input too large")
	// ErrFormat: the input is not in the format it claims (bad JSON, a JSON
	// record without a "text" field).
	ErrFormat = errors.New("bad input format")
)
