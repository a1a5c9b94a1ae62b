package explain

import (
	"slices"
	"strings"
	"testing"

	retold "github.com/retold/retold"
)

func TestTimelineSortsByDateUndatedLast(t *testing.T) {
	doc := func(seq int64, date string) retold.StoredDocument {
		return retold.StoredDocument{Seq: seq, Document: retold.Document{Date: date}}
	}
	docs := []retold.StoredDocument{
		doc(1, ""),
		doc(2, "2031-04-03"),
		doc(3, "2031-04-02T23:00:00-05:00"), // 04:00 on the 3rd in UTC
		doc(4, "2031-04-03T01:00:00Z"),
		doc(5, "not a date"),
		doc(6, "2031-04-03"), // the same day as 2: after it, by Seq
		doc(7, "2031-04-01"),
	}
	var got []int64
	for _, d := range timeline(docs) {
		got = append(got, d.Seq)
	}
	if want := []int64{7, 2, 6, 4, 3, 1, 5}; !slices.Equal(got, want) {
		t.Errorf("timeline %v, want %v", got, want)
	}
}

func TestDisplayTitle(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, tc := range []struct{ title, text, want string }{
		{"Floods kill 12", "Body.", "Floods kill 12"},
		{"", "\n  Kazakhstan says 164 people died\nMore text.", "Kazakhstan says 164 people died"},
		{"", long, strings.TrimSpace(long[:99]) + "…"},
		{"", "", ""},
	} {
		if got := DisplayTitle(retold.Document{Title: tc.title, Text: tc.text}); got != tc.want {
			t.Errorf("DisplayTitle(%q, %q) = %q, want %q", tc.title, tc.text, got, tc.want)
		}
	}
}
