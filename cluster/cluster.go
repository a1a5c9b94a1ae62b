package cluster

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// Options tune clustering. A nil *Options means DefaultOptions.
type Options struct {
	// Workers is the number of goroutines profiling and comparing; 0 means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
	// Compare configures the compare engine that verifies candidates.
	Compare *verify.Options

	// Perms and LexicalThreshold set the lexical channel: MinHash with
	// Perms permutations over content-stem bigrams, LSH banded for this
	// Jaccard.
	Perms            int
	LexicalThreshold float64
	// Anchors is how many of its rarest facts and words (held by at most
	// MaxAnchorDF earlier documents) each document sends to the anchor
	// channel; AnchorShared is how many of them another document must share
	// to become a candidate. MaxAnchorDF is a count, not a share of the
	// corpus: with a share, the chance that some earlier document shares
	// AnchorShared of the anchors by accident grows with the corpus, and
	// so would the candidates per document.
	Anchors      int
	AnchorShared int
	MaxAnchorDF  int
	// FactAnchors of the Anchors places go first to facts (numbers and
	// names), so that a version in another language, whose rarest words
	// only other texts in its language share, still anchors on what it
	// shares with its English versions.
	FactAnchors int
	// MaxCandidates bounds the earlier documents verified against each
	// document, best candidates first.
	MaxCandidates int

	// StoryMinScore is the least compare score of a version verdict for
	// it to count as a story edge; weaker versions count as event edges.
	StoryMinScore float64
	// StoryAlpha: two stories of more than one member merge only when
	// the edges between them number at least this share of the smaller
	// story's size, rounded up.
	StoryAlpha float64
	// EventWindowDays: documents whose dates lie further apart than this
	// are not linked into one event (documents without dates always may).
	EventWindowDays int
	// Event is the model of the probability that two documents report
	// one event; groups of stories merge into one event while the
	// average of that probability over their story pairs is at least
	// EventThreshold.
	Event          EventModel
	EventThreshold float64

	// Progress, when set, is called with the stage name and how much of
	// it is done, from one goroutine at a time.
	Progress func(stage string, done, total int)
}

// DefaultOptions were chosen on the development data (see doc.go).
var DefaultOptions = Options{
	Perms:            64,
	LexicalThreshold: 0.3,
	Anchors:          32,
	AnchorShared:     3,
	MaxAnchorDF:      50,
	FactAnchors:      8,
	MaxCandidates:    40,
	StoryMinScore:    0.5,
	StoryAlpha:       0.5,
	EventWindowDays:  7,
	Event:            DefaultEventModel,
	EventThreshold:   0.2,
}

// Assignment is the clustering of one input document.
type Assignment struct {
	ID string
	// Story is the ID of the story's probable original; Event is the
	// Story of the event's earliest story.
	Story, Event string
	// Original is true for the story's probable original.
	Original bool
}

// Stats summarizes a run.
type Stats struct {
	Docs, Stories, Events int
	// Duplicates is the number of documents identical (after
	// normalization) to an earlier one: they join its story unverified.
	Duplicates int
	// Candidates is the number of pairs verified with the compare engine;
	// StoryEdges are those that came out as versions, EventEdges those
	// between stories that event linking weighed.
	Candidates, StoryEdges, EventEdges int
	Elapsed                            time.Duration
}

// Source is a corpus read by position. Cluster reads every document once
// in order, from several goroutines at once, and reads some again later:
// a partner whose profile has left the window is profiled again from its
// text. IDs are read at the end, so they should be cheap.
type Source interface {
	Len() int
	ID(i int) string
	Doc(i int) (retold.Document, error)
}

// Documents is a Source held in memory.
type Documents []retold.Document

// Len is the number of documents.
func (d Documents) Len() int { return len(d) }

// ID is document i's ID.
func (d Documents) ID(i int) string { return d[i].ID }

// Doc is document i.
func (d Documents) Doc(i int) (retold.Document, error) { return d[i], nil }

// Cluster groups docs into stories and events. docs[i].ID must be unique
// and Text non-empty (the caller reports bad records). The result has one
// Assignment per document, in input order.
func Cluster(ctx context.Context, docs []retold.Document, opt *Options) ([]Assignment, Stats, error) {
	return ClusterSource(ctx, Documents(docs), opt)
}

// ClusterSource is Cluster over a corpus that need not be in memory, such
// as one spooled to disk: memory then grows with the signatures and the
// candidate index (under 1 KB a document at a million: 1.2 GB of live
// heap there, with the window of profiles) and not with the texts. An
// error reading a document ends the run.
func ClusterSource(ctx context.Context, src Source, opt *Options) ([]Assignment, Stats, error) {
	start := time.Now()
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.MaxAnchorDF <= 0 {
		o.MaxAnchorDF = DefaultOptions.MaxAnchorDF
	}
	cmpr := verify.New(o.Compare)
	n := src.Len()
	if n > math.MaxInt32-1 {
		return nil, Stats{}, fmt.Errorf("cluster: %d documents is more than %d", n, math.MaxInt32-1)
	}
	st := Stats{Docs: n}

	fp, dupOf, edges, verified, err := stream(ctx, cmpr, src, &o)
	if err != nil {
		return nil, st, err
	}
	st.Candidates = verified
	// A duplicate is an edge of full score to its first copy.
	for i, d := range dupOf {
		if d >= 0 {
			st.Duplicates++
			edges = append(edges, edge{a: d, b: int32(i), verdict: retold.Duplicate, score: 1, event: 1})
		}
	}

	days := make([]int, n)
	for i := range fp {
		days[i] = int(fp[i].day)
	}
	g := group(n, days, edges, &o)
	st.StoryEdges, st.EventEdges = g.storyEdges, g.eventEdges
	out := make([]Assignment, n)
	seenStory := make(map[int32]bool)
	for i := range n {
		s := g.Story[i]
		seenStory[s] = true
		out[i] = Assignment{ID: src.ID(i), Story: src.ID(int(s)), Event: src.ID(int(g.Event[i])), Original: s == int32(i)}
	}
	eventsSeen := make(map[int32]bool)
	for _, e := range g.Event {
		eventsSeen[e] = true
	}
	st.Stories = len(seenStory)
	st.Events = len(eventsSeen)
	st.Elapsed = time.Since(start)
	return out, st, nil
}

// Edge is a verified relation between two documents of a Group call, by
// their indexes.
type Edge struct {
	A, B    int32
	Verdict retold.Verdict
	Score   float64 // the compare engine's score in [0, 1]
	// Event is the probability that the two report one event
	// (Options.Event), 0 when not known.
	Event float64
}

// Grouping is what Group decides: for each document, the index of its
// story's probable original and of its event's label (the original of the
// event's earliest story).
type Grouping struct {
	Story, Event []int32

	storyEdges, eventEdges int
}

// Group is the second half of Cluster on its own: given n documents'
// dates and the verified edges between them, it forms stories (over
// version edges, without chaining), events (over same-event evidence
// within the date window) and picks originals, exactly as Cluster does.
// An incremental index calls it on the neighbourhood a new document
// touches. Edges may come in any order and with A > B.
func Group(dates []string, edges []Edge, opt *Options) Grouping {
	days := make([]int32, len(dates))
	for i, d := range dates {
		days[i] = int32(parseDay(d))
	}
	return GroupDays(days, edges, opt)
}

// group forms stories, events and originals from the edges.
func group(n int, days []int, edges []edge, o *Options) Grouping {
	story, storyEdges := stories(n, edges, o)
	event, eventEdges := events(n, story, edges, days, o)
	orig := originals(n, story, storyEdges, days)
	g := Grouping{Story: make([]int32, n), Event: make([]int32, n), storyEdges: len(storyEdges), eventEdges: eventEdges}
	// An event is labelled by its earliest story's original.
	eventLabel := make(map[int32]int32)
	for i := range n {
		s := orig[story[i]]
		if cur, ok := eventLabel[event[i]]; !ok || earlier(days, s, cur) {
			eventLabel[event[i]] = s
		}
	}
	for i := range n {
		g.Story[i] = orig[story[i]]
		g.Event[i] = eventLabel[event[i]]
	}
	return g
}

// stories clusters documents over their version edges; it returns each
// document's story root and the edges used.
func stories(n int, edges []edge, o *Options) ([]int32, []edge) {
	var es []edge
	for _, e := range edges {
		if e.verdict.SameStory() && e.score >= o.StoryMinScore {
			es = append(es, e)
		}
	}
	sortEdges(es, func(e edge) float64 { return e.score })
	items := make([][]int32, n)
	node := make([]int32, n)
	for i := range n {
		items[i] = []int32{int32(i)}
		node[i] = int32(i)
	}
	f := agglomeration{alpha: o.StoryAlpha}.run(n, items, node, es, adjacency(n, es))
	story := make([]int32, n)
	for i := range n {
		story[i] = f.find(int32(i))
	}
	return story, es
}

// events links stories into events (linkEvents); it returns each
// document's event root and the number of edges between stories.
func events(n int, story []int32, edges []edge, days []int, o *Options) ([]int32, int) {
	between := 0
	for _, e := range edges {
		if story[e.a] != story[e.b] && e.event > 0 {
			between++
		}
	}
	return linkEvents(n, story, edges, days, o.EventWindowDays, o.EventThreshold), between
}

// originals picks each story's probable original: the earliest dated
// member; among undated or equally dated ones, the most central (largest
// sum of edge scores within the story: the version the others contain);
// then the first in input order.
func originals(n int, story []int32, es []edge, days []int) map[int32]int32 {
	central := make([]float64, n)
	for _, e := range es {
		if story[e.a] == story[e.b] {
			central[e.a] += e.score
			central[e.b] += e.score
		}
	}
	best := make(map[int32]int32)
	for i := range int32(n) {
		cur, ok := best[story[i]]
		if !ok {
			best[story[i]] = i
			continue
		}
		if days[i] != days[cur] {
			if earlier(days, i, cur) {
				best[story[i]] = i
			}
		} else if central[i] > central[cur] {
			best[story[i]] = i
		}
	}
	return best
}

// earlier reports whether document a comes before b: by date when both
// have one, else by input order.
func earlier(days []int, a, b int32) bool {
	da, db := days[a], days[b]
	if da != db && da != noDay && db != noDay {
		return da < db
	}
	if da != db {
		return da != noDay // a dated document before an undated one
	}
	return a < b
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// parallel runs f(i) for i in [0, n) on workers goroutines, stopping early
// when ctx is done.
func parallel(ctx context.Context, workers, n int, f func(i int)) error {
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	var err error
loop:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break loop
		}
	}
	close(next)
	wg.Wait()
	return err
}
