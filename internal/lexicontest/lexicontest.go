// Package lexicontest writes dictionaries in the dictd format for tests,
// so the lexicon's readers can be tested without the dictionaries a
// machine may or may not have installed.
package lexicontest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Entry is one headword and its entry text, which begins, as in FreeDict,
// with a line naming the headword.
type Entry = [2]string

// Write writes dir/NAME.index and dir/NAME.dict.dz holding entries.
func Write(t testing.TB, dir, name string, entries []Entry) {
	t.Helper()
	var dict bytes.Buffer
	var index strings.Builder
	for _, e := range entries {
		off := dict.Len()
		dict.WriteString(e[1] + "\n")
		index.WriteString(strings.ToLower(e[0]) + "\t" + B64(off) + "\t" + B64(dict.Len()-off) + "\n")
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(dict.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".dict.dz"), z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".index"), []byte(index.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// B64 writes n in dictd's base 64, most significant digit first.
func B64(n int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if n == 0 {
		return "A"
	}
	var b []byte
	for ; n > 0; n /= 64 {
		b = append([]byte{digits[n%64]}, b...)
	}
	return string(b)
}
