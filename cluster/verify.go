package cluster

import (
	"cmp"
	"context"
	"slices"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

// docBlock is how many documents are profiled, matched and verified
// together.
const docBlock = 256

// profileWindow is how many of the latest documents keep their profiles
// for verification: in a corpus most versions follow their source
// closely, and an older partner is profiled again when needed.
const profileWindow = 1024

// stream makes the single pass over the corpus: each block of documents is
// profiled in parallel, matched in input order against the documents
// before it, and its candidate pairs verified in parallel. It returns the
// fingerprints, each document's first copy (or -1), the edges with some
// evidence (same-event or closer), and the number of pairs verified. The
// result does not depend on o.Workers: every decision that depends on
// order is taken in input order.
func stream(ctx context.Context, c *verify.Comparer, src Source, o *Options) ([]fingerprint, []int32, []edge, int, error) {
	n := src.Len()
	fp := make([]fingerprint, n)
	dupOf := make([]int32, n)
	x := newIndex(fp, o)
	fpr := NewFingerprinter(o)
	cache := make(map[int32]*verify.Profile) // the window's profiles
	older := make(map[int32]*olderProfile)   // partners profiled again
	rep := newReporter(o, "cluster", n)
	var edges []edge
	verified := 0
	var pairs []pair
	// Each block's documents are profiled while the block before it is
	// matched and verified: the matching is sequential, and the workers
	// would otherwise wait for it. Profiles and fingerprints depend on
	// their document alone, and matching reads only earlier blocks'
	// fingerprints, so the overlap changes nothing but the time.
	type profiled struct {
		made []*verify.Profile
		keys []Fingerprint
		err  error
	}
	profileBlock := func(lo int) chan profiled {
		if lo >= n {
			return nil
		}
		hi := min(n, lo+docBlock)
		ch := make(chan profiled, 1)
		go func() {
			made := make([]*verify.Profile, hi-lo)
			keys := make([]Fingerprint, hi-lo)
			errs := make([]error, hi-lo)
			err := parallel(ctx, o.Workers, hi-lo, func(k int) {
				d, err := src.Doc(lo + k)
				if err != nil {
					errs[k] = err
					return
				}
				made[k] = c.Profile(d)
				fp[lo+k], keys[k] = fingerprintOf(lo+k, made[k], fpr, x.sigs, d.Date)
			})
			ch <- profiled{made, keys, cmp.Or(err, firstError(errs))}
		}()
		return ch
	}
	next := profileBlock(0)
	for lo := 0; lo < n; lo += docBlock {
		hi := min(n, lo+docBlock)
		got := <-next
		if got.err != nil {
			return nil, nil, nil, 0, got.err
		}
		next = profileBlock(hi)
		made := got.made
		for k, p := range made {
			cache[int32(lo+k)] = p
		}
		pairs = pairs[:0]
		for j := lo; j < hi; j++ {
			dupOf[j], pairs = x.add(int32(j), &got.keys[j-lo], pairs)
		}
		verified += len(pairs)

		// Partners that left the window are profiled again.
		var old []int32
		for _, p := range pairs {
			if cache[p.a] != nil {
				continue
			}
			if op := older[p.a]; op != nil {
				op.used = lo
				continue
			}
			old = append(old, p.a)
		}
		slices.Sort(old)
		old = slices.Compact(old)
		again := make([]*verify.Profile, len(old))
		errs := make([]error, len(old))
		if err := parallel(ctx, o.Workers, len(old), func(k int) {
			d, err := src.Doc(int(old[k]))
			if err != nil {
				errs[k] = err
				return
			}
			again[k] = c.Profile(d)
		}); err != nil {
			return nil, nil, nil, 0, err
		}
		if err := firstError(errs); err != nil {
			return nil, nil, nil, 0, err
		}
		for k, d := range old {
			older[d] = &olderProfile{p: again[k], used: lo}
		}
		profileOf := func(d int32) *verify.Profile {
			if p := cache[d]; p != nil {
				return p
			}
			return older[d].p
		}
		// Each new document's neighbourhood is the earlier documents it
		// is verified against: the reuse measure discounts the wording
		// many of them share (verify.Neighbourhood).
		nbOf := neighbourhoods(ctx, o.Workers, pairs, profileOf)
		results := make([]edge, len(pairs))
		err := parallel(ctx, o.Workers, len(pairs), func(k int) {
			v, score := c.JudgeIn(profileOf(pairs[k].a), profileOf(pairs[k].b), nbOf[pairs[k].b])
			results[k] = edge{a: pairs[k].a, b: pairs[k].b, verdict: v, score: score}
		})
		if err != nil {
			return nil, nil, nil, 0, err
		}
		for _, e := range results {
			if e.verdict.AtLeast(retold.SameEvent) {
				edges = append(edges, e)
			}
		}
		for d := range cache {
			if int(d) < hi-profileWindow {
				delete(cache, d)
			}
		}
		evictOlder(older, maxOlder)
		rep.add(hi - lo)
	}
	return fp, dupOf, edges, verified, nil
}

// neighbourhoods builds, for each new document of pairs (its b side), the
// neighbourhood of the earlier documents it is paired with.
func neighbourhoods(ctx context.Context, workers int, pairs []pair, profileOf func(int32) *verify.Profile) map[int32]*verify.Neighbourhood {
	var docs []int32
	with := make(map[int32][]*verify.Profile)
	for _, p := range pairs {
		if _, ok := with[p.b]; !ok {
			docs = append(docs, p.b)
		}
		with[p.b] = append(with[p.b], profileOf(p.a))
	}
	made := make([]*verify.Neighbourhood, len(docs))
	parallel(ctx, workers, len(docs), func(k int) {
		made[k] = verify.NewNeighbourhood(profileOf(docs[k]), with[docs[k]])
	})
	out := make(map[int32]*verify.Neighbourhood, len(docs))
	for k, d := range docs {
		out[d] = made[k]
	}
	return out
}

// firstError is the first of errs that is not nil: the one of the
// earliest document, whichever goroutine met it first.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// maxOlder is how many partners from before the window keep the profile
// they were given again: a story's original is often the partner of many
// later versions.
const maxOlder = 512

type olderProfile struct {
	p    *verify.Profile
	used int // first document of the block that last used it
}

// evictOlder drops the least recently used profiles beyond max, the
// oldest documents first among equals, so eviction is deterministic.
func evictOlder(older map[int32]*olderProfile, max int) {
	if len(older) <= max {
		return
	}
	ids := make([]int32, 0, len(older))
	for d := range older {
		ids = append(ids, d)
	}
	slices.SortFunc(ids, func(x, y int32) int {
		if c := older[x].used - older[y].used; c != 0 {
			return c
		}
		return int(x - y)
	})
	for _, d := range ids[:len(ids)-max] {
		delete(older, d)
	}
}
