package datebound

import "testing"

func TestUntil(t *testing.T) {
	for _, tc := range []struct {
		prefix, date string
		in           bool
	}{
		{"2024-05", "2024-05-31T23:59:59Z", true},
		{"2024-05", "2024-05", true},
		{"2024-05", "2024-04-30", true},
		{"2024-05", "2024-06-01", false},
		{"2024-05-03", "2024-05-03T10:00:00Z", true},
		{"2024-05-03", "2024-05-04", false},
		{"2024", "2024-12-31", true},
		{"2024", "2025-01-01", false},
	} {
		if got := tc.date <= Until(tc.prefix); got != tc.in {
			t.Errorf("%q <= Until(%q) = %v, want %v", tc.date, tc.prefix, got, tc.in)
		}
	}
}
