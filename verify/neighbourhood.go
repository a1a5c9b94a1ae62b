package verify

import (
	"math"
	"slices"

	"github.com/retold/retold/sketch"
)

// Neighbourhood is what a corpus says about one document's authored
// wording: how many of the documents around it (in a batch or an index,
// the earlier documents it is verified against, which are mostly reports
// of its event) hold each of its authored 3-grams and content stems.
//
// A phrase that many reports of one event share (an unquoted rendering of
// a statement, the toll, the event's own vocabulary: convicted, babies,
// hospital) is weak evidence that any two of them derive from each
// other; a phrase that only the two share is strong. The reuse measure
// therefore weighs each feature of a sentence pair by 2/holders (at most
// 1), where holders counts the document and its neighbours that hold it,
// in both the shared part and the totals of a Dice coefficient: two
// copies still share nearly everything, whatever the weights, while two
// independent reports that share only what everyone has lose the little
// they shared. Features of the other document that the first lacks keep
// weight 1. Pairwise compare has no corpus and weighs everything 1.
type Neighbourhood struct {
	keys    []uint64 // the document's authored 3-grams and stems, sorted
	holders []int32  // how many of the document and its neighbours hold each
}

// NewNeighbourhood counts, for each authored feature of p, how many of p
// and its neighbours hold it. It costs one merge of sorted sets per
// neighbour.
func NewNeighbourhood(p *Profile, neighbours []*Profile) *Neighbourhood {
	p.wording()
	keys := slices.Concat(p.authored.grams, p.authored.stems)
	keys = sketch.Set(keys)
	n := &Neighbourhood{keys: keys, holders: make([]int32, len(keys))}
	for i := range n.holders {
		n.holders[i] = 1
	}
	var scratch []uint64
	for _, q := range neighbours {
		if q == nil || q == p {
			continue
		}
		q.wording()
		scratch = sketch.Set(append(append(scratch[:0], q.authored.grams...), q.authored.stems...))
		for i, j := 0, 0; i < len(keys) && j < len(scratch); {
			switch {
			case keys[i] < scratch[j]:
				i++
			case keys[i] > scratch[j]:
				j++
			default:
				n.holders[i]++
				i++
				j++
			}
		}
	}
	return n
}

// weight is a feature's weight in the reuse measure: 2/holders, at most
// 1; 1 for a feature the document lacks and for a nil Neighbourhood.
func (n *Neighbourhood) weight(h uint64) float64 {
	if n == nil {
		return 1
	}
	i, ok := slices.BinarySearch(n.keys, h)
	if !ok || n.holders[i] <= 2 {
		return 1
	}
	return math.Sqrt(2 / float64(n.holders[i]))
}

// weightedDice is Dice of two sorted sets with each element weighted.
func (n *Neighbourhood) weightedDice(a, b []uint64) float64 {
	if n == nil {
		return dice(a, b)
	}
	var wa, wb, shared float64
	for i, j := 0, 0; i < len(a) || j < len(b); {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			wa += n.weight(a[i])
			i++
		case i == len(a) || a[i] > b[j]:
			wb += n.weight(b[j])
			j++
		default:
			w := n.weight(a[i])
			wa, wb, shared = wa+w, wb+w, shared+w
			i++
			j++
		}
	}
	if wa+wb == 0 {
		return 0
	}
	return 2 * shared / (wa + wb)
}

// weightedLCS is the heaviest common subsequence of a and b, as a share of
// their mean total weight.
func (n *Neighbourhood) weightedLCS(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if n == nil {
		return 2 * float64(lcs(a, b)) / float64(len(a)+len(b))
	}
	wa, wb := 0.0, 0.0
	for _, x := range a {
		wa += n.weight(x)
	}
	for _, y := range b {
		wb += n.weight(y)
	}
	row := make([]float64, len(b)+1)
	for _, x := range a {
		w := n.weight(x)
		diag := 0.0
		for j, y := range b {
			up := row[j+1]
			if x == y {
				row[j+1] = diag + w
			} else {
				row[j+1] = max(row[j+1], row[j])
			}
			diag = up
		}
	}
	return 2 * row[len(b)] / (wa + wb)
}
