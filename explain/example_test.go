package explain_test

import (
	"os"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/verify"
)

func ExampleText() {
	r := &verify.Result{
		Verdict: retold.NearDuplicate,
		Score:   0.94,
		Reason:  "every sentence aligns; one number differs",
		A:       verify.DocInfo{Name: "a.txt"},
		B:       verify.DocInfo{Name: "b.txt"},
		Alignment: []verify.AlignedPair{{A: 0, B: 0, Similarity: 0.9,
			AText: "The ferry left with 30 cars.", BText: "The ferry left with 32 cars."}},
		Facts: verify.FactDiff{Numbers: verify.NumberDiff{Changed: []verify.NumberChange{{
			A: verify.NumberItem{Value: "30", Text: "30", Context: "cars"},
			B: verify.NumberItem{Value: "32", Text: "32", Context: "cars"},
		}}}},
	}
	explain.Text(os.Stdout, r, 72, false)
	// Output:
	// A: a.txt
	// B: b.txt
	// verdict: near-duplicate   score: 0.94
	// reason: every sentence aligns; one number differs
	// signals: coverage A 0% B 0%   aligned 0.00   order 0.00
	//          jaccard word5 0.00 stem 0.00 char5 0.00   numbers 0.00
	//          entities 0.00
	//
	// Aligned sentences (1)
	// A0 The ferry left with [-⁠30-]    0.90  B0 The ferry left with {+32+}
	//    cars.                                  cars.
	//
	// Only in A (0)
	//   (none)
	//
	// Only in B (0)
	//   (none)
	//
	// Numbers
	//   same (0)
	//     (none)
	//   changed (1)
	//     A0 30 (cars) -> B0 32 (cars)
	//   only in A (0)
	//     (none)
	//   only in B (0)
	//     (none)
	//
	// Entities
	//   variants (0)
	//     (none)
	//   same (0)
	//     (none)
	//   only in A (0)
	//     (none)
	//   only in B (0)
	//     (none)
}
