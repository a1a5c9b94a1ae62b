// Package cpuclock measures benchmarks by the process's CPU time, user
// and system, as well as by the wall clock that MB/s uses: on a shared
// machine a benchmark that waits for a core loses wall time but not CPU
// time, so MB/cpu-s is the speed of one core at work, the kernel's work
// for it (page faults) included.
package cpuclock

import (
	"testing"
	"time"
)

// Clock is a start reading of the process's CPU time.
type Clock struct{ start time.Duration }

// Start reads the process's CPU time.
func Start() Clock { return Clock{processTime()} }

// Report adds MB/cpu-s to b: bytes per op over the CPU time of b.N ops
// since Start. Where the CPU time cannot be read it adds nothing.
func (c Clock) Report(b *testing.B, bytes int) {
	if d := processTime() - c.start; d > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/d.Seconds()/1e6, "MB/cpu-s")
	}
}
