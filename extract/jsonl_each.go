package extract

import (
	"bytes"
	"io"
	"runtime"
	"sync"
)

// eachBatchLines and eachBatchBytes bound a batch of lines decoded by one
// worker: enough to pay for the hand-off, small enough to keep a few in
// flight without holding much of the corpus.
const (
	eachBatchLines = 256
	eachBatchBytes = 4 << 20
)

// Each calls fn with every result Next would give, in the same order: a
// record with a nil error, or a zero Record with a *RecordError, until the
// clean end of the stream (Each returns nil) or a fatal error (Each
// returns it, after fn has seen every record before it). The lines are
// read in order and decoded as JSON on workers goroutines (0 means
// GOMAXPROCS), which is most of the cost of a corpus of articles; fn runs
// on the calling goroutine, one result at a time. If fn returns an error,
// Each stops and returns it. Next must not be called during Each.
func (r *JSONLReader) Each(workers int, fn func(Record, error) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type batch struct {
		lines [][]byte // nil for a line nextLine refused, whose error is in errs
		nums  []int
		recs  []Record
		errs  []error
		fatal error // the stream's error after the batch's lines, or io.EOF
		done  chan struct{}
	}
	// The reader sends each batch to a worker and, in order, to the
	// caller, who waits for it to be decoded.
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(order)
		for {
			b := &batch{done: make(chan struct{})}
			size := 0
			for len(b.lines) < eachBatchLines && size < eachBatchBytes {
				line, owned, err := r.nextLine()
				if _, bad := err.(*RecordError); bad {
					b.lines, b.nums, b.errs = append(b.lines, nil), append(b.nums, r.line), append(b.errs, err)
					continue
				}
				if err != nil {
					b.fatal = err
					break
				}
				if !owned {
					line = bytes.Clone(line)
				}
				b.lines, b.nums, b.errs = append(b.lines, line), append(b.nums, r.line), append(b.errs, nil)
				size += len(line)
			}
			select {
			case order <- b:
			case <-stop:
				return
			}
			select {
			case work <- b:
			case <-stop:
				return
			}
			if b.fatal != nil {
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var f jsonlFields
			for b := range work {
				b.recs = make([]Record, len(b.lines))
				for i, line := range b.lines {
					if line == nil {
						continue
					}
					doc, err := decodeJSONLine(line, &f, r.opt.Keys)
					if err != nil {
						b.errs[i] = &RecordError{r.name, b.nums[i], err}
						continue
					}
					b.recs[i] = Record{Doc: doc, Name: r.name, Line: b.nums[i], Raw: line}
				}
				close(b.done)
			}
		}()
	}
	defer wg.Wait()
	defer close(stop)
	for b := range order {
		<-b.done
		for i := range b.lines {
			if err := fn(b.recs[i], b.errs[i]); err != nil {
				return err
			}
		}
		if b.fatal == io.EOF {
			return nil
		}
		if b.fatal != nil {
			return b.fatal
		}
	}
	return nil
}
