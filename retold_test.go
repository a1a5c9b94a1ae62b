package retold

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestVerdictOrder(t *testing.T) {
	tests := []struct {
		v, w Verdict
		want bool
	}{
		{Duplicate, Version, true},
		{Version, Version, true},
		{SameEvent, Version, false},
		{Unrelated, SameEvent, false},
		{Verdict("bogus"), Unrelated, false},
	}
	for _, tt := range tests {
		if got := tt.v.AtLeast(tt.w); got != tt.want {
			t.Errorf("%s.AtLeast(%s) = %v, want %v", tt.v, tt.w, got, tt.want)
		}
	}
	if !NearDuplicate.SameStory() || SameEvent.SameStory() {
		t.Error("SameStory: near-duplicate should be one story, same-event not")
	}
}

func TestParseVerdict(t *testing.T) {
	for _, v := range Verdicts {
		if got, err := ParseVerdict(string(v)); err != nil || got != v {
			t.Errorf("ParseVerdict(%q) = %q, %v", v, got, err)
		}
	}
	if _, err := ParseVerdict("copy"); !errors.Is(err, ErrUnknownVerdict) {
		t.Errorf("ParseVerdict(copy) error = %v, want ErrUnknownVerdict", err)
	}
}

func TestShortID(t *testing.T) {
	if got := ShortID("https://example.org/a"); got != "https://example.org/a" {
		t.Errorf("a short id changed: %q", got)
	}
	long := "https://example.org/" + strings.Repeat("é", MaxIDBytes)
	a, b := ShortID(long), ShortID(long+"x")
	if len(a) > MaxIDBytes || !utf8.ValidString(a) || !strings.HasPrefix(long, a[:100]) {
		t.Errorf("ShortID gave %d bytes (valid UTF-8 %v)", len(a), utf8.ValidString(a))
	}
	if a == b {
		t.Error("two long ids with one start were shortened to the same id")
	}
}
