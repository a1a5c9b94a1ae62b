package sketch

import "testing"

func TestJaccard(t *testing.T) {
	tests := []struct {
		name string
		a, b []uint64
		want float64
	}{
		{"both empty", nil, nil, 0},
		{"one empty", []uint64{1}, nil, 0},
		{"equal", []uint64{1, 2, 3}, []uint64{1, 2, 3}, 1},
		{"disjoint", []uint64{1, 2}, []uint64{3, 4}, 0},
		{"half", []uint64{1, 2, 3}, []uint64{2, 3, 4}, 0.5},
		{"repeats removed by Set", Set([]uint64{3, 1, 1, 2}), Set([]uint64{2, 2, 1}), 2.0 / 3},
	}
	for _, tt := range tests {
		if got := Jaccard(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Jaccard = %v, want %v", tt.name, got, tt.want)
		}
	}
}
