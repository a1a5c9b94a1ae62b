// Package verify compares two documents and gives one verdict with the
// evidence behind it: duplicate, near-duplicate, version, same-event or
// unrelated (see retold.Verdict).
//
// # Profile once, compare many
//
// A Profile is a document analysed once: its sentences and their
// alignment features (content stems, numbers, name keys that survive
// transliteration, character 4-grams), its facts, its shingle sets and,
// built on first use, its authored wording. Comparing two profiles aligns
// their sentences (package align: order-aware, with splits, merges and
// reordering), diffs their facts, and measures reuse.
//
// # Authored wording, not shared facts
//
// Every report of an event repeats the same public material: direct
// quotes, official figures, names, places, dates. Two independent
// reports therefore align sentence by sentence on facts, and a measure
// of plain similarity takes them for copies. What one outlet takes from
// another is the wording around the facts. Each sentence's authored
// wording (wording.go) is its tokens with quotations removed and each
// run of names and numbers replaced by one placeholder; an aligned
// sentence pair is scored on the 3-grams, content stems and stem order of
// that wording, and says what it shares (verbatim, edited, paraphrase,
// translation, quote-only). The Reuse of a pair is the share of each
// text's authored words in sentences derived from the other, counted over
// the pairs that keep their order, the longest run of copied sentences,
// and how far each text follows the other sentence by sentence. Whole or
// partial reuse makes a version; shared facts alone make same-event.
// A template that a wire reuses for another incident (same wording, none
// of the same names or numbers) is no version.
//
// Texts in two languages share no wording. Where each language is
// English or has a bilingual dictionary (package lexicon), the
// translation measure (translation.go) reads every word in English and
// asks whether the sentences follow each other one to one, far above
// their average likeness: a translation does, an independent report that
// shares the facts does not. Elsewhere they are judged on their facts
// (enough shared, agreeing, in the same order). The language is guessed
// by text.Language.
//
// # In a corpus
//
// In a batch or an index, what many reports of one event share is weak
// evidence between any two of them. A Neighbourhood counts, for a
// document's authored 3-grams and stems, how many of the documents it is
// verified against hold them, and CompareProfilesIn and JudgeIn weigh each
// by sqrt(2/holders). Pairwise Compare has no corpus and weighs all alike.
//
// # Fast path
//
// Judge gives CompareProfiles' verdict without the evidence and, where
// it can, without aligning: duplicates and near-duplicates are told from
// hashes and 5-gram sets, and a pair in one language whose texts share
// too little authored wording to reach the partial-reuse line
// (ReuseRule.mayReuse, a bound, not an estimate) is judged on its facts
// alone. Tests hold Judge to CompareProfiles on the labeled data and on
// fuzzed text.
//
// The thresholds live in DefaultRule, chosen on the labeled news sets
// with `retold eval-cv`; docs/quality.md has the numbers.
package verify
