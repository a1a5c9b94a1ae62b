// Package hugemem gives large, long-lived byte buffers outside Go's heap,
// backed by transparent huge pages where the kernel has them.
//
// Memory touched for the first time costs a page fault per page. With 4
// KiB pages, on the virtual machines this project is measured on, that is
// about 10 µs a page, 2.6 CPU-seconds per GB written (BenchmarkFill):
// more than the work done on the bytes. Go's heap does not ask for huge
// pages, and a kernel whose THP mode is "madvise" (Debian's and Ubuntu's
// default) gives them only to mappings that ask. A buffer of this package
// is an anonymous mapping of its own that asks: 2 MiB pages, one fault
// each, and fewer TLB misses when it is read back. It fits data written
// once and kept whole: dedup's shingle log, a story index's postings read
// from a snapshot.
//
// A buffer is zeroed, holds no Go pointers (the collector does not scan
// it), and must be given back with Free once nothing refers to it; off
// Linux it is plain heap memory and Free does nothing.
package hugemem

// Alloc returns n zeroed bytes, and whether they are a mapping that Free
// must give back (false when they come from Go's heap: off Linux, or
// when the mapping failed).
func Alloc(n int) ([]byte, bool) { return alloc(n, true) }

// Free gives back a buffer that Alloc returned as a mapping. Nothing may
// use it after.
func Free(b []byte) { free(b) }
