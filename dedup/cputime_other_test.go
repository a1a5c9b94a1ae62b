//go:build !unix

package dedup

import "time"

// cpuTime is not measured here: report adds no metric.
func cpuTime() time.Duration { return 0 }
