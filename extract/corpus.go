package extract

import (
	"fmt"

	retold "github.com/retold/retold"
)

// CorpusOptions tune ReadCorpus.
type CorpusOptions struct {
	// Strict makes the first bad record end the run instead of being
	// reported and skipped.
	Strict bool
	// Report gets each record reported and skipped; nil drops them.
	Report func(error)
	// Progress, when set, is called with the count of good records every
	// 1,024 of them.
	Progress func(good int)
}

// ReadCorpus passes the good records of the corpus r (one file, or
// OpenAll's several) to add, in order, decoding JSONL lines on every core
// (Each), and returns how many bad ones it skipped. The rules of a corpus
// that is clustered as a whole:
//   - a bad record, and a repeated id (the first one is kept), is reported
//     as NAME:LINE and skipped, or ends the run under Strict;
//   - an error that stops a file (a truncated gzip) is reported and the
//     records before it are kept, unless Strict or there are none;
//   - a corpus with no good record is an error naming name.
func ReadCorpus(r Reader, name string, opt CorpusOptions, add func(retold.Document) error) (int, error) {
	report := opt.Report
	if report == nil {
		report = func(error) {}
	}
	good, bad := 0, 0
	// skip reports a bad record and goes on, or under Strict stops.
	skip := func(err error) error {
		if opt.Strict {
			return err
		}
		report(err)
		bad++
		return nil
	}
	seen := make(map[string]place)
	// The lines are decoded on every core; the records come in order.
	var addErr error
	err := Each(r, 0, func(rec Record, err error) error {
		if err != nil { // one record's, or a file's that broke off
			return skip(err)
		}
		if first, ok := seen[rec.Doc.ID]; ok {
			return skip(fmt.Errorf("%s:%d: duplicate id %q (first %s): skipped", rec.Name, rec.Line, rec.Doc.ID, first.from(rec.Name)))
		}
		seen[rec.Doc.ID] = place{rec.Name, rec.Line}
		if addErr = add(rec.Doc); addErr != nil {
			return addErr
		}
		good++
		if good%1024 == 0 && opt.Progress != nil {
			opt.Progress(good)
		}
		return nil
	})
	switch {
	case err == nil:
	case opt.Strict || addErr != nil || good == 0:
		// A bad record under strict, the add's own error, or a broken
		// stream with nothing before it.
		return bad, err
	default:
		report(fmt.Errorf("%w (keeping the %d records before it)", err, good))
		bad++
	}
	if good == 0 {
		return bad, fmt.Errorf("%s: no good records", name)
	}
	return bad, nil
}

// place is where a record was read.
type place struct {
	name string
	line int
}

// from says where p is as seen from the file name: "on line 4", or "at
// other.jsonl:4".
func (p place) from(name string) string {
	if p.name == name {
		return fmt.Sprintf("on line %d", p.line)
	}
	return fmt.Sprintf("at %s:%d", p.name, p.line)
}
