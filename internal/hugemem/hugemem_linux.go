//go:build linux

package hugemem

import "golang.org/x/sys/unix"

// alloc maps n bytes, with the huge-page advice when huge (the benchmark
// compares the two).
func alloc(n int, huge bool) ([]byte, bool) {
	if n <= 0 {
		return nil, false
	}
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return make([]byte, n), false
	}
	if huge {
		_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // advice only: without it, plain pages
	}
	return b, true
}

func free(b []byte) {
	if len(b) > 0 {
		_ = unix.Munmap(b)
	}
}
