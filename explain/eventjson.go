package explain

import (
	"errors"
	"fmt"

	retold "github.com/retold/retold"
)

// EventJSON is the schema of `retold event --json` and of the event API.
// The keys are stable; new ones may be added.
//
//	{"id", "title": the headline of the earliest story's original, "original": its id,
//	 "first_seen", "last_seen", "size": documents, "copies", "outlets",
//	 "facts": [{"label", "role", "noun", "unit", "documents", "changed",
//	            "values": [{"value", "text", "id", "outlet", "date", "added", "documents"}]}],
//	 "stories": [StoryJSON with "title", oldest first; each version's "changes" is null]}
//
// A fact's values are in the order they first appeared (see KeyFacts);
// "date" is the document's date, or when "added" is true the time it was
// stored. The stories are the story JSON without the changes, which the
// story route has.
type EventJSON struct {
	ID        string           `json:"id"`
	Title     string           `json:"title"`
	Original  string           `json:"original"`
	FirstSeen string           `json:"first_seen"`
	LastSeen  string           `json:"last_seen"`
	Size      int              `json:"size"`
	Copies    int              `json:"copies"`
	Outlets   []string         `json:"outlets"`
	Facts     []FactJSON       `json:"facts"`
	Stories   []EventStoryJSON `json:"stories"`
}

// FactJSON is one key fact in EventJSON.
type FactJSON struct {
	Label     string          `json:"label"` // the role, else the noun
	Role      string          `json:"role"`
	Noun      string          `json:"noun"`
	Unit      string          `json:"unit"`
	Documents int             `json:"documents"`
	Changed   bool            `json:"changed"` // more than one value
	Values    []FactValueJSON `json:"values"`
}

// FactValueJSON is one value of a fact, where it first appeared.
type FactValueJSON struct {
	Value     string `json:"value"`
	Text      string `json:"text"`
	ID        string `json:"id"`
	Outlet    string `json:"outlet"`
	Date      string `json:"date"`
	Added     bool   `json:"added"`
	Documents int    `json:"documents"`
}

// EventStoryJSON is one story of an event: the story JSON, with its
// title (its original's headline).
type EventStoryJSON struct {
	StoryJSON
	Title string `json:"title"`
}

// JSON is the event in its JSON form; every list is [] when empty.
func (e *Event) JSON() EventJSON {
	out := EventJSON{ID: e.ID, Title: e.Headline, Original: e.Original, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen,
		Size: e.Size, Copies: e.Copies, Outlets: append([]string{}, e.Outlets...), Facts: []FactJSON{}, Stories: []EventStoryJSON{}}
	for _, f := range e.Facts {
		fj := FactJSON{Label: f.Label(), Role: f.Role, Noun: f.Noun, Unit: f.Unit, Documents: f.Documents,
			Changed: f.Changed(), Values: []FactValueJSON{}}
		for _, v := range f.Values {
			fj.Values = append(fj.Values, FactValueJSON{Value: v.Value, Text: v.Text, ID: v.ID, Outlet: v.Outlet,
				Date: v.Date, Added: v.Added, Documents: v.Documents})
		}
		out.Facts = append(out.Facts, fj)
	}
	for _, s := range e.Stories {
		out.Stories = append(out.Stories, EventStoryJSON{StoryJSON: s.JSON(), Title: s.headline()})
	}
	return out
}

// EventSummary is one event in a listing: `retold events --json` and the
// events API.
type EventSummary struct {
	ID        string   `json:"id"`
	Stories   int      `json:"stories"`
	Size      int      `json:"size"`   // documents (texts) across its stories
	Copies    int      `json:"copies"` // texts run unchanged under another id
	FirstSeen string   `json:"first_seen"`
	LastSeen  string   `json:"last_seen"`
	Outlets   []string `json:"outlets"` // every outlet that ran a version or a copy
	// Original is the id of the probable original of the event's
	// earliest story, Title its title (see DisplayTitle).
	Original string `json:"original"`
	Title    string `json:"title"`
}

// EventSummaries lists the events q selects, newest first, with the ids
// and titles of their earliest stories' originals; an empty list is [],
// never nil.
func EventSummaries(tx retold.ReadTx, q retold.EventQuery) ([]EventSummary, error) {
	es, err := tx.Events(q)
	if err != nil {
		return nil, err
	}
	out := []EventSummary{}
	for _, e := range es {
		sum := EventSummary{ID: e.ID, Stories: e.Stories, Size: e.Size, Copies: e.Copies, FirstSeen: e.FirstSeen,
			LastSeen: e.LastSeen, Outlets: append([]string{}, e.Outlets...)}
		if d, err := tx.Document(e.Original); err == nil {
			sum.Original, sum.Title = d.ID, DisplayTitle(d.Document)
		} else if !errors.Is(err, retold.ErrNotFound) {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// EventReads are the rows of an event that BuildEvent takes.
type EventReads struct {
	Event     retold.Event
	Stories   []retold.Story
	Documents []retold.StoredDocument
	Copies    []retold.Copy
}

// ReadEvent reads event id's rows from tx: its summary, its stories, their
// documents and their copies. It reads and builds nothing more, so a
// caller can build the report after the read transaction.
func ReadEvent(tx retold.ReadTx, id string) (EventReads, error) {
	var r EventReads
	var err error
	if r.Event, err = tx.Event(id); err != nil {
		return r, fmt.Errorf("event %s: %w", id, err)
	}
	if r.Stories, err = tx.EventStories(r.Event.ID); err != nil {
		return r, err
	}
	if r.Documents, err = tx.EventDocuments(r.Event.ID); err != nil {
		return r, err
	}
	for _, s := range r.Stories {
		cs, err := tx.StoryCopies(s.ID)
		if err != nil {
			return r, err
		}
		r.Copies = append(r.Copies, cs...)
	}
	return r, nil
}

// Build is BuildEvent of the rows.
func (r EventReads) Build() *Event { return BuildEvent(r.Event, r.Stories, r.Documents, r.Copies) }
