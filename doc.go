// Package retold finds every version of the same news story in a pile of
// text (wire copies, trims, write-thrus, rewrites, partial reuse, machine
// translations), groups them into stories and events, and explains how the
// versions differ.
//
// The root package holds the domain types every stage shares: Document
// (one text as it came in), Verdict (what retold says about two
// documents), and the Store interface of the story index with its
// StoredDocument, Copy, Edge and Story. The stages live in subpackages,
// in the order data flows; each imports only packages above it:
//
//	extract            read plain text, HTML, JSONL, WARC and feeds into Documents
//	text               normalize, segment into paragraphs and sentences, tokenize, stem, guess the language
//	features           numbers (with what they count), named entities, quotes and dates
//	lexicon            words of other languages in English, from installed bilingual dictionaries (dictd)
//	sketch             shingle sets, Jaccard, MinHash and LSH banding
//	align              sentence alignment between two documents
//	verify             profile a document, judge a pair: authored-wording reuse, facts, the verdict rule
//	explain            the terminal report, the HTML compare and story pages, the word diff
//	cluster            stories and events of a whole corpus from verified candidate pairs
//	cluster/baseline   the tfidf and minhash clusterers retold is measured against
//	dedup              streaming near-duplicate removal of large JSONL corpora
//	pipeline           dedup and cluster as sharded stages for Slurm job arrays, Kubernetes Indexed Jobs or a local pool
//	store/sqlite       the embedded backend of the Store (one SQLite file)
//	store/postgres     the server backend of the Store (PostgreSQL: many writers and readers)
//	store/storetest    the conformance suite every Store backend passes
//	store/internal/keyrow the one key row per document both backends keep
//	store/internal/datebound the date-prefix bounds of Since and Until, shared by both backends
//	storyindex         add and match one document at a time over a Store
//	server             the JSON API and the web UI over a Store
//	internal/hugemem    large buffers outside the heap, on huge pages (dedup's shingle log, a loaded index snapshot)
//	internal/cpuclock   MB per CPU-second in benchmarks (user and system time)
//	internal/metrics   ARI, pairwise and B-cubed scores
//	internal/eval      retold eval: read the truth and the prediction or the kept records, score, write
//	internal/evalpairs the pairwise quality table (retold eval-compare)
//	internal/evalcv    the reuse rule's choice with leave-one-event-out cross-validation (retold eval-cv)
//	internal/evalfacts the fact diff's audit on labeled news (retold eval-facts)
//	internal/pgtest    a fresh PostgreSQL database for a test (RETOLD_TEST_POSTGRES)
//	internal/sharedtest the team's data and tools in ../shared, for tests
//	internal/lexicontest dictionaries in the dictd format, written for tests
//	internal/cmd/loadtest  a bounded load test of retold serve
//	cmd/retold         the command
package retold
