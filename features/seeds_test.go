package features

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// seedDir holds the project's real sample: two machine translations of one
// news story. It lives outside the module, so the test skips without it.
const seedDir = "../../shared/seeds"

func readSeeds(t *testing.T) map[string]string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(seedDir, "*.txt"))
	if len(paths) == 0 {
		t.Skipf("no seed texts in %s (the project's shared sample is not checked out here)", seedDir)
	}
	docs := make(map[string]string)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		docs[filepath.Base(p)] = string(b)
	}
	return docs
}

func TestSeedNumbers(t *testing.T) {
	all := make(map[string]bool)
	for name, doc := range readSeeds(t) {
		t.Run(name, func(t *testing.T) {
			values := make(map[string]bool)
			toddler := false
			for _, n := range Numbers(doc) {
				if doc[n.Start:n.End] != n.Text {
					t.Fatalf("span %d..%d is %q, Text %q", n.Start, n.End, doc[n.Start:n.End], n.Text)
				}
				values[n.Value] = true
				all[n.Value] = true
				if n.Value == "4" && len(n.Right) >= 2 && n.Right[0] == "year" && n.Right[1] == "old" {
					toddler = true
				}
			}
			// Facts both translations state.
			for _, v := range []string{"164", "103", "16", "2200", "1300", "5800", "2500"} {
				if !values[v] {
					t.Errorf("no Number with Value %s", v)
				}
			}
			if !toddler {
				t.Errorf("the four-year-old / 4-year-old girl: no Value 4 with Right [year old ...]")
			}
		})
	}
	// "26" (civilian deaths) is only in one translation.
	if !all["26"] {
		t.Errorf("no Number with Value 26 in any seed")
	}
}

func TestSeedEntities(t *testing.T) {
	docs := readSeeds(t)
	var keySets []map[string]bool
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			keys := make(map[string]bool)
			fullName := false
			for _, e := range Entities(doc) {
				keys[e.Key] = true
				for _, w := range e.Words {
					keys[w] = true
				}
				if i := slices.Index(e.Words, WordKey("Kassym-Jomart")); i >= 0 && i+1 < len(e.Words) && e.Words[i+1] == WordKey("Tokaev") {
					fullName = true
				}
			}
			for _, name := range []string{"Tokaev", "Almaty", "Nur-Sultan", "Nazarbayev", "Karim Massimov"} {
				if !keys[Key(name)] {
					t.Errorf("no entity with the key of %q (%q)", name, Key(name))
				}
			}
			if !fullName {
				t.Errorf("no entity contains Kassym-Jomart Tokaev")
			}
			keySets = append(keySets, keys)
		})
	}
	// The point of keys: both translations name the same people.
	if len(keySets) == 2 {
		for _, k := range []string{Key("Tokayev"), Key("Masimov"), Key("Almaty")} {
			if !keySets[0][k] || !keySets[1][k] {
				t.Errorf("key %q not shared by both translations", k)
			}
		}
	}
}
