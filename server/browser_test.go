package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	retold "github.com/retold/retold"
	"github.com/retold/retold/extract"
)

// The browser test drives a headless Chromium through the UI as a reader
// would: the story list, a story, the side-by-side view of two of its
// versions, the pick-two form, the event list, an event with its
// timeline chart, the story list of that event, and a phone-width
// screen. It checks what
// only a browser can: that the pages' styles apply under their
// Content-Security-Policy (the compare report's inline style is allowed
// by its hash), that the highlights are in the rendered page, and that
// nothing is wider than a phone. It saves full-page screenshots into
// $RETOLD_SCREENSHOTS, or a temporary folder.
//
// It skips when no Chromium is in PATH, unless RETOLD_REQUIRE_BROWSER is
// set (CI sets it): then a missing browser fails it.

// browserPath is the first Chromium-like browser in PATH, or "".
func browserPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserSeeds are the two seed articles of ../shared/seeds (a story and
// a machine-translated version of it), or nil when the folder is absent.
// The seeds are plain text; a short first line is a headline, given as
// the title as a JSON record would give it (the second seed starts with
// a photo caption instead, and stays untitled).
func browserSeeds(t *testing.T) []retold.Document {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "seeds")
	names, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(names) < 2 {
		return nil
	}
	slices.Sort(names)
	var docs []retold.Document
	for _, name := range names[:2] {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		d, err := extract.Read(filepath.Base(name), f, nil)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if line, _, _ := strings.Cut(strings.TrimSpace(d.Text), "\n"); len(line) <= 100 {
			d.Title = line
		}
		docs = append(docs, d)
	}
	return docs
}

// browserFacts are the texts of the highlights on a page, by class.
type browserFacts map[string][]string

const browserFactsJS = `Object.fromEntries(["changed", "only", "same", "variant"].map(c =>
	[c, Array.from(document.querySelectorAll("mark." + c), e => e.textContent.trim())]))`

func TestBrowserUI(t *testing.T) {
	exe := browserPath()
	if exe == "" {
		if os.Getenv("RETOLD_REQUIRE_BROWSER") != "" {
			t.Fatal("RETOLD_REQUIRE_BROWSER is set and no chromium, chromium-browser or google-chrome is in PATH")
		}
		t.Skip("no chromium, chromium-browser or google-chrome in PATH (apt-get install chromium); set RETOLD_REQUIRE_BROWSER=1 to fail instead")
	}
	out := os.Getenv("RETOLD_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	// The seeds' story, or without them the invented flood story's first
	// two versions, is the one the test opens; the rest fill the list.
	seeds := browserSeeds(t)
	docs := append(append(seeds, uiCorpus...), uiEventCorpus...)
	first, second, variants, original := "ui-flood-1", "ui-flood-2", []string{"Sultanov", "Soultanov"}, "Flash floods kill 12 in Oral district"
	if seeds != nil {
		first, second, variants, original = seeds[0].ID, seeds[1].ID, []string{"Tokaev", "Tokayev"}, seeds[0].Title
	} else {
		t.Log("../shared/seeds not found: the test opens the invented flood story instead")
	}
	// Another outlet ran the first text unchanged: a copy, listed on the
	// story page.
	cp := docs[0]
	cp.ID, cp.Outlet, cp.Title = first+"-herald", "Evening Herald (Wire)", "Reprinted: "+cp.Title
	docs = append(docs, cp)
	s := newUIServer(t, nil, docs)
	story, flood, event := uiStoryOf(t, s, first), uiStoryOf(t, s, "ui-flood-1"), uiEventOf(t, s, "ui-flood-1")
	if uiStoryOf(t, s, second) != story {
		t.Fatalf("%s and %s are not one story", first, second)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.WindowSize(1280, 900))...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(out, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
	// follow clicks sel and waits for the page it loads.
	follow := func(sel string) {
		t.Helper()
		resp, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
		if resp.Status != http.StatusOK {
			t.Fatalf("click %s: status %d", sel, resp.Status)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	facts := func() browserFacts {
		t.Helper()
		f, err := chromedp.Run(bctx, chromedp.Evaluate[browserFacts](browserFactsJS))
		if err != nil {
			t.Fatalf("read the highlights: %v", err)
		}
		return f
	}
	location := func() string {
		t.Helper()
		l, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(l, ts.URL)
	}

	// The story list, styled by /static/retold.css.
	if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("ol.stories"))); err != nil {
		t.Fatal(err)
	}
	if got := eval(`getComputedStyle(document.querySelector("ol.stories")).listStyleType`); got != "none" {
		t.Errorf("the list's style sheet is not applied: list-style-type %q", got)
	}
	if got := eval(`document.querySelector("ol.stories").textContent`); !strings.Contains(got, "<script>alert(1)</script>") {
		t.Errorf("the markup headline is not shown as text: %q", got)
	}
	shot("list.png")

	// The story: its timeline with the original marked.
	follow(`ol.stories a[href="/stories/` + story + `"]`)
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("ol.timeline"))); err != nil {
		t.Fatal(err)
	}
	if got, want := location(), "/stories/"+story; got != want {
		t.Errorf("at %s, want %s", got, want)
	}
	if got := eval(`document.querySelector("ol.timeline li.original").textContent`); !strings.Contains(got, original) || !strings.Contains(got, "original") {
		t.Errorf("the timeline's original line is %q, want %q marked original", got, original)
	}
	if got := eval(`document.querySelector("section.version p.copies").textContent`); !strings.Contains(got, "Evening Herald (Wire)") {
		t.Errorf("the copy is not listed: %q", got)
	}
	if got := eval(`document.querySelector("span.ran-in").textContent`); !strings.Contains(got, "(1 copy)") {
		t.Errorf("the story's outlets line is %q", got)
	}
	shot("story.png")

	// The side-by-side view of the two versions, from the story page.
	follow("section.version a.compare")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("table.align"))); err != nil {
		t.Fatal(err)
	}
	if got := location(); !strings.HasPrefix(got, "/compare?a=") || !strings.Contains(got, first) || !strings.Contains(got, second) {
		t.Errorf("at %s, want the compare page of %s and %s", got, first, second)
	}
	f := facts()
	for _, v := range variants {
		if !slices.Contains(f["variant"], v) {
			t.Errorf("no mark.variant %q on the compare page; variants %q", v, f["variant"])
		}
	}
	if seeds != nil {
		if !slices.Contains(f["only"], "26") || !slices.Contains(f["same"], "164") {
			t.Errorf("the seeds' 26 (one side only) and 164 (both) are not highlighted: %v", f)
		}
	} else if !slices.Contains(f["changed"], "12") || !slices.Contains(f["changed"], "19") {
		t.Errorf("12 -> 19 is not highlighted: %v", f)
	}
	// The report's inline style applies (its CSP hash is right), and so
	// does the bar's sheet.
	if got := eval(`getComputedStyle(document.querySelector("mark.variant")).textDecorationLine`); got != "underline" {
		t.Errorf("the report's inline style is not applied: mark.variant text-decoration-line %q", got)
	}
	if got := eval(`getComputedStyle(document.querySelector("nav.retold-bar")).display`); got != "flex" {
		t.Errorf("bar.css is not applied: display %q", got)
	}
	shot("compare.png")

	// The pick-two form of the flood story: its original against the
	// write-thru, the form's default, shows 12 -> 19 as changed.
	if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/stories/"+flood), chromedp.WaitVisible(chromedp.CSS("form.pick"))); err != nil {
		t.Fatal(err)
	}
	// Its changed numbers' contexts have their reworded words marked.
	if n, _ := strconv.Atoi(eval(`String(document.querySelectorAll("ul.facts .context .w-rep, ul.facts .context .w-ins, ul.facts .context .w-del").length)`)); n == 0 {
		t.Error("the story page marks no changed words in its changed numbers' contexts")
	}
	shot("story-changes.png")
	follow("form.pick button")
	if got := location(); !strings.HasPrefix(got, "/compare?a=ui-flood-1&av=1&b=ui-flood-2&bv=1") {
		t.Errorf("the pick-two form led to %s", got)
	}
	if f := facts(); !slices.Contains(f["changed"], "12") || !slices.Contains(f["changed"], "19") {
		t.Errorf("12 -> 19 is not highlighted as changed: %v", f)
	}
	// And the side-by-side view marks words inside aligned pairs.
	if n, _ := strconv.Atoi(eval(`String(document.querySelectorAll("table.align tr.pair .w-rep, table.align tr.pair .w-ins, table.align tr.pair .w-del").length)`)); n == 0 {
		t.Error("the compare page marks no changed words inside aligned pairs")
	}
	shot("compare-flood.png")

	// The events, the flood's event with its chart, and from there the
	// list of its stories.
	if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/events"), chromedp.WaitVisible(chromedp.CSS("ol.events"))); err != nil {
		t.Fatal(err)
	}
	shot("events.png")
	follow(`ol.events a.headline[href="/events/` + event + `"]`)
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("figure.timeline-chart svg"))); err != nil {
		t.Fatal(err)
	}
	// The chart is drawn at the figure's width, one dot or ring a version
	// or copy (the legend's three besides), and its label of each row is
	// a link to the story's section.
	if w, _ := strconv.Atoi(eval(`String(Math.round(document.querySelector("figure.timeline-chart svg").getBoundingClientRect().width))`)); w < 500 {
		t.Errorf("the chart is %d px wide", w)
	}
	if n := eval(`String(document.querySelectorAll("figure.timeline-chart g.row circle").length)`); n != "6" {
		t.Errorf("%s marks on the chart, want 6 (5 versions and a copy)", n)
	}
	if got := eval(`getComputedStyle(document.querySelector("figure.timeline-chart")).overflowX`); got != "auto" {
		t.Errorf("report.css is not applied to the chart: overflow-x %q", got)
	}
	if got := eval(`document.querySelector("ul.key-facts li.changed").textContent`); !strings.Contains(got, "12") || !strings.Contains(got, "23") {
		t.Errorf("the toll's line is %q", got)
	}
	shot("event.png")
	// An anchor on the page loads nothing: a click, not follow.
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`figure.timeline-chart a[href="#story-3"]`))); err != nil {
		t.Fatal(err)
	}
	if got := eval(`location.hash`); got != "#story-3" {
		t.Errorf("the chart's third label led to %q", got)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/?event="+event), chromedp.WaitVisible(chromedp.CSS("ol.stories"))); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.querySelector("p.count").textContent`); !strings.Contains(got, "of 3") {
		t.Errorf("the event's story list says %q", got)
	}
	shot("list-event.png")

	// At phone width the story page and the list fit the screen.
	const phoneWidth = 390
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/stories/" + story, "/match", "/events", "/events/" + event} {
		if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+p)); err != nil {
			t.Fatal(err)
		}
		if w, _ := strconv.Atoi(eval(`String(document.documentElement.scrollWidth)`)); w > phoneWidth {
			t.Errorf("%s is %d px wide on a %d px phone", p, w, phoneWidth)
		}
		switch p {
		case "/stories/" + story:
			shot("story-phone.png")
		case "/events/" + event:
			shot("event-phone.png")
		}
	}
}
