package dedup

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/retold/retold/internal/cpuclock"
	"github.com/retold/retold/sketch"
)

// referenceShingles is the plain tokenization the fast shingler must
// match: split on every rune that is not a letter or number, lower-case,
// join n words with spaces.
func referenceShingles(text string, n int) map[string]bool {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for i, w := range words {
		words[i] = strings.Map(unicode.ToLower, w)
	}
	set := map[string]bool{}
	if len(words) == 0 {
		return set
	}
	if len(words) < n {
		set[strings.Join(words, " ")] = true
		return set
	}
	for i := 0; i+n <= len(words); i++ {
		set[strings.Join(words[i:i+n], " ")] = true
	}
	return set
}

// referenceShingleHashes is the plain form of what appendShingles
// computes: the reference tokenization, each word hashed by hashWord on
// its lower-cased bytes, and each shingle the polynomial
// w[0]*gramMul^(n-1) + ... + w[n-1] of its word hashes (of all the words,
// if there are fewer than n), in text order with repeats.
func referenceShingleHashes(text string, n int, seed uint64) []uint64 {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	hs := make([]uint64, len(words))
	for i, w := range words {
		hs[i] = hashWord([]byte(strings.Map(unicode.ToLower, w)), seed)
	}
	poly := func(ws []uint64) uint64 {
		var g uint64
		for _, w := range ws {
			g = g*gramMul + w
		}
		return g
	}
	var out []uint64
	if len(hs) == 0 {
		return out
	}
	if len(hs) < n {
		return append(out, poly(hs))
	}
	for i := 0; i+n <= len(hs); i++ {
		out = append(out, poly(hs[i:i+n]))
	}
	return out
}

// randomBytes is text of up to max bytes drawn from pieces that stress
// the fast paths: words of 1 to 40 bytes in both cases, multi-byte
// letters and separators, invalid UTF-8, and runs long enough to cross
// the 64-byte blocks and the 16-byte word loads.
func randomBytes(r *rand.Rand, max int) string {
	pieces := []string{" ", " ", ", ", ".\n\n", "\t", "é", "É", "ß", "İ", "K", "東", "ж", "Ж", "—", "\u00a0", "“", "”",
		"\xff", "\xe2\x80", "\xc3", "9", "Z", "_", "@", "[", "`", "{", "\x00", "\x7f", "½", "x²"}
	var b strings.Builder
	for b.Len() < max {
		if r.IntN(3) == 0 {
			b.WriteString(pieces[r.IntN(len(pieces))])
			continue
		}
		for range 1 + r.IntN(1+r.IntN(40)) {
			c := byte('a' + r.IntN(26))
			if r.IntN(5) == 0 {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestShinglesMatchReferenceHashes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 5} {
		s := newShingler(n, 7)
		for range 3000 {
			var text string
			if r.IntN(2) == 0 {
				text = randomBytes(r, r.IntN(1500))
			} else {
				text = randomText(r, r.IntN(300))
			}
			got := s.appendShingles(nil, []byte(text))
			if want := referenceShingleHashes(text, n, 7); !slices.Equal(got, want) {
				t.Fatalf("n=%d %q:\n got %x\nwant %x", n, text, got, want)
			}
		}
	}
}

func referenceJaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for s := range a {
		if b[s] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// toSet sorts v and removes repeats in place.
func toSet(v []uint32) []uint32 {
	slices.Sort(v)
	return slices.Compact(v)
}

func fastSet(s *shingler, text string) []uint32 {
	var v []uint32
	for _, h := range s.appendShingles(nil, []byte(text)) {
		v = append(v, uint32(h))
	}
	return toSet(v)
}

// randomText draws words from a small vocabulary that mixes ASCII, case,
// accents, other scripts, digits and separators, so that shared shingles
// are common and every tokenizer branch runs.
func randomText(r *rand.Rand, words int) string {
	vocab := []string{"the", "The", "THE", "quake", "Quake", "2,200", "164", "Tokaev", "Tokayev",
		"Ünïcödé", "ünïcödé", "Straße", "東京", "Москва", "москва", "x²", "½", "a", "of", "in",
		"rescuers", "verylongwordthatcrossesthepackingboundary", "O'Brien", "U.S.", "e-mail"}
	seps := []string{" ", " ", " ", ", ", ". ", "\n\n", " — ", "\t", "(", ") ", "\u00a0", "\"", "\xff"}
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteString(seps[r.IntN(len(seps))])
		}
		b.WriteString(vocab[r.IntN(len(vocab))])
	}
	return b.String()
}

func TestShinglesMatchReferenceTokenization(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 5} {
		s := newShingler(n, 7)
		for trial := range 400 {
			a := randomText(r, r.IntN(60))
			b := a
			if trial%2 == 0 {
				b = randomText(r, r.IntN(60))
			} else if len(a) > 10 {
				b = a[:len(a)/2] + " rescuers " + a[len(a)/2:]
			}
			ra, rb := referenceShingles(a, n), referenceShingles(b, n)
			fa, fb := fastSet(s, a), fastSet(s, b)
			if len(fa) != len(ra) || len(fb) != len(rb) {
				t.Fatalf("n=%d: set sizes %d,%d, reference %d,%d\nA=%q\nB=%q", n, len(fa), len(fb), len(ra), len(rb), a, b)
			}
			if got, want := sketch.Jaccard(fa, fb), referenceJaccard(ra, rb); got != want {
				t.Fatalf("n=%d: jaccard %v, reference %v\nA=%q\nB=%q", n, got, want, a, b)
			}
		}
	}
}

func TestShinglesEdgeCases(t *testing.T) {
	s := newShingler(5, 1)
	tests := []struct {
		name string
		text string
		want int // shingles, repeats kept
	}{
		{"empty", "", 0},
		{"no words", " ,.;—!? \n", 0},
		{"fewer words than n", "Two words", 1},
		{"exactly n", "one two three four five", 1},
		{"n plus two", "one two three four five six seven", 3},
		{"invalid UTF-8 separates", "one\xfftwo three four five", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(s.appendShingles(nil, []byte(tc.text))); got != tc.want {
				t.Errorf("%q: %d shingles, want %d", tc.text, got, tc.want)
			}
		})
	}
	// Case and punctuation do not matter; word order does.
	a := fastSet(s, "Rescuers found 164 bodies in the rubble on Monday.")
	b := fastSet(s, "rescuers FOUND 164 bodies, in the rubble on monday")
	c := fastSet(s, "found rescuers 164 bodies in the rubble on Monday")
	if sketch.Jaccard(a, b) != 1 {
		t.Errorf("case/punctuation changed the set: %v", sketch.Jaccard(a, b))
	}
	if sketch.Jaccard(a, c) == 1 {
		t.Errorf("word order did not change the set")
	}
}

func BenchmarkShingles(b *testing.B) {
	text := []byte(benchText(1500))
	s := newShingler(5, 1)
	var dst []uint64
	b.SetBytes(int64(len(text)))
	cpu := cpuclock.Start()
	for b.Loop() {
		dst = s.appendShingles(dst[:0], text)
	}
	cpu.Report(b, len(text))
}

// benchText is an invented text of about words words with the shape of
// news prose: a vocabulary of 20,000 made-up words whose lengths follow
// English (mean about 5 letters), drawn with a Zipf law, some capitalized,
// with commas, full stops and paragraph breaks. Word lengths vary as in
// real text, so branch predictors get no easier ride than there.
func benchText(words int) string {
	r := rand.New(rand.NewPCG(3, 4))
	lengths := []int{1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 8, 8, 9, 10, 11, 13}
	vocab := make([]string, 20000)
	for i := range vocab {
		w := make([]byte, lengths[r.IntN(len(lengths))])
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		vocab[i] = string(w)
	}
	zipf := rand.NewZipf(r, 1.05, 1, uint64(len(vocab)-1))
	var sb strings.Builder
	for i := range words {
		w := vocab[zipf.Uint64()]
		if i > 0 {
			switch r.IntN(40) {
			case 0:
				sb.WriteString(", ")
			case 1:
				sb.WriteString(". ")
				w = strings.ToUpper(w[:1]) + w[1:]
			case 2:
				sb.WriteString(".\n\n")
				w = strings.ToUpper(w[:1]) + w[1:]
			default:
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(w)
	}
	return sb.String()
}

// BenchmarkSignature is the per-document signing work that LSH needs:
// shingle hashes with their 24-bit set members, a 24-value
// one-permutation MinHash and the 8 band keys (the configuration of
// threshold 0.8), on a 1,500-word text. The kperm variant runs the same
// on textbook k-permutation MinHash, for the ratio; the k=128 variants
// sign 128 values, the common textbook size. BenchmarkSignLine adds what
// else a record costs.
func BenchmarkSignature(b *testing.B) {
	text := []byte(benchText(1500))
	bands, rows := bandRows(0.8)
	for _, bc := range []struct {
		name   string
		sketch string
		k      int
	}{{"oneperm", "oneperm", 0}, {"kperm", "kperm", 0}, {"oneperm-k128", "oneperm", 128}, {"kperm-k128", "kperm", 128}} {
		b.Run(bc.name, func(b *testing.B) {
			s := newSigner(Options{NGram: 5, Sketch: bc.sketch}.withDefaults(), bands, rows)
			if bc.k > 0 {
				if bc.sketch == "kperm" {
					s.kperm = sketch.NewMinHasher(bc.k, 1)
				} else {
					s.oph = sketch.NewOnePerm(bc.k, 1)
				}
			}
			var keys []uint64
			var set []uint32
			b.SetBytes(int64(len(text)))
			cpu := cpuclock.Start()
			for b.Loop() {
				set = s.sign24(set[:0], text)
				keys = s.bandKeys(keys[:0], 1)
			}
			cpu.Report(b, len(text))
		})
	}
}

// BenchmarkSignLine is all a worker does for one record, on a JSONL line
// with a 1,500-word text: scan the id and text, hash the content, sign,
// sort the 24-bit set, encode it for the log, and make the band keys.
func BenchmarkSignLine(b *testing.B) {
	line, err := json.Marshal(map[string]string{"id": "d00000001", "title": "A title", "text": benchText(1500)})
	if err != nil {
		b.Fatal(err)
	}
	bands, rows := bandRows(0.8)
	s := newSigner(Options{}.withDefaults(), bands, rows)
	var a arenas
	b.SetBytes(int64(len(line)))
	cpu := cpuclock.Start()
	for b.Loop() {
		a = arenas{a.ids[:0], a.shingles[:0], a.keys[:0], a.enc[:0]}
		var it item
		if err := s.signLine(line, &it, &a); err != nil {
			b.Fatal(err)
		}
	}
	cpu.Report(b, len(line))
}

// FuzzShingles holds the fast shingler to the plain reference
// tokenization on any input: the same number of distinct shingles, and
// texts that the reference calls equal (Jaccard 1) get equal sets.
func FuzzShingles(f *testing.F) {
	for _, s := range []string{"", "a", "The quake struck at 4:30 a.m.", "Ünïcödé ÜNÏCÖDÉ straße STRASSE", "東京 Москва x² ½ \xff\xfe",
		"verylongwordthatcrossesthepackingboundary and more words here", "a\u00a0b\tc\nd—e",
		strings.Repeat("Word ", 20) + "é" + strings.Repeat("abcdefghijklmnopq ", 5) + "ÉTÉ",
		strings.Repeat("x", 63) + "\xe2\x80" + strings.Repeat("Yy", 40),
		// Long enough for two lanes (splitPoint), with other bytes in both.
		strings.Repeat("Über 99 straße ", 40) + "\xff" + strings.Repeat("Москва, the quake ", 30)} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, text string, n int) {
		n = 1 + (n&7+8)%8
		if got, want := newShingler(n, 1).appendShingles(nil, []byte(text)), referenceShingleHashes(text, n, 1); !slices.Equal(got, want) {
			t.Fatalf("n=%d %q:\n got %x\nwant %x", n, text, got, want)
		}
		ref := referenceShingles(text, n)
		got := fastSet(newShingler(n, 1), text)
		// 24-bit members could merge two of a few thousand shingles; the
		// fuzzer's texts are far smaller.
		if len(got) != len(ref) {
			t.Fatalf("n=%d %q: %d distinct shingles, reference %d", n, text, len(got), len(ref))
		}
		lower := strings.ToLower(text)
		if referenceJaccard(ref, referenceShingles(lower, n)) == 1 && len(ref) > 0 {
			if sketch.Jaccard(got, fastSet(newShingler(n, 1), lower)) != 1 {
				t.Fatalf("n=%d: %q and its lower-casing differ", n, text)
			}
		}
	})
}
