package cluster

import (
	"slices"
	"testing"
)

func TestChooseAnchors(t *testing.T) {
	stem := func(k uint64, df int) AnchorKey { return AnchorKey{Key: k, DF: df} }
	fact := func(k uint64, df int) AnchorKey { return AnchorKey{Key: k, DF: df, Fact: true} }
	tests := []struct {
		name                string
		ks                  []AnchorKey
		anchors, factPlaces int
		want                []uint64
	}{
		{"rarest first, then by key", []AnchorKey{stem(5, 3), stem(4, 1), stem(3, 3), stem(2, 2)}, 3, 0, []uint64{4, 2, 3}},
		{"keys no earlier document holds, or too many, never anchor", []AnchorKey{stem(1, 0), stem(2, 51), stem(3, 50), fact(4, 0)}, 4, 2, []uint64{3}},
		{"fact places go to the rarest facts even when stems are rarer", []AnchorKey{stem(1, 1), stem(2, 1), stem(3, 1), fact(10, 9), fact(11, 7), fact(12, 8)}, 4, 2, []uint64{11, 12, 1, 2}},
		{"unused fact places go to stems", []AnchorKey{stem(1, 1), stem(2, 1), stem(3, 1), fact(10, 9)}, 4, 3, []uint64{10, 1, 2, 3}},
		{"a fact can also win a place of its own", []AnchorKey{fact(10, 1), fact(11, 2), stem(1, 3)}, 3, 1, []uint64{10, 11, 1}},
		{"fact places beyond the anchors count as anchors", []AnchorKey{stem(1, 1), fact(10, 5), fact(11, 6)}, 2, 5, []uint64{10, 11}},
		{"no fact places: rarity alone", []AnchorKey{stem(1, 1), fact(10, 5), stem(2, 2)}, 2, 0, []uint64{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions
			o.Anchors, o.FactAnchors = tc.anchors, tc.factPlaces
			got := ChooseAnchors(slices.Clone(tc.ks), &o, []uint64{99})
			if got[0] != 99 {
				t.Fatalf("dst's prefix lost: %v", got)
			}
			if !slices.Equal(got[1:], tc.want) {
				t.Errorf("anchors %v, want %v", got[1:], tc.want)
			}
		})
	}
}
