package features

import "testing"

func TestWordKeySpellingVariantsCollide(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"y before e after a vowel", "Tokaev", "Tokayev"},
		{"doubled consonant", "Massimov", "Masimov"},
		{"double y", "Zelenskyy", "Zelensky"},
		{"iy ending", "Zelenskiy", "Zelensky"},
		{"accent", "Grindavík", "Grindavik"},
		{"case", "TOKAEV", "tokaev"},
		{"kh", "Khabar", "Habar"},
		{"q and k", "Iraq", "Irak"},
		{"ph and f", "Philipp", "Filip"},
		{"ck and k", "Mecklenburg", "Meklenburg"},
		{"w and v", "Warszawa", "Varszava"},
		{"dzh and j", "Dzhokhar", "Jokhar"},
		{"ou and u", "Ouagadougou", "Uagadugu"},
		{"ey ending", "Aleksey", "Aleksei"},
		{"final h after a vowel", "Abdullah", "Abdulla"},
		{"Cyrillic", "Токаев", "Tokaev"},
		{"yev ending", "Nazarbayev", "Nazarbaev"},
		{"apostrophe dropped", "O'Brien", "OBrien"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := WordKey(tt.a), WordKey(tt.b); ka != kb {
				t.Errorf("WordKey(%q) = %q, WordKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
			}
		})
	}
}

func TestWordKeyDifferentNamesDiffer(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"y before a vowel is a consonant", "Tokaev", "Tokyo"},
		{"different letters", "Almaty", "Amity"},
		{"x is ks", "Masimov", "Maximov"},
		{"final t", "Herat", "Hera"},
		{"n and q", "Iran", "Iraq"},
		{"extra syllable", "Austria", "Australia"},
		{"final e kept", "Kobe", "Cobb"},
		{"i and k", "Paris", "Parks"},
		{"kh keeps its h", "Kazakh", "Kazak"},
		{"consonant y at the start", "Yemen", "Emen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := WordKey(tt.a), WordKey(tt.b); ka == kb {
				t.Errorf("WordKey(%q) = WordKey(%q) = %q; want different", tt.a, tt.b, ka)
			}
		})
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"hyphen case", "Kassym-Jomart", "Kassym-jomart"},
		{"full name variants", "Kassym-Jomart Tokaev", "Kassym-jomart Tokayev"},
		{"extra white space", "Karim  Massimov", "Karim Masimov"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := Key(tt.a), Key(tt.b); ka != kb {
				t.Errorf("Key(%q) = %q, Key(%q) = %q; want equal", tt.a, ka, tt.b, kb)
			}
		})
	}
	if got, want := Key("Kassym-Jomart Tokayev"), "kasimjomart tokaev"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	if got := Key(" ... "); got != "" {
		t.Errorf("Key of punctuation = %q, want empty", got)
	}
}

func TestWordKeyExact(t *testing.T) {
	tests := []struct{ word, want string }{
		{"Tokayev", "tokaev"},
		{"Zelenskyy", "zelenski"},
		{"Kyrgyzstan", "kirgizstan"},
		{"Maximov", "maksimov"},
		{"Mir-24", "mir24"},
		{"Tokyo", "tokyo"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := WordKey(tt.word); got != tt.want {
			t.Errorf("WordKey(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
