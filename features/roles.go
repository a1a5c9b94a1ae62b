package features

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold/text"
)

// This file reads what a number counts: its role. A fact diff that pairs
// numbers by position says "seven -> 45" when a toll of seven became 11
// and the injured went from 42 to 45; pairing by role says "7 -> 11
// (dead), 42 -> 45 (injured)".
//
// A number's phrase is the words around it up to a clause barrier: a
// comma, semicolon, colon, bracket, a conjunction ("and", "with",
// "while") or another number. Within it, the nearest role word after the
// number wins ("45 people injured"), else the nearest before it
// ("killing at least seven", "the toll rose to 11"). The counted noun is
// the first content word after the number within its phrase ("seven
// people", "300 troops").

// Roles a number can play. The list is small on purpose: these are the
// quantities a news story changes between versions, and each has its own
// words in the languages retold reads.
const (
	RoleDead      = "dead"
	RoleInjured   = "injured"
	RoleMissing   = "missing"
	RoleArrested  = "arrested"
	RoleDisplaced = "displaced"
	RoleRescued   = "rescued"
	RoleAge       = "age"
	RoleMagnitude = "magnitude"
	RoleVotes     = "votes"
	RoleDuration  = "duration"  // "two decades", "10 years in prison"
	RoleFrequency = "frequency" // "three times", "on four occasions"
	RoleDate      = "date"      // the day of a date: "April 3", "3 April"
)

// roleWords maps a lower-cased word to the role it gives a nearby number.
var roleWords = func() map[string]string {
	m := map[string]string{}
	add := func(role string, words ...string) {
		for _, w := range words {
			m[w] = role
		}
	}
	add(RoleDead,
		// English
		"killed", "kill", "kills", "killing", "dead", "death", "deaths", "died", "die", "dies",
		"toll", "fatalities", "fatality", "perished", "murder", "murders", "murdered", "murdering", "lives", "bodies", "fatally",
		// Spanish, Portuguese, Italian, French, German
		"muertos", "muertas", "muerto", "fallecidos", "fallecieron", "murieron", "mortos", "mortes", "morreram",
		"morti", "uccisi", "morte", "vittime", "morts", "tués", "décès", "décédés", "tote", "toten", "getötet",
		"starben", "todesopfer",
		// Russian, Ukrainian
		"погибли", "погибших", "погибло", "погиб", "жертв", "жертвами", "убиты", "убито", "убитых", "погибшие",
		"загинули", "загиблих", "загинуло", "загинув", "жертви", "вбиті", "вбито",
	)
	add(RoleInjured,
		"injured", "injuring", "injures", "injury", "injuries", "wounded", "wounding", "hurt",
		"hospitalized", "hospitalised", "casualties",
		"heridos", "heridas", "herido", "lesionados", "feridos", "feriti", "blessés", "blessées", "blessé",
		"verletzt", "verletzte", "verletzten", "verwundet",
		"ранены", "раненых", "ранен", "ранения", "пострадали", "пострадавших", "пострадал", "пострадавшие",
		"поранені", "поранених", "постраждали", "постраждалих", "поранено",
	)
	add(RoleMissing,
		"missing", "disappeared", "unaccounted",
		"desaparecidos", "desaparecidas", "disparus", "dispersi", "vermisst", "vermisste", "vermissten",
		"пропали", "пропавших", "пропавшими", "зникли", "зниклих",
	)
	add(RoleArrested,
		"arrested", "arrests", "detained", "detentions", "detenidos", "presos", "arrestati", "arrêtés",
		"interpellés", "festgenommen", "verhaftet", "задержаны", "задержали", "задержанных", "затримали", "затримано",
	)
	add(RoleDisplaced,
		"evacuated", "displaced", "homeless", "evacuees", "refugees", "evacuados", "desplazados", "sfollati",
		"évacués", "evakuiert", "эвакуированы", "эвакуировали", "евакуйовано", "евакуювали",
	)
	add(RoleRescued, "rescued", "survivors", "rescatados", "secours", "gerettet", "спасены", "спасли", "врятовано")
	add(RoleMagnitude, "magnitude", "magnitud", "magnitudo", "magnitudine", "stärke", "магнитудой", "магнитуда", "магнітудою")
	add(RoleDuration, "years", "months", "weeks", "days", "hours", "minutes", "seconds", "decades", "centuries",
		"year", "month", "week", "day", "hour", "minute", "decade", "century",
		"años", "meses", "semanas", "días", "horas", "ans", "mois", "jours", "heures", "jahre", "jahren", "monate",
		"wochen", "tage", "tagen", "stunden", "anni", "mesi", "giorni", "ore", "лет", "года", "месяцев", "дней", "часов", "років", "днів")
	add(RoleFrequency, "times", "occasions", "veces", "fois", "mal", "volte", "раз", "рази")
	for w := range barrierWords {
		m[w] = roleBarrier
	}
	add(RoleVotes, "votes", "voted", "ballots", "votos", "voix", "stimmen", "voti", "голосов", "голосів")
	return m
}()

// barrierWords end a number's phrase: what comes after them belongs to
// another clause ("killing seven and injuring 42"). They are in roleWords
// too, as roleBarrier, so a word costs one lookup.
var barrierWords = map[string]bool{
	"and": true, "or": true, "but": true, "while": true, "whereas": true, "with": true,
	"including": true, "plus": true, "as": true, "after": true, "before": true, "when": true,
	"y": true, "e": true, "et": true, "und": true, "mientras": true, "con": true, "avec": true, "mit": true,
	"и": true, "а": true, "і": true, "та": true,
}

// roleBarrier marks a barrier word in roleWords.
const roleBarrier = "|"

// roleSpan is how many content words on each side of a number its phrase
// may hold; stopwords are passed over.
const roleSpan = 4

// roleOf returns the role and counted noun of the number made of tokens
// [first, next).
func (p *numberParser) roleOf(first, next int) (role, noun string) {
	// "a 4-year-old", "72 years old", "72 years of age": an age.
	if (p.wordIs(next, "year", sepHyphen) || p.wordIs(next, "years", sepSpace)) &&
		(p.wordIs(next+1, "old", sepHyphen, sepSpace) || p.wordIs(next+1, "of", sepSpace) && p.wordIs(next+2, "age", sepSpace)) {
		return RoleAge, ""
	}
	if p.dayOfMonth(first, next) {
		return RoleDate, ""
	}
	// "Lucy Letby, 33, was": an age in apposition to a name.
	if p.appositiveAge(first, next) {
		return RoleAge, ""
	}
	// After the number, nearest first: a role word, or the counted noun.
	p.walkClause(next, 1, func(t token, w []byte, r string, words int) bool {
		if r != "" {
			if r == RoleDuration && noun == "" {
				noun = string(w) // the unit of a duration: "45 days", "six weeks"
			}
			role = r
			return true
		}
		if noun == "" && words > 0 && words <= 2 && t.sep == sepSpace && !startsUpper(p.text[t.start:t.end]) {
			if _, isNum := lookupNumberWord(w); !isNum {
				noun = string(w)
			}
		}
		return false
	})
	if role != "" {
		return role, noun
	}
	// Before it, nearest first.
	p.walkClause(first-1, -1, func(_ token, w []byte, r string, words int) bool {
		switch {
		case r != "":
			role = r
		case words == 1 && string(w) == "aged":
			role = RoleAge
		}
		return role != ""
	})
	return role, noun
}

// walkClause visits the words of a number's clause from token i in
// direction dir (1 after the number, -1 before it), nearest first, up to
// roleSpan content words and not past a barrier. visit gets each word
// lower-cased, its role ("" none) and, for a content word, how many
// content words have been seen including it (0 for a stopword); it
// returns true to stop.
func (p *numberParser) walkClause(i, dir int, visit func(t token, w []byte, role string, words int) bool) {
	for words := 0; i >= 0 && i < len(p.toks) && words < roleSpan; i += dir {
		t := p.toks[i]
		if p.barrier(t) {
			return
		}
		if t.kind != kWord {
			continue
		}
		w := p.lowerBytes(t)
		r := roleWords[string(w)]
		if r == roleBarrier {
			return
		}
		n := 0
		if r == "" && !text.IsStopword(string(w)) {
			words++
			n = words
		}
		if visit(t, w, r, n) {
			return
		}
	}
}

// barrier reports whether token t ends a number's phrase: a line or
// sentence end, clause punctuation, or another number.
func (p *numberParser) barrier(t token) bool {
	switch t.kind {
	case kBreak, kNum, kNumSuffix:
		return true
	case kSym:
		switch p.text[t.start:t.end] {
		case ",", ";", ":", "(", ")", "[", "]", "—", "–", "、", "，", "；", "：", "«", "»", "\"", "“", "”":
			return true
		}
	}
	return false
}

// lowerBytes returns word token t lower-cased, in a buffer of p's that the
// next call overwrites; nil when the word is too long to matter.
func (p *numberParser) lowerBytes(t token) []byte {
	w := p.text[t.start:t.end]
	if b, ok := lowerASCII(p.wbuf[:], w); ok {
		return b
	}
	if len(w) > len(p.wbuf) {
		return nil
	}
	b := p.wbuf[:0]
	for _, r := range w {
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	if len(b) > len(p.wbuf) {
		return nil // grew past the buffer: a rare case mapping
	}
	return b
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// Bounds of a range ("between 50 and 60").
const (
	BoundLow  = "low"
	BoundHigh = "high"
)

// shareRanges marks the bounds of each range and gives the first number of a range ("between 50 and 60
// people", "from 10 to 12 km", "50-60 dead") the role, noun and unit of
// the second when it has none of its own.
func (p *numberParser) shareRanges() {
	found := p.sc.found
	for k := 0; k+1 < len(found); k++ {
		a, b := &found[k], &found[k+1]
		gap := strings.TrimSpace(p.text[a.end:b.start])
		if len(gap) > 4 {
			continue // no joining word is longer than "bis" or "до"
		}
		switch {
		case oneOf(gap, "-", "–", "to", "or", "bis", "до"):
		case oneOf(gap, "and", "y", "et", "e", "und", "и", "і", "a", "à"):
			// These join a range only after "between" or "from": "between
			// 50 and 60", "entre 50 y 60", "de 50 a 60".
			if !oneOf(lastWord(p.text[:a.start]), "between", "entre", "zwischen", "tra", "fra", "между", "між", "de", "from", "от", "від") {
				continue
			}
		default:
			continue
		}
		a.bound, b.bound = BoundLow, BoundHigh
		if a.role == "" && a.noun == "" {
			a.role, a.noun = b.role, b.noun
		}
		if a.unit == "" && b.unit != "time" && b.unit != "code" {
			a.unit = b.unit
		}
	}
}

// oneOf reports whether s equals one of words, ignoring case.
func oneOf(s string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// lastWord returns the last run of letters of s.
func lastWord(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	i := strings.LastIndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return s[i+1:]
}

// foreignNumberWords are spelled-out numbers of the other languages
// retold reads, read as single words. Words that are also common words
// or abbreviations elsewhere are left out: Spanish "once" and "mil",
// French "sept" (Sept.), "neuf" (new) and "cent", German "elf", Italian
// "due", "sei" and "otto", and every word for one, which is an article
// too.
var foreignNumberWords = map[string]uint64{
	// Spanish
	"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
	"doce": 12, "trece": 13, "catorce": 14, "quince": 15, "veinte": 20, "treinta": 30, "cuarenta": 40,
	"cincuenta": 50, "cien": 100,
	// Portuguese
	"dois": 2, "duas": 2, "três": 3, "quatro": 4, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "vinte": 20,
	// French
	"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "huit": 8, "dix": 10, "onze": 11, "douze": 12,
	"treize": 13, "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
	// German
	"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
	"zwölf": 12, "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "hundert": 100,
	// Italian
	"quattro": 4, "cinque": 5, "sette": 7, "dieci": 10, "venti": 20, "trenta": 30, "cento": 100,
	// Russian and Ukrainian
	"два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
	"десять": 10, "двадцать": 20, "тридцать": 30, "сто": 100,
	"дві": 2, "чотири": 4, "шість": 6, "сім": 7, "вісім": 8,
}

// maxForeignNumberWord is the longest key of foreignNumberWords in bytes.
const maxForeignNumberWord = 16

// foreign reads token i as a spelled-out number of another language.
func (p *numberParser) foreign(i int) (numberMatch, int, bool) {
	t := p.toks[i]
	if t.end-t.start > maxForeignNumberWord || t.end-t.start < 3 || !foreignFilter.Has(p.text[t.start:t.end]) {
		return numberMatch{}, i + 1, false
	}
	// Lower-case into a stack buffer: a map lookup of string(b) does not
	// allocate.
	var buf [2 * maxForeignNumberWord]byte
	b := buf[:0]
	for _, r := range p.text[t.start:t.end] {
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	end := t.end
	v, ok := foreignNumberWords[string(b)]
	if !ok {
		return numberMatch{}, i + 1, false
	}
	next := i + 1
	for next < len(p.toks) && p.toks[next].start < end {
		next++
	}
	// Only where its clause says what it counts ("siete muertos", "zwölf
	// Verletzte"): a bare small number word is weak evidence, and many of
	// these words are short words of other languages too.
	if role, _ := p.roleOf(i, next); role == "" || role == RoleDuration || role == RoleFrequency {
		return numberMatch{}, i + 1, false
	}
	end, next, unit := p.unitAfter(end, next, "")
	return numberMatch{start: t.start, end: end, value: uitoa(v), unit: unit}, next, true
}

// foreignFilter turns away almost every word before foreign lower-cases
// and looks it up: it is asked for every word that is not an English
// number word.
var foreignFilter = text.NewWordFilter(slices.Collect(maps.Keys(foreignNumberWords)))

// appositiveAge reports whether the number of tokens [first, next) stands
// between commas right after a capitalised word, as ages do in news
// ("Lucy Letby, 33, was convicted"), and is a whole number up to 120.
func (p *numberParser) appositiveAge(first, next int) bool {
	if first < 2 || next != first+1 || p.toks[first].kind != kNum || p.toks[first].intDigits > 3 {
		return false
	}
	before, name, after := p.toks[first-1], p.toks[first-2], token{}
	if n, ok := p.tok(next); ok {
		after = n
	}
	if before.kind != kSym || p.text[before.start:before.end] != "," || after.kind != kSym || p.text[after.start:after.end] != "," {
		return false
	}
	if name.kind != kWord || !startsUpper(p.text[name.start:name.end]) {
		return false
	}
	t := p.toks[first]
	v, ok := asciiInt(p.text[t.start:t.end])
	return ok && v > 0 && v <= 120
}

// dayOfMonth reports whether the number of tokens [first, next) is the
// day of a date: one or two digits right after a capitalised month name
// ("April 3", "Jan. 6") or before one ("3 April", "6th of January").
func (p *numberParser) dayOfMonth(first, next int) bool {
	if next != first+1 || p.toks[first].kind != kNum || p.toks[first].intDigits > 2 || p.toks[first].sep != sepSpace {
		return false
	}
	prev := first - 1
	if t, ok := p.tok(prev); ok && t.kind == kSym && p.text[t.start:t.end] == "." {
		prev--
	}
	if p.isMonth(prev) {
		return true
	}
	after := next
	if p.wordIs(after, "of", sepSpace) {
		after++
	}
	return p.isMonth(after)
}

// isMonth reports whether token i is a capitalised English month name or
// its abbreviation.
func (p *numberParser) isMonth(i int) bool {
	t, ok := p.tok(i)
	if !ok || t.kind != kWord || !startsUpper(p.text[t.start:t.end]) {
		return false
	}
	_, ok = months[string(p.lowerBytes(t))]
	return ok
}
