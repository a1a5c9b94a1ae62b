package features

import (
	"reflect"
	"testing"
)

func entityTexts(s string) []string {
	var out []string
	for _, e := range Entities(s) {
		out = append(out, e.Text)
	}
	return out
}

func TestEntities(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"run of capitalized words", "said President Kassym-Jomart Tokaev on Friday", []string{"President Kassym-Jomart Tokaev", "Friday"}},
		{"connectors inside a run", "the Ministry of Health and the Collective Security Treaty Organization met", []string{"Ministry of Health", "Collective Security Treaty Organization"}},
		{"two connectors in a row", "the Ministry of the Interior said", []string{"Ministry of the Interior"}},
		{"trailing connector dropped", "in Almaty of all places", []string{"Almaty"}},
		{"possessive is not part of the name", "Tokaev’s office and Tokaev's aide", []string{"Tokaev", "Tokaev"}},
		{"possessive ends the run", "Kazakhstan’s Ministry of Health", []string{"Kazakhstan", "Ministry of Health"}},
		{"all-caps words", "via AP and the KGB and NUR.KZ", []string{"AP", "KGB", "NUR.KZ"}},
		{"punctuation ends a run", "Almaty, Kazakhstan", []string{"Almaty", "Kazakhstan"}},
		{"sentence-initial stopword dropped", "The ministry said so.", nil},
		{"sentence-initial stopword trimmed from a run", "The Kremlin said so.", []string{"Kremlin"}},
		{"sentence-initial word that occurs in lower case", "Sporadic gunfire was heard. The gunfire was sporadic.", nil},
		{"sentence-initial name kept", "Tokaev spoke. Nobody listened to Tokaev.", []string{"Tokaev", "Nobody", "Tokaev"}},
		{"line-initial word that occurs in lower case", "prices rose\nPrices fell", nil},
		{"all-caps line yields nothing", "KAZAKHSTAN SAYS 164 DIED\nTokaev spoke", []string{"Tokaev"}},
		{"acronym is not a stopword", "the US Secretary of State", []string{"US Secretary of State"}},
		{"title with period", "met Mr. Smith and Dr. Jones", []string{"Mr. Smith", "Dr. Jones"}},
		{"initial", "like John F. Kennedy did", []string{"John F. Kennedy"}},
		{"article prefix", "said Bashar al-Assad today", []string{"Bashar al-Assad"}},
		{"apostrophe inside a name", "met Conan O’Brien", []string{"Conan O’Brien"}},
		{"contraction is not a name", "Don’t go, said Ann", []string{"Ann"}},
		{"lone letter dropped", "banner (R) near", nil},
		{"opening quote keeps sentence start", "“The ministry” said so. “Sporadic” fire, sporadic", nil},
		{"Cyrillic has case", "сказал Токаев", []string{"Токаев"}},
		{"Hindi has no case", "कज़ाख़स्तान में 164 लोग मारे गए", nil},
		{"Arabic has no case", "قال توكاييف يوم الأحد", nil},
		{"Japanese has no case", "カザフスタンで164人が死亡した。", nil},
		{"newline ends a run", "Jim Heinz\nAssociated Press", []string{"Jim Heinz", "Associated Press"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := entityTexts(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Entities(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestEntityKeyAndWords(t *testing.T) {
	es := Entities("He met Kassym-Jomart Tokayev there.")
	if len(es) != 1 {
		t.Fatalf("got %d entities, want 1: %+v", len(es), es)
	}
	e := es[0]
	if want := []string{"kasimjomart", "tokaev"}; !reflect.DeepEqual(e.Words, want) {
		t.Errorf("Words = %q, want %q", e.Words, want)
	}
	if e.Key != Key(e.Text) || e.Key != Key("Kassym-jomart Tokaev") {
		t.Errorf("Key = %q, want Key(Text) = %q = Key(variant) = %q", e.Key, Key(e.Text), Key("Kassym-jomart Tokaev"))
	}
	if e.Text != "Kassym-Jomart Tokayev" || e.Start != 7 || e.End != 7+len(e.Text) {
		t.Errorf("span = %d..%d %q", e.Start, e.End, e.Text)
	}
}
