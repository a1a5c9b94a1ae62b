package features

import (
	"strings"
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

// connectors may sit inside a name between capitalized words: "Ministry of
// Health", "Ludwig van Beethoven".
var connectors = map[string]bool{
	"of": true, "the": true, "de": true, "al": true, "von": true, "bin": true, "ibn": true,
	"bint": true, "van": true, "der": true, "den": true, "da": true, "di": true, "du": true,
	"del": true, "della": true, "la": true, "le": true, "dos": true, "das": true,
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

type entityScanner struct {
	text        string
	run         []nameWord
	out         []Entity
	lineAllCaps bool
	buf         [8]byte
	// provisional indexes the entries of out that are a lone word at a
	// sentence start: they are dropped at the end if the word also occurs
	// in lower case.
	provisional []int
}

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
	s := entityScanner{text: text}
	s.scan()
	s.dropCommonWords()
	return s.out
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
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			s.flush()
			sentStart = true
			s.lineAllCaps = allCapsLine(text, i+size)
			i += size
		case unicode.IsSpace(r):
			i += size
		case isAlnum(r):
			w, end, how := s.scanWord(i)
			w.sentStart = sentStart
			sentStart = false
			s.add(w, how)
			i = end
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
	return ok && string(b) == word && connectors[word]
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
		j = alnumEnd(text, j, false)
		if j >= len(text) {
			break
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
		s.provisional = append(s.provisional, len(s.out))
	}
	start, end := run[0].start, run[len(run)-1].end
	e := Entity{Text: s.text[start:end], Start: start, End: end, Words: make([]string, len(run))}
	var key strings.Builder
	for k, w := range run {
		e.Words[k] = WordKey(s.text[w.start:w.end])
		if e.Words[k] == "" {
			continue
		}
		if key.Len() > 0 {
			key.WriteByte(' ')
		}
		key.WriteString(e.Words[k])
	}
	e.Key = key.String()
	s.out = append(s.out, e)
}

// isLeadingStopword reports a capitalized stopword ("The", "According")
// at the front of a run. Acronyms are not stopwords: "US" is a country.
func (s *entityScanner) isLeadingStopword(w nameWord) bool {
	word := s.text[w.start:w.end]
	if w.allCaps && len(word) > 1 {
		return false
	}
	return text.IsStopword(strings.ToLower(word))
}

// dropCommonWords removes the provisional entities whose lower-case form
// occurs as a word anywhere in the text ("Sporadic ... sporadic"). One
// pass over the text's lower-case words checks them all, so the rule costs
// O(len(text)) however many sentences there are.
func (s *entityScanner) dropCommonWords() {
	if len(s.provisional) == 0 {
		return
	}
	lower := make(map[string]bool, len(s.provisional))
	var firstBytes [256]bool
	maxLen := 0
	for _, k := range s.provisional {
		w := strings.ToLower(s.out[k].Text)
		if w == s.out[k].Text {
			continue
		}
		lower[w] = false
		firstBytes[w[0]] = true
		maxLen = max(maxLen, len(w))
	}
	text := s.text
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf && !asciiAlnum[c] {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isAlnum(r) {
			i += size
			continue
		}
		j := i + size
		j = alnumEnd(text, j, false)
		if firstBytes[c] && j-i <= maxLen {
			if _, ok := lower[text[i:j]]; ok {
				lower[text[i:j]] = true
			}
		}
		i = j
	}
	out := s.out[:0]
	p := 0
	for k, e := range s.out {
		if p < len(s.provisional) && s.provisional[p] == k {
			p++
			if lower[strings.ToLower(e.Text)] {
				continue
			}
		}
		out = append(out, e)
	}
	s.out = out
}

// alnumEnd returns the end of the run of letters, digits and marks that
// starts at byte j of text, with an ASCII fast path. With stopUnspaced the
// run also ends at a character of a script written without spaces.
func alnumEnd(text string, j int, stopUnspaced bool) int {
	for j < len(text) {
		if c := text[j]; c < utf8.RuneSelf {
			if !asciiAlnum[c] {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isAlnum(r) || stopUnspaced && isUnspaced(r) {
			break
		}
		j += size
	}
	return j
}
