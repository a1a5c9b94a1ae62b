package explain

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"time"

	retold "github.com/retold/retold"
)

// The event's timeline chart: one row per story, oldest first, and on
// each row a mark per version (the original larger) and per copy
// (hollow) at the time it appeared, on one time axis for the event.
// Versions and copies without a date sit in a column of their own at the
// right, "undated", rather than at the time they were stored, which
// would stretch the axis over years for an archive added today.
//
// It is drawn as inline SVG on the server: no script, no inline style
// (the colours are presentation attributes and the sizes classes of
// StyleSheet), so a page's Content-Security-Policy needs nothing more.
// It has a <title> and <desc>, each story's row a text label that links
// to its section of the page, and each mark a <title> (its date, outlet
// and headline). Past MaxTimelineRows stories the rows stop and a last
// line says how many more the list below the chart holds. Coordinates
// are written with one decimal, from the event alone: the same event
// gives the same bytes.

// MaxTimelineRows is the most stories the timeline chart draws.
const MaxTimelineRows = 30

// The chart's geometry, in SVG user units (px at 100%).
const (
	tlWidth     = 760.0
	tlLabelW    = 230.0 // the story labels' column
	tlUndatedW  = 64.0  // the undated column, when there is one
	tlTop       = 46.0  // legend and axis labels above the first row
	tlRowH      = 22.0
	tlBottom    = 10.0
	tlMarkGap   = 10.0 // marks closer than this on a row are set apart
	tlLabelRune = 34   // the most characters of a story's label
)

// Colours of the marks: the report's link blue for versions, darker for
// the original, white inside a copy.
const (
	tlBlue = "#1769aa"
	tlDark = "#0b3d66"
	tlGrid = "#ddd"
	tlText = "#666"
)

type timelineView struct {
	Width, Height       string
	ID                  string // prefix of the title and desc ids
	Title, Desc         string
	PlotX0, PlotX1      string
	AxisY, GridY1, RowY string
	Ticks               []tickView
	Undated             *undatedView
	Rows                []rowView
	More                string // "and 12 more stories, listed below"
	MoreY               string
	Legend              []legendView
	Grid, Text          string // colours
}

type tickView struct{ X, Label string }

type undatedView struct{ X, W, LabelX, Height string }

type rowView struct {
	Y, TextY       string
	Label, Full    string
	Href           string
	LineX1, LineX2 string // the story's span, "" for a single mark
	Marks          []markView
}

type markView struct {
	X, Y, R      string
	Fill, Stroke string
	Class        string // "version", "original", "copy"
	Title        string
}

// legendView is one mark of the legend with its label.
type legendView struct {
	markView
	TextX, Label string
}

// tlMark is one version or copy before layout.
type tlMark struct {
	date  string
	at    time.Time
	dated bool
	class string
	title string
}

// coord formats a coordinate: at most one decimal, no trailing ".0".
func coord(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// TimelineSVG is the event's timeline chart as inline SVG, for a page to
// put where it likes. Each row's label links to "#story-N", the id of
// story N's section on the event page (from 1). Its size on the page
// comes from StyleSheet's .timeline-chart.
func TimelineSVG(e *Event) (template.HTML, error) {
	if e == nil {
		return "", ErrNoResult
	}
	return fragmentOf(eventPage, "timeline", newTimelineView(e), "timeline chart")
}

// storyAnchor is the id of story i's section on the event page, from 1.
func storyAnchor(i int) string { return "story-" + strconv.Itoa(i+1) }

func newTimelineView(e *Event) timelineView {
	rows := e.Stories[:min(len(e.Stories), MaxTimelineRows)]
	marks := make([][]tlMark, len(rows))
	var lo, hi time.Time
	anyDated, anyUndated, dayOnly := false, false, true
	for i, s := range rows {
		for _, v := range s.Versions {
			class := "version"
			if v.Original {
				class = "original"
			}
			marks[i] = append(marks[i], newMark(v.Doc.Date, v.Doc.Outlet, Headline(v.Doc), class))
			for _, c := range v.Copies {
				marks[i] = append(marks[i], newMark(c.Date, c.Outlet, Headline(retold.Document{ID: c.ID, Title: c.Title}), "copy"))
			}
		}
		for _, m := range marks[i] {
			if !m.dated {
				anyUndated = true
				continue
			}
			if len(m.date) > 10 {
				dayOnly = false
			}
			if !anyDated || m.at.Before(lo) {
				lo = m.at
			}
			if !anyDated || m.at.After(hi) {
				hi = m.at
			}
			anyDated = true
		}
	}

	v := timelineView{ID: "event-timeline", Grid: tlGrid, Text: tlText}
	// The plot ends short of the edge, so the last tick's label fits.
	x0, x1 := tlLabelW, tlWidth-40
	if anyUndated {
		x1 -= tlUndatedW + 8
	}
	height := tlTop + tlRowH*float64(len(rows)) + tlBottom
	if len(e.Stories) > len(rows) {
		v.More = fmt.Sprintf("and %d more stories, listed below", len(e.Stories)-len(rows))
		v.MoreY = coord(tlTop + tlRowH*float64(len(rows)) + 15)
		height += tlRowH
	}
	v.Width, v.Height = coord(tlWidth), coord(height)
	v.PlotX0, v.PlotX1 = coord(x0), coord(x1)
	v.AxisY, v.GridY1, v.RowY = coord(tlTop-12), coord(tlTop-6), coord(tlTop+tlRowH*float64(len(rows)))

	// The axis: padded so the first and last marks are not on the edge;
	// a single moment gets a day around it.
	if anyDated {
		if !hi.After(lo) {
			lo, hi = lo.Add(-12*time.Hour), hi.Add(12*time.Hour)
		}
		pad := hi.Sub(lo) / 20
		lo, hi = lo.Add(-pad), hi.Add(pad)
	}
	xOf := func(t time.Time) float64 {
		return x0 + (x1-x0)*float64(t.Sub(lo))/float64(hi.Sub(lo))
	}
	if anyDated {
		// A label that would run into the undated column, or off the
		// chart, is left out.
		right := tlWidth
		if anyUndated {
			right = tlWidth - 12 - tlUndatedW - 4
		}
		for _, t := range ticks(lo, hi, x1-x0, dayOnly) {
			if x := xOf(t.at); x+labelWidth(t.label)/2 <= right {
				v.Ticks = append(v.Ticks, tickView{X: coord(x), Label: t.label})
			}
		}
	}
	if anyUndated {
		ux := tlWidth - 12 - tlUndatedW
		v.Undated = &undatedView{X: coord(ux), W: coord(tlUndatedW), LabelX: coord(ux + tlUndatedW/2),
			Height: coord(tlRowH * float64(len(rows)))}
	}

	for i, s := range rows {
		y := tlTop + tlRowH*float64(i) + tlRowH/2
		label := s.headline()
		r := rowView{Y: coord(y), TextY: coord(y + 4), Label: truncate(label, tlLabelRune), Full: label, Href: "#" + storyAnchor(i)}
		// Dated marks by time, then the undated ones in their column.
		// Marks closer than tlMarkGap (a wire story and its copies on one
		// day) are spread around their mean, so each one shows; the
		// undated ones closer still if the column is full.
		xs := make([]float64, len(marks[i]))
		order := make([]int, len(marks[i]))
		for k, m := range marks[i] {
			order[k] = k
			xs[k] = tlWidth - 12 - tlUndatedW/2
			if m.dated {
				xs[k] = xOf(m.at)
			}
		}
		slices.SortStableFunc(order, func(a, b int) int {
			ma, mb := marks[i][a], marks[i][b]
			if ma.dated != mb.dated {
				if ma.dated {
					return -1
				}
				return 1
			}
			return cmp.Compare(xs[a], xs[b])
		})
		var first, end float64
		for lo := 0; lo < len(order); {
			hi := lo + 1
			for hi < len(order) && marks[i][order[hi]].dated == marks[i][order[lo]].dated && xs[order[hi]]-xs[order[hi-1]] < tlMarkGap {
				hi++
			}
			center, gap := 0.0, tlMarkGap
			for _, k := range order[lo:hi] {
				center += xs[k] / float64(hi-lo)
			}
			if !marks[i][order[lo]].dated && hi-lo > 1 {
				gap = min(gap, (tlUndatedW-12)/float64(hi-lo-1))
			}
			for n, k := range order[lo:hi] {
				x := center + (float64(n)-float64(hi-lo-1)/2)*gap
				if marks[i][k].dated {
					if lo == 0 && n == 0 {
						first = x
					}
					end = x
				}
				r.Marks = append(r.Marks, markOf(marks[i][k], x, y))
			}
			lo = hi
		}
		if end > first {
			r.LineX1, r.LineX2 = coord(first), coord(end)
		}
		v.Rows = append(v.Rows, r)
	}

	versions, copies := 0, 0
	for _, s := range e.Stories {
		for _, ver := range s.Versions {
			versions++
			copies += len(ver.Copies)
		}
	}
	v.Title = "When each story of event " + e.ID + " appeared"
	v.Desc = fmt.Sprintf("%s, %s and %s", plural(len(e.Stories), "story", "stories"),
		plural(versions, "version", "versions"), plural(copies, "copy", "copies"))
	if span := e.span(); span != "" {
		v.Desc += ", " + span
	}
	v.Desc += ". Each row is a story, oldest first; each mark a version (the original larger) or a copy (hollow), at its date"
	if anyUndated {
		v.Desc += "; undated ones in the column at the right"
	}
	v.Desc += "."
	if v.More != "" {
		v.Desc += " The first " + strconv.Itoa(len(rows)) + " stories are drawn; the list below has them all."
	}

	lx := tlLabelW
	for _, l := range []struct{ class, label string }{{"original", "original"}, {"version", "version"}, {"copy", "copy"}} {
		m := markOf(tlMark{class: l.class}, lx+6, 12)
		v.Legend = append(v.Legend, legendView{markView: m, TextX: coord(lx + 15), Label: l.label})
		lx += 15 + 7*float64(len(l.label)) + 16
	}
	return v
}

func newMark(date, outlet, headline, class string) tlMark {
	at, ok := parseDate(date)
	shown := date
	if !ok {
		shown = "undated"
	}
	title := shown
	for _, s := range nonEmpty(outlet, headline) {
		title += " · " + s
	}
	if class != "version" {
		title += " (" + class + ")"
	}
	return tlMark{date: date, at: at, dated: ok, class: class, title: title}
}

// markOf places m at x, y: the original a larger dark dot, a version a
// dot, a copy a ring.
func markOf(m tlMark, x, y float64) markView {
	out := markView{X: coord(x), Y: coord(y), Class: m.class, Title: m.title, R: "4.5", Fill: tlBlue, Stroke: "#fff"}
	switch m.class {
	case "original":
		out.R, out.Fill = "6", tlDark
	case "copy":
		out.R, out.Fill, out.Stroke = "3.5", "#fff", tlBlue
	}
	return out
}

// tick is one labelled time on the axis.
type tick struct {
	at    time.Time
	label string
}

// tickSteps are the axis steps, finest first, each with its label
// layout; the chart takes the finest whose labels fit.
var tickSteps = []struct {
	d      time.Duration
	months int
	layout string
}{
	{time.Hour, 0, "Jan 2 15:04"}, {3 * time.Hour, 0, "Jan 2 15:04"}, {6 * time.Hour, 0, "Jan 2 15:04"},
	{12 * time.Hour, 0, "Jan 2 15:04"}, {24 * time.Hour, 0, "2006-01-02"}, {2 * 24 * time.Hour, 0, "2006-01-02"},
	{7 * 24 * time.Hour, 0, "2006-01-02"}, {14 * 24 * time.Hour, 0, "2006-01-02"},
	{0, 1, "2006-01"}, {0, 3, "2006-01"}, {0, 6, "2006-01"}, {0, 12, "2006"}, {0, 60, "2006"}, {0, 120, "2006"},
}

// labelWidth is about how wide a tick's label is drawn: 12 px text of
// digits and a few letters.
func labelWidth(label string) float64 { return 7 * float64(len(label)) }

// ticks are the labelled times between lo and hi (UTC): whole hours,
// days (weeks from a Monday), or months, at the finest step whose
// labels, each with room around it, fit in width; days at the finest
// when the dates have no time of day.
func ticks(lo, hi time.Time, width float64, days bool) []tick {
	lo, hi = lo.UTC(), hi.UTC()
	for _, st := range tickSteps {
		if days && st.months == 0 && st.d < 24*time.Hour {
			continue
		}
		most := max(2, int(width/(labelWidth(st.layout)+24)))
		var out []tick
		var t time.Time
		if st.months == 0 {
			day := time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, time.UTC)
			if st.d == 7*24*time.Hour || st.d == 14*24*time.Hour {
				day = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // the Monday before
			}
			t = day
			for t.Before(lo) {
				t = t.Add(st.d)
			}
		} else {
			t = time.Date(lo.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			if st.months < 12 {
				t = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
				t = t.AddDate(0, -(int(t.Month())-1)%st.months, 0)
			} else {
				t = time.Date(lo.Year()-lo.Year()%(st.months/12), 1, 1, 0, 0, 0, 0, time.UTC)
			}
			for t.Before(lo) {
				t = t.AddDate(0, st.months, 0)
			}
		}
		for ; !t.After(hi) && len(out) <= most; t = next(t, st.d, st.months) {
			out = append(out, tick{t, t.Format(st.layout)})
		}
		if len(out) <= most {
			return out
		}
	}
	return nil
}

func next(t time.Time, d time.Duration, months int) time.Time {
	if months > 0 {
		return t.AddDate(0, months, 0)
	}
	return t.Add(d)
}
