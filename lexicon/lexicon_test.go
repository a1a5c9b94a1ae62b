package lexicon

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retold/retold/internal/lexicontest"
)

// invented is a small Spanish-English dictionary in FreeDict's layout,
// with the markup its entries carry.
var invented = []lexicontest.Entry{
	{"gobierno", "gobierno /ɡoβjˈeɾno/\nadministration, government"},
	{"partido", "partido /paɾtˈiðo/\n1. adherents, disciples, following\n2. party, faction"},
	{"elección", "elección <fem>\n[pol.] election, choice; vote"},
	{"puente levadizo", "puente levadizo\ndrawbridge"},
	{"inundación", "inundación\n{see: agua}\nflood <n>, deluge\n see: {riada}"},
}

func TestTableReadsFirstSenses(t *testing.T) {
	dir := t.TempDir()
	lexicontest.Write(t, dir, "freedict-spa-eng", invented)
	lexicontest.Write(t, dir, "freedict-eng-spa", []lexicontest.Entry{{"bridge", "bridge /brɪdʒ/\npuente"}})
	lexicontest.Write(t, dir, "freedict-xyz-eng", []lexicontest.Entry{{"a", "a\nb"}}) // unknown language: skipped
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Languages(); !slices.Equal(got, []string{"es"}) {
		t.Fatalf("languages %v, want [es]", got)
	}
	tab, err := l.Table("es")
	if err != nil {
		t.Fatal(err)
	}
	has := func(word, english string) bool {
		_, ok := slices.BinarySearch(tab[Key(word)], Key(english))
		return ok
	}
	for _, c := range []struct {
		word, english string
		want          bool
	}{
		{"gobiernos", "government", true}, // inflected: the key is the first five letters
		{"gobierno", "administration", true},
		{"partido", "adherents", true},
		{"partido", "party", false}, // second sense
		{"eleccion", "election", true},
		{"Elección", "vote", false}, // after the first ";"
		{"inundación", "flood", true},
		{"inundación", "agua", false}, // a cross-reference
		{"puente", "bridge", true},    // the English-Spanish file, read backwards
		{"puente", "drawbridge", false},
	} {
		if got := has(c.word, c.english); got != c.want {
			t.Errorf("%s -> %s: %v, want %v", c.word, c.english, got, c.want)
		}
	}
	if tab, _ := l.Table("fr"); tab != nil {
		t.Errorf("fr has no dictionary, got a table")
	}
}

func TestKeysFoldCaseAndAccents(t *testing.T) {
	for _, p := range [][2]string{{"Präsident", "prasidentin"}, {"ELECCIÓN", "elecciones"}, {"Straße", "strassen"}} {
		if Key(p[0]) != Key(p[1]) {
			t.Errorf("Key(%q) != Key(%q)", p[0], p[1])
		}
	}
	if Key("gobierno") == Key("govern") || Key("123") != 0 {
		t.Error("keys collide or a number got a word key")
	}
	if NumberKey("44,16") != NumberKey("44.16") || NumberKey("26") == NumberKey("260") || NumberKey("abc") != 0 {
		t.Error("number keys")
	}
}

func TestBadDictionaryNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	lexicontest.Write(t, dir, "freedict-spa-eng", invented)
	idx := filepath.Join(dir, "freedict-spa-eng.index")
	b, _ := os.ReadFile(idx)
	os.WriteFile(idx, append(b, "roto\tA\tZZZZZZ\n"...), 0o644)
	l, _ := Open(dir)
	_, err := l.Table("es")
	if err == nil || !strings.Contains(err.Error(), "freedict-spa-eng.index line 6") {
		t.Fatalf("err %v, want one naming the index and line 6", err)
	}
	if errs := l.Errors(); len(errs) != 1 || errs[0] != err {
		t.Fatalf("Errors() = %v, want the one error", errs)
	}
}

func TestOversizedDictionaryIsRefused(t *testing.T) {
	dir := t.TempDir()
	lexicontest.Write(t, dir, "freedict-spa-eng", invented)
	defer func(n int64) { maxDictBytes = n }(maxDictBytes)
	maxDictBytes = 64
	l, _ := Open(dir)
	if _, err := l.Table("es"); err == nil || !strings.Contains(err.Error(), "uncompressed") {
		t.Fatalf("err %v, want a size refusal", err)
	}
}

func TestMissingDirectoryIsEmpty(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "absent"))
	if err != nil || len(l.Languages()) != 0 || l.Has("es") {
		t.Fatalf("%v %v", l.Languages(), err)
	}
	var none *Lexicon
	if tab, err := none.Table("es"); tab != nil || err != nil || none.Has("es") {
		t.Fatal("a nil lexicon has no tables")
	}
}
