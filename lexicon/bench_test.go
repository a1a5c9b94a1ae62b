package lexicon

import (
	"os"
	"testing"
)

// BenchmarkTableLoad reads the installed German-English dictionary, the
// largest FreeDict one (about 100 MB uncompressed), as a process does on
// its first German text. It skips where the dictionary is not installed.
func BenchmarkTableLoad(b *testing.B) {
	l, err := Open(DefaultDir)
	if err != nil || !l.Has("de") {
		b.Skip("no German dictionary in " + DefaultDir)
	}
	var size int64
	for _, f := range l.langs["de"].files {
		if st, err := os.Stat(f.base + ".dict.dz"); err == nil {
			size += st.Size()
		}
	}
	b.SetBytes(size)
	for b.Loop() {
		l, _ := Open(DefaultDir)
		tab, err := l.Table("de")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(tab)), "keys")
	}
}
