// Package align matches the sentences of two documents.
//
// Each sentence comes as a set of weighted features (content-word stems,
// numbers, name keys, character n-grams; the caller chooses), and the
// similarity of two sentences is the weighted Dice coefficient of their
// feature sets:
//
//	sim(a, b) = 2 * sum over shared f of min(wa(f), wb(f)) / (|a| + |b|)
//
// where |x| is the total weight of x. Weighted Dice, unlike cosine, is
// linear in shared weight, which keeps a sentence's contribution readable.
//
// Alignment runs in three steps:
//
//  1. Score: an inverted index from feature to the sentences of B that hold
//     it gives every pair with any shared feature, in time proportional to
//     the sum of posting list lengths rather than len(a)*len(b) full
//     comparisons. Pairs that can never be linked (below MinSim and below
//     MinContain containment) are dropped before the sort. A caller that
//     knows both documents (verify does) may pass only the features they
//     share, numbered 0, 1, ..., with each sentence's full weight in
//     Sentence.Total: the index is then a slice instead of a hash map, and
//     far smaller.
//  2. Link: pairs are taken greedily by similarity, best first (competitive
//     linking), each sentence at most once, down to Options.MinSim. Ties go
//     to the pair nearer the diagonal (|a - b| smaller), then to the lowest
//     indexes, so the result is deterministic. Greedy
//     linking rather than a monotone dynamic program is what lets reordered
//     paragraphs align.
//  3. Split and merge: a sentence left unlinked whose features are mostly
//     contained in a sentence linked to its neighbour (the other document
//     split one sentence in two, or merged two) is linked to that sentence
//     too.
//
// Greedy linking is the standard approximation for this kind of one-to-one
// matching; reference.go keeps a plain all-pairs version that the tests hold
// the fast path to.
package align
