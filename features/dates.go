package features

import (
	"strings"
	"unicode/utf8"
)

// Date is a calendar date or weekday mentioned in the text.
type Date struct {
	// Value is "2022-01-06" for a full date, "2022-01" for a month and
	// year, "--01-06" for a month and day without a year, and "sunday" ..
	// "saturday" for a weekday on its own. A bare year is a Number, not a
	// Date.
	Value string
	// Text is the mention exactly as written, == text[Start:End].
	Text string
	// Start and End are byte offsets into the text.
	Start, End int
}

var months = map[string]int{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
	"sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

var weekdays = map[string]string{
	"monday": "monday", "tuesday": "tuesday", "wednesday": "wednesday", "thursday": "thursday",
	"friday": "friday", "saturday": "saturday", "sunday": "sunday",
}

var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// Dates returns the dates and weekdays of text in text order.
//
// Recognised forms: "January 6, 2022", "Jan. 6", "Jan 6 2022", "January
// 2022", "6 January 2022", "6th of January", ISO "2022-01-06", and a weekday
// name, which joins a date right after it ("Saturday, January 8, 2022" is
// one Date with the date's Value). Month and weekday names are English and
// must be capitalized; a month counts only with a day or a year next to
// it, so "May" and "March" as words never match. Numeric dates such as
// "1/6/2022" are skipped: their day/month order is ambiguous.
func Dates(text string) []Date {
	// Candidates, then verification: a cheap byte scan proposes the places
	// a date can be anchored (a capitalized word starting like a month or
	// weekday, or "dddd-"), and only a small window around each is
	// tokenized and parsed. Sentences without dates cost one pass over
	// their bytes.
	var out []Date
	last := 0 // end of the last date found: dates do not overlap
	for c := nextDateCandidate(text, 0); c >= 0; c = nextDateCandidate(text, max(c+1, last)) {
		ws, we := dateWindow(text, c, last)
		toks := tokenize(text[ws:we])
		for k := range toks {
			toks[k].start += ws
			toks[k].end += ws
			toks[k].numEnd += ws
		}
		p := dateParser{text: text, toks: toks}
		for i := 0; i < len(toks) && toks[i].start <= c; i++ {
			if d, _, ok := p.at(i); ok && d.End > c {
				out = append(out, d)
				last = d.End
				break
			}
		}
	}
	return out
}

// nextDateCandidate returns the offset of the next possible date anchor at
// or after i, or -1.
func nextDateCandidate(text string, i int) int {
	for ; i < len(text); i++ {
		c := text[i]
		isUpper := 'A' <= c && c <= 'Z'
		isDigit := '0' <= c && c <= '9'
		if !isUpper && !isDigit {
			continue
		}
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(text[:i]); isAlnum(r) {
				continue
			}
		}
		if isUpper && i+3 <= len(text) {
			var b [3]byte
			if w, ok := lowerASCII(b[:], text[i:i+3]); ok && isDatePrefix(string(w)) {
				return i
			}
		}
		if isDigit && i+8 <= len(text) && text[i+4] == '-' && text[i+7] == '-' && allDigits(text[i:i+4]) {
			return i
		}
	}
	return -1
}

// isDatePrefix reports the first three letters of a month or weekday name.
func isDatePrefix(w string) bool {
	switch w {
	case "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
		"mon", "tue", "wed", "thu", "fri", "sat", "sun":
		return true
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dateWindow returns the span to tokenize around the anchor at c: back over
// up to two words on the same line (the day of "6th of January") but not
// before last, and forward far enough for the longest form ("Wednesday, 30th
// of September 2022"), stopping at a line break and never inside a word or
// a UTF-8 sequence.
func dateWindow(text string, c, last int) (int, int) {
	ws := c
	for words := 0; words < 2; words++ {
		k := ws
		for k > last && (text[k-1] == ' ' || text[k-1] == '\t') {
			k--
		}
		if k == ws {
			break
		}
		j := k
		for j > last && text[j-1] < utf8.RuneSelf && asciiAlnum[text[j-1]] {
			j--
		}
		if j == k {
			break
		}
		ws = j
	}
	we := min(len(text), c+48)
	if nl := strings.IndexAny(text[c:we], "\n\r"); nl >= 0 {
		we = c + nl
	}
	for we < len(text) && (!utf8.RuneStart(text[we]) || (text[we] < utf8.RuneSelf && asciiAlnum[text[we]])) {
		we++
	}
	return ws, we
}

type dateParser struct {
	text string
	toks []token
	buf  [16]byte
}

// date is a parsed date; zero fields are absent.
type date struct{ year, month, day int }

func (d date) value() string {
	var b strings.Builder
	if d.year > 0 {
		b.WriteString(pad(d.year, 4))
	} else {
		b.WriteByte('-')
	}
	b.WriteByte('-')
	b.WriteString(pad(d.month, 2))
	if d.day > 0 {
		b.WriteByte('-')
		b.WriteString(pad(d.day, 2))
	}
	return b.String()
}

func pad(v, width int) string {
	s := uitoa(uint64(v))
	for len(s) < width {
		s = "0" + s
	}
	return s
}

func (p *dateParser) tok(i int) (token, bool) {
	if i < 0 || i >= len(p.toks) {
		return token{}, false
	}
	return p.toks[i], true
}

// capitalWord returns the lower-cased ASCII word at token i when it is a
// capitalized word.
func (p *dateParser) capitalWord(i int) string {
	t, ok := p.tok(i)
	if !ok || t.kind != kWord {
		return ""
	}
	c := p.text[t.start]
	if c < 'A' || c > 'Z' {
		return ""
	}
	b, ok := lowerASCII(p.buf[:], p.text[t.start:t.end])
	if !ok {
		return ""
	}
	return string(b)
}

func (p *dateParser) at(i int) (Date, int, bool) {
	t := p.toks[i]
	if wd, ok := weekdays[p.capitalWord(i)]; ok {
		j := i + 1
		if s, ok := p.tok(j); ok && s.kind == kSym && p.text[s.start:s.end] == "," {
			j++
		}
		if d, end, next, ok := p.calendar(j); ok && p.toks[j].sep != sepNone {
			return p.make(t.start, end, d.value()), next, true
		}
		return p.make(t.start, t.end, wd), i + 1, true
	}
	if d, end, next, ok := p.calendar(i); ok {
		return p.make(t.start, end, d.value()), next, true
	}
	return Date{}, 0, false
}

func (p *dateParser) make(start, end int, value string) Date {
	return Date{Value: value, Text: p.text[start:end], Start: start, End: end}
}

// calendar reads a date starting at token i in one of the forms month-day
// [year], day [of] month [year], month year, or ISO. It returns the date,
// the end offset and the next token.
func (p *dateParser) calendar(i int) (date, int, int, bool) {
	t, ok := p.tok(i)
	if !ok {
		return date{}, 0, 0, false
	}
	if t.kind == kNum {
		if d, end, next, ok := p.iso(i); ok {
			return d, end, next, true
		}
	}
	if t.kind == kNum || t.kind == kNumSuffix {
		return p.dayFirst(i)
	}
	// Month first: "January 6, 2022", "Jan. 6", "January 2022".
	month, end, next, ok := p.month(i)
	if !ok {
		return date{}, 0, 0, false
	}
	if y, yend, ok := p.year(next); ok {
		return date{year: y, month: month}, yend, next + 1, true
	}
	day, ok := p.day(next)
	if !ok || p.toks[next].sep != sepSpace || day > daysIn[month] {
		return date{}, 0, 0, false
	}
	d := date{month: month, day: day}
	end, next = p.toks[next].end, next+1
	j := next
	if s, ok := p.tok(j); ok && s.kind == kSym && p.text[s.start:s.end] == "," {
		j++
	}
	if y, yend, ok := p.year(j); ok {
		d.year, end, next = y, yend, j+1
	}
	return d, end, next, true
}

// dayFirst reads "6 January 2022", "6th of January".
func (p *dateParser) dayFirst(i int) (date, int, int, bool) {
	day, ok := p.day(i)
	if !ok {
		return date{}, 0, 0, false
	}
	j := i + 1
	if s, ok := p.tok(j); ok && s.kind == kWord && p.text[s.start:s.end] == "of" {
		j++
	}
	month, end, next, ok := p.month(j)
	if !ok || p.toks[j].sep != sepSpace || day > daysIn[month] {
		return date{}, 0, 0, false
	}
	d := date{month: month, day: day}
	if y, yend, ok := p.year(next); ok {
		d.year, end, next = y, yend, next+1
	}
	return d, end, next, true
}

// month reads a capitalized month name at token i, with the period of an
// abbreviation, and returns the month, the end offset and the next token.
func (p *dateParser) month(i int) (int, int, int, bool) {
	w := p.capitalWord(i)
	m, ok := months[w]
	if !ok {
		return 0, 0, 0, false
	}
	t := p.toks[i]
	end, next := t.end, i+1
	if len(w) <= 4 && w != "june" && w != "july" {
		if s, ok := p.tok(next); ok && s.sep == sepNone && p.text[s.start:s.end] == "." {
			end, next = s.end, next+1
		}
	}
	return m, end, next, true
}

// day reads a day of the month, 1..31, written in one or two ASCII digits,
// optionally with an ordinal suffix ("6th").
func (p *dateParser) day(i int) (int, bool) {
	t, ok := p.tok(i)
	if !ok || (t.kind != kNum && t.kind != kNumSuffix) || t.numEnd-t.start > 2 || t.commas > 0 || t.dots > 0 || t.decimal || t.time {
		return 0, false
	}
	if t.kind == kNumSuffix && !ordinalSuffixes[strings.ToLower(p.text[t.numEnd:t.end])] {
		return 0, false
	}
	v, ok := asciiInt(p.text[t.start:t.numEnd])
	if !ok || v < 1 || v > 31 {
		return 0, false
	}
	// Not a day when a hyphen or a time follows: "6-8", "6:30".
	if n, ok := p.tok(i + 1); ok && n.sep == sepHyphen {
		return 0, false
	}
	return v, true
}

// year reads a four-digit year, 1000..2999, separated by a space.
func (p *dateParser) year(i int) (int, int, bool) {
	t, ok := p.tok(i)
	if !ok || t.kind != kNum || t.sep != sepSpace || t.end-t.start != 4 {
		return 0, 0, false
	}
	v, ok := asciiInt(p.text[t.start:t.end])
	if !ok || v < 1000 || v > 2999 {
		return 0, 0, false
	}
	if n, ok := p.tok(i + 1); ok && n.sep == sepHyphen {
		return 0, 0, false
	}
	return v, t.end, true
}

// iso reads "2022-01-06".
func (p *dateParser) iso(i int) (date, int, int, bool) {
	t := p.toks[i]
	m, ok1 := p.tok(i + 1)
	d, ok2 := p.tok(i + 2)
	if !ok1 || !ok2 || t.end-t.start != 4 || m.kind != kNum || d.kind != kNum ||
		m.sep != sepHyphen || d.sep != sepHyphen || m.end-m.start != 2 || d.end-d.start != 2 {
		return date{}, 0, 0, false
	}
	y, ok := asciiInt(p.text[t.start:t.end])
	mo, ok1 := asciiInt(p.text[m.start:m.end])
	da, ok2 := asciiInt(p.text[d.start:d.end])
	if !ok || !ok1 || !ok2 || y < 1000 || mo < 1 || mo > 12 || da < 1 || da > daysIn[mo] {
		return date{}, 0, 0, false
	}
	return date{year: y, month: mo, day: da}, d.end, i + 3, true
}

// asciiInt parses a short run of ASCII digits.
func asciiInt(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
