package features

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExtract runs every extractor on arbitrary strings: none may panic,
// and every span must lie in the text and match its Text.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"", "a", "$", "US$", "1,", "2.000.", "8:", "8:33 p.", "four-", "-4", "Mr.", "U.S.", "’s",
		"“", "‘a b c’", "„x y“", "January", "Saturday,", "2022-01-", "١٬", "٫٥", "１６％",
		"a four-year-old girl", "President Kassym-Jomart Tokaev’s office said 164 people died on January 6, 2022.",
		"“We will restore order,” he said. 5.8 million, $1.2bn, 16 per cent, 737-800, COVID-19, MU5735.",
		"KAZAKHSTAN SAYS\nकज़ाख़स्तान में १६४ लोग\nカザフスタンで164人", "one of the one-year 12 a dozen",
		"\xff\xfe 12\xc3", strings.Repeat("9", 40) + " million",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(kind string, start, end int, text string) {
			if start < 0 || start > end || end > len(s) {
				t.Fatalf("%s span %d..%d out of range for len %d in %q", kind, start, end, len(s), s)
			}
			if s[start:end] != text {
				t.Fatalf("%s span %d..%d is %q, Text %q", kind, start, end, s[start:end], text)
			}
		}
		for _, n := range Numbers(s) {
			check("number", n.Start, n.End, n.Text)
			if n.Value == "" {
				t.Fatalf("number %q has no Value", n.Text)
			}
			if len(n.Left) > 3 || len(n.Right) > 3 {
				t.Fatalf("number %q has context %q %q", n.Text, n.Left, n.Right)
			}
		}
		for _, e := range Entities(s) {
			check("entity", e.Start, e.End, e.Text)
			if utf8.ValidString(s) && e.Key != Key(e.Text) {
				t.Fatalf("entity %q: Key %q != Key(Text) %q", e.Text, e.Key, Key(e.Text))
			}
		}
		for _, q := range Quotes(s) {
			check("quote", q.Start, q.End, q.Text)
		}
		dates := Dates(s)
		for _, d := range dates {
			check("date", d.Start, d.End, d.Text)
		}
		if slow := datesSlow(s); !reflect.DeepEqual(dates, slow) {
			t.Fatalf("Dates(%q) = %v, full scan %v", s, dates, slow)
		}
	})
}
