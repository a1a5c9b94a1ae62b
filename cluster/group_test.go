package cluster

import (
	"slices"
	"testing"

	retold "github.com/retold/retold"
)

func TestGroupFormsStoriesWithoutChainingAndEventsInTheWindow(t *testing.T) {
	v := func(a, b int32) Edge { return Edge{A: a, B: b, Verdict: retold.Version, Score: 0.9} }
	dates := []string{
		"2024-03-02", "2024-03-01", "2024-03-03", // story A: 1 is the earliest
		"2024-03-02", "2024-03-02", "2024-03-02", // story B
		"2024-03-04", // C: same event as A, 3 days later
		"2024-04-20", // D: same-event evidence with A, but 7 weeks later
	}
	edges := []Edge{
		v(0, 1), v(1, 2), v(2, 0),
		v(3, 4), v(4, 5), v(5, 3),
		// One loose link between the two stories of three, weaker than
		// their own (edges are taken strongest first): not enough.
		{A: 2, B: 3, Verdict: retold.Version, Score: 0.75},
		{A: 6, B: 0, Verdict: retold.SameEvent, Score: 0.3, Event: 0.9},
		{A: 7, B: 1, Verdict: retold.SameEvent, Score: 0.3, Event: 0.9},
	}
	g := Group(dates, edges, nil)
	wantStory := []int32{1, 1, 1, 3, 3, 3, 6, 7}
	if !slices.Equal(g.Story, wantStory) {
		t.Errorf("stories %v, want %v", g.Story, wantStory)
	}
	// A and C share an event labelled by A's original (the earlier
	// story); B and D stay apart.
	if g.Event[0] != 1 || g.Event[6] != 1 || g.Event[3] == 1 || g.Event[7] == 1 {
		t.Errorf("events %v", g.Event)
	}
	// Edge order and direction do not matter.
	rev := slices.Clone(edges)
	slices.Reverse(rev)
	for i := range rev {
		rev[i].A, rev[i].B = rev[i].B, rev[i].A
	}
	if h := Group(dates, rev, nil); !slices.Equal(h.Story, g.Story) || !slices.Equal(h.Event, g.Event) {
		t.Errorf("reversed edges: %v %v, want %v %v", h.Story, h.Event, g.Story, g.Event)
	}
}

// TestEventsDoNotChain: two events of four stories each, every story of
// one linked to every other, and one strong pair across: the average over
// the two events' sixteen story pairs is far below the threshold, so
// they stay two; a lone story linked to half of an event joins it.
func TestEventsDoNotChain(t *testing.T) {
	n := 9
	dates := make([]string, n)
	var edges []Edge
	link := func(a, b int32, p float64) {
		edges = append(edges, Edge{A: a, B: b, Verdict: retold.SameEvent, Score: 0.2, Event: p})
	}
	for a := int32(0); a < 4; a++ {
		for b := a + 1; b < 4; b++ {
			link(a, b, 0.8)
			link(a+4, b+4, 0.8)
		}
	}
	link(3, 4, 0.7) // the loose pair across
	link(8, 5, 0.6) // a lone story joining the second event
	link(8, 6, 0.6)
	g := Group(dates, edges, nil)
	want := []int32{0, 0, 0, 0, 4, 4, 4, 4, 4}
	if !slices.Equal(g.Event, want) {
		t.Errorf("events %v, want %v", g.Event, want)
	}
	// With a chaining rule, or a threshold under 0.7/20, the two would be one: the
	// test can tell the difference.
	o := DefaultOptions
	o.EventThreshold = 0.03
	if h := Group(dates, edges, &o); h.Event[4] != 0 {
		t.Errorf("at threshold 0.03 the events should merge: %v", h.Event)
	}
}
