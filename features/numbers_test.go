package features

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// numberWant is the part of a Number a table row checks.
type numberWant struct{ text, value, unit string }

func numbersOf(s string) []numberWant {
	var out []numberWant
	for _, n := range Numbers(s) {
		out = append(out, numberWant{n.Text, n.Value, n.Unit})
	}
	return out
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []numberWant
	}{
		{"plain integer", "164 people died", []numberWant{{"164", "164", ""}}},
		{"comma thousands", "more than 2,200 people and 10,000,000 more", []numberWant{{"2,200", "2200", ""}, {"10,000,000", "10000000", ""}}},
		{"decimal", "a magnitude 6.3 quake", []numberWant{{"6.3", "6.3", ""}}},
		{"trailing fraction zeros dropped", "it cost 6.30 and 7.00", []numberWant{{"6.30", "6.3", ""}, {"7.00", "7", ""}}},
		{"leading zeros dropped", "room 007 opened", []numberWant{{"007", "7", ""}}},
		{"scale word after decimal", "5.8 million people", []numberWant{{"5.8 million", "5800000", ""}}},
		{"scale words", "2 billion and 1.5 trillion and 3 thousand", []numberWant{{"2 billion", "2000000000", ""}, {"1.5 trillion", "1500000000000", ""}, {"3 thousand", "3000", ""}}},
		{"glued scale after currency", "a $1.2bn deal and a $10m loan", []numberWant{{"$1.2bn", "1200000000", "$"}, {"$10m", "10000000", "$"}}},
		{"glued m without currency is metres", "a 100m sprint", []numberWant{{"100m", "100", "m"}}},
		{"number words", "four people and twenty soldiers", []numberWant{{"four", "4", ""}, {"twenty", "20", ""}}},
		{"hyphenated compound", "twenty-five protesters", []numberWant{{"twenty-five", "25", ""}}},
		{"spaced compound with hundred", "one hundred and six days", []numberWant{{"one hundred and six", "106", ""}}},
		{"words with scale", "three million voters", []numberWant{{"three million", "3000000", ""}}},
		{"a dozen", "a dozen eggs", []numberWant{{"a dozen", "12", ""}}},
		{"a million", "a million people", []numberWant{{"a million", "1000000", ""}}},
		{"lone a is not a number", "a man and a woman", nil},
		{"word before hyphen", "a four-year-old girl", []numberWant{{"four", "4", ""}}},
		{"digit before hyphen", "a 4-year-old girl", []numberWant{{"4", "4", ""}}},
		{"six-story", "a six-story building", []numberWant{{"six", "6", ""}}},
		{"currency before", "paid $200 and $ 300", []numberWant{{"$200", "200", "$"}, {"$ 300", "300", "$"}}},
		{"prefixed dollar", "worth US$5 each", []numberWant{{"US$5", "5", "$"}}},
		{"euro with scale", "a €3.5 million grant", []numberWant{{"€3.5 million", "3500000", "€"}}},
		{"pound and yen", "£40 or ¥500", []numberWant{{"£40", "40", "£"}, {"¥500", "500", "¥"}}},
		{"currency word after", "200 dollars and 50 euros", []numberWant{{"200 dollars", "200", "$"}, {"50 euros", "50", "€"}}},
		{"currency code before", "USD 70 in fees", []numberWant{{"USD 70", "70", "$"}}},
		{"percent sign", "up 16% today", []numberWant{{"16%", "16", "%"}}},
		{"percent word", "up 16 percent today", []numberWant{{"16 percent", "16", "%"}}},
		{"per cent", "up 2.5 per cent today", []numberWant{{"2.5 per cent", "2.5", "%"}}},
		{"Devanagari digits", "१६४ लोग", []numberWant{{"१६४", "164", ""}}},
		{"Arabic-Indic digits", "قتل ١٦٤ شخصا", []numberWant{{"١٦٤", "164", ""}}},
		{"Arabic separators", "١٬٣٠٠ و ٢٫٥", []numberWant{{"١٬٣٠٠", "1300", ""}, {"٢٫٥", "2.5", ""}}},
		{"full-width digits", "死者１６４人", []numberWant{{"１６４", "164", ""}}},
		{"full-width percent", "１６％", []numberWant{{"１６％", "16", "%"}}},
		{"European thousands, two groups", "2.000.000 euros", []numberWant{{"2.000.000 euros", "2000000", "€"}}},
		{"European thousands before a word", "2.000 people marched", []numberWant{{"2.000", "2000", ""}}},
		{"dot group is decimal before scale word", "1.500 million", []numberWant{{"1.500 million", "1500000", ""}}},
		{"dot group is decimal when text has comma thousands", "2.000 people and 1,300 guards", []numberWant{{"2.000", "2", ""}, {"1,300", "1300", ""}}},
		{"dot group is decimal at sentence end", "the ratio was 2.000.", []numberWant{{"2.000", "2", ""}}},
		{"dot group is decimal with long integer part", "1234.500 units", []numberWant{{"1234.500", "1234.5", ""}}},
		{"product code", "a Boeing 737-800 jet", []numberWant{{"737-800", "737-800", "code"}}},
		{"flight code", "flight MU5735 crashed", []numberWant{{"MU5735", "mu5735", "code"}}},
		{"disease code", "COVID-19 cases", []numberWant{{"COVID-19", "covid-19", "code"}}},
		{"lower-case prefix is not a code", "since mid-2019 prices", []numberWant{{"2019", "2019", ""}}},
		{"small range is two numbers", "10-15 people", []numberWant{{"10", "10", ""}, {"15", "15", ""}}},
		{"year range is two numbers", "the 2019-2020 season", []numberWant{{"2019", "2019", ""}, {"2020", "2020", ""}}},
		{"ISO date is not a number", "on 2022-01-06 it", nil},
		{"time", "at 8:33 local time", []numberWant{{"8:33", "8:33", "time"}}},
		{"time with pm", "at 8:33 p.m. and 9pm and 7 am", []numberWant{{"8:33 p.m.", "20:33", "time"}, {"9pm", "21:00", "time"}, {"7 am", "7:00", "time"}}},
		{"time with seconds", "at 08:33:20 sharp", []numberWant{{"08:33:20", "8:33:20", "time"}}},
		{"year", "independence in 1991.", []numberWant{{"1991", "1991", ""}}},
		{"one before a noun", "one person died", []numberWant{{"one", "1", ""}}},
		{"one hyphenated", "a one-year ban", []numberWant{{"one", "1", ""}}},
		{"one of the is a pronoun", "one of the victims", nil},
		{"no one is a pronoun", "no one knows", nil},
		{"the one is a pronoun", "the one chosen", nil},
		{"one at sentence end", "He was the only one.", nil},
		{"ordinals are skipped", "the first and 3rd and 21st time", nil},
		{"decade is a code", "in the 1990s", []numberWant{{"1990s", "1990s", "code"}}},
		{"unit word", "a 10 km walk and 5 miles", []numberWant{{"10 km", "10", "km"}, {"5 miles", "5", "mi"}}},
		{"comma followed by space is not a separator", "In 2019, 30 people", []numberWant{{"2019", "2019", ""}, {"30", "30", ""}}},
		{"zero", "zero tolerance", []numberWant{{"zero", "0", ""}}},
		{"half is not a number", "half the votes", nil},
		{"grammar splits a list of numbers", "five six twenty thirty", []numberWant{{"five", "5", ""}, {"six", "6", ""}, {"twenty", "20", ""}, {"thirty", "30", ""}}},
		{"one before another number word is dropped", "one two", []numberWant{{"two", "2", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := numbersOf(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Numbers(%q)\n got %v\nwant %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestNumberContext(t *testing.T) {
	tests := []struct {
		name        string
		text        string
		mention     string
		left, right []string
	}{
		{"hyphen parts are words", "three were minors, including a four-year-old girl.", "four", []string{"including", "minors"}, []string{"year", "old", "girl"}},
		{"stopwords and numbers skipped", "the ministry said that 164 of the 200 people died", "164", []string{"ministry"}, []string{"people", "died"}},
		{"at most three words", "angry striking dock workers blocked 12 large container ships leaving port", "12", []string{"blocked", "workers", "dock"}, []string{"large", "container", "ships"}},
		{"stops at sentence end", "Police came. 40 people left. Then rain.", "40", nil, []string{"people", "left"}},
		{"stops at newline", "headline words\n40 people\nnext line", "40", nil, []string{"people"}},
		{"lower-cased", "Kazakh Officials counted 16 Police", "16", []string{"counted", "officials", "kazakh"}, []string{"police"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range Numbers(tt.text) {
				if n.Text != tt.mention {
					continue
				}
				if !reflect.DeepEqual(n.Left, tt.left) || !reflect.DeepEqual(n.Right, tt.right) {
					t.Errorf("context of %q: left %q right %q, want left %q right %q", n.Text, n.Left, n.Right, tt.left, tt.right)
				}
				return
			}
			t.Fatalf("no number %q in %q", tt.mention, tt.text)
		})
	}
}

func TestDigitValueCoversEveryDecimalDigit(t *testing.T) {
	// Every Nd code point must have a value 0..9, and each run of ten
	// must count up from zero.
	for _, tab := range []*unicode.RangeTable{unicode.Nd} {
		for _, rg := range tab.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				if got, want := digitValue(r), int(r-rune(rg.Lo))%10; got != want || rg.Stride != 1 {
					t.Fatalf("digitValue(%U) = %d, want %d", r, got, want)
				}
			}
		}
		for _, rg := range tab.R32 {
			if (rg.Hi-rg.Lo+1)%10 != 0 || rg.Stride != 1 {
				t.Fatalf("range %U-%U is not whole digit sets", rg.Lo, rg.Hi)
			}
		}
	}
	for r, want := range map[rune]int{'7': 7, '٣': 3, '३': 3, '３': 3, '৯': 9, '𝟘': 0, 'a': -1, '½': -1} {
		if got := digitValue(r); got != want {
			t.Errorf("digitValue(%q) = %d, want %d", r, got, want)
		}
	}
}

// TestNumberWordsListed holds numberWords (behind numberWordFilter) to
// the cases of lookupNumberWord's switch, read from the source, so that a
// word added to one cannot be missing from the other.
func TestNumberWordsListed(t *testing.T) {
	f, err := parser.ParseFile(gotoken.NewFileSet(), "numbers.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	ast.Inspect(f, func(n ast.Node) bool {
		if fn, ok := n.(*ast.FuncDecl); ok && fn.Name.Name != "lookupNumberWord" {
			return false
		}
		if cl, ok := n.(*ast.CaseClause); ok {
			for _, e := range cl.List {
				if lit, ok := e.(*ast.BasicLit); ok {
					w, _ := strconv.Unquote(lit.Value)
					cases = append(cases, w)
				}
			}
		}
		return true
	})
	if !slices.Equal(cases, numberWords) {
		t.Fatalf("lookupNumberWord knows %q, numberWords lists %q", cases, numberWords)
	}
	for _, w := range numberWords {
		for _, v := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:]} {
			if !numberWordFilter.Has(v) {
				t.Errorf("the filter turns away %q", v)
			}
		}
	}
}
