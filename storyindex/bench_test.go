package storyindex

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
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

// syntheticKeyRows stores n documents whose key rows look like a news
// corpus's (49 keys a document on average at 100,000 articles): most
// keys held by the one document, some by a few, some by more than
// MaxPostings.
func syntheticKeyRows(b *testing.B, st retold.Store, n int) {
	rng := rand.New(rand.NewPCG(5, 6))
	for start := 1; start <= n; start += 1000 {
		err := st.Update(context.Background(), func(tx retold.Tx) error {
			for i := start; i < min(start+1000, n+1); i++ {
				keys := make([]uint64, 0, 49)
				for range 36 {
					keys = append(keys, rng.Uint64())
				}
				for range 8 {
					keys = append(keys, uint64(rng.IntN(n/2))*0x9e3779b97f4a7c15)
				}
				for range 4 {
					keys = append(keys, uint64(rng.IntN(5000))*0xbf58476d1ce4e5b9)
				}
				keys = append(keys, uint64(rng.IntN(50))*0x94d049bb133111eb)
				d := retold.StoredDocument{Document: retold.Document{ID: fmt.Sprintf("d%d", i), Text: "x"}, Hash: uint64(i)}
				if err := tx.PutDocument(&d, keys); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad times how a process gets its in-memory index of 20,000
// documents' keys: by filing every key row (rows) or from a postings
// snapshot (snapshot), per 100,000 documents.
func BenchmarkLoad(b *testing.B) {
	const n = 20000
	dir := b.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "retold.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	syntheticKeyRows(b, st, n)
	snap := filepath.Join(dir, "retold.db.postings")
	if err := New(st, &Options{Snapshot: snap}).SaveSnapshot(context.Background()); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(snap)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, snap string }{{"rows", ""}, {"snapshot", snap}} {
		b.Run(tc.name, func(b *testing.B) {
			var s IndexStats
			for b.Loop() {
				x := New(st, &Options{Snapshot: tc.snap})
				if err := x.Load(context.Background()); err != nil {
					b.Fatal(err)
				}
				s = x.Stats()
			}
			if s.Documents != n || (tc.snap != "") != (s.FromSnapshot == n) {
				b.Fatalf("stats %+v", s)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)*100000/n, "load-ms/100k-docs")
			if tc.snap != "" {
				b.ReportMetric(float64(fi.Size())/(1<<20)*100000/n, "snapshot-MB/100k-docs")
			}
		})
	}
}
