package explain

import (
	"errors"
	"slices"
	"strings"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// StoryJSON is the schema of `retold story --json` and of the story API. The keys are stable;
// new ones may be added.
//
//	{"id", "event", "first_seen",
//	 "original": the id of the probable original ("" when none is known),
//	 "outlets": [every outlet that ran a version or a copy], "copies": how many copies,
//	 "versions": [{"id", "seq", "date", "outlet", "title", "url",
//	               "original": true for the original,
//	               "copies": [{"id", "date", "outlet", "title", "url"}: records that ran this text unchanged],
//	               "changes": null for the original, else Changes:
//	                 {"verdict", "score", "aligned": count of aligned sentence pairs,
//	                  "added": [sentence texts only in the version],
//	                  "dropped": [sentence texts only in the original],
//	                  "numbers": {"changed": [{"a": number item, "b": number item}],
//	                              "only_in_original": [number item], "only_in_version": [number item]},
//	                  "entities": {"variants": [{"a", "b", "key"}]}}}]}
//
// The versions are in timeline order (see timeline). Number items and
// variants are those of `retold compare --json`, with the original as a
// and the version as b; each number item has its own "context".
type StoryJSON struct {
	ID        string             `json:"id"`
	Event     string             `json:"event"`
	FirstSeen string             `json:"first_seen"`
	Original  string             `json:"original"`
	Outlets   []string           `json:"outlets"` // every outlet that ran a version or a copy
	Copies    int                `json:"copies"`  // how many copies: texts run unchanged under another id
	Versions  []StoryVersionJSON `json:"versions"`
}

// CopyJSON is one record that ran a version's text unchanged.
type CopyJSON struct {
	ID     string `json:"id"`
	Date   string `json:"date"`
	Outlet string `json:"outlet"`
	Title  string `json:"title"`
	URL    string `json:"url"`
}

// StoryVersionJSON is one version in StoryJSON.
type StoryVersionJSON struct {
	ID       string     `json:"id"`
	Seq      int64      `json:"seq"`
	Date     string     `json:"date"`
	Outlet   string     `json:"outlet"`
	Title    string     `json:"title"`
	URL      string     `json:"url"`
	Original bool       `json:"original"`
	Copies   []CopyJSON `json:"copies"`
	Changes  *Changes   `json:"changes"`
}

// BuildStory is the story s of a store, its documents docs (in the
// store's order) with their copies put on the timeline and each compared with the original
// by c; a nil c compares nothing (the event report lists versions
// without their changes). A story whose original is not among its
// documents (the store promises it is) is shown without changes rather
// than refused.
func BuildStory(s retold.Story, docs []retold.StoredDocument, copies []retold.Copy, c *verify.Comparer) *Story {
	docs = timeline(docs)
	out := &Story{ID: s.ID, Event: s.Event, FirstSeen: s.FirstSeen, Outlets: s.Outlets, Copies: s.Copies}
	orig := slices.IndexFunc(docs, func(d retold.StoredDocument) bool { return d.Seq == s.Original })
	for i, d := range docs {
		v := StoryVersion{Doc: d.Document, Seq: d.Seq, Version: d.Version, Original: i == orig}
		for _, cp := range copies {
			if cp.Seq == d.Seq {
				v.Copies = append(v.Copies, cp)
			}
		}
		if c != nil && orig >= 0 && i != orig {
			v.Result = c.Compare(docs[orig].Document, d.Document)
		}
		out.Versions = append(out.Versions, v)
	}
	return out
}

// JSON is the story in its JSON form.
func (s *Story) JSON() StoryJSON {
	out := StoryJSON{ID: s.ID, Event: s.Event, FirstSeen: s.FirstSeen, Outlets: append([]string{}, s.Outlets...), Copies: s.Copies, Versions: []StoryVersionJSON{}}
	for _, v := range s.Versions {
		if v.Original {
			out.Original = v.Doc.ID
		}
		vj := StoryVersionJSON{
			ID: v.Doc.ID, Seq: v.Seq, Date: v.Doc.Date, Outlet: v.Doc.Outlet, Title: v.Doc.Title, URL: v.Doc.URL,
			Original: v.Original, Copies: []CopyJSON{}, Changes: Summarize(v.Result),
		}
		for _, c := range v.Copies {
			vj.Copies = append(vj.Copies, CopyJSON{ID: c.ID, Date: c.Date, Outlet: c.Outlet, Title: c.Title, URL: c.URL})
		}
		out.Versions = append(out.Versions, vj)
	}
	return out
}

// timeline orders a story's documents for the report: those with a date
// (RFC 3339, or starting YYYY-MM-DD) by that date, oldest first, then
// those without one. Documents on the same date, and the undated ones,
// keep the order they came in (the store's, by Seq), so the same store
// always gives the same order.
func timeline(docs []retold.StoredDocument) []retold.StoredDocument {
	type dated struct {
		d  retold.StoredDocument
		t  time.Time
		ok bool
	}
	ds := make([]dated, len(docs))
	for i, d := range docs {
		t, ok := parseDate(d.Date)
		ds[i] = dated{d, t, ok}
	}
	slices.SortStableFunc(ds, func(a, b dated) int {
		switch {
		case a.ok && b.ok:
			return a.t.Compare(b.t)
		case a.ok:
			return -1
		case b.ok:
			return 1
		}
		return 0
	})
	out := make([]retold.StoredDocument, len(ds))
	for i, d := range ds {
		out[i] = d.d
	}
	return out
}

// parseDate reads a document date: RFC 3339, or a value whose first ten
// characters are a YYYY-MM-DD day (taken as midnight UTC).
func parseDate(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// StorySummary is one story in a listing: `retold stories --json` and the
// stories API.
type StorySummary struct {
	ID        string   `json:"id"`
	Event     string   `json:"event"`
	Size      int      `json:"size"`
	FirstSeen string   `json:"first_seen"`
	Outlets   []string `json:"outlets"` // every outlet that ran a version or a copy
	Copies    int      `json:"copies"`  // texts run unchanged under another id, besides the Size versions
	// Original is the id of the probable original, Title its title (or
	// for a text without one its first line: see DisplayTitle).
	Original string `json:"original"`
	Title    string `json:"title"`
}

// Summaries lists the stories q selects, newest first, with their
// originals' ids and titles; an empty list is [], never nil.
func Summaries(tx retold.ReadTx, q retold.StoryQuery) ([]StorySummary, error) {
	ss, err := tx.Stories(q)
	if err != nil {
		return nil, err
	}
	out := []StorySummary{}
	for _, st := range ss {
		sum := StorySummary{ID: st.ID, Event: st.Event, Size: st.Size, Copies: st.Copies, FirstSeen: st.FirstSeen, Outlets: append([]string{}, st.Outlets...)}
		if d, err := tx.Document(st.Original); err == nil {
			sum.Original, sum.Title = d.ID, DisplayTitle(d.Document)
		} else if !errors.Is(err, retold.ErrNotFound) {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// DisplayTitle is a document's title, or for a text without one (plain
// text has none) its first line, cut at a word near 100 characters.
func DisplayTitle(d retold.Document) string {
	if d.Title != "" {
		return d.Title
	}
	line, _, _ := strings.Cut(strings.TrimSpace(d.Text), "\n")
	if r := []rune(line); len(r) > 100 {
		cut := string(r[:100])
		if i := strings.LastIndexByte(cut, ' '); i > 60 {
			cut = cut[:i]
		}
		line = cut + "…"
	}
	return line
}
