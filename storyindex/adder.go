package storyindex

import (
	"context"

	retold "github.com/retold/retold"
)

// DefaultBatch is the batch size of an Adder given none: a commit waits
// for the disk, and a batch of some tens of documents pays that once.
const DefaultBatch = 64

// Adder adds a stream of documents in batches, one transaction each, and
// prepares (profiles) the next batch while the one before it is added, so
// the cores are busy while a transaction waits on the store. done is
// called with each document's Result, in the order added, once its batch
// has committed.
type Adder struct {
	x       *Index
	size    int
	done    func(retold.Document, Result)
	batch   []retold.Document
	pending *Batch
}

// NewAdder returns an Adder of batches of size documents (DefaultBatch
// when size <= 0).
func (x *Index) NewAdder(size int, done func(retold.Document, Result)) *Adder {
	if size <= 0 {
		size = DefaultBatch
	}
	return &Adder{x: x, size: size, done: done}
}

// Add queues d; a full batch is prepared, and the batch before it added.
func (a *Adder) Add(ctx context.Context, d retold.Document) error {
	a.batch = append(a.batch, d)
	if len(a.batch) < a.size {
		return nil
	}
	return a.rotate(ctx)
}

// Flush adds everything queued. The Adder may be used again after it.
func (a *Adder) Flush(ctx context.Context) error {
	if err := a.rotate(ctx); err != nil {
		return err
	}
	return a.commit(ctx)
}

// rotate starts preparing the queued batch and adds the one before it.
func (a *Adder) rotate(ctx context.Context) error {
	if len(a.batch) == 0 {
		return nil
	}
	next := a.x.Prepare(a.batch)
	a.batch = nil
	err := a.commit(ctx)
	a.pending = next
	return err
}

// commit adds the prepared batch.
func (a *Adder) commit(ctx context.Context) error {
	if a.pending == nil {
		return nil
	}
	b := a.pending
	a.pending = nil
	rs, err := a.x.AddPrepared(ctx, b)
	if err != nil {
		return err
	}
	for i, r := range rs {
		a.done(b.docs[i], r)
	}
	return nil
}
