package verify

import (
	"math"
	"math/bits"
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
	// slots is an open-addressing table of the keys held by three or
	// more (the only ones weighing under 1), each with its weight:
	// weight is asked for every feature of every aligned pair, and a
	// probe or two costs less than a binary search of keys.
	slots []weightSlot
	mask  uint64
}

// weightSlot is a key of the table and its weight; weight 0 marks an
// empty slot.
type weightSlot struct {
	key    uint64
	weight float64
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
	for _, q := range neighbours {
		if q == nil || q == p {
			continue
		}
		q.wording()
		n.count(q.authored.grams, q.authored.stems)
	}
	n.index()
	return n
}

// count adds one holder to each key found in the union of the sorted sets
// a and b (a neighbour's 3-grams and stems), walking the three at once.
func (n *Neighbourhood) count(a, b []uint64) {
	keys := n.keys
	i, j, k := 0, 0, 0
	for k < len(keys) && (i < len(a) || j < len(b)) {
		// The next value of the union.
		var v uint64
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			v = a[i]
			i++
		case i == len(a) || b[j] < a[i]:
			v = b[j]
			j++
		default: // in both
			v = a[i]
			i++
			j++
		}
		for k < len(keys) && keys[k] < v {
			k++
		}
		if k < len(keys) && keys[k] == v {
			n.holders[k]++
			k++
		}
	}
}

// index fills the weight table.
func (n *Neighbourhood) index() {
	common := 0
	for _, h := range n.holders {
		if h > 2 {
			common++
		}
	}
	if common == 0 {
		return
	}
	size := 1 << bits.Len(uint(2*common))
	n.slots, n.mask = make([]weightSlot, size), uint64(size-1)
	for i, h := range n.holders {
		if h <= 2 {
			continue
		}
		k := n.keys[i]
		j := slotOf(k) & n.mask
		for n.slots[j].weight != 0 {
			j = (j + 1) & n.mask
		}
		n.slots[j] = weightSlot{key: k, weight: math.Sqrt(2 / float64(h))}
	}
}

// slotOf spreads a key over the table: keys are hashes already, but of
// kinds that may share low bits, so they are mixed once more.
func slotOf(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> 32 }

// weight is a feature's weight in the reuse measure: 2/holders, at most
// 1; 1 for a feature the document lacks and for a nil Neighbourhood.
func (n *Neighbourhood) weight(h uint64) float64 {
	if n == nil || n.slots == nil {
		return 1
	}
	for j := slotOf(h) & n.mask; ; j = (j + 1) & n.mask {
		switch sl := &n.slots[j]; {
		case sl.weight == 0:
			return 1
		case sl.key == h:
			return sl.weight
		}
	}
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
