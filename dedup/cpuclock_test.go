package dedup

import (
	"testing"
	"time"
)

// cpuClock measures a benchmark by the process's CPU time, user and
// system, as well as by the wall clock that MB/s uses: on a shared
// machine a benchmark that waits for a core loses wall time but not CPU
// time, so MB/cpu-s is the speed of one core at work.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{cpuTime()} }

// report adds MB/cpu-s, bytes per op over the CPU time of b.N ops.
func (c cpuClock) report(b *testing.B, bytes int) {
	if d := cpuTime() - c.start; d > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/d.Seconds()/1e6, "MB/cpu-s")
	}
}
