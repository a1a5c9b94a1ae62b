package text

import (
	"fmt"
	"hash/maphash"
	"math/rand"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/kljensen/snowball/english"
)

// referenceTokenize is the plain rune-by-rune tokenizer that Tokenize's
// ASCII fast path and deferred lower-casing must agree with.
func referenceTokenize(dst []Token, text string, start, end int) []Token {
	i := start
	for i < end {
		r, size := utf8.DecodeRuneInString(text[i:end])
		if !isWordRune(r) {
			i += size
			continue
		}
		if isUnspaced(r) {
			dst = append(dst, Token{Start: i, End: i + size, Norm: Normalize(text[i : i+size])})
			i += size
			continue
		}
		j := i
		digits, letters := 0, 0
		for j < end {
			r, size := utf8.DecodeRuneInString(text[j:end])
			if isWordRune(r) && !isUnspaced(r) {
				if unicode.IsDigit(r) {
					digits++
				} else if unicode.IsLetter(r) {
					letters++
				}
				j += size
				continue
			}
			if (r == ',' || r == '.') && j > i && j+1 < end && digits > 0 && letters == 0 {
				prev, _ := utf8.DecodeLastRuneInString(text[i:j])
				next, _ := utf8.DecodeRuneInString(text[j+1 : end])
				if unicode.IsDigit(prev) && unicode.IsDigit(next) {
					j += size
					continue
				}
			}
			break
		}
		dst = append(dst, Token{Start: i, End: j, Norm: Normalize(text[i:j]), Number: digits > 0 && letters == 0})
		i = j
	}
	return dst
}

// referenceStem is Stem without a cache.
func referenceStem(w string) string {
	if len(w) <= 3 || len(w) > maxStemLen || !isLowerASCIIWord(w) {
		return w
	}
	return english.Stem(w, true)
}

// checkAgainstReference fails t if Tokenize or Analyze disagree with the
// reference tokenizer and stemmer on s.
func checkAgainstReference(t *testing.T, s string, st *Stemmer) {
	t.Helper()
	if got, want := Tokenize(nil, s, 0, len(s)), referenceTokenize(nil, s, 0, len(s)); !reflect.DeepEqual(got, want) {
		t.Fatalf("Tokenize(%q)\n got %v\nwant %v", s, got, want)
	}
	d := Analyze(s, st)
	want := []Token{}
	var wantST []Span
	for _, se := range d.Sentences {
		first := len(want)
		want = referenceTokenize(want, s, se.Start, se.End)
		wantST = append(wantST, Span{first, len(want)})
	}
	if !reflect.DeepEqual(d.Tokens, want) {
		t.Fatalf("Analyze(%q).Tokens\n got %v\nwant %v", s, d.Tokens, want)
	}
	if len(wantST) > 0 && !reflect.DeepEqual(d.SentTokens, wantST) {
		t.Fatalf("Analyze(%q).SentTokens = %v, want %v", s, d.SentTokens, wantST)
	}
	for i, tk := range want {
		stem := ""
		if !tk.Number && !IsStopword(tk.Norm) {
			stem = referenceStem(tk.Norm)
		}
		if d.Stems[i] != stem {
			t.Fatalf("Analyze(%q).Stems[%d] = %q, want %q", s, i, d.Stems[i], stem)
		}
	}
}

func TestTokenizeMatchesReference(t *testing.T) {
	var st Stemmer
	for _, s := range []string{
		"", "The U.S. said. Hi.", "KILLED killing Killings", "2,200.5 people… «quoted»",
		"Covid19 A4 5TH 3.5.6 1,,2 x.5 9.", "Grindavík ÅNGSTRÖM Straße ＡＢＣ ﬁnal", "地震が発生した。",
		"\xff\xfeBad BYTES\xc3", "e\u0301TE ٣,٤ 3,٤ a\u0301B", "MiXeD-CaSe O'Neill’s",
	} {
		checkAgainstReference(t, s, &st)
	}
	r := rand.New(rand.NewSource(1))
	pieces := []string{"The", "U.S.", "killed", "RUNNING", " ", ". ", "\n", ",", "2,200", "5.8", "’", "é", "地", "\xff", "Ω", "ß", "0", "٣", "a1", "B2b"}
	for range 2000 {
		var b strings.Builder
		for range r.Intn(20) {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		checkAgainstReference(t, b.String(), &st)
	}
}

func FuzzTokenizeMatchesReference(f *testing.F) {
	for _, s := range []string{"", "The U.S. said. Hi.", "2,200.5 KILLED", "Straße ＡＢＣ", "\xff a1B"} {
		f.Add(s)
	}
	var st Stemmer
	f.Fuzz(func(t *testing.T, s string) {
		checkAgainstReference(t, s, &st)
	})
}

func TestIndexTerminalByte(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	alphabet := "ab .!?,-\x80\xff\x7f/>@"
	for range 20000 {
		b := make([]byte, r.Intn(40))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		s := string(b)
		want := -1
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= utf8.RuneSelf || c == '.' || c == '!' || c == '?' {
				want = i
				break
			}
		}
		if got := indexTerminalByte(s); got != want {
			t.Fatalf("indexTerminalByte(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestFieldsAtMost(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b c d e f", "a b c d e f g", " a\u00a0b\u2003c\td\ne\x85f ", "\xff \xfe", "x\u200by"} {
		for n := 0; n < 8; n++ {
			if got, want := fieldsAtMost(s, n), len(strings.Fields(s)) <= n; got != want {
				t.Errorf("fieldsAtMost(%q, %d) = %v, want %v", s, n, got, want)
			}
		}
	}
}

// TestStemmerConcurrent stems overlapping word lists from many goroutines,
// through several cache resizes, and checks every stem.
func TestStemmerConcurrent(t *testing.T) {
	var words []string
	for i := range 5000 {
		words = append(words, fmt.Sprintf("%sing", strings.Repeat(string(rune('a'+i%26)), 1+i/26%5))+string(rune('a'+i/130%26)))
	}
	var st Stemmer
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range words {
				w := words[(k*7+g*131)%len(words)]
				if got, want := st.Stem(w), referenceStem(w); got != want {
					t.Errorf("Stem(%q) = %q, want %q", w, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	tab := st.table.Load()
	if tab == nil || tab.n == 0 || 2*tab.n > len(tab.slots) {
		t.Fatalf("cache table %v not filled within its load bound", tab)
	}
	for _, w := range words { // every word survived the resizes
		if _, ok := tab.lookup(maphash.String(tab.seed, w), w); !ok {
			t.Fatalf("%q missing from the cache", w)
		}
	}
}

// TestStemmerBounded fills the cache past maxCachedStems and checks that it
// stops growing and still stems correctly.
func TestStemmerBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the whole stem cache")
	}
	var st Stemmer
	word := func(i int) string {
		b := []byte("xxxxxxed")
		for k := 0; k < 6; k++ {
			b[k] = byte('a' + i%26)
			i /= 26
		}
		return string(b)
	}
	for i := range maxCachedStems + 100 {
		st.Stem(word(i))
	}
	if n := st.table.Load().n; n != maxCachedStems {
		t.Errorf("cache holds %d words, want %d", n, maxCachedStems)
	}
	for _, i := range []int{0, 1, maxCachedStems - 1, maxCachedStems + 50} {
		if w := word(i); st.Stem(w) != referenceStem(w) {
			t.Errorf("Stem(%q) = %q, want %q", w, st.Stem(w), referenceStem(w))
		}
	}
}

func TestStemSlotIsOneCacheLine(t *testing.T) {
	if n := unsafe.Sizeof(stemSlot{}); n != 64 {
		t.Errorf("stemSlot is %d bytes, want 64", n)
	}
}

// TestIsStopwordMatchesSet checks the filtered table lookup against a plain
// set, on every stopword and on near misses.
func TestIsStopwordMatchesSet(t *testing.T) {
	set := make(map[string]bool)
	for _, w := range stopwordList {
		set[w] = true
	}
	cands := []string{"", "A", "The", "the ", "thee", "tho", "ss", "themselvesx", "\xff", "é", "{", "`", "a\x00"}
	for _, w := range stopwordList {
		cands = append(cands, w, w+"s", w[1:], w[:len(w)-1], strings.ToUpper(w), "x"+w, w+"\x7b")
	}
	for _, tk := range Analyze(newsArticle(t), nil).Tokens {
		cands = append(cands, tk.Norm)
	}
	for _, w := range cands {
		if got := IsStopword(w); got != set[w] {
			t.Errorf("IsStopword(%q) = %v, want %v", w, got, set[w])
		}
	}
}
