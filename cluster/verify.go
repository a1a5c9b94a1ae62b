package cluster

import (
	"cmp"
	"context"
	"slices"

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
	dupOf := make([]int32, n)
	cands := NewCandidates(n, o)
	fpr := NewFingerprinter(o)
	cache := make(map[int32]*verify.Profile) // the window's profiles
	older := make(map[int32]*olderProfile)   // partners profiled again
	rep := newReporter(o, "cluster", n)
	var edges []edge
	verified := 0
	var pairs []Pair
	// Each block's documents are profiled while the block before it is
	// matched and verified: the matching is sequential, and the workers
	// would otherwise wait for it. Profiles and fingerprints depend on
	// their document alone, and matching reads only earlier blocks'
	// fingerprints, so the overlap changes nothing but the time.
	type profiled struct {
		made   []*verify.Profile
		prints []Print
		err    error
	}
	profileBlock := func(lo int) chan profiled {
		if lo >= n {
			return nil
		}
		hi := min(n, lo+docBlock)
		ch := make(chan profiled, 1)
		go func() {
			made := make([]*verify.Profile, hi-lo)
			prints := make([]Print, hi-lo)
			errs := make([]error, hi-lo)
			err := parallel(ctx, o.Workers, hi-lo, func(k int) {
				d, err := src.Doc(lo + k)
				if err != nil {
					errs[k] = err
					return
				}
				made[k] = c.Profile(d)
				prints[k] = fpr.PrintOf(made[k], d.Date)
			})
			ch <- profiled{made, prints, cmp.Or(err, firstError(errs))}
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
		views := make([]EventView, hi-lo)
		for j := lo; j < hi; j++ {
			dupOf[j], pairs, views[j-lo] = cands.Add(int32(j), &got.prints[j-lo], pairs)
		}
		verified += len(pairs)

		// Partners that left the window are profiled again.
		var old []int32
		for _, p := range pairs {
			if cache[p.A] != nil {
				continue
			}
			if op := older[p.A]; op != nil {
				op.used = lo
				continue
			}
			old = append(old, p.A)
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
		// Each new document is judged against its candidates (Judge:
		// its neighbourhood is them), the documents in parallel; a
		// document's pairs stand together, in the order Add gave them.
		var starts []int
		for k := range pairs {
			if k == 0 || pairs[k].B != pairs[k-1].B {
				starts = append(starts, k)
			}
		}
		results := make([][]Edge, len(starts))
		err := parallel(ctx, o.Workers, len(starts), func(k int) {
			end := len(pairs)
			if k+1 < len(starts) {
				end = starts[k+1]
			}
			b := pairs[starts[k]].B
			as := make([]int32, 0, end-starts[k])
			pas := make([]*verify.Profile, 0, end-starts[k])
			for _, q := range pairs[starts[k]:end] {
				as = append(as, q.A)
				pas = append(pas, profileOf(q.A))
			}
			results[k] = Judge(c, &o.Event, b, profileOf(b), &views[int(b)-lo], as, pas)
		})
		if err != nil {
			return nil, nil, nil, 0, err
		}
		for _, es := range results {
			for _, e := range es {
				edges = append(edges, edge{a: e.A, b: e.B, verdict: e.Verdict, score: e.Score, event: e.Event})
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
	return cands.x.fp, dupOf, edges, verified, nil
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
