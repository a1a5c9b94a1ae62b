//go:build !linux

package dedup

// slabMemory returns n bytes of zeroed memory for a slab of the shingle
// log from Go's heap (see slabmem_linux.go).
func slabMemory(n int) ([]byte, bool) { return make([]byte, n), false }

// freshMemory is slabMemory (huge pages are a Linux matter).
func freshMemory(n int, huge bool) ([]byte, bool) { return make([]byte, n), false }

// freeSlabMemory is never called off Linux: no slab is a mapping.
func freeSlabMemory(b []byte) {}
