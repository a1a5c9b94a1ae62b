// Package lexicon maps the words of other languages to English, word by
// word, from bilingual dictionaries installed on the machine. It is what
// lets the comparison tell a translation from an independent report in
// another language: a translation keeps the source's content words, each
// rendered in the other language, sentence by sentence, while two
// independent reports share the event's names and numbers and little else.
//
// The dictionaries are read from a directory of dictd files (NAME.index
// and NAME.dict.dz, as the FreeDict packages install them: on Debian,
// `apt-get install dict-freedict-spa-eng` and the like put them in
// /usr/share/dictd). A file pair named freedict-XXX-eng gives the words
// of language XXX (ISO 639-3) with their English translations;
// freedict-eng-XXX is read the other way round. Nothing is embedded: with
// no dictionary for a language, its words stand for themselves, which
// still matches names and cognates ("presidente", "president").
//
// Words are reduced to keys (Key): lower case, accents folded, the first
// five letters. That is a crude stem, but one that works alike in every
// language and for the dictionaries' headwords, which are in their base
// forms while texts inflect them.
package lexicon

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/zeebo/xxh3"
	"golang.org/x/text/unicode/norm"
)

// KeyLen is the number of letters a word keeps in its key.
const KeyLen = 5

// maxTranslations bounds the English words taken from one entry: its
// first sense's first few words. Later senses and long glosses are where
// a large dictionary's translations stray from the everyday sense.
const maxTranslations = 3

// maxDictBytes (a variable for its test) bounds a dictionary's uncompressed size: the largest
// FreeDict file (German-English) is about 100 MB. A file past it is
// refused rather than read into memory (a gzip bomb, or not a dictionary).
var maxDictBytes int64 = 512 << 20

// EnvDir names the environment variable that sets the dictionary
// directory; "none" turns the lexicon off.
const EnvDir = "RETOLD_LEXICON"

// DefaultDir is where Debian's dictd packages install their dictionaries.
const DefaultDir = "/usr/share/dictd"

// Lexicon is a set of dictionaries, one table per language, each read on
// first use. It is safe for concurrent use. A nil *Lexicon has no
// dictionaries.
type Lexicon struct {
	dir   string
	langs map[string]*table // ISO 639-1 code -> its dictionaries
}

// table is one language's word keys with their English keys, loaded once.
type table struct {
	files  []source
	once   sync.Once
	loaded atomic.Bool // once has run: keys and err are set
	keys   map[uint64][]uint64
	err    error
}

// source is one dictionary file pair and its direction.
type source struct {
	base    string // path without .index / .dict.dz
	fromEng bool   // freedict-eng-XXX: headwords are English
}

// iso3 maps the FreeDict language codes to those text.Language gives.
var iso3 = map[string]string{
	"spa": "es", "fra": "fr", "ita": "it", "por": "pt", "deu": "de", "nld": "nl",
	"pol": "pl", "tur": "tr", "cat": "ca", "ind": "id", "tgl": "tl", "rus": "ru",
	"ukr": "uk", "ell": "el", "ces": "cs", "dan": "da", "swe": "sv", "fin": "fi",
	"hun": "hu", "ron": "ro", "rom": "ro", "hrv": "hr", "srp": "sr", "slk": "sk", "slv": "sl",
	"lit": "lt", "nor": "no", "isl": "is", "bul": "bg", "afr": "af",
}

// Open lists the dictionaries in dir. It reads no dictionary yet; a
// directory that does not exist gives an empty Lexicon, and one that
// cannot be listed an error.
func Open(dir string) (*Lexicon, error) {
	l := &Lexicon{dir: dir, langs: map[string]*table{}}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".index")
		if !ok {
			continue
		}
		rest, ok := strings.CutPrefix(name, "freedict-")
		if !ok {
			continue
		}
		from, to, ok := strings.Cut(rest, "-")
		src := source{base: filepath.Join(dir, name)}
		var lang string
		switch {
		case !ok:
			continue
		case to == "eng":
			lang = iso3[from]
		case from == "eng":
			lang, src.fromEng = iso3[to], true
		}
		if lang == "" {
			continue
		}
		if _, err := os.Stat(src.base + ".dict.dz"); err != nil {
			continue
		}
		t := l.langs[lang]
		if t == nil {
			t = &table{}
			l.langs[lang] = t
		}
		t.files = append(t.files, src)
	}
	return l, nil
}

var (
	defaultOnce sync.Once
	defaultLex  *Lexicon
)

// Default is the lexicon of the directory named by $RETOLD_LEXICON, or of
// DefaultDir when it is unset; nil when it is "none" or cannot be listed.
func Default() *Lexicon {
	defaultOnce.Do(func() {
		dir := os.Getenv(EnvDir)
		switch dir {
		case "none":
			return
		case "":
			dir = DefaultDir
		}
		defaultLex, _ = Open(dir)
	})
	return defaultLex
}

// Dir is the directory the lexicon was opened on ("" for nil).
func (l *Lexicon) Dir() string {
	if l == nil {
		return ""
	}
	return l.dir
}

// Languages lists the languages with at least one dictionary, sorted.
func (l *Lexicon) Languages() []string {
	if l == nil {
		return nil
	}
	out := make([]string, 0, len(l.langs))
	for k := range l.langs {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Has reports whether lang has a dictionary.
func (l *Lexicon) Has(lang string) bool {
	if l == nil {
		return false
	}
	_, ok := l.langs[lang]
	return ok
}

// Errors lists the dictionaries that failed to read so far (each read as
// none), in language order, for a command to warn about.
func (l *Lexicon) Errors() []error {
	var out []error
	for _, lang := range l.Languages() {
		t := l.langs[lang]
		if t.loaded.Load() && t.err != nil {
			out = append(out, t.err)
		}
	}
	return out
}

// Table returns lang's map from word keys to their English word keys,
// reading its dictionaries on first use; nil when lang has none. The map
// is shared: do not modify it.
func (l *Lexicon) Table(lang string) (map[uint64][]uint64, error) {
	if l == nil {
		return nil, nil
	}
	t := l.langs[lang]
	if t == nil {
		return nil, nil
	}
	t.once.Do(func() {
		t.keys = map[uint64][]uint64{}
		for _, f := range t.files {
			if err := readDict(t.keys, f); err != nil {
				t.err = err
				return
			}
		}
		for k, v := range t.keys {
			slices.Sort(v)
			t.keys[k] = slices.Compact(v)
		}
	})
	t.loaded.Store(true)
	return t.keys, t.err
}

// readDict adds one dictionary's entries to keys.
func readDict(keys map[uint64][]uint64, f source) error {
	raw, err := readDictData(f.base + ".dict.dz")
	if err != nil {
		return err
	}
	data := string(raw) // one copy; every entry is a substring of it
	raw = nil           // the bytes (up to 100 MB) can go while the index is read
	idx, err := os.Open(f.base + ".index")
	if err != nil {
		return fmt.Errorf("lexicon: %w", err)
	}
	defer idx.Close()
	sc := bufio.NewScanner(idx)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	var words []string
	for sc.Scan() {
		line++
		head, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(head, "00-database") || strings.HasPrefix(head, "00database") {
			continue
		}
		offs, lens, ok := strings.Cut(rest, "\t")
		off, ok1 := b64(offs)
		n, ok2 := b64(lens)
		if !ok || !ok1 || !ok2 || off+n > int64(len(data)) || n < 0 {
			return fmt.Errorf("lexicon: %s.index line %d: bad offset or length", f.base, line)
		}
		if strings.ContainsRune(head, ' ') {
			continue // phrases: their words are entries of their own
		}
		hk := Key(head)
		if hk == 0 {
			continue
		}
		entry := data[off : off+n]
		if f.fromEng {
			// The headword is English; the sense's words are the other
			// language's, each translating to it.
			words = senseWords(words[:0], entry)
			for _, w := range words {
				if k := Key(w); k != 0 {
					keys[k] = append(keys[k], hk)
				}
			}
			continue
		}
		words = firstSense(words[:0], entry)
		for _, w := range words {
			keys[hk] = append(keys[hk], Key(w))
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("lexicon: %s.index: %w", f.base, err)
	}
	return nil
}

// readDictData reads a .dict.dz file (dictzip is gzip with a chunk table
// in its header, so a plain gzip reader reads it whole), refusing more
// than maxDictBytes.
func readDictData(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(bufio.NewReader(fh))
	if err != nil {
		return nil, fmt.Errorf("lexicon: %s: %w", path, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxDictBytes+1))
	if err != nil {
		return nil, fmt.Errorf("lexicon: %s: %w", path, err)
	}
	if int64(len(data)) > maxDictBytes {
		return nil, fmt.Errorf("lexicon: %s: more than %d MB uncompressed", path, maxDictBytes>>20)
	}
	return data, nil
}

// b64 decodes dictd's base-64 numbers (most significant digit first).
func b64(s string) (int64, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d int64
		switch {
		case c >= 'A' && c <= 'Z':
			d = int64(c - 'A')
		case c >= 'a' && c <= 'z':
			d = int64(c-'a') + 26
		case c >= '0' && c <= '9':
			d = int64(c-'0') + 52
		case c == '+':
			d = 62
		case c == '/':
			d = 63
		default:
			return 0, false
		}
		v = v*64 + d
	}
	return v, true
}

// senseWords appends to dst the words of 3 letters or more in an
// entry's body (its lines after the headword line), every sense, with the
// markup left out: <grammar>, /pronunciation/, {cross-references},
// [labels], and "see:" and "Synonym:" lines.
func senseWords(dst []string, entry string) []string {
	return scanBody(dst, entry, false)
}

// firstSense appends to dst the English words of an entry's first sense:
// the body up to the first ";" or sense number ("1.", "2.") past some
// text, its first maxTranslations words of 3 letters or more that are not
// function words.
func firstSense(dst []string, entry string) []string {
	return scanBody(dst, entry, true)
}

// scanBody walks an entry's body once, line by line, without copying:
// the words it appends are substrings of entry. With first, it stops at
// the end of the first piece that holds any text.
func scanBody(dst []string, entry string, first bool) []string {
	_, body, _ := strings.Cut(entry, "\n")
	n := len(dst)
	text := false // the current piece holds text
	for body != "" {
		var line string
		line, body, _ = strings.Cut(body, "\n")
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "see:") || strings.HasPrefix(t, "Synonym:") || strings.HasPrefix(t, "Synonyms:") {
			continue
		}
		var close byte // the markup being skipped ends at close
		wstart := -1
		for i := 0; i <= len(t); i++ {
			c := byte(' ')
			if i < len(t) {
				c = t[i]
			}
			if close != 0 {
				if c == close {
					close = 0
				}
				continue
			}
			letter := c >= utf8.RuneSelf || (c|0x20 >= 'a' && c|0x20 <= 'z')
			if letter {
				if wstart < 0 {
					wstart = i
				}
				text = true
				continue
			}
			if wstart >= 0 {
				w := t[wstart:i]
				wstart = -1
				if letters(w) >= 3 && !(first && IsEnglishFunctionWord(strings.ToLower(w))) {
					dst = append(dst, w)
					if first && len(dst)-n == maxTranslations {
						return dst
					}
				}
			}
			switch {
			case c == '<':
				close = '>'
			case c == '/':
				close = '/'
			case c == '{':
				close = '}'
			case c == '[':
				close = ']'
			case c == ';' || (c >= '0' && c <= '9' && (i == 0 || t[i-1] == ' ') && senseNumber(t[i:])):
				if first && text {
					return dst
				}
				if c != ';' {
					for i < len(t) && t[i] != '.' {
						i++
					}
				}
			case c != ' ' && c != ',' && c != '\t':
				text = true
			}
		}
	}
	return dst
}

// senseNumber reports whether s starts with digits and a period ("2.").
func senseNumber(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && i < len(s) && s[i] == '.'
}

// letters counts the letters of w, a run of letters and other non-ASCII
// bytes (a rune outside ASCII counts once).
func letters(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// Key is the key of word w: lower case, accents folded, its first KeyLen
// letters, hashed; 0 for a word with no letters. It allocates nothing.
func Key(w string) uint64 {
	var buf [4 * KeyLen * 2]byte
	b := buf[:0]
	n := 0
	for _, r := range w {
		if n == KeyLen {
			break
		}
		if r < utf8.RuneSelf {
			switch {
			case r >= 'a' && r <= 'z':
			case r >= 'A' && r <= 'Z':
				r += 'a' - 'A'
			default:
				continue
			}
			b = append(b, byte(r))
			n++
			continue
		}
		if !unicode.IsLetter(r) {
			continue
		}
		for _, f := range foldRune(r) {
			if n == KeyLen {
				break
			}
			b = utf8.AppendRune(b, f)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return xxh3.Hash(b) | 1
}

// foldRune is r lower-cased without its accents ("Ä" to "a", "ß" to
// "ss"), from a table for the Latin letters with diacritics.
func foldRune(r rune) []rune {
	if f, ok := latinFold[r]; ok {
		return f
	}
	return []rune{unicode.ToLower(r)}
}

// latinFold maps U+00C0 to U+024F (Latin-1 Supplement, Latin Extended-A
// and -B) to their letters without marks, built once from the canonical
// decompositions.
var latinFold = func() map[rune][]rune {
	m := map[rune][]rune{'ß': {'s', 's'}}
	for r := rune(0xC0); r <= 0x24F; r++ {
		if !unicode.IsLetter(r) || r == 'ß' {
			continue
		}
		var f []rune
		for _, d := range norm.NFD.String(string(unicode.ToLower(r))) {
			if !unicode.Is(unicode.Mn, d) {
				f = append(f, d)
			}
		}
		m[r] = f
	}
	return m
}()

// NumberKey is the key of a number written as s: its digits only, so
// "44,16" and "44.16" and "1,000" and "1.000" meet; 0 for no digits.
func NumberKey(s string) uint64 {
	var buf [32]byte
	b := append(buf[:0], '#')
	for i := 0; i < len(s) && len(b) < len(buf); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	if len(b) == 1 {
		return 0
	}
	return xxh3.Hash(b) | 1
}

// IsEnglishFunctionWord reports whether w (lower case) is a function word
// or a reporting verb, which a translation gives no evidence by: the
// lexicon leaves them out of translations, and the translation measure
// out of English texts.
func IsEnglishFunctionWord(w string) bool {
	_, ok := englishFunctionWords[w]
	return ok
}

var englishFunctionWords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(`the and for with that this from have has had was were are been will would
		which their they them there then than into about after before over under said says also more most other
		such only some what when where while who whom whose why how its his her our your not but can could may
		might must shall should very just being does did done make made`) {
		m[w] = struct{}{}
	}
	return m
}()
