package explain

import (
	"strconv"

	retold "github.com/retold/retold"
)

// TotalText is a listing's total as the list page and the command line
// say it: "70,089", or "more than 1,000" when the count stopped at its
// cap (see retold.ReadTx.CountStories).
func TotalText(t retold.Total) string {
	n := strconv.FormatInt(t.N, 10)
	for i := len(n) - 3; i > 0 && n[i-1] != '-'; i -= 3 {
		n = n[:i] + "," + n[i:]
	}
	if t.Capped {
		return "more than " + n
	}
	return n
}
