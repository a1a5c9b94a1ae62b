// Package metrics scores a clustering against labeled truth: the adjusted
// Rand index, pairwise precision, recall and F1, and B-cubed precision,
// recall and F1.
//
// # Definitions
//
// Both partitions cover the same n items. Let a_i be the size of truth
// cluster i, b_j the size of predicted cluster j, n_ij the number of items
// in both (the contingency table), C(x) = x(x-1)/2 the number of pairs
// among x items, and
//
//	T  = C(n)            all item pairs
//	SA = sum_i C(a_i)    pairs the truth puts together
//	SB = sum_j C(b_j)    pairs the prediction puts together
//	TP = sum_ij C(n_ij)  pairs both put together
//
// The pairwise scores treat every item pair as one decision, positive when
// both items share a cluster: precision TP/SB, recall TP/SA, F1 their
// harmonic mean. Big clusters weigh quadratically, so one wrongly merged
// pair of big clusters dominates.
//
// The adjusted Rand index (Hubert & Arabie 1985) is the pair agreement
// corrected for chance, so that random labels score about 0 and identical
// partitions 1 (it can be negative):
//
//	ARI = (TP - SA*SB/T) / ((SA+SB)/2 - SA*SB/T)
//	    = 2(TP*T - SA*SB) / (SA(T-SB) + SB(T-SA))
//
// B-cubed (Bagga & Baldwin 1998) scores each item instead of each pair:
// an item's precision is the share of its predicted cluster that shares
// its truth cluster, its recall the share of its truth cluster that shares
// its predicted cluster; both are averaged over items. Summed over the
// contingency table that is
//
//	precision = (1/n) sum_ij n_ij^2 / b_j
//	recall    = (1/n) sum_ij n_ij^2 / a_i
//
// # Edge cases
//
// A score of 1 means the prediction got that aspect right; the undefined
// ratios are settled so that this holds:
//
//   - ARI: its denominator SA(T-SB) + SB(T-SA) is 0 only when T = 0 (fewer
//     than two items), or both partitions are all singletons, or both are
//     one cluster. In each case the partitions are identical, so ARI is 1.
//   - Pairwise precision with no predicted pairs (SB = 0) is 1 when the
//     truth has no pairs either, else 0; recall with no true pairs (SA = 0)
//     is 1 when the prediction has no pairs either, else 0. So an
//     all-singletons prediction does not show a perfect precision against a
//     truth that has pairs, and swapping truth and prediction swaps
//     precision and recall, as it does everywhere else.
//   - F1 is 0 when precision and recall are both 0.
//   - No items at all: the two empty partitions are identical, every score
//     is 1.
//
// # Cost
//
// Compare interns the labels to small integers (one map lookup per item),
// groups the items by truth cluster with a counting sort, and walks each
// truth cluster once with a dense counter per predicted cluster: O(n) time
// and memory, no pair loop. The pair counts are int64 (T < 2^62 for the at
// most 2^31-1 items Compare accepts); the ARI numerator and denominator are
// products of pair counts, which overflow int64 from about 10^5 items, so
// they are formed exactly with math/big and divided once.
package metrics
