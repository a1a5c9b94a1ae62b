package features

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold/text"
)

// Number is a numeric fact.
type Number struct {
	// Value is the canonical value: a plain decimal string without
	// thousands separators, leading zeros or trailing fraction zeros
	// ("2200", "5800000", "6.3"); "h:mm" for times; the lower-cased mention
	// for codes ("737-800", "covid-19").
	Value string
	// Unit is "%", a currency symbol ("$", "€", "£", "¥", or any other
	// Unicode currency sign as written), "km", "mi", "kg", "m", "time",
	// "code", or "" for a plain count.
	Unit string
	// Text is the mention exactly as written, == text[Start:End].
	Text string
	// Start and End are byte offsets into the text.
	Start, End int
	// Left and Right are up to three content words on each side, nearest
	// first, lower-cased; stopwords and other numbers are skipped and the
	// search stops at a sentence end or line break.
	Left, Right []string
	// Role is what the number counts when a word of its clause says so
	// (RoleDead, RoleInjured, ...: "killing seven", "45 people injured",
	// "the toll rose to 11"), or "".
	Role string
	// Noun is the counted noun, lower-cased: the first content word after
	// the number within its clause ("seven people", "300 troops"), or "".
	Noun string
	// Bound is BoundLow or BoundHigh when the number bounds a range
	// ("between 50 and 60", "50-60"), else "".
	Bound string
}

// Numbers returns the numeric facts of text in text order.
func Numbers(text string) []Number {
	sc := numberScratchPool.Get().(*numberScratch)
	defer sc.release()
	p := numberParser{text: text, toks: appendTokens(sc.toks[:0], text), commaThousands: -1, sc: sc}
	sc.toks = p.toks
	for i := 0; i < len(p.toks); {
		m, next, ok := p.at(i)
		if next <= i {
			next = i + 1
		}
		if ok {
			f := foundNumber{numberMatch: m}
			f.left, f.leftEnd = p.context(i-1, -1)
			f.right, f.rightEnd = p.context(next, 1)
			f.role, f.noun = p.roleOf(i, next)
			sc.found = append(sc.found, f)
		}
		i = next
	}
	p.shareRanges()
	return p.results()
}

// numberMatch is a recognised mention before its context is attached.
type numberMatch struct {
	start, end  int
	value, unit string
}

// foundNumber is a match with its context words, which are the ranges
// [left, leftEnd) and [right, rightEnd) of numberScratch.words.
type foundNumber struct {
	numberMatch
	left, leftEnd, right, rightEnd int
	role, noun, bound              string
}

// contextWord is a lower-cased context word: s, or, when the word had to
// be lower-cased into numberScratch.lower, the bytes lower[lo:hi].
type contextWord struct {
	s       string
	inLower bool
	lo, hi  int
}

// numberScratch holds what one Numbers call needs between tokenizing and
// building its result. Numbers runs once per document, so the buffers are
// pooled and reused instead of being allocated (and zeroed) per call.
type numberScratch struct {
	toks   []token
	found  []foundNumber
	words  []contextWord
	lower  []byte // lower-cased context words that differ from the text
	digits []byte // the digits of the decimal being read
	// wordAt caches, by token index, what context found for a word: 0 not
	// looked at yet, -1 not a context word, k the context word words[k-1].
	// Its length is len(toks) only once context has cleared it this call.
	wordAt []int
}

var numberScratchPool = sync.Pool{New: func() any { return new(numberScratch) }}

// maxPooledTokens bounds the token slice (and the entity scanner's run
// slice) kept for reuse, so that one huge document does not pin its
// buffers for the life of the process.
const maxPooledTokens = 1 << 16

// release empties sc and returns it to the pool. The strings it holds
// point into the caller's text and are cleared so the pool does not keep
// that text alive.
func (sc *numberScratch) release() {
	if cap(sc.toks) > maxPooledTokens {
		return
	}
	clear(sc.found)
	clear(sc.words)
	sc.found, sc.words, sc.lower, sc.wordAt = sc.found[:0], sc.words[:0], sc.lower[:0], sc.wordAt[:0]
	numberScratchPool.Put(sc)
}

// results builds the Numbers of the matches found. Their context words go
// into one shared slice and their lower-cased bytes into one string, so
// the result costs a few allocations however many numbers there are.
func (p *numberParser) results() []Number {
	sc := p.sc
	if len(sc.found) == 0 {
		return nil
	}
	lower := string(sc.lower)
	var words []string
	if len(sc.words) > 0 {
		words = make([]string, len(sc.words))
	}
	for k, w := range sc.words {
		if w.inLower {
			words[k] = lower[w.lo:w.hi]
		} else {
			words[k] = w.s
		}
	}
	out := make([]Number, len(sc.found))
	for k, f := range sc.found {
		out[k] = Number{
			Value: f.value,
			Unit:  f.unit,
			Text:  p.text[f.start:f.end],
			Start: f.start,
			End:   f.end,
			Left:  subslice(words, f.left, f.leftEnd),
			Right: subslice(words, f.right, f.rightEnd),
			Role:  f.role,
			Noun:  f.noun,
			Bound: f.bound,
		}
	}
	return out
}

// subslice returns words[lo:hi], or nil when it is empty (as a slice built
// by appending would be). Its capacity ends at hi, so a caller appending to
// one Number's context cannot overwrite the next one's.
func subslice(words []string, lo, hi int) []string {
	if lo == hi {
		return nil
	}
	return words[lo:hi:hi]
}

type numberParser struct {
	text string
	toks []token
	sc   *numberScratch
	// commaThousands caches whether the text uses "1,234" anywhere: -1
	// unknown, 0 no, 1 yes. Only the ambiguous "2.000" case asks.
	commaThousands int
	buf            [16]byte
	wbuf           [48]byte // lowerBytes's
}

// word kinds for spelled-out numbers.
const (
	nwUnit    = iota + 1 // zero..nineteen
	nwTens               // twenty..ninety
	nwHundred            // hundred
	nwScale              // thousand, million, ...: val is the power of ten
	nwDozen              // dozen
)

type numberWord struct {
	kind int
	val  uint64
}

// lookupNumberWord returns the spelled-out number word w (lower case). A
// switch, which the compiler turns into a search by length and value, beats
// hashing here: it runs for every word of every text. It takes bytes
// because its callers lower-case words into a buffer, and switching on
// string(w) compares them without copying.
func lookupNumberWord(w []byte) (numberWord, bool) {
	switch string(w) {
	case "zero":
		return numberWord{nwUnit, 0}, true
	case "one":
		return numberWord{nwUnit, 1}, true
	case "two":
		return numberWord{nwUnit, 2}, true
	case "three":
		return numberWord{nwUnit, 3}, true
	case "four":
		return numberWord{nwUnit, 4}, true
	case "five":
		return numberWord{nwUnit, 5}, true
	case "six":
		return numberWord{nwUnit, 6}, true
	case "seven":
		return numberWord{nwUnit, 7}, true
	case "eight":
		return numberWord{nwUnit, 8}, true
	case "nine":
		return numberWord{nwUnit, 9}, true
	case "ten":
		return numberWord{nwUnit, 10}, true
	case "eleven":
		return numberWord{nwUnit, 11}, true
	case "twelve":
		return numberWord{nwUnit, 12}, true
	case "thirteen":
		return numberWord{nwUnit, 13}, true
	case "fourteen":
		return numberWord{nwUnit, 14}, true
	case "fifteen":
		return numberWord{nwUnit, 15}, true
	case "sixteen":
		return numberWord{nwUnit, 16}, true
	case "seventeen":
		return numberWord{nwUnit, 17}, true
	case "eighteen":
		return numberWord{nwUnit, 18}, true
	case "nineteen":
		return numberWord{nwUnit, 19}, true
	case "twenty":
		return numberWord{nwTens, 20}, true
	case "thirty":
		return numberWord{nwTens, 30}, true
	case "forty":
		return numberWord{nwTens, 40}, true
	case "fifty":
		return numberWord{nwTens, 50}, true
	case "sixty":
		return numberWord{nwTens, 60}, true
	case "seventy":
		return numberWord{nwTens, 70}, true
	case "eighty":
		return numberWord{nwTens, 80}, true
	case "ninety":
		return numberWord{nwTens, 90}, true
	case "hundred":
		return numberWord{nwHundred, 2}, true
	case "thousand":
		return numberWord{nwScale, 3}, true
	case "million":
		return numberWord{nwScale, 6}, true
	case "billion":
		return numberWord{nwScale, 9}, true
	case "trillion":
		return numberWord{nwScale, 12}, true
	case "lakh":
		return numberWord{nwScale, 5}, true
	case "crore":
		return numberWord{nwScale, 7}, true
	case "dozen":
		return numberWord{nwDozen, 12}, true
	}
	return numberWord{}, false
}

// numberWords are the words lookupNumberWord knows (a test holds the two
// to the same list), for numberWordFilter.
var numberWords = []string{
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
	"nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
	"hundred", "thousand", "million", "billion", "trillion", "lakh", "crore", "dozen",
}

// numberWordFilter turns away most words that are no number word, in
// any case.
var numberWordFilter = text.NewWordFilter(numberWords)

// scaleAfterDigits are words (or glued suffixes) that multiply a preceding
// digit number by a power of ten. The short forms in scaleAfterCurrency are
// too ambiguous ("10m" is usually metres) unless a currency came first.
var scaleAfterDigits = map[string]int{
	"hundred": 2, "thousand": 3, "million": 6, "billion": 9, "trillion": 12,
	"lakh": 5, "crore": 7, "mn": 6, "mln": 6, "bn": 9,
}

var scaleAfterCurrency = map[string]int{"k": 3, "m": 6, "b": 9, "tn": 12, "trn": 12}

// currencyWords name a currency after (or, for ISO codes, before) a number.
var currencyWords = map[string]string{
	"dollar": "$", "dollars": "$", "usd": "$",
	"euro": "€", "euros": "€", "eur": "€",
	"gbp": "£", "sterling": "£",
	"yen": "¥", "jpy": "¥",
}

// unitWords are the few measurement units worth normalising; glued forms
// ("10km") use the same table. More units (cm, ft, tonnes) were tried:
// translations often write those numbers bare ("10センチ" against "10 cm"),
// and the cross-language rule, which has only facts to go on, lost pairs.
var unitWords = map[string]string{
	"km": "km", "kilometer": "km", "kilometers": "km", "kilometre": "km", "kilometres": "km",
	"kilómetros": "km", "kilomètres": "km", "chilometri": "km", "quilômetros": "km",
	"mi": "mi", "mile": "mi", "miles": "mi",
	"kg": "kg", "kilogram": "kg", "kilograms": "kg", "kilogramme": "kg", "kilogrammes": "kg",
	"m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m", "metros": "m", "mètres": "m", "metri": "m",
}

// normalCurrencySymbol normalises full-width and prefixed forms; any other
// Unicode currency sign (category Sc) is its own unit. A switch: it is
// asked for every punctuation token.
func normalCurrencySymbol(s string) (string, bool) {
	switch s {
	case "＄":
		return "$", true
	case "￡":
		return "£", true
	case "￥":
		return "¥", true
	case "€":
		return "€", true
	}
	return "", false
}

// asciiCurrency is unicode.Sc for ASCII, as a table: most symbol tokens
// are ASCII punctuation.
var asciiCurrency = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = unicode.Is(unicode.Sc, rune(c))
	}
	return t
}()

// dollarPrefixes are glued before "$": "US$5", "HK$10".
var dollarPrefixes = map[string]bool{"us": true, "a": true, "c": true, "hk": true, "nz": true, "s": true}

// notOneBefore are the words after which "one" is a pronoun ("no one").
var notOneBefore = map[string]bool{
	"no": true, "the": true, "any": true, "every": true, "each": true, "this": true,
	"that": true, "which": true, "some": true, "someone": true, "anyone": true,
}

var ordinalSuffixes = map[string]bool{"st": true, "nd": true, "rd": true, "th": true}

// lower returns the ASCII-lower-cased bytes of a short token for map lookups,
// or nil when the token is long or not ASCII.
func (p *numberParser) lower(t token) []byte {
	b, ok := lowerASCII(p.buf[:], p.text[t.start:t.end])
	if !ok {
		return nil
	}
	return b
}

func (p *numberParser) tok(i int) (token, bool) {
	if i < 0 || i >= len(p.toks) {
		return token{}, false
	}
	return p.toks[i], true
}

// wordIs reports whether token i is a word equal (ignoring ASCII case) to w
// and joined to its predecessor by sep.
func (p *numberParser) wordIs(i int, w string, seps ...sepKind) bool {
	t, ok := p.tok(i)
	if !ok || t.kind != kWord || t.end-t.start != len(w) || !sepIn(t.sep, seps) {
		return false
	}
	return strings.EqualFold(p.text[t.start:t.end], w)
}

func sepIn(s sepKind, seps []sepKind) bool {
	for _, x := range seps {
		if s == x {
			return true
		}
	}
	return false
}

// at tries to read a number starting at token i. It returns the match, the
// index of the first token after it (or after what was skipped), and
// whether a number was found.
func (p *numberParser) at(i int) (numberMatch, int, bool) {
	t := p.toks[i]
	switch t.kind {
	case kNum, kNumSuffix:
		return p.digits(i, i, "")
	case kMixed:
		return p.code(i, i)
	case kSym:
		if unit, ok := p.currencySymbol(t); ok {
			if n, ok := p.tok(i + 1); ok && (n.kind == kNum || n.kind == kNumSuffix) && n.sep != sepHyphen {
				return p.digits(i, i+1, unit)
			}
		}
		return numberMatch{}, i + 1, false
	case kWord:
		// Look at the shape of what follows before any map lookup: most
		// words are followed by another word.
		n, hasNext := p.tok(i + 1)
		if hasNext && n.kind == kSym && n.sep == sepNone && p.text[n.start:n.end] == "$" && dollarPrefixes[string(p.lower(t))] {
			if n2, ok := p.tok(i + 2); ok && (n2.kind == kNum || n2.kind == kNumSuffix) && n2.sep != sepHyphen {
				return p.digits(i, i+2, "$")
			}
		}
		if hasNext && n.kind == kNum && n.sep == sepSpace && t.end-t.start == 3 {
			if unit, ok := currencyWords[string(p.lower(t))]; ok {
				return p.digits(i, i+1, unit)
			}
		}
		if hasNext && n.sep == sepHyphen && (n.kind == kNum || n.kind == kMixed || n.kind == kNumSuffix) && hasUpper(p.text[t.start:t.end]) {
			return p.code(i, i+1)
		}
		return p.words(i)
	}
	return numberMatch{}, i + 1, false
}

func (p *numberParser) currencySymbol(t token) (string, bool) {
	s := p.text[t.start:t.end]
	if u, ok := normalCurrencySymbol(s); ok {
		return u, true
	}
	r, _ := utf8.DecodeRuneInString(s)
	if r < utf8.RuneSelf && asciiCurrency[r] || r >= utf8.RuneSelf && unicode.Is(unicode.Sc, r) {
		return s, true
	}
	return "", false
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// code reads a product or flight code: tokens first..last joined by
// hyphens, starting at token first and continuing from token i.
func (p *numberParser) code(first, i int) (numberMatch, int, bool) {
	j := i + 1
	for j < len(p.toks) && p.toks[j].sep == sepHyphen {
		k := p.toks[j].kind
		if k != kNum && k != kMixed && k != kNumSuffix {
			break
		}
		j++
	}
	start, end := p.toks[first].start, p.toks[j-1].end
	return numberMatch{start: start, end: end, value: strings.ToLower(p.text[start:end]), unit: "code"}, j, true
}

// digits reads a number whose digits are token i; token first (== i, or a
// currency before it) starts the mention.
func (p *numberParser) digits(first, i int, unit string) (numberMatch, int, bool) {
	t := p.toks[i]
	start := p.toks[first].start
	plain := t.commas == 0 && t.dots == 0 && !t.decimal && !t.time

	if t.time {
		return p.clock(start, i)
	}
	if t.kind == kNum && plain && unit == "" && t.intDigits <= 2 {
		if _, m := meridiemAt(p.text, t.end); m != "" {
			return p.clock(start, i) // "8 pm"
		}
	}
	if t.kind == kNum && plain {
		if m, next, ok, handled := p.hyphenated(i); handled {
			return m, next, ok
		}
	}

	d := p.decimalOf(i)
	end := t.end
	next := i + 1
	if t.kind == kNumSuffix {
		suffix := p.text[t.numEnd:t.end]
		ls, _ := lowerASCII(p.buf[:], suffix)
		switch {
		case ls == nil:
			return p.code(first, i)
		case plain && ordinalSuffixes[string(ls)]:
			return numberMatch{}, i + 1, false
		case plain && unit == "" && (string(ls) == "am" || string(ls) == "pm") && t.intDigits <= 2:
			return p.clock(start, i)
		}
		if e, ok := scaleAfterDigits[string(ls)]; ok {
			d.shift(e)
		} else if e, ok := scaleAfterCurrency[string(ls)]; ok && unit != "" {
			d.shift(e)
		} else if u, ok := unitWords[string(ls)]; ok && unit == "" {
			unit = u
		} else {
			return p.code(first, i)
		}
	} else {
		// Scale words: "5.8 million", "2 hundred thousand".
		for n := 0; n < 2 && next < len(p.toks); n++ {
			s := p.toks[next]
			if s.kind != kWord || s.sep != sepSpace {
				break
			}
			w := p.lower(s)
			e, ok := scaleAfterDigits[string(w)]
			if !ok && unit != "" {
				e, ok = scaleAfterCurrency[string(w)]
			}
			if w == nil || !ok {
				break
			}
			d.shift(e)
			end, next = s.end, next+1
		}
	}
	end, next, unit = p.unitAfter(end, next, unit)
	return numberMatch{start: start, end: end, value: p.valueOf(d.appendTo(p.buf[:0]), t), unit: unit}, next, true
}

// hyphenated handles digits joined by a hyphen to more digits: ISO dates
// (left to Dates), product codes ("737-800") and plain ranges ("10-15",
// which fall through as separate numbers). handled is false when token i is
// not followed by a hyphen and digits.
func (p *numberParser) hyphenated(i int) (m numberMatch, next int, ok, handled bool) {
	n, exists := p.tok(i + 1)
	if !exists || n.sep != sepHyphen || (n.kind != kNum && n.kind != kNumSuffix && n.kind != kMixed) {
		return m, 0, false, false
	}
	t := p.toks[i]
	if t.intDigits == 4 && n.kind == kNum && n.intDigits == 2 && n.numEnd == n.end {
		if n2, ok := p.tok(i + 2); ok && n2.sep == sepHyphen && n2.kind == kNum && n2.intDigits == 2 && n2.numEnd == n2.end {
			return m, i + 3, false, true // ISO date: a Date, not a Number
		}
	}
	if n.kind != kNum {
		return m, 0, false, false
	}
	left := p.text[t.start:t.end]
	right := p.text[n.start:n.end]
	yearRange := isYear(left) && (isYear(right) || n.intDigits == 2)
	if t.intDigits >= 3 && n.intDigits >= 3 && !yearRange && n.numEnd == n.end && n.commas == 0 && n.dots == 0 && !n.decimal && !n.time {
		m, next, ok = p.code(i, i+1)
		return m, next, ok, true
	}
	return m, 0, false, false
}

func isYear(s string) bool {
	if len(s) != 4 || (s[:2] != "19" && s[:2] != "20") {
		return false
	}
	return '0' <= s[2] && s[2] <= '9' && '0' <= s[3] && s[3] <= '9'
}

// unitAfter reads what may follow a number: a percent sign or word, a
// currency sign or word, or a unit word.
func (p *numberParser) unitAfter(end, next int, unit string) (int, int, string) {
	s, ok := p.tok(next)
	if !ok {
		return end, next, unit
	}
	if s.kind == kSym && s.sep != sepHyphen {
		sym := p.text[s.start:s.end]
		if sym == "%" || sym == "％" {
			return s.end, next + 1, "%"
		}
		if unit == "" {
			if u, ok := p.currencySymbol(s); ok {
				// Not when it opens the next amount: "5 $10".
				if n, ok := p.tok(next + 1); !ok || n.kind != kNum || n.sep == sepHyphen {
					return s.end, next + 1, u
				}
			}
		}
		return end, next, unit
	}
	if s.kind != kWord || (s.sep != sepSpace && s.sep != sepHyphen) {
		return end, next, unit
	}
	w := p.lower(s)
	if s.sep == sepHyphen {
		// "60-meter", "a 5-km run", "six-mile": a unit, and nothing else,
		// may be hyphened on ("four-year-old" is no unit).
		if u, ok := unitWords[string(w)]; ok && w != nil && unit == "" {
			return s.end, next + 1, u
		}
		return end, next, unit
	}
	if w == nil {
		// Not ASCII: "mètres", "kilómetros".
		if u, ok := unitWords[strings.ToLower(p.text[s.start:s.end])]; ok && unit == "" {
			return s.end, next + 1, u
		}
		return end, next, unit
	}
	switch {
	case string(w) == "percent" || string(w) == "pct":
		return s.end, next + 1, "%"
	case string(w) == "per" && p.wordIs(next+1, "cent", sepSpace):
		return p.toks[next+1].end, next + 2, "%"
	case unit == "":
		if u, ok := currencyWords[string(w)]; ok {
			return s.end, next + 1, u
		}
		if u, ok := unitWords[string(w)]; ok {
			return s.end, next + 1, u
		}
	}
	return end, next, unit
}

// clock reads a time of day at token i: "8:33", "08:33:20", "8:33 p.m.",
// "8pm". Value is 24-hour "h:mm" (seconds kept when written).
func (p *numberParser) clock(start, i int) (numberMatch, int, bool) {
	t := p.toks[i]
	var digitBuf [16]byte
	digits := digitBuf[:0]
	for _, r := range p.text[t.start:t.numEnd] {
		if v := digitValue(r); v >= 0 {
			digits = append(digits, byte('0'+v))
		}
	}
	hourLen := int(t.intDigits)
	hour := 0
	for _, c := range digits[:hourLen] {
		hour = hour*10 + int(c-'0')
	}
	rest := digits[hourLen:]
	end := t.numEnd
	if t.kind == kNumSuffix {
		end = t.end // "8pm", "8:33pm"
	}
	meridiem := ""
	if t.kind == kNumSuffix {
		ls, _ := lowerASCII(p.buf[:], p.text[t.numEnd:t.end])
		meridiem = string(ls)
		if meridiem != "am" && meridiem != "pm" {
			return p.code(i, i)
		}
	} else if e, m := meridiemAt(p.text, end); m != "" {
		end, meridiem = e, m
	}
	if meridiem != "" {
		if hour < 1 || hour > 12 {
			return p.code(i, i)
		}
		if meridiem == "pm" && hour != 12 {
			hour += 12
		}
		if meridiem == "am" && hour == 12 {
			hour = 0
		}
	}
	if hour > 24 || (len(rest) >= 1 && rest[0] > '5') || (len(rest) >= 3 && rest[2] > '5') {
		return p.code(i, i)
	}
	if len(rest) == 0 {
		if meridiem == "" {
			return numberMatch{}, i + 1, false
		}
		rest = []byte("00")
	}
	b := p.buf[:0]
	if hour >= 10 {
		b = append(b, byte('0'+hour/10))
	}
	b = append(b, byte('0'+hour%10))
	for k := 0; k < len(rest); k += 2 {
		b = append(b, ':')
		b = append(b, rest[k:k+2]...)
	}
	next := i + 1
	for next < len(p.toks) && p.toks[next].start < end {
		next++
	}
	return numberMatch{start: start, end: end, value: p.valueOf(b, t), unit: "time"}, next, true
}

// meridiemAt matches " am", " pm", " a.m.", " p.m." (one optional space,
// any case) at text[i:], returning the offset after it and "am" or "pm".
func meridiemAt(text string, i int) (int, string) {
	if i < len(text) && text[i] == ' ' {
		i++
	}
	if i+2 > len(text) {
		return 0, ""
	}
	c := text[i] | 0x20
	if c != 'a' && c != 'p' {
		return 0, ""
	}
	m := "am"
	if c == 'p' {
		m = "pm"
	}
	j := i + 1
	dotted := j < len(text) && text[j] == '.'
	if dotted {
		j++
	}
	if j >= len(text) || text[j]|0x20 != 'm' {
		return 0, ""
	}
	j++
	if dotted {
		if j >= len(text) || text[j] != '.' {
			return 0, ""
		}
		j++
	}
	if j < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[j:]); unicode.IsLetter(r) || unicode.IsDigit(r) {
			return 0, ""
		}
	}
	return j, m
}

// words reads a spelled-out number starting at token i: "four",
// "twenty-five", "one hundred and six", "a dozen", "three million".
func (p *numberParser) words(i int) (numberMatch, int, bool) {
	t := p.toks[i]
	j := i
	var total, current uint64
	last := 0
	lastScale := 100
	n := t.end - t.start
	isA := n == 1 && (p.text[t.start] == 'a' || p.text[t.start] == 'A')
	// No number word is shorter than "one" or longer than "seventeen", and
	// few words share a number word's length and first and last letters:
	// most words are turned away here, before any lower-casing or lookup.
	if !isA && (n < len("one") || n > len("seventeen") || !numberWordFilter.Has(p.text[t.start:t.end])) {
		return p.foreign(i)
	}
	if isA {
		n, ok := p.tok(i + 1)
		if !ok || n.kind != kWord || n.sep != sepSpace {
			return numberMatch{}, i + 1, false
		}
		nw, ok := lookupNumberWord(p.lower(n))
		if !ok || (nw.kind != nwHundred && nw.kind != nwScale && nw.kind != nwDozen) {
			return numberMatch{}, i + 1, false
		}
		current, last, j = 1, nwUnit, i+1
	}
	for ; j < len(p.toks); j++ {
		s := p.toks[j]
		if s.kind != kWord || (j > i && s.sep == sepNone) {
			break
		}
		w := p.lower(s)
		if w == nil {
			break
		}
		if string(w) == "and" && (last == nwHundred || last == nwScale) && j+1 < len(p.toks) {
			n := p.toks[j+1]
			if nw, ok := lookupNumberWord(p.lower(n)); ok && n.kind == kWord && n.sep == sepSpace && (nw.kind == nwUnit || nw.kind == nwTens) && nw.val != 0 {
				continue
			}
			break
		}
		nw, ok := lookupNumberWord(w)
		if !ok {
			break
		}
		if !p.wordFollows(last, current, lastScale, nw) {
			break
		}
		switch nw.kind {
		case nwUnit, nwTens:
			current += nw.val
		case nwHundred:
			current *= 100
		case nwDozen:
			current *= 12
		case nwScale:
			total += current * pow10(int(nw.val))
			current = 0
			lastScale = int(nw.val)
		}
		last = nw.kind
		if nw.kind == nwUnit && nw.val == 0 || nw.kind == nwDozen {
			j++
			break
		}
	}
	if j == i || last == 0 {
		if isA {
			return numberMatch{}, i + 1, false
		}
		return p.foreign(i)
	}
	if j == i+1 && last == nwUnit && current == 1 && !p.oneIsNumber(i) {
		return numberMatch{}, i + 1, false
	}
	value := total + current
	end, next, unit := p.unitAfter(p.toks[j-1].end, j, "")
	return numberMatch{start: t.start, end: end, value: uitoa(value), unit: unit}, next, true
}

// wordFollows is the grammar of spelled-out numbers: which word kind may
// follow the previous one. It rejects "one two" and "twenty thirty".
func (p *numberParser) wordFollows(last int, current uint64, lastScale int, nw numberWord) bool {
	switch last {
	case 0:
		return nw.kind == nwUnit || nw.kind == nwTens
	case nwUnit:
		return nw.kind == nwHundred || nw.kind == nwDozen || (nw.kind == nwScale && int(nw.val) < lastScale)
	case nwTens:
		return (nw.kind == nwUnit && nw.val >= 1 && nw.val <= 9) || (nw.kind == nwScale && int(nw.val) < lastScale)
	case nwHundred:
		return (nw.kind == nwUnit && nw.val != 0) || nw.kind == nwTens || (nw.kind == nwScale && int(nw.val) < lastScale)
	case nwScale:
		return (nw.kind == nwUnit && nw.val != 0) || nw.kind == nwTens
	}
	return false
}

// oneIsNumber decides whether a lone "one" at token i counts. "One" is
// mostly an article or a pronoun ("one city bus", "one of the victims",
// "no one"); it counts only where it is a quantity a story could change:
// before a unit or a hyphened word ("one-year", "one-meter"), before a
// word for people ("one person", "one soldier"), or where its clause
// gives it a role ("one was killed", "one dead").
func (p *numberParser) oneIsNumber(i int) bool {
	if prev, ok := p.tok(i - 1); ok && prev.kind == kWord && notOneBefore[string(p.lower(prev))] {
		return false
	}
	n, ok := p.tok(i + 1)
	if !ok || n.kind != kWord {
		return false
	}
	if n.sep == sepHyphen {
		return true
	}
	if n.sep != sepSpace {
		return false
	}
	w := p.lowerBytes(n)
	if _, isUnit := unitWords[string(w)]; isUnit || countedPeople[string(w)] {
		return true
	}
	if _, isCurrency := currencyWords[string(w)]; isCurrency {
		return true
	}
	role, _ := p.roleOf(i, i+1)
	return role != "" && role != RoleMagnitude && role != RoleVotes
}

// countedPeople are the nouns after which a lone "one" is a head count.
var countedPeople = map[string]bool{
	"person": true, "man": true, "woman": true, "child": true, "boy": true, "girl": true,
	"baby": true, "soldier": true, "officer": true, "policeman": true, "civilian": true,
	"worker": true, "student": true, "passenger": true, "resident": true, "firefighter": true,
	"journalist": true, "patient": true, "victim": true, "pilot": true, "tourist": true,
	"migrant": true, "prisoner": true, "hostage": true, "teenager": true, "adult": true,
}

// context collects up to three content words starting at token i and
// walking in direction dir (-1 left, +1 right). It appends them to
// p.sc.words and returns their range there.
func (p *numberParser) context(i, dir int) (lo, hi int) {
	sc := p.sc
	lo = len(sc.words)
	if len(sc.wordAt) != len(p.toks) {
		// First use in this call.
		sc.wordAt = slices.Grow(sc.wordAt[:0], len(p.toks))[:len(p.toks)]
		clear(sc.wordAt)
	}
	for ; i >= 0 && i < len(p.toks) && len(sc.words)-lo < 3; i += dir {
		t := p.toks[i]
		if t.kind == kBreak {
			break
		}
		if t.kind != kWord {
			continue
		}
		// Neighbouring numbers share context words ("from 80 to 120
		// millimetres"): a word seen before is not looked up again.
		switch k := sc.wordAt[i]; {
		case k < 0:
			continue
		case k > 0:
			sc.words = append(sc.words, sc.words[k-1])
			continue
		}
		w, ok := p.contextWord(t)
		if !ok {
			sc.wordAt[i] = -1
			continue
		}
		sc.words = append(sc.words, w)
		sc.wordAt[i] = len(sc.words)
	}
	return lo, len(sc.words)
}

// contextWord returns word token t lower-cased, if it counts as context.
func (p *numberParser) contextWord(t token) (contextWord, bool) {
	word := p.text[t.start:t.end]
	// Lower-case ASCII words in a stack buffer: most context words are
	// skipped as stopwords, and those kept are usually lower case already,
	// so neither needs a string of its own.
	var buf [32]byte
	b, ok := lowerASCII(buf[:], word)
	if !ok {
		w := strings.ToLower(word)
		return contextWord{s: w}, isContextWord([]byte(w))
	}
	if !isContextWord(b) {
		return contextWord{}, false
	}
	if string(b) == word {
		return contextWord{s: word}, true
	}
	sc := p.sc
	n := len(sc.lower)
	sc.lower = append(sc.lower, b...)
	return contextWord{inLower: true, lo: n, hi: len(sc.lower)}, true
}

// isContextWord reports whether the lower-cased word w counts as context:
// neither a number word nor a stopword.
func isContextWord(w []byte) bool {
	if _, isNum := lookupNumberWord(w); isNum {
		return false
	}
	return !text.IsStopword(string(w))
}

// hasCommaThousands reports whether the text writes thousands the English
// way ("1,234") anywhere; computed once per call and only when needed.
func (p *numberParser) hasCommaThousands() bool {
	if p.commaThousands < 0 {
		p.commaThousands = 0
		for _, t := range p.toks {
			if t.commas > 0 {
				p.commaThousands = 1
				break
			}
		}
	}
	return p.commaThousands == 1
}

// decimal is an exact decimal number: digits with the point after the
// first point digits. Scale words shift the point, so "5.8 million" is
// exactly 5800000 with no floating point rounding.
type decimal struct {
	digits []byte
	point  int
}

func (d *decimal) shift(e int) { d.point += e }

// appendTo appends the canonical form of d to b: no leading zeros, no
// trailing fraction zeros, no point without a fraction.
func (d *decimal) appendTo(b []byte) []byte {
	for len(d.digits) < d.point {
		d.digits = append(d.digits, '0')
	}
	intPart, frac := d.digits[:d.point], d.digits[d.point:]
	for len(intPart) > 1 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	if len(intPart) == 0 {
		b = append(b, '0')
	} else {
		b = append(b, intPart...)
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > 0 {
		b = append(b, '.')
		b = append(b, frac...)
	}
	return b
}

// valueOf returns the canonical value b of the number in token t as a
// string. Most numbers are written in canonical form already ("27",
// "8:33"); their value is then the text itself and needs no allocation.
func (p *numberParser) valueOf(b []byte, t token) string {
	if written := p.text[t.start:t.numEnd]; string(b) == written {
		return written
	}
	return string(b)
}

// decimalOf reads the numeric prefix of token i. The "2.000" rule: dots
// in two or more groups ("2.000.000") are thousands separators; a single
// ".ddd" group is one only when the integer part has one to three digits,
// a word that is not a scale word follows ("2.000 people", but not
// "1.500 million"), and the text nowhere writes English "1,234" thousands.
// Otherwise the dot is a decimal point.
func (p *numberParser) decimalOf(i int) decimal {
	t := p.toks[i]
	dotThousands := t.dots >= 2
	if t.dots == 1 && t.intDigits <= 3 && t.kind == kNum {
		if n, ok := p.tok(i + 1); ok && n.kind == kWord && n.sep == sepSpace {
			_, isScale := scaleAfterDigits[string(p.lower(n))]
			dotThousands = !isScale && !p.hasCommaThousands()
		}
	}
	d := decimal{digits: p.sc.digits[:0], point: -1}
	for _, r := range p.text[t.start:t.numEnd] {
		switch {
		case r == '.' && !dotThousands, r == arabicDecimal:
			d.point = len(d.digits)
		case r == '.', r == ',', r == arabicThousands, r == '\'', r == '’':
		default:
			if v := digitValue(r); v >= 0 {
				d.digits = append(d.digits, byte('0'+v))
			}
		}
	}
	if d.point < 0 {
		d.point = len(d.digits)
	}
	p.sc.digits = d.digits[:0] // keep a grown buffer for the next number
	return d
}

func pow10(e int) uint64 {
	v := uint64(1)
	for ; e > 0; e-- {
		v *= 10
	}
	return v
}

// uitoa formats v in decimal. strconv returns the values below 100, the
// most common ones, without allocating.
func uitoa(v uint64) string { return strconv.FormatUint(v, 10) }
