package features

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold/text"
)

// Entity is a named entity: a run of capitalized words.
type Entity struct {
	// Text is the name as written, == text[Start:End], e.g.
	// "Kassym-Jomart Tokaev".
	Text string
	// Key is Key(Text).
	Key string
	// Words holds the WordKey of each word of the name in order; a
	// hyphenated word ("Kassym-Jomart") is one word.
	Words []string
	// Start and End are byte offsets into the text.
	Start, End int
}

// isConnectorWord reports the lower-case words that may sit inside a name
// between capitalized words: "Ministry of Health", "Ludwig van Beethoven".
// A switch: it is asked for every lower-case word after a capitalized one.
func isConnectorWord(w string) bool {
	switch w {
	case "of", "the", "de", "al", "von", "bin", "ibn", "bint", "van", "der", "den", "da", "di", "du",
		"del", "della", "la", "le", "dos", "das":
		return true
	}
	return false
}

// articlePrefixes make a hyphenated lower-case word part of a name when a
// capital follows the hyphen: "al-Assad", "bin-Salman".
var articlePrefixes = map[string]bool{
	"al": true, "el": true, "ad": true, "ar": true, "as": true, "at": true, "ash": true,
	"ibn": true, "bin": true, "abu": true, "ben": true, "ul": true,
}

// titleAbbrevs keep their period and do not end a sentence or a name:
// "Mr. Smith", "Gen. Ivanov".
var titleAbbrevs = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "jr": true, "sr": true,
	"gen": true, "sen": true, "rep": true, "gov": true, "lt": true, "col": true, "sgt": true,
	"prof": true, "capt": true, "maj": true, "cpl": true, "adm": true, "rev": true, "hon": true,
	"mt": true, "ft": true, "pres": true, "supt": true, "insp": true,
}

// contractions after an apostrophe mark a word that is not a name ("Don't").
var contractions = map[string]bool{"t": true, "ll": true, "re": true, "ve": true, "d": true, "m": true}

// nameWord is one word of a candidate name.
type nameWord struct {
	start, end int
	sentStart  bool // first word of a sentence or line
	connector  bool // a lower-case connector
	allCaps    bool // no lower-case letters: "AP", "KGB"
}

// wordEnd says how a scanned word ends a run.
type wordEnd uint8

const (
	endOpen     wordEnd = iota // the next word may join
	endRun                     // possessive, acronym with a final period: the run ends here
	endNotAName                // a contraction: not a name and ends the run
)

// entityScanner holds the state of one Entities call. Entities runs once
// per document, so scanners are pooled and their buffers reused.
type entityScanner struct {
	text        string
	run         []nameWord
	found       []foundEntity
	lineAllCaps bool
	buf         [8]byte
	// keys holds the keys of all names found, each its word keys joined
	// by spaces, and words the range of each word key in it. The result
	// turns keys into one string and slices every Key and Words[k] from
	// it, instead of allocating a string per word and per name.
	keys  []byte
	words []span
	// provisional indexes the entries of found that are a lone word at a
	// sentence start: they are dropped at the end if the word also occurs
	// in lower case.
	provisional []int
	// runs are the words of the text as dropCommonWords needs them: every
	// maximal run of letters, digits and marks, in text order. scanWord
	// finds each of them, so it records them, and dropCommonWords need not
	// scan the text a second time.
	runs []span
	// Scratch of dropCommonWords.
	lower      []byte
	lowerEnds  []int
	candidates []lowerCandidate
}

// foundEntity is an Entity before its strings are made: Key is
// keys[key.lo:key.hi] and Words words[words.lo:words.hi].
type foundEntity struct {
	start, end int
	key        span
	words      span
	dropped    bool // by dropCommonWords
}

// span is a range of a slice.
type span struct{ lo, hi int }

var entityScannerPool = sync.Pool{New: func() any { return new(entityScanner) }}

// maxPooledKeys and maxPooledTokens (for runs) bound the buffers kept for
// reuse, so that one huge document does not pin them for the life of the
// process.
const maxPooledKeys = 1 << 20

// Entities returns the named entities of text in text order.
//
// A name is a maximal run of capitalized words (or all-caps words such as
// "KGB", "NUR.KZ") separated only by spaces, with the connectors of/the/de/
// al/von/bin... allowed between capitalized words. Hyphens, apostrophes
// inside a word ("O'Brien") and periods in abbreviations ("U.S", "Mr.")
// stay in the word; other punctuation and line breaks end the run. A
// possessive "'s" is not part of the name. Leading capitalized stopwords
// are dropped ("The Kremlin" -> "Kremlin"); a lone capitalized word at the
// start of a sentence or line is dropped when its lower-case form occurs
// elsewhere in the text ("Sporadic gunshots ... sporadic"), and so is a
// lone single letter ("(R)"). Lines entirely
// in upper case yield nothing, and scripts without case yield nothing.
func Entities(text string) []Entity {
	s := entityScannerPool.Get().(*entityScanner)
	defer s.release()
	s.text = text
	s.scan()
	s.dropCommonWords()
	return s.results()
}

// release empties s and returns it to the pool, dropping its reference to
// the text.
func (s *entityScanner) release() {
	if cap(s.keys) > maxPooledKeys || cap(s.runs) > maxPooledTokens {
		return
	}
	clear(s.candidates)
	*s = entityScanner{
		run:         s.run[:0],
		found:       s.found[:0],
		keys:        s.keys[:0],
		words:       s.words[:0],
		provisional: s.provisional[:0],
		runs:        s.runs[:0],
		lower:       s.lower[:0],
		lowerEnds:   s.lowerEnds[:0],
		candidates:  s.candidates[:0],
	}
	entityScannerPool.Put(s)
}

// results makes the Entities of the names found and not dropped.
func (s *entityScanner) results() []Entity {
	if len(s.found) == 0 {
		return nil
	}
	keys := string(s.keys)
	words := make([]string, len(s.words))
	for k, w := range s.words {
		words[k] = keys[w.lo:w.hi]
	}
	kept := 0
	for _, f := range s.found {
		if !f.dropped {
			kept++
		}
	}
	// Not nil even when every name was dropped, as before pooling.
	out := make([]Entity, 0, kept)
	for _, f := range s.found {
		if f.dropped {
			continue
		}
		out = append(out, Entity{
			Text:  s.text[f.start:f.end],
			Key:   keys[f.key.lo:f.key.hi],
			Words: words[f.words.lo:f.words.hi:f.words.hi], // capped: appending copies
			Start: f.start,
			End:   f.end,
		})
	}
	return out
}

func (s *entityScanner) scan() {
	text := s.text
	sentStart := true
	s.lineAllCaps = allCapsLine(text, 0)
	for i := 0; i < len(text); {
		if text[i] == ' ' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		// No rune the other cases take is alnum, so the most common case
		// can come first.
		switch {
		case isAlnum(r):
			w, end, how := s.scanWord(i)
			w.sentStart = sentStart
			sentStart = false
			s.add(w, how)
			i = end
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			s.flush()
			sentStart = true
			s.lineAllCaps = allCapsLine(text, i+size)
			i += size
		case unicode.IsSpace(r):
			i += size
		default:
			s.flush()
			switch {
			case isSentenceEnd(text, i, r, size):
				sentStart = true
			case isOpener(r):
				// “The ... and (Vladimir ...: keep the sentence start.
			default:
				sentStart = false
			}
			i += size
		}
	}
	s.flush()
}

// isOpener reports punctuation that may precede the first word of a
// sentence without ending the sentence-start state.
func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '„', '«', '(', '[', '-', '–', '—', '¿', '¡':
		return true
	}
	return false
}

// allCapsLine reports whether the line starting at i has upper-case letters
// and no lower-case ones.
func allCapsLine(text string, i int) bool {
	upper := false
	for _, r := range text[i:] {
		if r == '\n' || r == '\r' {
			break
		}
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			upper = true
		}
	}
	return upper
}

// add appends the word to the current run or flushes the run.
func (s *entityScanner) add(w nameWord, how wordEnd) {
	word := s.text[w.start:w.end]
	r, _ := utf8.DecodeRuneInString(word)
	switch {
	case how == endNotAName:
		s.flush()
		return
	case isNameUpper(r) || hasArticlePrefix(word):
		w.allCaps = !hasLower(word)
		s.run = append(s.run, w)
	case len(s.run) > 0 && s.isConnector(word):
		w.connector = true
		s.run = append(s.run, w)
	default:
		s.flush()
		return
	}
	if how == endRun {
		s.flush()
	}
}

func (s *entityScanner) isConnector(word string) bool {
	b, ok := lowerASCII(s.buf[:], word)
	return ok && string(b) == word && isConnectorWord(word)
}

func hasArticlePrefix(word string) bool {
	// Every prefix is two or three ASCII letters: look only there.
	for h := 2; h <= 3 && h < len(word); h++ {
		rest := word[h:]
		if !strings.HasPrefix(rest, "-") && !strings.HasPrefix(rest, "\u2010") && !strings.HasPrefix(rest, "\u2011") {
			continue
		}
		if !articlePrefixes[word[:h]] {
			return false
		}
		_, size := utf8.DecodeRuneInString(rest)
		return isNameUpper(firstRune(rest[size:]))
	}
	return false
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// scanWord reads the word starting at i. It returns the word, the offset
// where scanning resumes, and how the word ends its run.
func (s *entityScanner) scanWord(i int) (nameWord, int, wordEnd) {
	text := s.text
	j := i
	dotted := false // an inner period: "NUR.KZ", "U.S"
	for {
		start := j
		j = alnumEnd(text, j)
		s.addRun(start, j)
		if j >= len(text) {
			break
		}
		if c := text[j]; c < utf8.RuneSelf && c != '-' && c != '.' && c != '\'' {
			break // no other ASCII character joins words: the usual space
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		next, _ := utf8.DecodeRuneInString(text[j+size:])
		switch {
		case isHyphen(r) && isAlnum(next):
			j += size
			continue
		case r == '.' && unicode.IsLetter(next):
			dotted = true
			j += size
			continue
		case isApostrophe(r) && unicode.IsLetter(next):
			// Only the letters after the apostrophe may belong to this
			// word, but the run is recorded whole: what follows them is
			// part of it and is not recorded again.
			s.addRun(j+size, alnumEnd(text, j+size))
			k := j + size
			for k < len(text) {
				r2, n := utf8.DecodeRuneInString(text[k:])
				if !unicode.IsLetter(r2) {
					break
				}
				k += n
			}
			switch suffix := strings.ToLower(text[j+size : k]); {
			case suffix == "s":
				return nameWord{start: i, end: j}, k, endRun
			case contractions[suffix]:
				return nameWord{start: i, end: k}, k, endNotAName
			}
			j = k // O'Brien, D’Alema
			continue
		}
		break
	}
	w := nameWord{start: i, end: j}
	if j < len(text) && text[j] == '.' {
		word := text[i:j]
		switch {
		case dotted:
			// "U.S." keeps its period, but what follows may start a
			// sentence, so the run ends.
			return nameWord{start: i, end: j + 1}, j + 1, endRun
		case utf8.RuneCountInString(word) == 1 && isNameUpper(firstRune(word)):
			// An initial: "John F. Kennedy".
			return nameWord{start: i, end: j + 1}, j + 1, endOpen
		default:
			if b, ok := lowerASCII(s.buf[:], word); ok && titleAbbrevs[string(b)] {
				return nameWord{start: i, end: j + 1}, j + 1, endOpen
			}
		}
	}
	return w, j, endOpen
}

// addRun records the run of letters, digits and marks text[lo:hi] for
// dropCommonWords, unless it is empty or the rest of the run recorded
// last (both happen after an apostrophe).
func (s *entityScanner) addRun(lo, hi int) {
	if n := len(s.runs); lo == hi || n > 0 && lo < s.runs[n-1].hi {
		return
	}
	s.runs = append(s.runs, span{lo, hi})
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// flush turns the current run into an entity, if it still is one after the
// trimming rules, and empties it.
func (s *entityScanner) flush() {
	run := s.run
	s.run = s.run[:0]
	if len(run) == 0 || s.lineAllCaps {
		return
	}
	for len(run) > 0 && run[len(run)-1].connector {
		run = run[:len(run)-1]
	}
	for len(run) > 0 && (run[0].connector || s.isLeadingStopword(run[0])) {
		run = run[1:]
	}
	if len(run) == 0 {
		return
	}
	if len(run) == 1 && utf8.RuneCountInString(s.text[run[0].start:run[0].end]) == 1 {
		return // a lone letter: "(R)", "Plan B"
	}
	if len(run) == 1 && run[0].sentStart {
		// Whether its lower-case form occurs later in the text is only
		// known at the end: keep it provisionally.
		s.provisional = append(s.provisional, len(s.found))
	}
	f := foundEntity{start: run[0].start, end: run[len(run)-1].end}
	// The key is the non-empty word keys joined by spaces; each word key
	// is appended after a space, which is taken back when the key is
	// empty or the first one.
	f.key.lo, f.words.lo = len(s.keys), len(s.words)
	for _, w := range run {
		before := len(s.keys)
		if before > f.key.lo {
			s.keys = append(s.keys, ' ')
		}
		lo := len(s.keys)
		s.keys = appendWordKey(s.keys, s.text[w.start:w.end])
		if len(s.keys) == lo {
			s.keys = s.keys[:before]
			s.words = append(s.words, span{before, before})
			continue
		}
		s.words = append(s.words, span{lo, len(s.keys)})
	}
	f.key.hi, f.words.hi = len(s.keys), len(s.words)
	s.found = append(s.found, f)
}

// isLeadingStopword reports a capitalized stopword ("The", "According")
// at the front of a run. Acronyms are not stopwords: "US" is a country.
func (s *entityScanner) isLeadingStopword(w nameWord) bool {
	word := s.text[w.start:w.end]
	if w.allCaps && len(word) > 1 {
		return false
	}
	// Lower-case ASCII in a stack buffer: the word is capitalized, so
	// strings.ToLower would allocate for every name.
	var buf [32]byte
	if b, ok := lowerASCII(buf[:], word); ok {
		return text.IsStopword(string(b))
	}
	return text.IsStopword(strings.ToLower(word))
}

// dropCommonWords removes the provisional entities whose lower-case form
// occurs as a word anywhere in the text ("Sporadic ... sporadic"). One
// pass over the words scan recorded checks them all, so the rule costs
// O(len(text)) however many sentences there are.
func (s *entityScanner) dropCommonWords() {
	if len(s.provisional) == 0 {
		return
	}
	// The lower-case form of each provisional entity, in order, in one
	// string.
	s.lower, s.lowerEnds = s.lower[:0], s.lowerEnds[:0]
	for _, p := range s.provisional {
		f := s.found[p]
		s.lower = text.AppendLower(s.lower, s.text[f.start:f.end])
		s.lowerEnds = append(s.lowerEnds, len(s.lower))
	}
	ends := s.lowerEnds
	all := string(s.lower)
	lowerOf := func(k int) string {
		lo := 0
		if k > 0 {
			lo = ends[k-1]
		}
		return all[lo:ends[k]]
	}
	// The candidates: the lower-case forms that differ from their
	// entity's text (a name with no lower case is not checked against
	// itself).
	cands := s.candidates[:0]
	for k, p := range s.provisional {
		f := s.found[p]
		if w := lowerOf(k); w != s.text[f.start:f.end] {
			cands = append(cands, lowerCandidate{word: w})
		}
	}
	slices.SortFunc(cands, func(a, b lowerCandidate) int { return strings.Compare(a.word, b.word) })
	cands = slices.CompactFunc(cands, func(a, b lowerCandidate) bool { return a.word == b.word })
	s.candidates = cands
	markWords(s.text, s.runs, cands)
	// An entity goes when its lower-case form was seen, even if it was
	// not a candidate itself: "ϒb" (ϒ has no lower case) is its own lower
	// case, but goes with "ϒB" when the text has the word "ϒb".
	for k, p := range s.provisional {
		if c, ok := findCandidate(cands, lowerOf(k)); ok && cands[c].seen {
			s.found[p].dropped = true
		}
	}
}

// findCandidate finds w in cands, which are sorted.
func findCandidate(cands []lowerCandidate, w string) (int, bool) {
	return slices.BinarySearchFunc(cands, w, func(c lowerCandidate, w string) int { return strings.Compare(c.word, w) })
}

// markWords marks the candidates (sorted) that are one of the words of
// text, the runs. A word is searched among them only when two tables of
// their first and last bytes and lengths say it may be one, which turns
// away nine words in ten.
func markWords(text string, runs []span, cands []lowerCandidate) {
	// By first (last) byte: bit n is set for candidates of length n, or 63
	// and longer.
	var firstLen, lastLen [256]uint64
	for _, c := range cands {
		n := uint64(1) << min(len(c.word), 63)
		firstLen[c.word[0]] |= n
		lastLen[c.word[len(c.word)-1]] |= n
	}
	for _, r := range runs {
		if n := uint64(1) << min(r.hi-r.lo, 63); firstLen[text[r.lo]]&n != 0 && lastLen[text[r.hi-1]]&n != 0 {
			if k, ok := findCandidate(cands, text[r.lo:r.hi]); ok {
				cands[k].seen = true
			}
		}
	}
}

// lowerCandidate is a lower-case word searched for by dropCommonWords.
type lowerCandidate struct {
	word string
	seen bool
}

// alnumEnd returns the end of the run of letters, digits and marks that
// starts at byte j of text, with an ASCII fast path. (The tokenizer's
// alnumEndDigit also stops at scripts written without spaces.)
func alnumEnd(text string, j int) int {
	for j < len(text) {
		if c := text[j]; c < utf8.RuneSelf {
			if !asciiAlnum[c] {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isAlnum(r) {
			break
		}
		j += size
	}
	return j
}
