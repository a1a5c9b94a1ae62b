package explain

import (
	"strings"
	"testing"
)

// marked renders s with its word-diff ranges as [class:text].
func marked(s string, rs []WordRange) string {
	out, _ := wrapRanges(s, rs, func(r WordRange, text string) string {
		return "[" + strings.TrimPrefix(r.Class, "w-") + ":" + text + "]"
	})
	return out
}

func TestWordDiff(t *testing.T) {
	tests := []struct{ a, b, wantA, wantB string }{
		{"The river rose on Tuesday.", "The river rose on Tuesday.", "The river rose on Tuesday.", "The river rose on Tuesday."},
		{"The toll rose to 12 on Tuesday.", "The toll rose to 19 on Tuesday.",
			"The toll rose to [rep:12] on Tuesday.", "The toll rose to [rep:19] on Tuesday."},
		{"Rescuers pulled 230 people from villages.", "Rescuers pulled 230 people from flooded villages overnight.",
			"Rescuers pulled 230 people from villages.", "Rescuers pulled 230 people from [ins:flooded] villages [ins:overnight]."},
		{"The mayor, who was re-elected in May, resigned on Friday.", "The mayor resigned on Friday.",
			"The mayor[del:, who was re-elected in May,] resigned on Friday.", "The mayor resigned on Friday."},
		{"She said the dams were being monitored around the clock.", "She declared the dams are under surveillance day and night.",
			"She [rep:said] the dams [rep:were being monitored around the clock].", "She [rep:declared] the dams [rep:are under surveillance day and night]."},
		{"Governor Abdrakhmanova's office said", "Governor Abdrahmanova's office said",
			"Governor [rep:Abdrakhmanova's] office said", "Governor [rep:Abdrahmanova's] office said"},
		{"Пожар уничтожил 30 домов.", "Пожар уничтожил 45 домов.", "Пожар уничтожил [rep:30] домов.", "Пожар уничтожил [rep:45] домов."},
	}
	for _, tt := range tests {
		ra, rb := WordDiff(tt.a, tt.b)
		if got := marked(tt.a, ra); got != tt.wantA {
			t.Errorf("A: %q\n got %q\nwant %q", tt.a, got, tt.wantA)
		}
		if got := marked(tt.b, rb); got != tt.wantB {
			t.Errorf("B: %q\n got %q\nwant %q", tt.b, got, tt.wantB)
		}
	}
	// A pathological sentence is shown unmarked, not diffed without end.
	long := strings.Repeat("word ", maxDiffTokens)
	if ra, rb := WordDiff(long+"a", long+"b"); ra != nil || rb != nil {
		t.Errorf("a sentence over %d tokens was diffed", maxDiffTokens)
	}
}
