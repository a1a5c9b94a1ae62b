package features

import (
	"os"
	"reflect"
	"testing"
)

type dateWant struct{ text, value string }

func datesOf(s string) []dateWant {
	var out []dateWant
	for _, d := range Dates(s) {
		out = append(out, dateWant{d.Text, d.Value})
	}
	return out
}

func TestDates(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []dateWant
	}{
		{"month day year", "on January 6, 2022, protesters", []dateWant{{"January 6, 2022", "2022-01-06"}}},
		{"day month year", "on 6 January 2022 protesters", []dateWant{{"6 January 2022", "2022-01-06"}}},
		{"abbreviation with period", "on Jan. 6 protesters", []dateWant{{"Jan. 6", "--01-06"}}},
		{"abbreviation without period", "on Jan 6 protesters", []dateWant{{"Jan 6", "--01-06"}}},
		{"month day", "began on January 2 in the west", []dateWant{{"January 2", "--01-02"}}},
		{"month year", "in January 2022 prices rose", []dateWant{{"January 2022", "2022-01"}}},
		{"weekday joins the date", "on Saturday, January 8, 2022.", []dateWant{{"Saturday, January 8, 2022", "2022-01-08"}}},
		{"weekday alone", "said on Sunday that", []dateWant{{"Sunday", "sunday"}}},
		{"ISO", "dated 2022-01-06 in", []dateWant{{"2022-01-06", "2022-01-06"}}},
		{"invalid ISO", "code 2022-13-06 in", nil},
		{"ordinal day", "on the 6th of January and March 3rd", []dateWant{{"6th of January", "--01-06"}, {"March 3rd", "--03-03"}}},
		{"May as a verb", "May I ask? It may rain.", nil},
		{"March as a verb", "March on, they said, in March", nil},
		{"May with a day", "on May 5 it rained", []dateWant{{"May 5", "--05-05"}}},
		{"lower-case month is not a date", "january 6", nil},
		{"impossible day", "on February 30 and April 31", nil},
		{"three-digit number is not a day", "164 January", nil},
		{"numeric dates are skipped", "on 1/6/2022 it", nil},
		{"bare year is not a date", "in 2019 he resigned", nil},
		{"year is not a day", "January 2019, and 5 June", []dateWant{{"January 2019", "2019-01"}, {"5 June", "--06-05"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := datesOf(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Dates(%q)\n got %v\nwant %v", tt.text, got, tt.want)
			}
		})
	}
}

// datesSlow is the reference the windowed Dates must agree with: the same
// grammar over the tokens of the whole text.
func datesSlow(text string) []Date {
	p := dateParser{text: text, toks: tokenize(text)}
	var out []Date
	for i := 0; i < len(p.toks); {
		if d, next, ok := p.at(i); ok {
			out = append(out, d)
			i = next
			continue
		}
		i++
	}
	return out
}

func TestDatesWindowsMatchFullScan(t *testing.T) {
	texts := []string{
		"on Saturday, January 8, 2022, and Wednesday, 30th of September 2022 and 2022-01-06.",
		"May I? On May 5 and 6 June, Jan. 6 and Dec 24 2021 until Sunday.\nMonday\nJanuary\n2022",
		"mid-January 2022; 164 January; the 6th of January; Sept. 11, 2001",
	}
	if b, err := os.ReadFile("testdata/bench_news.txt"); err == nil {
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		if got, want := Dates(s), datesSlow(s); !reflect.DeepEqual(got, want) {
			t.Errorf("Dates(%q)\n got %v\nwant %v", s, got, want)
		}
	}
}
