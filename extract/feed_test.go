package extract

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retold/retold"
)

func TestReadFeedEntries(t *testing.T) {
	tests := []struct {
		file string
		want []retold.Document
		bad  []int // entry numbers reported as RecordErrors
	}{
		{"river.rss", []retold.Document{
			{ID: "courier-2024-0304-flood", Title: "River Mondego floods the old town", URL: "https://courier.example/2024/03/04/flood",
				Outlet: "The Coimbra Courier", Date: "2024-03-04T09:30:00Z", Lang: "en",
				Text: "Floodwaters from the Mondego forced 2,300 residents from their homes on Monday, the civil protection agency said.\n\nMayor Ana Ribeiro said 14 schools would stay closed & reopen on Thursday."},
			{ID: "https://courier.example/2024/03/05/metro", Title: "Metro line opens in Porto", URL: "https://courier.example/2024/03/05/metro",
				Outlet: "The Coimbra Courier", Date: "2024-03-05T11:00:00Z", Lang: "en",
				Text: "A new metro line opened on Tuesday after six years of work, linking the airport to the centre in 18 minutes."},
		}, []int{3}},
		{"wire.atom", []retold.Document{
			{ID: "urn:example:wire:0001", Title: "Rescue teams reach cut-off village", URL: "https://wire.example/0001",
				Outlet: "Invented Wire Service", Date: "2024-03-06T08:15:00Z", Lang: "en",
				Text: "Rescue teams reached the last cut-off village north of Lisbon on Wednesday.\n\nTwo people were taken to hospital."},
			{ID: "urn:example:wire:0002", Title: "Bridge reopens", URL: "https://wire.example/0002",
				Outlet: "Invented Wire Service", Date: "2024-03-07T07:00:00Z", Lang: "en",
				Text: "The old bridge at Ceira reopened to traffic after repairs."},
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "feeds", tc.file)
			recs, bad, err := ReadFeedFile(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(tc.want) {
				t.Fatalf("%d records, want %d: %+v", len(recs), len(tc.want), recs)
			}
			for i, r := range recs {
				if r.Doc != tc.want[i] {
					t.Errorf("entry %d:\n got %+v\nwant %+v", r.Line, r.Doc, tc.want[i])
				}
			}
			if len(bad) != len(tc.bad) {
				t.Fatalf("bad entries %v, want numbers %v", bad, tc.bad)
			}
			for i, err := range bad {
				var re *RecordError
				if !errors.As(err, &re) || re.Line != tc.bad[i] || re.Name != path || !errors.Is(err, retold.ErrEmpty) {
					t.Errorf("bad[%d] = %v, want a RecordError for entry %d wrapping ErrEmpty", i, err, tc.bad[i])
				}
			}
		})
	}
}

func TestReadFeedRefusesWhatIsNotAFeed(t *testing.T) {
	tests := []struct {
		name, data string
		want       error
	}{
		{"broken.rss", "", retold.ErrFormat}, // read from testdata
		{"page.html", "<!doctype html><html><body><p>Not a feed.</p></body></html>", retold.ErrFormat},
		{"empty.xml", "  \n", retold.ErrEmpty},
		{"big.xml", "<rss>" + strings.Repeat("x", 2000) + "</rss>", retold.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			var recs []Record
			if tc.data == "" {
				recs, _, err = ReadFeedFile(filepath.Join("testdata", "feeds", tc.name), nil)
			} else {
				recs, _, err = ReadFeed(tc.name, strings.NewReader(tc.data), &FeedOptions{MaxBytes: 1000})
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.name) || len(recs) != 0 {
				t.Errorf("err = %v (records %d), want %v naming %s", err, len(recs), tc.want, tc.name)
			}
		})
	}
}

// TestBrokenFeedKeepsTheEntriesBeforeTheBreak: a feed whose XML breaks
// in its third entry gives its first two, and the break as a bad record.
func TestBrokenFeedKeepsTheEntriesBeforeTheBreak(t *testing.T) {
	head := `<?xml version="1.0"?><rss version="2.0"><channel><title>Valley News</title>`
	item := func(n int) string {
		return fmt.Sprintf(`<item><guid>n%d</guid><title>Story %d</title><description>The river rose again on day %d, officials said.</description></item>`, n, n, n)
	}
	feed := head + item(1) + item(2) + `<item><guid>n3</guid><title>Story 3<description>cut`
	recs, bad, err := ReadFeed("valley.rss", strings.NewReader(feed), nil)
	if err != nil {
		t.Fatalf("ReadFeed: %v", err)
	}
	if len(recs) != 2 || recs[0].Doc.ID != "n1" || recs[1].Doc.ID != "n2" {
		t.Errorf("records %+v, want n1 and n2", recs)
	}
	if len(bad) != 1 || !strings.Contains(bad[0].Error(), "breaks after entry 2") {
		t.Errorf("bad %v, want the break after entry 2", bad)
	}
	// A broken Atom feed too.
	atom := `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>` +
		`<entry><id>a1</id><title>One</title><content>The dam held through the night.</content></entry>` +
		`<entry><id>a2</id><title>Two<content>cut`
	if recs, _, err := ReadFeed("t.atom", strings.NewReader(atom), nil); err != nil || len(recs) != 1 || recs[0].Doc.ID != "a1" {
		t.Errorf("atom: %+v, %v", recs, err)
	}
}

// TestGzippedFeed: a .rss.gz is decompressed, and bounded after it.
func TestGzippedFeed(t *testing.T) {
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>V</title><item><guid>g1</guid><title>One</title><description>The bridge reopened on Monday after repairs.</description></item></channel></rss>`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(feed))
	zw.Close()
	recs, _, err := ReadFeed("v.rss.gz", bytes.NewReader(gz.Bytes()), nil)
	if err != nil || len(recs) != 1 || recs[0].Doc.ID != "g1" {
		t.Errorf("gzipped feed: %+v, %v", recs, err)
	}
	if _, _, err := ReadFeed("v.rss.gz", bytes.NewReader(gz.Bytes()), &FeedOptions{MaxBytes: 100}); !errors.Is(err, retold.ErrTooLarge) {
		t.Errorf("gzipped feed past MaxBytes once decompressed: %v, want ErrTooLarge", err)
	}
}
