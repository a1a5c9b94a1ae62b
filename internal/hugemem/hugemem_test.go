package hugemem

import (
	"runtime"
	"testing"

	"github.com/retold/retold/internal/cpuclock"
)

func TestAllocIsZeroedWritableAndFreed(t *testing.T) {
	for _, n := range []int{1, 4096, 3<<20 + 5} {
		b, mapped := Alloc(n)
		if len(b) != n {
			t.Fatalf("Alloc(%d): %d bytes", n, len(b))
		}
		if runtime.GOOS == "linux" && !mapped {
			t.Errorf("Alloc(%d) on Linux: not a mapping", n)
		}
		for i, c := range b {
			if c != 0 {
				t.Fatalf("Alloc(%d): byte %d is %d", n, i, c)
			}
		}
		for i := range b {
			b[i] = byte(i)
		}
		if b[n-1] != byte(n-1) {
			t.Fatalf("Alloc(%d): last byte not written", n)
		}
		if mapped {
			Free(b)
		}
	}
	if b, mapped := Alloc(0); len(b) != 0 || mapped {
		t.Errorf("Alloc(0): %d bytes, mapped %v", len(b), mapped)
	}
}

// BenchmarkFill is the cost of memory touched for the first time: 64 MiB
// of fresh memory filled front to back in 3 KB records, from plain pages
// (as Go's heap gets them when it grows: a fault per 4 KiB) and from
// Alloc (huge pages asked for, on Linux). The CPU figure includes the
// kernel's time, where the faults are served.
func BenchmarkFill(b *testing.B) {
	const size, rec = 64 << 20, 3000
	src := make([]byte, rec)
	for i := range src {
		src[i] = byte(i)
	}
	for _, bc := range []struct {
		name string
		huge bool
	}{{"pages", false}, {"huge", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(size)
			cpu := cpuclock.Start()
			for b.Loop() {
				data, mapped := alloc(size, bc.huge)
				for off := 0; off+rec <= size; off += rec {
					copy(data[off:], src)
				}
				if mapped {
					Free(data)
				}
			}
			cpu.Report(b, size)
		})
	}
}
