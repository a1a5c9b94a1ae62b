package dedup

import (
	"encoding/binary"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/retold/retold/sketch"
)

// Shingles
//
// Tokenization is the textbook one of near-duplicate detection, the same
// as peer-minhash's, datasketch users' `[^\W_]+` and sketch.WordShingles:
// a word is a maximal run of Unicode letters and numbers
// (unicode.IsLetter or unicode.IsNumber), lower-cased with
// unicode.ToLower; everything else separates words. A shingle is n
// consecutive words; a text of fewer than n words (but at least one) is
// one shingle of all its words, so short texts still match; a text with
// no words has no shingles.
//
// The cost is what sets dedup's speed, so no string is made per word or
// shingle. ASCII bytes go through one table lookup that both classifies
// and lower-cases them; other bytes decode a rune. The bytes of a word are
// packed eight at a time into a 64-bit word and folded into the word's
// hash with one multiply per eight bytes; the hash is finished with a
// 64-bit mixer. A shingle's hash is a polynomial in its n word hashes,
// rolled in O(1) per word (subtract the oldest word's term, shift, add the
// newest), and mixed again so every bit of it is usable as a bin index or
// a set member.

// wordByte classifies an ASCII byte: 0 for a separator, otherwise the
// byte lower-cased. Bytes of 0x80 and above are marked multiByte: they
// start or continue a UTF-8 sequence and are decoded as runes.
var wordByte = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80:
			t[c] = multiByte
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			t[c] = byte(c)
		case 'A' <= c && c <= 'Z':
			t[c] = byte(c) + 'a' - 'A'
		}
	}
	return t
}()

const multiByte = 0xff

// Multipliers: odd 64-bit constants with well-spread bits (from the
// golden ratio and from MurmurHash3's finalizer).
const (
	wordMul = 0x9e3779b97f4a7c15
	gramMul = 0xc4ceb9fe1a85ec53
)

// shingler turns texts into shingle hashes. It keeps its scratch between
// calls, so one shingler per goroutine allocates nothing in steady state.
type shingler struct {
	n    int
	seed uint64
	// powN is gramMul^(n-1), the weight of the oldest word in a shingle's
	// polynomial, which rolling subtracts.
	powN  uint64
	words []uint64 // scratch: the word hashes of a text
}

func newShingler(n int, seed uint64) *shingler {
	if n < 1 {
		panic("dedup: shingle size must be at least 1")
	}
	p := uint64(1)
	for range n - 1 {
		p *= gramMul
	}
	return &shingler{n: n, seed: seed, powN: p}
}

// fnvPrime is the 64-bit FNV prime: a word's hash is FNV-1a over its
// lower-cased bytes (xor the byte, multiply), finished by wordHash.
const fnvPrime = 0x100000001b3

// hashWord is the hash of a word given its lower-cased UTF-8 bytes w, as
// wordHashes computes it: FNV-1a from 0, then wordHash of it xor seed.
// It is the plain definition the tests hold wordHashes to.
func hashWord(w []byte, seed uint64) uint64 {
	var h uint64
	for _, b := range w {
		h = (h ^ uint64(b)) * fnvPrime
	}
	return wordHash(h ^ seed)
}

// wordHash finishes a word's hash: a multiply and an xor-shift, both
// bijections, so the high bits reach the low ones that the shingle's low
// bits are made of.
func wordHash(h uint64) uint64 {
	x := h * wordMul
	return x ^ x>>29
}

const (
	lsb8 = 0x0101010101010101
	msb8 = 0x8080808080808080
)

// asciiWordBytes classifies eight ASCII bytes x (every byte < 0x80) at
// once: mask has bit 7 of each byte that is a letter or digit, and lower
// is x with the capital letters lower-cased. Each test adds a constant
// per byte so that bit 7 says "at least lo" or "more than hi"; the bytes
// are below 0x80 and the constants small enough that no sum carries into
// the next byte.
func asciiWordBytes(x uint64) (mask, lower uint64) {
	l := x | 0x20*lsb8 // letters of both cases to lower case
	letter := (l + (0x80-'a')*lsb8) &^ (l + (0x7f-'z')*lsb8) & msb8
	digit := (x + (0x80-'0')*lsb8) &^ (x + (0x7f-'9')*lsb8) & msb8
	return letter | digit, x | letter>>2 // 0x80>>2 is the case bit 0x20
}

// appendShingles appends the hashes of text's shingles to dst, in text
// order with repeats, and returns it.
//
// Runs of eight ASCII bytes are classified at once (asciiWordBytes) and a
// word's bytes within them are added as one segment, so the loop runs
// once per word or separator run, not per byte; other bytes go one rune
// at a time through the same word state.
func (s *shingler) appendShingles(dst []uint64, text []byte) []uint64 {
	return s.appendGrams(dst, s.wordHashes(text))
}

// wordHashes returns the hashes of text's words in order, in scratch
// that the next call reuses.
func (s *shingler) wordHashes(text []byte) []uint64 {
	// First the word hashes, then the shingles over them: two simple loops
	// run faster than one that does both.
	//
	// The ASCII loop has no branch per byte: the word's hash h is updated
	// by every byte and masked to 0 by a separator, and at every byte h is
	// stored at words[n], with n advancing only where a word just ended.
	// Word ends in real text are unpredictable, so a branch there would be
	// mispredicted about once a word.
	words := slices.Grow(s.words[:0], len(text)/2+2)
	words = words[:cap(words)]
	n := 0
	var h, prev uint64 // prev is 1 when the last byte was in a word
	i := 0
	for i < len(text) {
		if i+8 <= len(text) {
			x := binary.LittleEndian.Uint64(text[i:])
			if x&msb8 == 0 {
				mask, lower := asciiWordBytes(x)
				// Unrolled by hand (the compiler does not unroll): constant
				// shifts, no loop counter.
				h, n, prev = asciiByte(words, h, n, prev, mask>>7&1, lower&0xff)
				h, n, prev = asciiByte(words, h, n, prev, mask>>15&1, lower>>8&0xff)
				h, n, prev = asciiByte(words, h, n, prev, mask>>23&1, lower>>16&0xff)
				h, n, prev = asciiByte(words, h, n, prev, mask>>31&1, lower>>24&0xff)
				h, n, prev = asciiByte(words, h, n, prev, mask>>39&1, lower>>32&0xff)
				h, n, prev = asciiByte(words, h, n, prev, mask>>47&1, lower>>40&0xff)
				h, n, prev = asciiByte(words, h, n, prev, mask>>55&1, lower>>48&0xff)
				h, n, prev = asciiByte(words, h, n, prev, mask>>63&1, lower>>56)
				i += 8
				continue
			}
		}
		c := wordByte[text[i]]
		if c != multiByte {
			isw := uint64(0)
			if c != 0 {
				isw = 1
			}
			words[n] = h
			n += int(prev &^ isw)
			h = (h ^ uint64(c)) * fnvPrime & -isw
			prev = isw
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		i += size
		if !isWordRune(r) {
			words[n] = h
			n += int(prev)
			h, prev = 0, 0
			continue
		}
		var enc [utf8.UTFMax]byte
		for _, b := range enc[:utf8.EncodeRune(enc[:], unicode.ToLower(r))] {
			h = (h ^ uint64(b)) * fnvPrime
		}
		prev = 1
	}
	if prev == 1 {
		words[n] = h
		n++
	}
	words = words[:n]
	for j, w := range words {
		words[j] = wordHash(w ^ s.seed)
	}
	s.words = words
	return words
}

// asciiByte is one byte of wordHashes' ASCII loop: store the word hash h
// at words[n], advance n where a word just ended (prev and not isw), and
// fold the byte c into h, or reset h at a separator.
func asciiByte(words []uint64, h uint64, n int, prev, isw, c uint64) (uint64, int, uint64) {
	words[n] = h
	n += int(prev &^ isw)
	return (h ^ c) * fnvPrime & -isw, n, isw
}

// appendGrams appends the hashes of the n-grams of the word hashes.
func (s *shingler) appendGrams(dst []uint64, words []uint64) []uint64 {
	n := s.n
	if len(words) == 0 {
		return dst
	}
	var gram uint64
	for _, w := range words[:min(n, len(words))] {
		gram = gram*gramMul + w
	}
	dst = append(dst, gram) // all the words, if fewer than n
	for i := n; i < len(words); i++ {
		gram = (gram-words[i-n]*s.powN)*gramMul + words[i]
		dst = append(dst, gram)
	}
	return dst
}

// signGrams is appendGrams fused with what dedup does with each shingle
// hash h: oph.Add(sig, h), and uint32(h)>>8, the 24-bit set member
// (shinglelog.go), appended to set. sig must come from oph.Reset. It
// returns set and the number of shingles.
func (s *shingler) signGrams(words []uint64, oph *sketch.OnePerm, sig []uint64, set []uint32) ([]uint32, int) {
	n := s.n
	if len(words) == 0 {
		return set, 0
	}
	var gram uint64
	for _, w := range words[:min(n, len(words))] {
		gram = gram*gramMul + w
	}
	oph.Add(sig, gram) // all the words, if fewer than n
	set = append(set, uint32(gram)>>8)
	if len(words) <= n {
		return set, 1
	}
	// One slice of the right length, written by index: no append's
	// capacity check per shingle.
	at := len(set)
	set = slices.Grow(set, len(words)-n)[:at+len(words)-n]
	out := set[at:]
	old, cur := words[:len(words)-n], words[n:]
	powN := s.powN
	for i, w := range cur {
		gram = (gram-old[i]*powN)*gramMul + w
		oph.Add(sig, gram)
		out[i] = uint32(gram) >> 8
	}
	return set, 1 + len(cur)
}

// isWordRune reports whether r belongs in a word: a Unicode letter or
// number, as in the peer pipeline.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return wordByte[r] != 0
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}
