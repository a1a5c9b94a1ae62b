package pipeline

import (
	"bufio"
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/zeebo/xxh3"

	"github.com/retold/retold/cluster"
	"github.com/retold/retold/sketch"
)

// The candidate stages of a cluster job find, for every document, the
// candidates cluster.Candidates finds when it is given the documents one
// at a time in input order, without any task holding more than its
// partition: each count the sequential index keeps ("how many earlier
// documents hold this key") is a rank in a partition sorted by (key,
// ordinal).
//
//	ids (Parts, by id)        repeated ids: the first record is kept
//	copies (Parts, by text)   a text's first record; the later ones are copies
//	postings (Parts, by key)  band and key ranks: lexical and fact touches,
//	                          each document's anchor-able keys, the holders
//	anchors (Parts, by doc)   cluster.ChooseAnchors on each document's keys
//	shares (Parts, by key)    the earlier holders of each chosen anchor
//	judge (Parts, by doc)     the touches scored with cluster.CandidateRule,
//	                          the best MaxCandidates verified
//
// A document is routed by docPart of its ordinal, a key by keyPart.

// Widths of the candidate stages' records (little-endian).
const (
	idxKeyWidth  = 17 // key, ordinal, kind
	contentWidth = 16 // content hash, ordinal
	dupWidth     = 16 // ordinal, its first copy's ordinal
	touchWidth   = 17 // later ordinal, earlier ordinal, channel
	rankedWidth  = 21 // ordinal, key, earlier holders (u32), fact
	reqWidth     = 16 // key, ordinal
	holderWidth  = 16 // key, ordinal
	countWidth   = 16 // ordinal, anchors (u32), fact keys (u32)
	judgedWidth  = 33 // earlier ordinal, later ordinal, verdict, score, event probability
)

// Kinds of the entries of keys.P.bin.
const (
	kindBand = iota // low 32 bits of an LSH band key
	kindKey         // a stem key
	kindFact        // a fact key (a number or a name)
)

// Channels of a touch: how an earlier document came to be looked at.
const (
	touchLex   = iota // a shared LSH bucket
	touchFact         // one of the later document's fact keys
	touchShare        // one of the later document's anchors
)

// fmix spreads the bits of x.
func fmix(x uint64) uint64 { return sketch.Mix64(x) }

// docBlock is how many consecutive records of a file go to one document
// partition: a document's candidates are mostly the documents just
// before it, so a judge task given runs of neighbours finds most of the
// profiles it needs among those it made last.
const docBlock = 1 << 10

// docPart is the partition of the document of ordinal ord: its file's
// block of docBlock records, spread by a hash.
func docPart(ord uint64, parts int) int { return int(fmix(ord/docBlock) % uint64(parts)) }

// keyPart is the partition of a band key (band) or a stem or fact key.
func keyPart(key uint64, band bool, parts int) int {
	if band {
		key = ^key
	}
	return int(fmix(key) % uint64(parts))
}

// idPart is the partition of an id.
func idPart(id string, parts int) int { return int(xxh3.HashString(id) % uint64(parts)) }

// ordMerge yields the first values (ordinals) of the records of sorted
// files, in order, holding one record of each.
type ordMerge struct{ heads edgeHeads }

func openOrdMerge(fs Storage, paths []string, width int) (*ordMerge, error) {
	m := &ordMerge{}
	for _, path := range paths {
		r, err := openRecs(fs, path, width)
		if err != nil {
			m.close()
			return nil, err
		}
		if r.next() {
			m.heads.rs = append(m.heads.rs, r)
			continue
		}
		r.close()
		if r.err != nil {
			m.close()
			return nil, r.err
		}
	}
	heap.Init(&m.heads)
	return m, nil
}

// next returns the least value not yet returned (repeats included).
func (m *ordMerge) next() (uint64, bool, error) {
	if m.heads.Len() == 0 {
		return 0, false, nil
	}
	head := m.heads.rs[0]
	v := le64(head.rec)
	if head.next() {
		heap.Fix(&m.heads, 0)
	} else {
		heap.Pop(&m.heads)
		head.close()
		if head.err != nil {
			return 0, false, head.err
		}
	}
	return v, true, nil
}

func (m *ordMerge) close() {
	for _, r := range m.heads.rs {
		r.close()
	}
	m.heads.rs = nil
}

// skipper answers, for ordinals asked in increasing order, whether a
// record of the sorted files holds each, streaming the files.
type skipper struct {
	m    *ordMerge
	next uint64
	more bool
}

func newSkipper(fs Storage, paths []string, width int) (*skipper, error) {
	m, err := openOrdMerge(fs, paths, width)
	if err != nil {
		return nil, err
	}
	k := &skipper{m: m}
	if k.next, k.more, err = m.next(); err != nil {
		m.close()
		return nil, err
	}
	return k, nil
}

// holds reports whether the files hold o (not less than the last asked).
func (k *skipper) holds(o uint64) (bool, error) {
	for k.more && k.next < o {
		var err error
		if k.next, k.more, err = k.m.next(); err != nil {
			return false, err
		}
	}
	return k.more && k.next == o, nil
}

func (k *skipper) close() { k.m.close() }

// dropOrds removes from items, sorted by ordinal (ord), those whose
// ordinal some record of the sorted files holds.
func dropOrds[T any](fs Storage, items []T, ord func(*T) uint64, paths []string, width int) ([]T, error) {
	k, err := newSkipper(fs, paths, width)
	if err != nil {
		return nil, err
	}
	defer k.close()
	out := items[:0]
	for i := range items {
		held, err := k.holds(ord(&items[i]))
		if err != nil {
			return nil, err
		}
		if !held {
			out = append(out, items[i])
		}
	}
	return out, nil
}

// taskPaths are the paths of file name in every task of a stage.
func taskPaths(dir, stage string, tasks int, name string) []string {
	out := make([]string, tasks)
	for t := range out {
		out[t] = filepath.Join(taskDir(dir, stage, t), name)
	}
	return out
}

// recCount is the number of records of width w in the files.
func recCount(fs Storage, paths []string, w int) (int, error) {
	n := 0
	for _, path := range paths {
		o, err := fs.Open(path)
		if err != nil {
			return 0, err
		}
		n += int(o.Size() / int64(w))
		o.Close()
	}
	return n, nil
}

// eachRec calls fn with every record of width w of the files.
func eachRec(fs Storage, paths []string, w int, fn func(rec []byte)) error {
	for _, path := range paths {
		r, err := openRecs(fs, path, w)
		if err != nil {
			return err
		}
		for r.next() {
			fn(r.rec)
		}
		r.close()
		if r.err != nil {
			return fmt.Errorf("%s: %w", path, r.err)
		}
	}
	return nil
}

// skipFiles are the sorted files of the records that are not indexed: the
// repeated ids and, when copies is set, the copies.
func skipFiles(dir string, p *Plan, copies bool) (repeats, dups []string) {
	repeats = taskPaths(dir, "ids", p.Parts, "repeats.bin")
	if copies {
		dups = taskPaths(dir, "copies", p.Parts, "dups.bin")
	}
	return repeats, dups
}

// idsStage finds the repeated ids of partition i: a record whose id an
// earlier record has is skipped, as retold cluster skips it. It writes
// repeats.bin (their ordinals, sorted) and dupids.bin (ordinal and
// message, sorted by ordinal).
func idsStage(ctx context.Context, dir string, p *Plan, i int) error {
	type rec struct {
		ord       uint64
		id, place string
	}
	var recs []rec
	for s := range p.Shards {
		path := filepath.Join(taskDir(dir, "profile", s), "ids."+strconv.Itoa(i)+".bin")
		f, err := p.fs.Open(path)
		if err != nil {
			return err
		}
		b := &blobReader{r: bufio.NewReaderSize(f, 1<<16)}
		for {
			ord := b.u64()
			if b.err != nil {
				break
			}
			id := string(b.read(int(b.u32())))
			place := string(b.read(int(b.u32())))
			if b.err == nil {
				recs = append(recs, rec{ord, id, place})
			}
		}
		f.Close()
		if !errors.Is(b.err, io.EOF) {
			return fmt.Errorf("%s: %w", path, b.err)
		}
	}
	slices.SortFunc(recs, func(a, b rec) int {
		if c := cmp.Compare(a.id, b.id); c != 0 {
			return c
		}
		return cmp.Compare(a.ord, b.ord)
	})
	type repeat struct {
		ord uint64
		msg string
	}
	var reps []repeat
	for k, first := 1, 0; k < len(recs); k++ {
		if recs[k].id != recs[first].id {
			first = k // the first record of the next id
			continue
		}
		reps = append(reps, repeat{recs[k].ord, oneLine(fmt.Sprintf("%s: duplicate id %q (first at %s): skipped", recs[k].place, recs[k].id, recs[first].place))})
	}
	slices.SortFunc(reps, func(a, b repeat) int { return cmp.Compare(a.ord, b.ord) })
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return taskOutput(p.fs, taskDir(dir, "ids", i), func(out *taskFiles) error {
		ws, err := out.create("repeats.bin", "dupids.bin")
		if err != nil {
			return err
		}
		for _, r := range reps {
			ws[0].u64(r.ord)
			ws[1].u64(r.ord)
			ws[1].blob([]byte(r.msg))
		}
		return nil
	})
}

// copies finds, in partition i of the content hashes, each text's first
// record (repeated ids left out): a later record with the same text joins
// it unverified and is not matched or indexed. It writes dups.bin:
// (ordinal, first ordinal), sorted by ordinal.
func copies(ctx context.Context, dir string, p *Plan, i int) error {
	type rec struct{ content, ord uint64 }
	var recs []rec
	err := eachRec(p.fs, taskPaths(dir, "profile", p.Shards, "content."+strconv.Itoa(i)+".bin"), contentWidth, func(b []byte) {
		recs = append(recs, rec{le64(b), le64(b[8:])})
	})
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b rec) int { return cmp.Compare(a.ord, b.ord) })
	repeats, _ := skipFiles(dir, p, false)
	if recs, err = dropOrds(p.fs, recs, func(r *rec) uint64 { return r.ord }, repeats, 8); err != nil {
		return err
	}
	slices.SortStableFunc(recs, func(a, b rec) int { return cmp.Compare(a.content, b.content) })
	var dups [][2]uint64
	for k, first := 1, 0; k < len(recs); k++ {
		if recs[k].content != recs[first].content {
			first = k // the first record of the next text
			continue
		}
		dups = append(dups, [2]uint64{recs[k].ord, recs[first].ord})
	}
	slices.SortFunc(dups, func(a, b [2]uint64) int { return cmp.Compare(a[0], b[0]) })
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return taskOutput(p.fs, taskDir(dir, "copies", i), func(out *taskFiles) error {
		ws, err := out.create("dups.bin")
		if err != nil {
			return err
		}
		for _, d := range dups {
			ws[0].u64(d[0])
			ws[0].u64(d[1])
		}
		return nil
	})
}

// keyEntry is one entry of keys.P.bin.
type keyEntry struct {
	key, ord uint64
	kind     byte
}

// postings sorts partition i of the keys of the indexed documents (not
// a repeated id, not a copy) by key and ordinal, and replays what
// cluster.Candidates does with each key as the documents arrive:
//
//   - a band key's bucket: a document whose bucket holds at most
//     cluster.MaxBucket earlier entries touches each of them (touch.Q.bin,
//     channel lex, Q = docPart of the later document);
//   - a stem or fact key held by 1 to MaxAnchorDF earlier documents: the
//     key and that count go to the document's anchors task (ranked.Q.bin),
//     and a fact key touches each earlier holder (channel fact);
//   - holders.bin: each key's first MaxAnchorDF holders, which the shares
//     task of this partition joins with the anchors chosen.
func postings(ctx context.Context, dir string, p *Plan, i int) error {
	paths := taskPaths(dir, "profile", p.Shards, "keys."+strconv.Itoa(i)+".bin")
	n, err := recCount(p.fs, paths, idxKeyWidth)
	if err != nil {
		return err
	}
	es := make([]keyEntry, 0, n)
	err = eachRec(p.fs, paths, idxKeyWidth, func(b []byte) {
		es = append(es, keyEntry{le64(b), le64(b[8:]), b[16]})
	})
	if err != nil {
		return err
	}
	slices.SortFunc(es, func(a, b keyEntry) int { return cmp.Compare(a.ord, b.ord) })
	repeats, dups := skipFiles(dir, p, true)
	ord := func(e *keyEntry) uint64 { return e.ord }
	if es, err = dropOrds(p.fs, es, ord, repeats, 8); err != nil {
		return err
	}
	if es, err = dropOrds(p.fs, es, ord, dups, dupWidth); err != nil {
		return err
	}
	class := func(k byte) int { return min(int(k), kindKey) } // bands, then stem and fact keys
	// Entries equal in class, key and ordinal are one document's two
	// bands with one bucket: alike, so their order does not matter.
	slices.SortFunc(es, func(a, b keyEntry) int {
		if c := cmp.Compare(class(a.kind), class(b.kind)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.ord, b.ord)
	})
	maxDF := cluster.DefaultOptions.MaxAnchorDF
	return taskOutput(p.fs, taskDir(dir, "postings", i), func(out *taskFiles) error {
		touches, err := out.create(numbered("touch.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		ranked, err := out.create(numbered("ranked.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		hs, err := out.create("holders.bin")
		if err != nil {
			return err
		}
		holders := hs[0]
		touch := func(j, i uint64, ch byte) {
			w := touches[docPart(j, p.Parts)]
			w.u64(j)
			w.u64(i)
			w.u8(ch)
		}
		for lo := 0; lo < len(es); {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			hi := lo + 1
			for hi < len(es) && es[hi].key == es[lo].key && class(es[hi].kind) == class(es[lo].kind) {
				hi++
			}
			g := es[lo:hi]
			lo = hi
			if g[0].kind == kindBand {
				// A document may hold a bucket twice (two bands whose low
				// 32 bits agree): its entries count twice, as in the
				// sequential index, and it touches once.
				for s := 0; s < len(g); {
					e := s + 1
					for e < len(g) && g[e].ord == g[s].ord {
						e++
					}
					if s <= cluster.MaxBucket {
						for k := 0; k < s; k++ {
							if k == 0 || g[k].ord != g[k-1].ord {
								touch(g[s].ord, g[k].ord, touchLex)
							}
						}
					}
					s = e
				}
				continue
			}
			for r := range g {
				// Every rank whose key still weighs in event linking
				// (cluster.EventWeight of r+1 holders); the anchors
				// task keeps those of 1 to maxDF earlier holders.
				if r+1 < cluster.EventCap {
					w := ranked[docPart(g[r].ord, p.Parts)]
					w.u64(g[r].ord)
					w.u64(g[r].key)
					w.u32(uint32(r))
					if g[r].kind == kindFact {
						w.u8(1)
					} else {
						w.u8(0)
					}
				}
				if g[r].kind == kindFact && r >= 1 && r <= maxDF {
					for _, h := range g[:r] {
						touch(g[r].ord, h.ord, touchFact)
					}
				}
				if r < maxDF {
					holders.u64(g[r].key)
					holders.u64(g[r].ord)
				}
			}
		}
		return nil
	})
}

// anchors chooses the anchors of partition i's documents from their
// ranked keys (cluster.ChooseAnchors) and writes req.Q.bin (anchor key
// and ordinal, for the shares task of the key's partition Q) and
// counts.bin (ordinal, anchors, fact keys; sorted by ordinal).
func anchors(ctx context.Context, dir string, p *Plan, i int) error {
	type rec struct {
		ord uint64
		cluster.AnchorKey
	}
	var recs []rec
	maxDF := cluster.DefaultOptions.MaxAnchorDF
	err := eachRec(p.fs, taskPaths(dir, "postings", p.Parts, "ranked."+strconv.Itoa(i)+".bin"), rankedWidth, func(b []byte) {
		// Ranks of 0 and above maxDF are there for event linking.
		if r := int(le32(b[16:])); r >= 1 && r <= maxDF {
			recs = append(recs, rec{le64(b), cluster.AnchorKey{Key: le64(b[8:]), DF: r, Fact: b[20] == 1}})
		}
	})
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b rec) int {
		if c := cmp.Compare(a.ord, b.ord); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	o := cluster.DefaultOptions
	return taskOutput(p.fs, taskDir(dir, "anchors", i), func(out *taskFiles) error {
		reqs, err := out.create(numbered("req.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		cs, err := out.create("counts.bin")
		if err != nil {
			return err
		}
		var ks []cluster.AnchorKey
		var chosen []uint64
		for lo := 0; lo < len(recs); {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			hi := lo
			ks, facts := ks[:0], 0
			for ; hi < len(recs) && recs[hi].ord == recs[lo].ord; hi++ {
				ks = append(ks, recs[hi].AnchorKey)
				if recs[hi].Fact {
					facts++
				}
			}
			j := recs[lo].ord
			lo = hi
			chosen = cluster.ChooseAnchors(ks, &o, chosen[:0])
			for _, k := range chosen {
				w := reqs[keyPart(k, false, p.Parts)]
				w.u64(k)
				w.u64(j)
			}
			cs[0].u64(j)
			cs[0].u32(uint32(len(chosen)))
			cs[0].u32(uint32(facts))
		}
		return nil
	})
}

// shares joins partition i's anchor requests with the holders postings
// wrote: every earlier holder of an anchor a document chose is touched
// (touch channel share, in share.Q.bin).
func shares(ctx context.Context, dir string, p *Plan, i int) error {
	var reqs [][2]uint64
	err := eachRec(p.fs, taskPaths(dir, "anchors", p.Parts, "req."+strconv.Itoa(i)+".bin"), reqWidth, func(b []byte) {
		reqs = append(reqs, [2]uint64{le64(b), le64(b[8:])})
	})
	if err != nil {
		return err
	}
	slices.SortFunc(reqs, func(a, b [2]uint64) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	hs, err := openRecs(p.fs, filepath.Join(taskDir(dir, "postings", i), "holders.bin"), holderWidth)
	if err != nil {
		return err
	}
	defer hs.close()
	return taskOutput(p.fs, taskDir(dir, "shares", i), func(out *taskFiles) error {
		ws, err := out.create(numbered("share.", p.Parts, ".bin")...)
		if err != nil {
			return err
		}
		// Both sides are sorted by key: the holders of the current key
		// are read once and kept while requests for it remain.
		more := hs.next()
		var key uint64
		var held []uint64
		for _, r := range reqs {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if len(held) == 0 || key != r[0] {
				key, held = r[0], held[:0]
				for more && le64(hs.rec) < key {
					more = hs.next()
				}
				for more && le64(hs.rec) == key {
					held = append(held, le64(hs.rec[8:]))
					more = hs.next()
				}
				if hs.err != nil {
					return hs.err
				}
				if len(held) == 0 {
					return fmt.Errorf("anchor key %#x of %s has no holders", key, ordName(p, r[1]))
				}
			}
			for _, h := range held {
				if h >= r[1] {
					break
				}
				w := ws[docPart(r[1], p.Parts)]
				w.u64(r[1])
				w.u64(h)
				w.u8(touchShare)
			}
		}
		return nil
	})
}
