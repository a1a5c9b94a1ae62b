package explain

import (
	"fmt"
	"io"
	"strings"

	retold "github.com/retold/retold"
)

// The event report: the stories that report one happening, oldest first,
// each with its versions and the copies of them on its own timeline; a
// chart of when each story, version and copy appeared (TimelineSVG); and
// the key facts of the event with how they changed (KeyFacts). EventText
// writes it for a terminal, EventHTML as a page, Event.JSON as `retold
// event --json` and the event API, all from the one Event that
// BuildEvent makes, so they agree.

// Event is one event as the event report shows it.
type Event struct {
	ID string
	// Headline is the headline of the probable original of the event's
	// earliest story, Original that document's id ("" when unknown).
	Headline, Original string
	// FirstSeen and LastSeen are the earliest and latest first-seen
	// dates of its stories.
	FirstSeen, LastSeen string
	// Size counts the documents (texts) of all its stories, Copies the
	// copies of them, Outlets the distinct outlets of both.
	Size, Copies int
	Outlets      []string
	// Stories are the event's stories, oldest first (by first seen, then
	// ID), each with its versions in timeline order and without their
	// changes: the story report has those.
	Stories []*Story
	// Facts are the event's key facts (KeyFacts).
	Facts []Fact
}

// BuildEvent is the event e of a store with its stories (oldest first, as
// ReadTx.EventStories gives them), its documents (ReadTx.EventDocuments)
// and the copies of them (ReadTx.StoryCopies of each story). Documents
// and copies of a story not in stories are left out.
func BuildEvent(e retold.Event, stories []retold.Story, docs []retold.StoredDocument, copies []retold.Copy) *Event {
	out := &Event{ID: e.ID, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen, Size: e.Size, Copies: e.Copies,
		Outlets: e.Outlets, Headline: e.ID}
	byStory := map[string][]retold.StoredDocument{}
	storyOf := map[int64]string{}
	for _, d := range docs {
		byStory[d.Story] = append(byStory[d.Story], d)
		storyOf[d.Seq] = d.Story
		if d.Seq == e.Original {
			out.Headline, out.Original = Headline(d.Document), d.ID
		}
	}
	copiesOf := map[string][]retold.Copy{}
	for _, c := range copies {
		if s, ok := storyOf[c.Seq]; ok {
			copiesOf[s] = append(copiesOf[s], c)
		}
	}
	var kept []retold.StoredDocument
	var keptCopies []retold.Copy
	for _, s := range stories {
		out.Stories = append(out.Stories, BuildStory(s, byStory[s.ID], copiesOf[s.ID], nil))
		kept = append(kept, byStory[s.ID]...)
		keptCopies = append(keptCopies, copiesOf[s.ID]...)
	}
	if out.Original == "" && len(out.Stories) > 0 {
		// The store names the earliest story's original; without it, that
		// story's own headline names the event.
		out.Headline = out.Stories[0].headline()
	}
	out.Facts = KeyFacts(kept, keptCopies)
	return out
}

// versions counts the versions of the event's stories shown.
func (e *Event) versions() int {
	n := 0
	for _, s := range e.Stories {
		n += len(s.Versions)
	}
	return n
}

// span is "2031-04-02 to 2031-04-05 18:30" (see shortDate), or the one
// date when both are the same.
func (e *Event) span() string {
	first, last := shortDate(e.FirstSeen), shortDate(e.LastSeen)
	if last == "" || last == first {
		return first
	}
	return first + " to " + last
}

// eventRanIn is ranIn for the whole event: its outlets and copies.
func eventRanIn(e *Event) string {
	all := &Story{Outlets: e.Outlets, Copies: e.Copies}
	for _, s := range e.Stories {
		all.Versions = append(all.Versions, s.Versions...)
	}
	return ranIn(all)
}

// plural is "1 story", "3 stories": n and the word for one or many.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// EventText writes the event report for a terminal: the header (id and
// headline, then counts and dates), the key facts, one line each with
// the values in the order they appeared and where each first did, then
// each story, oldest first, with its versions and copies as StoryText
// lists them. cols and color are Text's width and color.
func EventText(w io.Writer, e *Event, cols int, color bool) error {
	if e == nil {
		return ErrNoResult
	}
	p := &report{width: clampWidth(cols), color: color}
	p.line(p.paint(bold, "event "+clean(e.ID)) + ": " + clean(e.Headline))
	p.line(fmt.Sprintf("%s, %s, %s, %s", plural(len(e.Stories), "story", "stories"),
		plural(e.versions(), "version", "versions"), eventRanIn(e), clean(e.span())))
	p.line("")
	p.line(p.paint(bold, fmt.Sprintf("Key facts (%d)", len(e.Facts))))
	if len(e.Facts) == 0 {
		p.line("  " + p.paint(dim, "(no fact reported by two documents)"))
	}
	// The labels in a column as wide as the longest, up to maxLabel;
	// a longer one is cut.
	const maxLabel = 16
	label := 0
	for _, f := range e.Facts {
		label = max(label, min(width(clean(f.Label())), maxLabel))
	}
	label += 2
	for _, f := range e.Facts {
		var vals []string
		for _, v := range f.Values {
			vals = append(vals, v.Shown()+" ("+v.Where()+")")
		}
		style := ""
		if f.Changed() {
			style = yellow
		}
		p.text(2+label, lead{Margin: 2, Label: truncate(f.Label(), maxLabel)}, strings.Join(vals, " -> ")+", "+f.reported(), style)
	}
	for _, s := range e.Stories {
		p.line("")
		p.line(p.paint(bold, "story "+clean(s.ID)) + fmt.Sprintf(", %s, %s, first seen %s",
			plural(len(s.Versions), "version", "versions"), ranIn(s), clean(s.FirstSeen)))
		for _, v := range s.Versions {
			p.versionLine(v)
			for _, c := range v.Copies {
				p.copyLine(c)
			}
		}
	}
	if _, err := w.Write(p.buf.Bytes()); err != nil {
		return fmt.Errorf("write event report: %w", err)
	}
	return nil
}
