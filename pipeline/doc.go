// Package pipeline runs retold's batch jobs as stages of independent
// tasks over files, so that a scheduler (a Slurm job array, a Kubernetes
// Indexed Job, or the local worker pool of RunLocal) can spread them over
// machines. retold does no scheduling, retrying, placement or data
// transfer of its own: a task is a pure function of the work directory,
// its stage and its index, and a task run twice writes the same bytes.
//
// # The dedup job
//
// A Plan (plan.json in the work directory) lists the input files in
// order; a record's ordinal is its file's number and its line number,
// which orders the records exactly as `retold dedup` reads them. The
// stages, each "task i of n":
//
//   - sign (Shards tasks; task i takes files i, i+Shards, ...): reads its
//     files through extract (JSONL, gzip, and the formats add reads) and
//     signs each record with dedup's signer: the content hash, the sorted
//     set of shingle values, the LSH band keys. It writes meta.bin
//     (fixed-width, sorted by ordinal, for lookups by binary search),
//     sets.bin, ids.bin, and keys.P.bin: every band key for bucket
//     partition P, with the ordinal and the content hash.
//   - bucket (Parts tasks): sorts partition i's keys by band, key and
//     ordinal. In a bucket a record whose text came before is an exact
//     copy of the first record with that text (every copy of a text
//     shares all its keys, so the first one is in every bucket of the
//     copy); every other record names as candidates the earliest
//     dedup.MaxVerify records of the bucket before it that are not
//     copies. Candidates go to verify partition x mod Parts.
//   - verify (Parts tasks): for each record, the union of its
//     candidates over the bands, sorted, cut to the earliest
//     MaxVerify, verified on the exact Jaccard of the shingle sets, read
//     from the sign outputs by binary search. The most similar at or
//     above the threshold (the earliest on ties), or the exact twin,
//     gives an edge.
//   - components (one task): every edge points to an earlier record, so
//     in ordinal order the root of each record's group is known when the
//     record is reached: the group's first record, the one kept. It
//     writes each shard's dropped lines, sorted by ordinal.
//   - filter (Shards tasks): reads the shard's files again and writes
//     each file's kept lines, as read, and its dropped lines.
//   - merge (`retold merge`, one task): concatenates the files' outputs
//     in file order.
//
// # Determinism
//
// The output is byte-identical to `retold dedup` for any Shards and
// Parts. That holds because both apply one rule, defined by the input
// order alone: a record is an exact copy when its text came before;
// otherwise its candidates are the earliest MaxVerify earlier records,
// not copies, sharing a band key with it; it is dropped as a
// near-duplicate of the most similar candidate at or above the
// threshold; its group's kept record is the first of the chain.
// dedup.Run finds an exact twin among all its candidates for that
// reason, not only the first MaxVerify. TestShardedDedupEqualsSingle-
// Process checks the bytes at 1, 3 and 7 shards on 20,000 records with
// planted copies, edits, rewrites and a boilerplate family whose buckets
// hold far more than MaxVerify records.
//
// The cost of that guarantee is a second read of the input (filter) and
// the bytes between stages: per record about 40 bytes of meta, 3 bytes a
// shingle, its id, and 25 bytes a band (200 bytes at 8 bands), plus 17
// bytes a candidate pair and 25 an edge. The single process keeps 27
// bytes a record in memory instead, and reads the input once.
//
// # The cluster job
//
// The same layout runs `retold cluster` (Plan.Job "cluster"), on the
// parts package cluster exports so that both apply one rule:
//
//   - profile (Shards tasks): reads the shard's files as retold cluster
//     reads them and keeps each good record's document (docs.bin, found
//     by ordinal through meta.bin), its English share and 32-bit MinHash
//     signature (sigs.bin, beside meta.bin) and its id and day (list.bin).
//     It routes the rest of its print (cluster.Fingerprinter.PrintOf) to
//     the partitions: the id by id (ids.P.bin), the content hash by hash
//     (content.P.bin), and every LSH band key and every stem and fact key
//     by key (keys.P.bin).
//   - ids (Parts tasks, by id): a record whose id an earlier record has
//     is skipped, as retold cluster skips it.
//   - copies (Parts tasks, by content hash): a later record with the same
//     normalized text joins the first unverified and is neither matched
//     nor indexed.
//   - postings (Parts tasks, by key): the partition's keys of the indexed
//     documents sorted by key and ordinal. A rank in that order is the
//     count the sequential index keeps ("earlier documents holding this
//     key"), so this task replays what cluster.Candidates does with each
//     key: a band bucket with at most cluster.MaxBucket earlier entries
//     touches them (the lexical channel); a stem or fact key held by 1 to
//     MaxAnchorDF earlier documents is offered to the document's anchor
//     choice, and a fact key touches its earlier holders (the facts
//     channel). It writes the touches and the offered keys to the
//     partition of the later document, and each key's first MaxAnchorDF
//     holders beside.
//   - anchors (Parts tasks, by document): cluster.ChooseAnchors on each
//     document's offered keys.
//   - shares (Parts tasks, by key): the chosen anchors joined with their
//     earlier holders (the anchor channel's touches).
//   - judge (Parts tasks, by document): each document's touches scored
//     with cluster.CandidateRule (the signatures' Jaccard estimate, the
//     anchors and facts in common), the best MaxCandidates kept
//     (cluster.BestCandidates) and verified with the compare engine, the
//     neighbourhood being those candidates (cluster.Judge), as
//     ClusterSource does. It profiles the documents again from their
//     text: profiling twice (here and in profile) is the cost of not
//     moving profiles between machines.
//   - group (one task): stories, events and originals over the edges and
//     the copies (cluster.GroupDays), written as retold cluster's labels.
//
// Every count the sequential index keeps in input order is a rank in a
// partition sorted by (key, ordinal), and every decision is a function of
// those counts and of the documents' own prints, so no task needs the
// whole corpus until group, which holds the documents' ids and days and
// the edges. TestShardedClusterEqualsSingleProcess checks the labels byte
// for byte at 1, 3 and 7 shards on the invented corpus and the three
// newsversions-dev sets, each cut into files with a bad line and a
// repeated id, and TestShardedClusterEqualsSingleProcessAt20k on 20,186
// gencorpus documents.
//
// # Files and failures
//
// Every task writes into a temporary directory beside its output and
// renames it into place when complete (taskOutput). A killed task leaves
// no output, only a temporary directory that its next run removes; a
// task whose output exists is skipped, so re-running a job resumes it.
// The plan keeps each input's size and modification time, and every task
// that reads an input checks them: a file changed in the middle of a job
// stops it with an error naming the file, rather than mixing two
// versions of the corpus.
// Outputs are runs of fixed-width little-endian records (files.go), and
// JSONL for the results. The work directory must be one that every task
// sees: a shared file system, given as a path or a file:// URL. Every
// file of the work directory goes through the Storage interface (whole
// writes, sequential and ranged reads, a commit that publishes a task's
// files together), so an object store enters as another scheme
// implementing it, its commit a marker object written last; none is
// built in, and s3:// or gs:// work directories are refused. The inputs
// are read where they are, through extract.
//
// # Skew
//
// A giant LSH bucket (a boilerplate text shared by millions of records)
// costs its task at most MaxVerify candidate pairs a record, never the
// square of its size, and its memory is the partition's entries (25
// bytes a record a band), spread over Parts tasks by key. The
// components task streams the edges in ordinal order (groups are trees
// of edges to earlier records, resolved in one pass) and holds only the
// sorted set of partners, 8 bytes each, and the roots of the dropped
// records that are partners themselves (chains of write-thrus); a giant
// group of copies of one text costs it one partner. Past one task's
// memory, the same result would come from pointer jumping over edges
// sorted on disk, which is not built.
//
// In the cluster job a task holds one partition of one stage's records.
// A key held by millions of documents costs the postings task its
// entries but no more work than the sequential index spends on it: a
// bucket is scanned only while it holds at most cluster.MaxBucket
// entries, and a key touches or offers only while at most MaxAnchorDF
// earlier documents hold it, so its later entries are counted and
// passed over. A judge task's work is bounded by the candidates a
// document may have (40) and its memory by the touches of its partition
// and the profiles it keeps (the latest 1,024). The touches are the
// largest intermediate (docs/pipeline.md measures them): 17 bytes each,
// a document touching a few hundred earlier ones through its facts. A
// delta-coded, per-pair aggregated form would cut them some fourfold; it
// is not built. The group task holds every document's id and day and
// every edge, and bounds the cluster job.
package pipeline
