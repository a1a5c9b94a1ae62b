package explain

import (
	"testing"

	retold "github.com/retold/retold"
)

func TestTotalTextGroupsThousandsAndSaysCapped(t *testing.T) {
	for _, tc := range []struct {
		total retold.Total
		want  string
	}{
		{retold.Total{}, "0"},
		{retold.Total{N: 999}, "999"},
		{retold.Total{N: 1000}, "1,000"},
		{retold.Total{N: 70089}, "70,089"},
		{retold.Total{N: 1234567}, "1,234,567"},
		{retold.Total{N: 1000, Capped: true}, "more than 1,000"},
		{retold.Total{N: 10000, Capped: true}, "more than 10,000"},
	} {
		if got := TotalText(tc.total); got != tc.want {
			t.Errorf("TotalText(%+v) = %q, want %q", tc.total, got, tc.want)
		}
	}
}
