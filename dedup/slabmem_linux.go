//go:build linux

package dedup

import "golang.org/x/sys/unix"

// slabMemory returns n bytes of zeroed memory for a slab of the shingle
// log, and whether it is a mapping that freeSlabMemory must return. The
// log is written once, front to back, and fresh pages are what it costs:
// 4 KiB pages took a page fault every 4 KiB, a fifth of a dedup's CPU on
// this kernel, so a slab is an anonymous mapping of its own with
// transparent huge pages asked for (2 MiB pages where the kernel has
// them; plain pages where it does not). Go's heap cannot ask for them.
func slabMemory(n int) ([]byte, bool) { return freshMemory(n, true) }

// freshMemory is slabMemory with the huge-page advice optional (its
// benchmark compares the two).
func freshMemory(n int, huge bool) ([]byte, bool) {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return make([]byte, n), false
	}
	if huge {
		_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // advice only: without it, plain pages
	}
	return b, true
}

// freeSlabMemory returns a mapping made by slabMemory.
func freeSlabMemory(b []byte) { _ = unix.Munmap(b) }
