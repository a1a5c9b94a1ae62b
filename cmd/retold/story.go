package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/verify"
)

// storyJSON is the schema of `retold story --json`. The keys are stable;
// new ones may be added.
//
//	{"id", "event", "first_seen",
//	 "original": the id of the probable original ("" when none is known),
//	 "versions": [{"id", "seq", "date", "outlet", "title", "url",
//	               "original": true for the original,
//	               "changes": null for the original, else explain.Changes:
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
type storyJSON struct {
	ID        string             `json:"id"`
	Event     string             `json:"event"`
	FirstSeen string             `json:"first_seen"`
	Original  string             `json:"original"`
	Versions  []storyVersionJSON `json:"versions"`
}

type storyVersionJSON struct {
	ID       string           `json:"id"`
	Seq      int64            `json:"seq"`
	Date     string           `json:"date"`
	Outlet   string           `json:"outlet"`
	Title    string           `json:"title"`
	URL      string           `json:"url"`
	Original bool             `json:"original"`
	Changes  *explain.Changes `json:"changes"`
}

func runStory(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "story", "story [--db FILE] [--json] [--html FILE] ID")
	db := fs.String("db", "retold.db", "the index `FILE`")
	asJSON := fs.Bool("json", false, "print JSON (schema in cmd/retold/story.go)")
	htmlOut := fs.String("html", "", "also write a self-contained HTML page of the story to `FILE`")
	width := fs.Int("width", 100, "terminal width for the report")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("give one story ID (see retold stories)")
	}
	st, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	var s retold.Story
	var docs []retold.StoredDocument
	err = st.View(ctx, func(tx retold.ReadTx) error {
		var err error
		if s, err = tx.Story(pos[0]); err != nil {
			return fmt.Errorf("story %s: %w", pos[0], err)
		}
		docs, err = tx.StoryDocuments(s.ID)
		return err
	})
	if err != nil {
		return err
	}
	// The comparisons run after the read transaction: they take a few
	// milliseconds a version and need nothing more from the store.
	docs = timeline(docs)
	story, seqs := storyReport(s, docs, verify.New(nil))
	if *htmlOut != "" {
		if err := writeFileAtomic(*htmlOut, func(w io.Writer) error { return explain.StoryHTML(w, story) }); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, storyJSONOf(story, seqs))
	}
	color := e.stdoutIsTerminal && e.getenv("NO_COLOR") == ""
	return explain.StoryText(e.stdout, story, *width, color)
}

// storyReport is the story with each version compared against the
// original, and the versions' Seq numbers in the same order. A story
// whose original is not among its documents (the store promises it is)
// is shown without changes rather than refused.
func storyReport(s retold.Story, docs []retold.StoredDocument, c *verify.Comparer) (*explain.Story, []int64) {
	out := &explain.Story{ID: s.ID, Event: s.Event, FirstSeen: s.FirstSeen}
	seqs := make([]int64, len(docs))
	orig := slices.IndexFunc(docs, func(d retold.StoredDocument) bool { return d.Seq == s.Original })
	for i, d := range docs {
		v := explain.StoryVersion{Doc: d.Document, Original: i == orig}
		if orig >= 0 && i != orig {
			v.Result = c.Compare(docs[orig].Document, d.Document)
		}
		out.Versions = append(out.Versions, v)
		seqs[i] = d.Seq
	}
	return out, seqs
}

func storyJSONOf(s *explain.Story, seqs []int64) storyJSON {
	out := storyJSON{ID: s.ID, Event: s.Event, FirstSeen: s.FirstSeen, Versions: []storyVersionJSON{}}
	for i, v := range s.Versions {
		if v.Original {
			out.Original = v.Doc.ID
		}
		out.Versions = append(out.Versions, storyVersionJSON{
			ID: v.Doc.ID, Seq: seqs[i], Date: v.Doc.Date, Outlet: v.Doc.Outlet, Title: v.Doc.Title, URL: v.Doc.URL,
			Original: v.Original, Changes: explain.Summarize(v.Result),
		})
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
