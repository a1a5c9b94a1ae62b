package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestWordFilter: a listed word passes in any case (capitals change a
// Cyrillic letter's bytes), and most other words do not.
func TestWordFilter(t *testing.T) {
	listed := []string{"seven", "zwölf", "три", "шість", "être", "a"}
	f := NewWordFilter(listed)
	for _, w := range listed {
		r, n := utf8.DecodeRuneInString(w)
		for _, v := range []string{w, strings.ToUpper(w), string(unicode.ToUpper(r)) + w[n:]} {
			if !f.Has(v) {
				t.Errorf("Has(%q) = false, want true", v)
			}
		}
	}
	if f.Has("") {
		t.Error(`Has("") = true`)
	}
	others := strings.Fields(`the quake struck near the coast on Monday killing at least twelve people and
		injuring dozens more officials said rescue teams searched collapsed buildings through the night`)
	passed := 0
	for _, w := range others {
		if f.Has(w) {
			passed++
		}
	}
	if passed > len(others)/10 {
		t.Errorf("%d of %d unlisted words pass the filter", passed, len(others))
	}
}
