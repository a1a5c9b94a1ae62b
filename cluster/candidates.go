package cluster

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/retold/retold/sketch"
	"github.com/retold/retold/verify"
)

// noDay marks a document without a usable date.
const noDay = math.MinInt32

// fingerprint is what the candidate channels keep of every document for
// the whole run: small and fixed, so a corpus of millions fits in memory.
type fingerprint struct {
	content uint64  // hash of the normalized text: equal for duplicates
	day     int32   // days since 1970-01-01, or noDay
	english float32 // share of English function words (verify.Profile.EnglishShare)
}

// sigs holds every document's MinHash signature in one flat array, each
// value cut to its low 32 bits: estimating the Jaccard of a new document
// with each one its buckets and anchors touch reads the signatures of
// thousands of documents at random, so their size is what costs. Two
// 64-bit values that differ agree in their low 32 bits with probability
// 2^-32, far below the estimate's own error (1/64 per value). It holds no
// pointers, so the garbage collector never scans it.
type sigs struct {
	perms int
	v     []uint32
}

// empty32 marks an empty slot (the signature of an empty set), as
// sketch's emptySlot does at 64 bits.
const empty32 = ^uint32(0)

func newSigs(n, perms int) *sigs { return &sigs{perms: perms, v: make([]uint32, n*perms)} }

// set stores document i's signature. Calls for distinct i may run at once.
func (s *sigs) set(i int, sig []uint64) {
	dst := s.v[i*s.perms : (i+1)*s.perms]
	for k, x := range sig {
		dst[k] = sig32(x)
	}
}

// sig32 is the 32-bit value kept of a signature value.
func sig32(x uint64) uint32 {
	v := uint32(x)
	if x == ^uint64(0) {
		return empty32
	}
	if v == empty32 {
		return empty32 - 1 // only an empty slot reads as empty
	}
	return v
}

// estimate is sketch.EstimateJaccard of documents i and j.
func (s *sigs) estimate(i, j int32) float64 {
	return Estimate(s.v[int(i)*s.perms:(int(i)+1)*s.perms], s.v[int(j)*s.perms:(int(j)+1)*s.perms])
}

// Estimate is the Jaccard estimate of two 32-bit signatures (Print.Sig)
// of the same length.
func Estimate(a, b []uint32) float64 {
	b = b[:len(a)]
	same := 0
	for k, v := range a {
		if v == b[k] && v != empty32 {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

// pair is a candidate: documents a < b.
type pair struct{ a, b int32 }

// reporter passes progress to Options.Progress, one call at a time.
type reporter struct {
	mu          sync.Mutex
	o           *Options
	stage       string
	done, total int
}

func newReporter(o *Options, stage string, total int) *reporter {
	return &reporter{o: o, stage: stage, total: total}
}

func (r *reporter) add(k int) {
	if r.o.Progress == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += k
	r.o.Progress(r.stage, r.done, r.total)
}

// stemBigrams appends the hashes of consecutive content stems: the word
// order a copy keeps and a rewrite partly keeps, without the stopwords
// editors change freely.
func stemBigrams(p *verify.Profile, dst []uint64) []uint64 {
	prev := ""
	for _, st := range p.Text.Stems {
		if st == "" {
			continue
		}
		if prev != "" {
			h := xxh3.HashString(prev)
			dst = append(dst, h^xxh3.HashStringSeed(st, h))
		}
		prev = st
	}
	return dst
}

// mergeSets returns the sorted union of two sorted sets.
func mergeSets(a, b []uint64) []uint64 {
	out := make([]uint64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// parseDay reads an RFC 3339 timestamp or a YYYY-MM-DD date.
func parseDay(s string) int {
	if len(s) < 10 {
		return noDay
	}
	t, err := time.Parse("2006-01-02", s[:10])
	if err != nil {
		return noDay
	}
	return int(t.Unix() / 86400)
}

// MaxBucket is the most entries a lexical LSH bucket (keyed by the low
// 32 bits of a band key) is scanned with: a fuller bucket holds
// boilerplate every document shares. A bucket stops growing at
// MaxBucket+1 entries.
const MaxBucket = 2000

// index finds, for each new document, the earlier documents worth
// verifying against it, through two channels: the lexical channel
// (MinHash LSH over stem bigrams: copies, trims, write-thrus, light
// rewrites) and the anchor channel (its rarest facts and words: rewrites
// and translations that keep the numbers and names). Documents enter in
// input order and are matched against those before them only, so the
// candidates do not depend on how the work is split.
type index struct {
	o     *Options
	fp    []fingerprint
	sigs  *sigs
	maxDF int32
	// buckets holds the documents of each LSH bucket, by the low 32 bits
	// of its key: a bucket shared by accident is harmless (its documents
	// are candidates only when their signatures agree), and 4 bytes a key
	// less is 80 MB at a million documents. A bucket stops growing past
	// MaxBucket, since it is no longer scanned.
	buckets  lists[uint32]
	df       map[uint64]int32 // documents so far holding each key
	postings lists[uint64]    // documents holding each key, while df <= maxDF
	first    map[uint64]int32 // content hash -> first document with it

	// Scratch, reused between documents.
	shared, stamp []int32
	anchors       []uint64
	ranked        []AnchorKey
	touched       []int32
	cands         []Scored[int32]
	one           []int32
	facts         []int32 // per document: j's facts it holds
	keyDF         []int32 // the documents so far holding each of j's keys, j included
	rule          CandidateRule
}

// AnchorKey is a key a document might anchor on, with the number of
// earlier documents holding it and whether it is a fact (a number or a
// name key) rather than a content stem.
type AnchorKey struct {
	Key  uint64
	DF   int
	Fact bool
}

// ChooseAnchors appends to dst the keys of ks a document anchors on:
// those that 1 to o.MaxAnchorDF earlier documents hold, the rarest first
// (then by key), at most o.Anchors of them, of which the first
// o.FactAnchors places go to facts. Reserving places for facts matters in
// another language: there a document's rarest words are its own
// language's, held only by other documents in that language, and only its
// numbers and names reach its English versions. It sorts ks. Cluster and
// the story index both choose their anchors with it.
func ChooseAnchors(ks []AnchorKey, o *Options, dst []uint64) []uint64 {
	ks = slices.DeleteFunc(ks, func(k AnchorKey) bool { return k.DF <= 0 || k.DF > o.MaxAnchorDF })
	slices.SortFunc(ks, func(a, b AnchorKey) int {
		if c := cmp.Compare(a.DF, b.DF); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	start, facts := len(dst), 0
	for i := range ks {
		if facts == min(o.FactAnchors, o.Anchors) {
			break
		}
		if ks[i].Fact {
			dst = append(dst, ks[i].Key)
			ks[i].DF = 0 // taken
			facts++
		}
	}
	for _, k := range ks {
		if len(dst)-start == o.Anchors {
			break
		}
		if k.DF > 0 {
			dst = append(dst, k.Key)
		}
	}
	return dst
}

// isFact reports whether k is in the sorted set facts.
func isFact(facts []uint64, k uint64) bool {
	_, ok := slices.BinarySearch(facts, k)
	return ok
}

// CandidateRule is the test an earlier document passes to be a
// candidate of a later one, and its score: an estimated Jaccard of at
// least half the lexical threshold, or AnchorShared anchors in common, or
// (across languages) the compare rule's minimum of shared facts. The
// score is the estimate, or the share of anchors or facts in common,
// whichever is higher.
type CandidateRule struct {
	lexMin       float64
	anchorShared int
	crossGap     float64
	crossFacts   int
}

// NewCandidateRule is the rule of opt (nil means DefaultOptions).
func NewCandidateRule(opt *Options) CandidateRule {
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	rule := verify.DefaultRule
	if o.Compare != nil {
		rule = o.Compare.Rule
	}
	return CandidateRule{lexMin: o.LexicalThreshold / 2, anchorShared: o.AnchorShared, crossGap: rule.CrossLanguageGap, crossFacts: rule.CrossMinFacts}
}

// Score judges earlier document i for later document j from what the
// channels found: lex, their estimated Jaccard; shared, how many of j's
// anchors i holds; facts, how many of j's fact keys (those 1 to
// MaxAnchorDF earlier documents hold) i holds; anchors and factKeys, how
// many anchors and such fact keys j has; and the two documents' shares of
// English function words.
func (r CandidateRule) Score(lex float64, shared, facts, anchors, factKeys int, englishJ, englishI float32) (float64, bool) {
	anc := float64(shared) / float64(max(1, anchors))
	cross := r.crossFacts > 0 && facts >= r.crossFacts && math.Abs(float64(englishJ-englishI)) >= r.crossGap
	if cross {
		anc = max(anc, float64(facts)/float64(factKeys))
	}
	return max(lex, anc), lex >= r.lexMin || shared >= r.anchorShared || cross
}

// Scored is a candidate with its score.
type Scored[T cmp.Ordered] struct {
	Doc   T
	Score float64
}

// BestCandidates sorts cs best first (then the nearer, that is the later,
// document first) and returns the first n.
func BestCandidates[T cmp.Ordered](cs []Scored[T], n int) []Scored[T] {
	slices.SortFunc(cs, func(a, b Scored[T]) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(b.Doc, a.Doc)
	})
	return cs[:min(len(cs), n)]
}

func newIndex(fp []fingerprint, o *Options) *index {
	n := len(fp)
	return &index{
		rule: NewCandidateRule(o),
		o:    o, fp: fp, sigs: newSigs(n, o.Perms), maxDF: int32(o.MaxAnchorDF),
		buckets: newLists[uint32](), df: make(map[uint64]int32),
		postings: newLists[uint64](), first: make(map[uint64]int32),
		shared: make([]int32, n), stamp: make([]int32, n), one: make([]int32, 0, 1), facts: make([]int32, n),
	}
}

// add matches document j (whose fingerprint is set, and whose channel
// keys are f) against the earlier ones and then indexes it. It returns the
// first earlier document with the same normalized text (dup >= 0: j joins
// it unverified and is not indexed), or the candidates to verify, best
// first.
func (x *index) add(j int32, f *Fingerprint, dst []pair) (dup int32, out []pair) {
	content := x.fp[j].content
	if d, ok := x.first[content]; ok {
		return d, dst
	}
	x.first[content] = j
	x.touched = x.touched[:0]
	touch := func(i int32) {
		if x.stamp[i] != j+1 {
			x.stamp[i] = j + 1
			x.shared[i] = 0
			x.touched = append(x.touched, i)
		}
	}
	for _, k := range f.Bands {
		if b := x.buckets.get(uint32(k), x.one); len(b) <= MaxBucket {
			for _, i := range b {
				touch(i)
			}
		}
	}
	// Anchors: j's rarest keys already seen in an earlier document (rarest
	// overall would pick the words it shares with its own later copies).
	//
	// Facts, counted on the way: a document in another language that
	// shares enough of j's facts (held by at most maxDF documents) for
	// the cross-language rule to take the pair. The anchors alone miss it
	// once j's story has a few versions: the facts they share are then
	// held by all of them, and j's rarest facts are the ones it shares by
	// chance.
	x.ranked = x.ranked[:0]
	x.keyDF = x.keyDF[:0]
	nfacts := 0
	for _, k := range f.Keys {
		d := x.df[k]
		x.keyDF = append(x.keyDF, d) // made j's own below, without a second lookup
		if d <= 0 || d > x.maxDF {
			continue
		}
		fact := isFact(f.Facts, k)
		x.ranked = append(x.ranked, AnchorKey{Key: k, DF: int(d), Fact: fact})
		if fact {
			nfacts++
			for _, i := range x.postings.get(k, x.one) {
				touch(i)
				x.facts[i]++
			}
		}
	}
	x.anchors = ChooseAnchors(x.ranked, x.o, x.anchors[:0])
	for _, k := range x.anchors {
		for _, i := range x.postings.get(k, x.one) {
			touch(i)
			x.shared[i]++
		}
	}
	x.cands = x.cands[:0]
	for _, i := range x.touched {
		if score, ok := x.rule.Score(x.sigs.estimate(j, i), int(x.shared[i]), int(x.facts[i]), len(x.anchors), nfacts, x.fp[j].english, x.fp[i].english); ok {
			x.cands = append(x.cands, Scored[int32]{i, score})
		}
		x.facts[i] = 0
	}
	for _, c := range BestCandidates(x.cands, x.o.MaxCandidates) {
		dst = append(dst, pair{c.Doc, j})
	}
	for _, k := range f.Bands {
		if len(x.buckets.get(uint32(k), x.one)) <= MaxBucket {
			x.buckets.add(uint32(k), j)
		}
	}
	for i, k := range f.Keys {
		d := x.keyDF[i] + 1
		x.keyDF[i] = d
		x.df[k] = d
		if d <= x.maxDF {
			x.postings.add(k, j)
		} else if d == x.maxDF+1 {
			x.postings.drop(k) // too common to anchor from now on
		}
	}
	return -1, dst
}

// Fingerprint is what an index outside this package needs to find a
// document's candidates the way Cluster does: the LSH band keys of the
// lexical channel (MinHash over content-stem bigrams) and the keys its
// anchors are chosen from (facts and content stems, sorted, unique), with
// the facts among them apart (for ChooseAnchors).
type Fingerprint struct {
	Bands []uint64
	Keys  []uint64
	Facts []uint64
}

// Fingerprinter computes Fingerprints with one set of channel options; it
// is immutable and safe for concurrent use.
type Fingerprinter struct {
	mh          *sketch.MinHasher
	bands, rows int
}

// NewFingerprinter makes a Fingerprinter for opt (nil means
// DefaultOptions).
func NewFingerprinter(opt *Options) *Fingerprinter {
	o := DefaultOptions
	if opt != nil {
		o = *opt
	}
	bands, rows := sketch.BandParams(o.LexicalThreshold, o.Perms)
	return &Fingerprinter{mh: sketch.NewMinHasher(o.Perms, 1), bands: bands, rows: rows}
}

// Of computes p's Fingerprint.
func (f *Fingerprinter) Of(p *verify.Profile) Fingerprint {
	_, fp := f.sign(p)
	return fp
}

// sign computes p's Fingerprint and the MinHash signature its bands were
// cut from.
func (f *Fingerprinter) sign(p *verify.Profile) ([]uint64, Fingerprint) {
	// A signature does not see repeats, so the bigrams need no sorting.
	sig := f.mh.Signature(stemBigrams(p, nil), nil)
	facts := p.FactSet()
	return sig, Fingerprint{Bands: sketch.BandKeys(sig, f.bands, f.rows, nil), Keys: mergeSets(facts, p.StemSet()), Facts: facts}
}
