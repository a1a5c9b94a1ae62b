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
//     reads them, keeps each good record's document (docs.bin, found by
//     ordinal through meta.bin) and its print (prints.bin: the content
//     hash, day, English share, MinHash signature, LSH bands and anchor
//     keys; cluster.Fingerprinter.PrintOf).
//   - candidates (one task): takes the prints in input order, skips a
//     repeated id (the first is kept), numbers the rest and matches each
//     against those before it with cluster.Candidates, the index
//     ClusterSource uses. Matching is sequential by nature (a key's
//     anchoring depends on how many earlier documents hold it), but it
//     is the cheap part: it holds the fingerprints only, about 400 bytes
//     a document, and no text or profile.
//   - judge (Parts tasks, by the later document of each pair): profiles
//     the documents again from their text and verifies each document
//     against its candidates with the compare engine, its neighbourhood
//     being those candidates (cluster.Judge), as ClusterSource does.
//     Profiling twice (here and in profile) is the cost of not moving
//     profiles between machines.
//   - group (one task): stories, events and originals over the edges and
//     the copies (cluster.GroupDays), written as retold cluster's labels.
//
// TestShardedClusterEqualsSingleProcess checks the labels byte for byte
// at 1, 3 and 7 shards on the invented corpus and the three
// newsversions-dev sets, each cut into files with a bad line and a
// repeated id.
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
// In the cluster job a judge task's work is bounded by the candidates a
// document may have (40) and its memory by the profiles it keeps (the
// latest 1,024). The candidates task is the bound of the cluster job: it
// holds every document's fingerprint (a few KB at most; docs/pipeline.md
// measures it), because a key anchors only while few earlier documents
// hold it, which is a count in input order. Beyond one machine the
// counts would come from a sorted pass over (key, ordinal) instead.
package pipeline
