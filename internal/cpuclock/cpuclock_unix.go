//go:build unix

package cpuclock

import (
	"syscall"
	"time"
)

// processTime is the CPU time, user and system, of this process so far.
func processTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
