package explain

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	retold "github.com/retold/retold"
)

//go:embed event.tmpl
var eventSource string

// eventPage is parsed once and never changed after; see page.
var eventPage = template.Must(template.New("event.tmpl").Funcs(template.FuncMap{
	"reportCSS": func() template.CSS { return template.CSS(StyleSheet) },
}).Parse(eventSource))

// EventLinks are the addresses an event page links to besides the
// documents' own URLs. The zero value, for the self-contained page, has
// none; a site that serves events sets those it has.
type EventLinks struct {
	// JSON is the event's JSON.
	JSON string
	// Story is the address of a story's page; its versions link to
	// "#v1", "#v2"... of it, the story page's sections.
	Story func(id string) string
}

// EventHTML writes the event report as one self-contained HTML page: the
// headline and counts, the key facts with how they changed, the timeline
// chart (TimelineSVG), and each story, oldest first, with its versions
// and copies. Inline CSS, no scripts, no external resources; every text
// is escaped. The only addresses on the page are the documents' own
// URLs and the page's own anchors.
func EventHTML(w io.Writer, e *Event) error {
	if e == nil {
		return ErrNoResult
	}
	d, err := newEventData(e, EventLinks{})
	if err != nil {
		return err
	}
	return renderTemplate(w, eventPage, "event-page", d, "event page")
}

// EventFragment is the body of EventHTML's page, with the links given,
// for a site to put inside its own page. Its classes are StyleSheet's.
func EventFragment(e *Event, links EventLinks) (template.HTML, error) {
	if e == nil {
		return "", ErrNoResult
	}
	d, err := newEventData(e, links)
	if err != nil {
		return "", err
	}
	return fragmentOf(eventPage, "event", d, "event")
}

// eventData is what event.tmpl shows; all of it is text the template
// escapes but Chart, which the template rendered already.
type eventData struct {
	ID, Headline, Counts, RanIn, Span, JSON string
	Facts                                   []Fact
	Chart                                   template.HTML
	Stories                                 []eventStoryView
}

type eventStoryView struct {
	N                                    int
	Anchor, ID, FirstSeen, URL, Headline string
	Counts, RanIn                        string
	Versions                             []eventVersionView
}

type eventVersionView struct {
	Doc      retold.Document
	Headline string
	Original bool
	Copies   []retold.Copy
	// URL is the version's section on its story's page, "" without one.
	URL string
}

func newEventData(e *Event, links EventLinks) (eventData, error) {
	chart, err := TimelineSVG(e)
	if err != nil {
		return eventData{}, err
	}
	d := eventData{ID: e.ID, Headline: e.Headline, RanIn: eventRanIn(e), Span: e.span(), JSON: links.JSON,
		Facts: e.Facts, Chart: chart,
		Counts: plural(len(e.Stories), "story", "stories") + " · " + plural(e.versions(), "version", "versions")}
	for i, s := range e.Stories {
		sv := eventStoryView{N: i + 1, Anchor: storyAnchor(i), ID: s.ID, FirstSeen: s.FirstSeen, Headline: s.headline(),
			Counts: plural(len(s.Versions), "version", "versions"), RanIn: ranIn(s)}
		if links.Story != nil {
			sv.URL = links.Story(s.ID)
		}
		for j, v := range s.Versions {
			vv := eventVersionView{Doc: v.Doc, Headline: Headline(v.Doc), Original: v.Original, Copies: v.Copies}
			if sv.URL != "" {
				vv.URL = fmt.Sprintf("%s#v%d", sv.URL, j+1)
			}
			sv.Versions = append(sv.Versions, vv)
		}
		d.Stories = append(d.Stories, sv)
	}
	return d, nil
}
