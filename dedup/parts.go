package dedup

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/retold/retold/sketch"
)

// The parts of Run that the sharded stages of package pipeline run one
// at a time: the signing of a record, the reading of an input, the rule
// that picks a record's candidates and the line of a dropped record.
// Run and the stages share them, so the two give the same bytes.

// MaxVerify is how many candidates of a record are verified at most: the
// earliest, by input order, of the earlier records that share a band key
// with it and are not exact copies.
const MaxVerify = maxVerify

// Signature is what signing computes of one record.
type Signature struct {
	ID       []byte
	Hash     uint64   // the content hash: equal hashes are exact copies
	Shingles []uint32 // the sorted set of 24-bit shingle values
	Keys     []uint64 // one LSH key a band
}

// Signer signs records as Run does. It is not safe for concurrent use.
type Signer struct {
	s       *signer
	a       arenas
	scratch []uint32
}

// NewSigner checks opt as Run does and returns a Signer for it. Only the
// verified one-permutation mode is sharded: NoVerify and the kperm
// sketch are refused.
func NewSigner(opt Options) (*Signer, error) {
	opt = opt.withDefaults()
	switch {
	case !(opt.Threshold > 0 && opt.Threshold <= 1):
		return nil, fmt.Errorf("dedup: threshold %v: want 0 < t <= 1", opt.Threshold)
	case opt.NGram < 1:
		return nil, fmt.Errorf("dedup: ngram %d: want >= 1", opt.NGram)
	case opt.NoVerify || opt.Sketch != "oneperm":
		return nil, fmt.Errorf("dedup: the sharded stages run the verified oneperm mode only")
	}
	bands, rows := bandRows(opt.Threshold)
	return &Signer{s: newSigner(opt, bands, rows)}, nil
}

// Bands is the number of LSH bands, the length of Signature.Keys.
func (s *Signer) Bands() int { return s.s.bands }

// Sign signs one line, or says why it is refused (as a bad record). The
// slices of the Signature are valid until the next call.
func (s *Signer) Sign(line []byte) (Signature, error) {
	s.a = arenas{s.a.ids[:0], s.a.shingles[:0], s.a.keys[:0], s.a.enc[:0]}
	var it item
	if err := s.s.signLine(line, &it, &s.a); err != nil {
		return Signature{}, err
	}
	// The sharded stages compare sets by a merge (Similarity): sorted in
	// place (the members are distinct, so none is dropped).
	_, s.scratch = sketch.Set24(it.shingles, s.scratch)
	return Signature{ID: it.id, Hash: it.hash, Shingles: it.shingles, Keys: it.keys}, nil
}

// Similarity is the Jaccard similarity of two shingle sets, as verified.
func Similarity(a, b []uint32) float64 { return sketch.Jaccard(a, b) }

// EachLine reads one input as Run does and calls fn with each line in
// order (a record of a non-JSONL input as the JSON line Run writes for
// it), with its line number; bad is called with each bad line's error
// instead. An error from fn stops the reading and is returned; fatal is
// the error that ended the input early, after the lines before it.
func EachLine(ctx context.Context, in Input, opt Options, fn func(line []byte, lineNo int) error, bad func(error)) (fatal, err error) {
	opt = opt.withDefaults()
	d := &decider{opt: opt}
	var fnErr error
	b := &batch{}
	// full hands the lines read so far to fn; nil stops the reading.
	full := func(b *batch) *batch {
		if fnErr = d.emit(b, fn, bad); fnErr != nil {
			return nil
		}
		if ctx.Err() != nil {
			fnErr = ctx.Err()
			return nil
		}
		b.data, b.items = b.data[:0], b.items[:0]
		return b
	}
	if in.Records != nil {
		b, err = d.readRecords(in, b, full)
	} else {
		b, err = d.readLines(in, b, full)
	}
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, err
	}
	if err := d.emit(b, fn, bad); err != nil {
		return nil, err
	}
	return b.fatal, nil
}

// emit passes the lines of b to fn and its bad records to bad.
func (d *decider) emit(b *batch, fn func(line []byte, lineNo int) error, bad func(error)) error {
	for _, it := range b.items {
		if it.err != nil {
			bad(it.err)
			continue
		}
		if err := fn(b.data[it.start:it.end], it.line); err != nil {
			return err
		}
	}
	return nil
}

// DroppedLine is the line Run writes to its dropped output for a record
// dropped as a copy (exact) or near-duplicate of dupOf, whose group's
// kept record is kept; it ends with "\n".
func DroppedLine(id, dupOf, kept string, sim float64, exact bool) ([]byte, error) {
	return droppedLine(id, dupOf, kept, sim, exact, false)
}

func droppedLine(id, dupOf, kept string, sim float64, exact, against bool) ([]byte, error) {
	kind := "near"
	if exact {
		kind = "exact"
	}
	// Similarity is rounded to 4 places so the bytes do not depend on
	// float formatting subtleties of the last digit.
	sim, _ = strconv.ParseFloat(strconv.FormatFloat(sim, 'f', 4, 64), 64)
	line, err := json.Marshal(Dropped{ID: id, DupOf: dupOf, Similarity: sim, Kind: kind, Kept: kept, Against: against})
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}
