package main

import (
	"fmt"
	"io"
	"time"
)

// status is the one progress line a command draws on stderr when stderr
// is a terminal: redrawn in place at most every statusEvery, cleared
// before a message is printed and at the end. When stderr is not a
// terminal it draws nothing and messages are plain lines, so logs and
// tests see only the messages.
type status struct {
	w    io.Writer
	on   bool
	last time.Time
	bads int // bad records reported so far
}

// shownBad is how many bad records a run prints, one line each; past it
// they are only counted, in the command's summary line.
const shownBad = 100

// statusEvery is how often the line is redrawn at most.
const statusEvery = 200 * time.Millisecond

func newStatus(e *env) *status { return &status{w: e.stderr, on: e.stderrIsTerminal} }

// show redraws the line, unless it was drawn less than statusEvery ago
// and force is false.
func (s *status) show(force bool, format string, a ...any) {
	if !s.on {
		return
	}
	now := time.Now()
	if !force && now.Sub(s.last) < statusEvery {
		return
	}
	s.last = now
	fmt.Fprintf(s.w, "\r\033[K"+format, a...)
}

// message prints one line (a bad record, say) in place of the progress
// line, which the next show draws again.
func (s *status) message(a ...any) {
	s.clear()
	fmt.Fprintln(s.w, a...)
}

// bad reports a bad record that is skipped: the first shownBad of a run
// a line each, then one line saying that the rest are only counted.
func (s *status) bad(err error) {
	s.bads++
	switch {
	case s.bads <= shownBad:
		s.message(err)
	case s.bads == shownBad+1:
		s.message(fmt.Sprintf("(more bad records: only the first %d are shown; the summary counts them all)", shownBad))
	}
}

// clear erases the progress line.
func (s *status) clear() {
	if s.on {
		fmt.Fprint(s.w, "\r\033[K")
	}
}

// stages is a cluster.Options.Progress for s: each stage's count, rate
// and time left.
func (s *status) stages() func(stage string, done, total int) {
	cur, start := "", time.Now()
	return func(stage string, done, total int) {
		now := time.Now()
		if stage != cur {
			cur, start = stage, now
		}
		rate := float64(done) / max(now.Sub(start).Seconds(), 1e-9)
		eta := "?"
		if done > 0 {
			eta = fmt.Sprintf("%.0fs", float64(total-done)/rate)
		}
		s.show(done >= total, "%s %d/%d  %.0f/s  ETA %s", stage, done, total, rate, eta)
	}
}
