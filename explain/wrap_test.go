package explain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  []string // nil: only check the invariants
	}{
		{"fits", "The council said 12 people were hurt", 40, []string{"The council said 12 people were hurt"}},
		{"breaks at spaces", "The council said 12 people were hurt", 16, []string{"The council said", "12 people were", "hurt"}},
		{"collapses white space", "  one\n\ttwo   three ", 80, []string{"one two three"}},
		{"cuts a word longer than the line", "Donaudampfschifffahrt", 8, []string{"Donaudam", "pfschiff", "fahrt"}},
		{"japanese wraps between characters, two columns each", "東京都は十二日", 6, []string{"東京都", "は十二", "日"}},
		{"cyrillic counts runes, not bytes", "Городской совет сообщил", 9, []string{"Городской", "совет", "сообщил"}},
		{"combining accents take no column", "cafe\u0301 cafe\u0301", 5, []string{"cafe\u0301", "cafe\u0301"}},
		{"empty", " \n ", 10, nil},
		{"long japanese", japanese, 17, nil},
		{"long cyrillic", cyrillic, 13, nil},
		{"wide character on a one-column line", "東京", 1, []string{"東", "京"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.text, tt.width)
			if tt.want != nil && strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
			for _, line := range got {
				if !utf8.ValidString(line) {
					t.Errorf("line %q splits a rune", line)
				}
				// A two-column character alone may overflow a one-column line.
				if w := width(line); w > tt.width && utf8.RuneCountInString(line) > 1 {
					t.Errorf("line %q is %d columns, limit %d", line, w, tt.width)
				}
			}
			// Nothing is lost or reordered: only white space changes.
			noSpace := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if noSpace(strings.Join(got, "")) != noSpace(tt.text) {
				t.Errorf("wrapped text %q does not hold the input %q", got, tt.text)
			}
		})
	}
}

func TestPackKeepsItemsWhole(t *testing.T) {
	items := []string{"Lomza", "Anna Kowalsky", "International Monetary Fund", "EU"}
	tests := []struct {
		width int
		want  []string
	}{
		{30, []string{"Lomza, Anna Kowalsky,", "International Monetary Fund,", "EU"}},
		{80, []string{"Lomza, Anna Kowalsky, International Monetary Fund, EU"}},
		// An item wider than the line is wrapped on lines of its own.
		{16, []string{"Lomza,", "Anna Kowalsky,", "International", "Monetary Fund,", "EU"}},
	}
	for _, tt := range tests {
		if got := pack(items, ", ", tt.width); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("pack(width %d) = %q, want %q", tt.width, got, tt.want)
		}
	}
}
