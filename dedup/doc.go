// Package dedup removes near-duplicate records from large JSONL corpora
// in one streaming pass, keeping the first record of each group in input
// order, and says for every dropped record which earlier record it
// matched and how closely.
//
// # Pipeline
//
// A reader goroutine cuts the input into batches of lines. Workers sign
// each batch in parallel: they scan the "id" and "text" fields without a
// JSON tree (extract.ScanIDText), hash the text (xxh3) for exact
// duplicates, hash its word 5-gram shingles (shingle.go: the textbook
// tokenization, eight ASCII bytes classified at a time), and in the same
// loop over the shingle hashes update a one-permutation MinHash signature
// with densification (sketch.OnePerm: one mix and one compare per
// shingle, where k-permutation MinHash needs k), later cut into LSH band
// keys, and collect each shingle's 24-bit set member; the members are
// then made distinct in a small hash table (set24.go), in order of first
// appearance: a set needs no order, and sorting it cost as much again.
// One goroutine then decides the records strictly in input order:
//
//  1. Candidates: every earlier document filed under one of the record's
//     band keys. An exact copy shares every key with its twin, so exact
//     duplicates are candidates too.
//  2. Verification, earliest candidate first: an equal content hash (all
//     64 bits) drops the record as "exact" at once; otherwise the
//     candidate's shingle set is read back from the log and the exact
//     Jaccard similarity counted by probing a hash table of the record's
//     own set with the candidate's members, and the record is dropped as
//     "near" if one reaches the threshold, reporting the most similar
//     (earliest on ties) as dup_of. LSH only proposes: no record is
//     dropped on an estimate, and none on a chain of loose matches, since
//     every drop is one verified pair.
//  3. Filing: the record joins the log and, unless it is an exact copy,
//     the buckets, so later records can match it even when it was dropped
//     (a group is the connected set of verified pairs; its first record
//     is the one kept).
//
// Because decisions are sequential and only the signing is parallel, the
// output is the same bytes for any number of workers.
//
// # Choices
//
// Verification is exact, so LSH is tuned for recall: bandRows takes the
// fewest bands whose chance of proposing a pair at exactly the threshold
// is at least 99.5%, with at least 3 rows. At 0.8 that is 8 bands of 3
// rows (a 24-value signature): P(propose) is 0.997 at J = 0.8, 0.66 at
// 0.5 and 0.06 at 0.2. Pairs far below the threshold are proposed rarely
// and cost one store read each when they are.
//
// Memory per document is what limits corpus size, so the buckets hold 40
// bits of each band key and a 32-bit document number in one uint64 slot
// of open-addressing tables (index.go), and the shingle sets live in an
// unlinked temporary file with only an 8-byte offset per document in
// memory (store.go). An exact copy files nothing, so it costs memory only
// through its offset; a near duplicate files its keys like any record, so
// that a chain of write-thrus, each at the threshold with the one before
// but not with the first, is still found link by link. Past Options.MemBytes the tables are spilled
// to sorted run files with in-memory Bloom filters (spill.go), so an index
// larger than memory still works.
//
// Shingle sets hold 24 bits of each 64-bit shingle hash (bits 8 to 31,
// stored in 3 bytes): a thousand-shingle document has about 0.03 pairs
// of its own shingles that collide, and each moves a Jaccard value by
// about a thousandth.
package dedup
