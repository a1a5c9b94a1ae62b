package retold

import (
	"errors"
	"testing"
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
