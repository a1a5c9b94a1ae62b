// Package baseline holds the two textbook clusterers retold is measured
// against, offered by `retold cluster --method minhash` and
// `--method tfidf`. Both return one label per document, the ID of the
// first document of its cluster in input order, and the same partition
// serves as stories and as events. The output is deterministic: it does
// not depend on map order, scheduling or Options.Workers, and reordering
// the input changes only which ID names a cluster.
//
// # MinHash
//
// The near-duplicate pipeline of datasketch, text-dedup and datatrove:
// word 5-grams of each Text (sketch.WordShingles), 128-permutation MinHash
// signatures, LSH with the bands and rows sketch.BandParams picks for
// Jaccard 0.5 (25 bands of 5 rows), every pair sharing a band key a
// candidate, candidates kept when their estimated Jaccard is at least 0.5,
// and connected components (union-find) of the kept pairs. A document
// without words stays alone. It finds copies and light edits, nothing
// reworded: rewrites and translations share almost no 5-grams.
//
// # TF-IDF
//
// Single link over TF-IDF cosine similarity. Terms are the lower-cased
// word unigrams and bigrams of Title and Text. A term's weight is the
// sublinear term frequency 1 + ln(tf) times the smoothed inverse document
// frequency ln((1+N)/(1+df)) + 1, and vectors are L2-normalised:
// scikit-learn's TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).
// Two documents with cosine at least the threshold are linked, and
// clusters are the connected components.
//
// Pairs come from an inverted index with prefix filtering (Bayardo et
// al. 2007), never from an N x N matrix: terms are ordered rarest first,
// and each document looks up only the prefix of its vector whose remainder
// has norm below the threshold, since a pair that shares none of those
// terms cannot reach it. Candidates are then scored exactly. So the search
// is exact, and costs about the sum, over documents, of the posting
// lengths of their rarer terms. Options.MaxPostings (default 2000) also
// leaves out terms found in more documents than that. Those terms still
// count in every cosine, but a pair that shares only such terms is not
// found. On every evaluation set here the capped result equals the exact
// one; on a large corpus the cap keeps the work near linear.
// Options.MaxDF drops frequent terms from the vocabulary altogether, as
// scikit-learn's max_df does; by default every term is kept.
//
// # How the threshold was chosen
//
// On shared/data/newsversions-dev.jsonl (121 articles, 100 stories, 23
// events), over a grid of cosine thresholds. The criterion is story
// ARI + event ARI of the one partition. TestBaselinesOnSharedData reruns
// the grid and fails if its best point moves:
//
//	threshold  story ARI  event ARI  sum
//	0.100      0.060      0.408      0.467
//	0.125      0.152      0.765      0.916
//	0.150      0.178      0.787      0.965
//	0.175      0.243      0.751      0.993   DefaultCosine
//	0.200      0.274      0.666      0.941
//	0.225      0.335      0.541      0.876
//	0.250      0.450      0.339      0.789
//	0.275      0.546      0.222      0.769
//	0.300      0.477      0.127      0.603
//	0.400      0.352      0.049      0.401
//	0.500      0.137      0.014      0.152
//
// The weighting was compared on the same data. Sublinear tf beat raw tf
// (best sums 0.993 and 0.974), and raw tf at its best dev threshold also
// chains the long WMT documents (F1 0.67). Leaving out the title (0.984),
// plain idf ln(N/df) + 1 (0.994) or max_df 0.5 (1.012) moved the best sum
// by at most 0.02, within the noise of 121 documents. So the textbook
// choices stayed: title in, smoothed idf, every term kept.
//
// One partition cannot serve both levels well, because a story needs a
// stricter threshold than an event. StoryCosine (0.275) and EventCosine
// (0.15) are each level's best on the same grid. Clustering once at each
// gives dev story ARI 0.546 and event ARI 0.787, which are the numbers the
// project quotes for this competitor (0.57 and 0.80, measured outside
// it). Stories then nest in events.
//
// At the defaults, untuned on these sets (pairwise F1; WMT's key is
// group, ECB+'s and BASIL's is event):
//
//	                 dev story ARI  dev event ARI  WMT F1  ECB+ F1  BASIL F1
//	minhash          0.000          0.000          0.083   0.012    0.000
//	tfidf (0.175)    0.243          0.751          0.833   0.760    0.701
//
// TF-IDF at 0.175 chains some WMT groups together (precision 0.71, recall
// 1.00). At StoryCosine the WMT F1 is 0.970.
package baseline
