package storyindex

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/sqlite"
)

// storyVersion is version i of one invented flood story: the same ten
// sentences, a count that changes, and a line of its own, so every
// version is a distinct text of the one story.
func storyVersion(i int) retold.Document {
	text := fmt.Sprintf(`Floodwaters forced %d residents of the river town of Marsk from their homes on Monday, the regional civil protection agency said. `, 2300+i) +
		`The river rose 4.2 meters in twelve hours after three days of heavy rain across the northern hills. ` +
		`Mayor Ilse Varga said 14 schools would stay closed until Thursday and that the old bridge was shut to traffic. ` +
		`Two people were reported missing near the village of Dorn, and rescue teams with boats searched the area through the night. ` +
		`The agency said 61 roads were cut in the district and that power was out in about 3,000 homes. ` +
		`Forecasters expected the rain to ease on Tuesday but warned that the river would keep rising until Wednesday. ` +
		`Farmers in the valley said they had lost much of the spring planting to the water. ` +
		`The government promised an emergency fund for families whose houses were damaged. ` +
		fmt.Sprintf(`Update %d: officials gave the latest count at a briefing in hall %d of the town offices.`, i, i%37)
	return retold.Document{ID: fmt.Sprintf("v%d", i), Title: "Floods in Marsk", Text: text,
		Outlet: fmt.Sprintf("Outlet %d", i%40), Date: fmt.Sprintf("2031-05-%02d", 1+i%28)}
}

// BenchmarkAddToLargeStory adds one more version to a story that holds
// size versions already: the regrouping reads the story's members and
// the edges among them, not their texts, so the cost per add grows with
// the story's edges only.
func BenchmarkAddToLargeStory(b *testing.B) {
	for _, size := range []int{50, 200, 500} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "retold.db"), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			x := New(st, nil)
			for i := range size {
				if _, err := x.Add(ctx, storyVersion(i)); err != nil {
					b.Fatal(err)
				}
			}
			n := size
			b.ResetTimer()
			for b.Loop() {
				res, err := x.Add(ctx, storyVersion(n))
				if err != nil {
					b.Fatal(err)
				}
				if !strings.HasPrefix(res.Story, "s") {
					b.Fatalf("story %q", res.Story)
				}
				n++
			}
		})
	}
}
