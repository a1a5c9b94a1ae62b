package explain

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// StyleSheet is the CSS every report of this package shares: the
// highlights, the verdict badges, the story timeline and the brief of a
// version's changes. The self-contained pages inline it; a site that
// shows StoryFragment or ChangesFragment serves it as a style sheet.
//
//go:embed report.css
var StyleSheet string

//go:embed story.tmpl
var storySource string

// storyPage is parsed once and never changed after; see page.
var storyPage = template.Must(template.New("story.tmpl").Funcs(template.FuncMap{
	"reportCSS": func() template.CSS { return template.CSS(StyleSheet) },
	"reuseText": ReuseText,
}).Parse(storySource))

// StoryLinks are the addresses a story page links to besides the
// versions' own URLs. The zero value, for the self-contained page, has
// none; a site that serves stories sets those it has.
type StoryLinks struct {
	// JSON is the story's JSON.
	JSON string
	// Event is the page of the story's event.
	Event string
	// Pick is the action of a form that picks two versions to set side
	// by side: it is sent from=SEQ&to=SEQ, the versions' store numbers.
	Pick string
	// Compare is the address of a version side by side with the
	// original, for each version but the original.
	Compare func(original, version StoryVersion) string
}

// StoryHTML writes the story report as one self-contained HTML page: the
// timeline (date, outlet, headline, the original marked), then a section
// per version with its changes against the original: the changed numbers
// with the sentences they stand in on both sides, word-diffed, the
// numbers on one side only with their sentences, the names spelled
// differently, and the added and dropped sentences, with the facts
// highlighted inside them as on the compare page. Inline CSS, no
// scripts, no external resources; every text is escaped. The only
// addresses on the page are the versions' own URLs, as links.
func StoryHTML(w io.Writer, s *Story) error {
	if s == nil {
		return ErrNoResult
	}
	return renderTemplate(w, storyPage, "page", newStoryData(s, StoryLinks{}), "story page")
}

// StoryFragment is the body of StoryHTML's page, with the links given,
// for a site to put inside its own page. Its classes are StyleSheet's.
func StoryFragment(s *Story, links StoryLinks) (template.HTML, error) {
	if s == nil {
		return "", ErrNoResult
	}
	return fragmentOf(storyPage, "story", newStoryData(s, links), "story")
}

// ChangesFragment is the brief of r's changes as the story page shows it
// for one version: the verdict and score, the reuse, the changed numbers
// in their word-diffed sentences, the numbers one side has alone, the
// names spelled differently and the sentences of one side only. a and b
// are r's documents (their texts locate the sentences), nameA and nameB
// what the brief calls them ("the original", "this version").
func ChangesFragment(r *verify.Result, a, b retold.Document, nameA, nameB string) (template.HTML, error) {
	if r == nil {
		return "", ErrNoResult
	}
	return fragmentOf(storyPage, "changes", newChangesView(r, a.Text, b.Text, nameA, nameB), "changes")
}

// renderTemplate writes template name of t for data, whole or not at
// all: a failing template writes nothing.
func renderTemplate(w io.Writer, t *template.Template, name string, data any, what string) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", what, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// fragmentOf is template name of t for data, as HTML to put in a page.
func fragmentOf(t *template.Template, name string, data any, what string) (template.HTML, error) {
	var buf bytes.Buffer
	if err := renderTemplate(&buf, t, name, data, what); err != nil {
		return "", err
	}
	// html/template escaped every text from the documents on the way.
	return template.HTML(buf.String()), nil
}

// storyData is what story.tmpl shows; all of it is text the template
// escapes.
type storyData struct {
	ID, Event, FirstSeen string
	RanIn                string // "ran in 3 outlets (2 copies)"
	Headline             string // the original's, else the first version's
	JSON, Pick           string // StoryLinks'
	EventURL             string // StoryLinks' Event
	Versions             []versionView
}

type versionView struct {
	N        int    // place on the timeline, from 1
	Anchor   string // "v1", "v2": the section's id
	Doc      retold.Document
	Seq      int64
	Version  int
	Headline string
	Label    string // date, outlet and headline, for the pick-two form
	Original bool
	Copies   []retold.Copy
	// PickTo is the version the pick-two form's second list starts on.
	PickTo bool
	// Changes and CompareURL are those against the original; nil and ""
	// for the original, and when no original is known.
	Changes    *changesView
	CompareURL string
}

// changesView is one brief of changes, with what its sides are called.
type changesView struct {
	NameA, NameB string
	Verdict      string
	Score        string
	Reuse        string
	Aligned      int
	// Changed pairs each changed number with its sentence on both sides,
	// the number marked and the words around it word-diffed.
	Changed        []changedView
	OnlyA, OnlyB   []onlyView
	Variants       []verify.EntityVariant
	Added, Dropped []sentenceView
}

type changedView struct {
	verify.NumberChange
	A, B sentenceView
}

// onlyView is a number one side has alone, in its sentence.
type onlyView struct {
	Text     string
	Sentence sentenceView
}

type sentenceView struct {
	Segs []segment
}

func newStoryData(s *Story, links StoryLinks) storyData {
	d := storyData{ID: s.ID, Event: s.Event, FirstSeen: s.FirstSeen, RanIn: ranIn(s), JSON: links.JSON, Pick: links.Pick, EventURL: links.Event}
	var orig *StoryVersion
	for i := range s.Versions {
		if s.Versions[i].Original {
			orig = &s.Versions[i]
		}
	}
	for i, v := range s.Versions {
		vv := versionView{N: i + 1, Anchor: fmt.Sprintf("v%d", i+1), Doc: v.Doc, Seq: v.Seq, Version: v.Version,
			Headline: Headline(v.Doc), Original: v.Original, Copies: v.Copies}
		date := v.Doc.Date
		if date == "" {
			date = "undated"
		}
		vv.Label = strings.Join(nonEmpty(date, v.Doc.Outlet, vv.Headline), " · ")
		if v.Result != nil {
			var origText string
			if orig != nil {
				origText = orig.Doc.Text
			}
			vv.Changes = newChangesView(v.Result, origText, v.Doc.Text, "the original", "this version")
		}
		if orig != nil && !v.Original && links.Compare != nil {
			vv.CompareURL = links.Compare(*orig, v)
		}
		d.Versions = append(d.Versions, vv)
	}
	d.Headline = s.headline()
	if len(d.Versions) > 0 {
		to := 1 // the first version that is not the original
		if orig != nil && !d.Versions[0].Original {
			to = 0
		}
		if to < len(d.Versions) {
			d.Versions[to].PickTo = true
		}
	}
	return d
}

func newChangesView(r *verify.Result, aText, bText, nameA, nameB string) *changesView {
	c := Summarize(r)
	v := &changesView{NameA: nameA, NameB: nameB, Verdict: string(r.Verdict), Score: ratio(r.Score),
		Reuse: ReuseText(r.Reuse), Aligned: c.Aligned, Variants: c.Entities.Variants}
	sa, sb := sides(r, aText, bText)
	names := [2]string{nameA, nameB}
	for _, n := range c.Numbers.Changed {
		// The two sentences of a change, word-diffed: what the version
		// reworded around the new number.
		da, db := WordDiff(sentenceText(sa, n.A.Sentence, n.A.Context), sentenceText(sb, n.B.Sentence, n.B.Context))
		v.Changed = append(v.Changed, changedView{n,
			sentenceOf(sa, n.A.Sentence, n.A.Context, da, names), sentenceOf(sb, n.B.Sentence, n.B.Context, db, names)})
	}
	for _, n := range c.Numbers.OnlyInOriginal {
		v.OnlyA = append(v.OnlyA, onlyView{n.Text, sentenceOf(sa, n.Sentence, n.Context, nil, names)})
	}
	for _, n := range c.Numbers.OnlyInVersion {
		v.OnlyB = append(v.OnlyB, onlyView{n.Text, sentenceOf(sb, n.Sentence, n.Context, nil, names)})
	}
	for _, ref := range sortedRefs(r.OnlyInB) {
		v.Added = append(v.Added, sentenceOf(sb, ref.Index, ref.Text, nil, names))
	}
	for _, ref := range sortedRefs(r.OnlyInA) {
		v.Dropped = append(v.Dropped, sentenceOf(sa, ref.Index, ref.Text, nil, names))
	}
	return v
}

// sentenceOf is sentence i of a side with its marks; text stands in when
// the side does not hold the sentence. The marks' titles call A and B by
// the brief's names for them.
func sentenceOf(s *side, i int, text string, diff []WordRange, names [2]string) sentenceView {
	segs := cell(s, i, text, false, diff).Segs
	for k := range segs {
		segs[k].Title = sideTitle(segs[k].Title, names)
	}
	return sentenceView{Segs: segs}
}

// sideTitle rewords a mark title of sides ("B has 19", "only in A") with
// the names of A and B.
func sideTitle(t string, names [2]string) string {
	switch t {
	case "only in A":
		return "only in " + names[0]
	case "only in B":
		return "only in " + names[1]
	case "same in A and B":
		return "the same in both"
	}
	for _, r := range [][2]string{{"A has ", names[0]}, {"B has ", names[1]}} {
		if rest, ok := strings.CutPrefix(t, r[0]); ok {
			return r[1] + " has " + rest
		}
	}
	for _, r := range [][2]string{{"A writes ", names[0]}, {"B writes ", names[1]}} {
		if rest, ok := strings.CutPrefix(t, r[0]); ok {
			return r[1] + " writes " + rest
		}
	}
	return t
}

// Headline is what a page calls a document: its title, else its id.
func Headline(d retold.Document) string {
	if t := strings.TrimSpace(d.Title); t != "" {
		return t
	}
	return d.ID
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
