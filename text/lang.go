package text

import (
	"maps"
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Language guesses a document's language from its tokens: the script for
// the languages that have their own (Japanese, Chinese, Korean, Greek,
// Arabic, Hebrew, Russian and Ukrainian, told apart by their letters),
// and for Latin-script text the language whose most frequent function
// words make up the largest share of the words. It returns an ISO 639-1
// code, or "" when the text is too short or no language stands out.
//
// What this is for: telling whether two texts are in one language, so the
// comparison knows when only the facts can be compared. News prose uses
// its function words densely (a third to a half of the words), so a
// hundred words are plenty; the lists are short and chosen to differ
// between the languages they cover, and a guess needs a clear lead over
// the runner-up.
func Language(d *Doc) string {
	var scripts [nScripts]int
	letters := 0
	for _, t := range d.Tokens {
		if t.Number {
			continue
		}
		r, _ := utf8.DecodeRuneInString(t.Norm)
		letters++
		scripts[scriptOf(r)]++
	}
	if letters < minLanguageWords {
		return ""
	}
	best := scriptLatin
	for s := range scripts {
		if scripts[s] > scripts[best] {
			best = s
		}
	}
	// Japanese mixes kanji and kana runs, which the tokenizer gives as
	// separate tokens: any real share of kana makes the text Japanese
	// even where kanji tokens outnumber the kana ones.
	if cjk := scripts[scriptKana] + scripts[scriptHan]; 2*cjk >= letters && 10*scripts[scriptKana] >= cjk {
		return "ja"
	}
	if best != scriptLatin {
		if 2*scripts[best] < letters {
			return ""
		}
		if best == scriptCyrillic {
			return cyrillicLanguage(d)
		}
		return scriptLanguage[best]
	}
	var score [len(latinLanguages)]int
	for _, t := range d.Tokens {
		if t.Number || len(t.Norm) > 9 || !functionFilter.Has(t.Norm) {
			continue
		}
		for m := functionWords[t.Norm]; m != 0; m &= m - 1 {
			score[bits.TrailingZeros16(m)]++
		}
	}
	first, second := -1, -1
	for li := range score {
		switch {
		case first < 0 || score[li] > score[first]:
			first, second = li, first
		case second < 0 || score[li] > score[second]:
			second = li
		}
	}
	// A clear lead: at least a tenth of the words are the winner's
	// function words, and a quarter more of them than the runner-up's.
	if s := score[first]; 10*s < letters || 4*s < 5*score[second] {
		return ""
	}
	return latinLanguages[first].code
}

// minLanguageWords is the fewest words Language guesses from.
const minLanguageWords = 20

const (
	scriptLatin = iota
	scriptCyrillic
	scriptGreek
	scriptArabic
	scriptHebrew
	scriptKana
	scriptHan
	scriptHangul
	scriptOther
	nScripts
)

var scriptLanguage = [nScripts]string{
	scriptGreek: "el", scriptArabic: "ar", scriptHebrew: "he",
	scriptKana: "ja", scriptHan: "zh", scriptHangul: "ko",
}

func scriptOf(r rune) int {
	switch {
	case r < 0x250:
		return scriptLatin
	case unicode.Is(unicode.Cyrillic, r):
		return scriptCyrillic
	case unicode.Is(unicode.Greek, r):
		return scriptGreek
	case unicode.Is(unicode.Arabic, r):
		return scriptArabic
	case unicode.Is(unicode.Hebrew, r):
		return scriptHebrew
	case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
		return scriptKana
	case unicode.Is(unicode.Han, r):
		return scriptHan
	case unicode.Is(unicode.Hangul, r):
		return scriptHangul
	}
	return scriptOther
}

// cyrillicLanguage tells Ukrainian from Russian by the letters only one
// of them has (і ї є ґ against ы э ъ ё).
func cyrillicLanguage(d *Doc) string {
	uk, ru := 0, 0
	for _, t := range d.Tokens {
		for _, r := range t.Norm {
			switch r {
			case 'і', 'ї', 'є', 'ґ':
				uk++
			case 'ы', 'э', 'ъ', 'ё':
				ru++
			}
		}
	}
	switch {
	case uk > 2*ru:
		return "uk"
	case ru > 2*uk:
		return "ru"
	}
	return ""
}

type latinLanguage struct {
	code  string
	words []string
}

// functionWords maps each function word of latinLanguages to the set of
// languages that list it, one bit each: one lookup a token.
var functionWords = func() map[string]uint16 {
	m := make(map[string]uint16)
	for li, l := range latinLanguages {
		for _, w := range l.words {
			m[w] |= 1 << li
		}
	}
	return m
}()

// functionFilter turns away most words before the map lookup, which is
// asked of every short word of every text.
var functionFilter = NewWordFilter(slices.Collect(maps.Keys(functionWords)))

// latinLanguages lists each language's most frequent function words in
// news prose, lower-cased and without the words that are as common in a
// neighbour ("de" is Spanish, Portuguese, French, Catalan and Dutch alike:
// it is left out of all of them).
var latinLanguages = [...]latinLanguage{
	{"en", []string{"the", "of", "and", "to", "in", "is", "was", "that", "for", "on", "with", "said", "he", "it", "as", "by", "at", "from", "his", "have", "has", "were", "be", "which", "who", "after", "their", "been", "this", "but", "they", "an"}},
	{"es", []string{"el", "los", "las", "del", "y", "que", "en", "un", "una", "por", "con", "para", "su", "al", "es", "fue", "lo", "como", "más", "pero", "sus", "este", "esta", "ha", "dijo", "sobre", "entre", "también"}},
	{"pt", []string{"o", "os", "do", "da", "dos", "das", "que", "e", "em", "um", "uma", "com", "para", "não", "no", "na", "foi", "é", "ao", "pelo", "pela", "seu", "sua", "mais", "ele", "ela", "disse", "nos", "nas", "também"}},
	{"fr", []string{"le", "les", "des", "du", "et", "un", "une", "qui", "est", "dans", "pour", "pas", "sur", "au", "aux", "il", "elle", "été", "avec", "ce", "cette", "son", "sa", "ses", "ont", "mais", "plus", "par", "a"}},
	{"it", []string{"il", "gli", "della", "dello", "delle", "degli", "che", "è", "di", "un", "una", "per", "con", "non", "da", "dei", "al", "alla", "ha", "sono", "nel", "nella", "anche", "ma", "più", "stato", "come", "suo", "sua"}},
	{"ca", []string{"els", "les", "del", "i", "que", "un", "una", "per", "amb", "és", "va", "als", "al", "ha", "seu", "seva", "aquest", "aquesta", "més", "però", "també", "dels", "pel", "han"}},
	{"de", []string{"der", "die", "das", "und", "den", "von", "zu", "mit", "ist", "des", "dem", "nicht", "ein", "eine", "auf", "für", "sich", "im", "auch", "als", "wurde", "er", "sie", "es", "bei", "nach", "aus", "hat", "einem", "einer", "wie", "sagte"}},
	{"nl", []string{"het", "een", "en", "van", "is", "dat", "op", "te", "met", "voor", "niet", "zijn", "werd", "door", "ook", "bij", "naar", "er", "om", "maar", "nog", "hij", "zij", "heeft"}},
	{"pl", []string{"i", "w", "na", "z", "się", "nie", "do", "że", "to", "jest", "jak", "po", "przez", "od", "za", "a", "ale", "co", "jego", "jej", "był", "była", "oraz", "tym", "które", "który"}},
	{"tl", []string{"ang", "ng", "sa", "mga", "na", "ay", "at", "si", "ni", "kay", "para", "hindi", "ito", "nang", "mula", "noong"}},
	{"id", []string{"yang", "dan", "di", "ini", "itu", "dengan", "untuk", "dari", "tidak", "akan", "pada", "dalam", "juga", "ke", "telah", "oleh", "mereka", "karena"}},
	{"tr", []string{"ve", "bir", "bu", "için", "ile", "olarak", "olan", "çok", "daha", "gibi", "sonra", "ancak", "kadar", "ise"}},
	{"sv", []string{"och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har", "inte", "om", "ett", "var", "men", "från"}},
}
