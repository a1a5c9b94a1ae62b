package verify

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/zeebo/xxh3"

	retold "github.com/retold/retold"
	"github.com/retold/retold/align"
	"github.com/retold/retold/features"
	"github.com/retold/retold/sketch"
	"github.com/retold/retold/text"
)

// Profile is a document analysed once for comparison: sentences, their
// alignment features, facts and document-level shingle sets. A Profile is
// read-only after it is made (the sentence features are built once, on
// first use, under a sync.Once), so one may be compared with many others
// from several goroutines.
type Profile struct {
	Doc  retold.Document
	Text *text.Doc

	once    sync.Once // builds, on first use (features):
	uniq    []uint64  // the distinct feature hashes, sorted
	ucount  []int32   // sentences holding each of uniq
	sentEnd []int32   // sentence i's features are fidx[sentEnd[i-1]:sentEnd[i]]
	fidx    []int32   // each feature's index in uniq, by sentence, in hash order within one
	fweight []float64 // each feature's weight
	weights []float64 // content weight of each sentence; 0 for captions

	numbers  []number
	entities []entity

	normHash uint64   // hash of the normalized token sequence
	word5    []uint64 // sorted unique word 5-gram hashes
	stems    []uint64 // sorted unique content stem hashes
	charOnce sync.Once
	char5    []uint64 // sorted unique character 5-gram hashes, built by char5Set
	words    int
	english  float64    // share of tokens that are English stopwords
	lang     string     // text.Language's guess, "" when unsure
	facts    []uint64   // distinct facts in order of appearance (factSequence)
	factRank []factRank // the same sorted by hash

	factOnce  sync.Once
	factSet   []uint64 // built by FactSet
	numOnce   sync.Once
	numKeys   map[string]numberKey // built by numberKeys
	nameOnce  sync.Once
	nameTab   *nameTable // built by names
	wordOnce  sync.Once
	words3    []sentenceWording // each sentence's authored wording, built by wording
	transOnce sync.Once
	trans     *transWords // the translation measure's slots, built by translationWords
	authored  docWording  // the whole text's, built with words3
}

type number struct {
	features.Number
	sent    int
	context []string // stems of the context words
	key     string   // unit and value: what "the same number" means
	role    string   // what it counts (features.Number.Role, or "year"), "" unknown
	noun    string   // the stem of its counted noun, "" none
}

// roleYear is the role of a bare number that reads as a year: a year
// never pairs with a toll.
const roleYear = "year"

// roleOf is n's role: the one its clause gives it, unless its value
// cannot play it, else "year" for a bare integer from 1900 to 2100 that
// counts nothing. A magnitude is under 10 ("a 1999 magnitude 7.7
// quake": 1999 is no magnitude), and people are counted in whole numbers
// ("a 7.7 temblor that killed": 7.7 counts no dead).
func roleOf(n features.Number) string {
	role := n.Role
	switch role {
	case features.RoleMagnitude:
		if v, err := strconv.ParseFloat(n.Value, 64); err != nil || v >= 10 {
			role = ""
		}
	case features.RoleDead, features.RoleInjured, features.RoleMissing, features.RoleArrested,
		features.RoleDisplaced, features.RoleRescued:
		if strings.Contains(n.Value, ".") {
			role = ""
		}
	}
	if role != "" || n.Unit != "" || n.Noun != "" || len(n.Value) != 4 {
		return role
	}
	if v := n.Value; (v[:2] == "19" || v[:2] == "20" || v == "2100") && isDigits(v) {
		return roleYear
	}
	return ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// codeNames adds to entities, in text order, each code among numbers
// that no entity covers ("737-800", "A320"): a code is no quantity but it
// names a thing, and both texts of a version keep it.
func codeNames(entities []entity, numbers []number) []entity {
	var add []entity
	for _, n := range numbers {
		if n.quantity() {
			continue
		}
		covered := slices.ContainsFunc(entities, func(e entity) bool { return e.Start <= n.Start && n.End <= e.End })
		if covered {
			continue
		}
		key := strings.ReplaceAll(n.Value, "-", "")
		add = append(add, entity{Entity: features.Entity{Text: n.Text, Key: key, Words: []string{key}, Start: n.Start, End: n.End}, sent: n.sent})
	}
	if len(add) == 0 {
		return entities
	}
	out := append(entities, add...)
	slices.SortStableFunc(out, func(x, y entity) int { return cmp.Compare(x.Start, y.Start) })
	return out
}

// quantity reports whether n is a quantity the fact diff compares: codes
// and names that hold digits ("Mir-24", "F-16", "737-800") are not; they
// still count as tokens and as names.
func (n *number) quantity() bool { return n.Unit != "code" }

type entity struct {
	features.Entity
	sent int
}

// Feature kinds, mixed into the hash so a stem never collides with a number
// or a name key of the same spelling.
const (
	kindStem byte = iota + 1
	kindNumber
	kindName
	kindGram
	kindWord5
	kindChar5
)

// Feature weights in sentence similarity. A number or a name is worth more
// than a common word: facts survive rewording and translation. Character
// 4-grams of content words add a little weight shared by spelling variants
// and inflections that stemming misses.
const (
	weightStem   = 1.0
	weightNumber = 1.5
	weightName   = 1.0
	weightGrams  = 0.5 // per word, spread over its 4-grams
)

// char5Sample is the modulus of the character 5-gram sample.
const char5Sample = 4

func hashKind(kind byte, s string) uint64 {
	return xxh3.HashStringSeed(s, uint64(kind)*0x9E3779B97F4A7C15)
}

func hashKindBytes(kind byte, b []byte) uint64 {
	return xxh3.HashSeed(b, uint64(kind)*0x9E3779B97F4A7C15)
}

// Profile analyses d for comparison.
func (c *Comparer) Profile(d retold.Document) *Profile {
	t := text.Analyze(d.Text, c.stemmer)
	p := &Profile{Doc: d, Text: t}
	p.weights = make([]float64, len(t.Sentences))

	// Facts, each assigned to the sentence that holds it.
	nums := features.Numbers(d.Text)
	p.numbers = make([]number, 0, len(nums))
	for _, n := range nums {
		si := sentenceAt(t, n.Start)
		if si < 0 {
			continue
		}
		ctx := make([]string, 0, len(n.Left)+len(n.Right))
		for _, w := range append(slices.Clip(n.Left), n.Right...) {
			ctx = append(ctx, c.stemmer.Stem(w))
		}
		nb := number{Number: n, sent: si, context: ctx, key: n.Unit + "\x00" + n.Value, role: roleOf(n)}
		if n.Noun != "" {
			nb.noun = c.stemmer.Stem(n.Noun)
		}
		p.numbers = append(p.numbers, nb)
	}
	ents := features.Entities(d.Text)
	p.entities = make([]entity, 0, len(ents))
	for _, e := range ents {
		if si := sentenceAt(t, e.Start); si >= 0 {
			p.entities = append(p.entities, entity{Entity: e, sent: si})
		}
	}
	p.entities = codeNames(p.entities, p.numbers)

	// Content weight of each sentence: its content words and numbers.
	ni := 0
	for si, s := range t.Sentences {
		words := 0
		r := t.SentTokens[si]
		for k := r.Start; k < r.End; k++ {
			if t.Stems[k] != "" {
				words++
			}
		}
		for ; ni < len(p.numbers) && p.numbers[ni].sent <= si; ni++ {
			if p.numbers[ni].sent == si {
				words++
			}
		}
		if !s.Caption {
			p.weights[si] = float64(words)
		}
		p.words += words
	}

	p.normHash, p.word5, p.stems = docShingles(t)
	p.english = englishShare(t)
	p.lang = text.Language(t)
	p.facts = factSequence(p)
	p.factRank = factRanks(p.facts)
	return p
}

// features builds the sentences' alignment features on first use: a
// profile judged on its facts alone (see Judge) never needs them. It also
// settles the weights of a text made only of captions.
func (p *Profile) features() {
	p.once.Do(p.buildFeatures)
}

// buildFeatures makes the table pairWeighted works from: the document's
// distinct features (uniq, sorted), how many sentences hold each (ucount),
// and each sentence's features as indexes into uniq with their weights,
// in hash order, a feature repeated in a sentence counted once at its
// largest weight. One stable sort of all the document's features gives
// both the table and, dealt out to the sentences in that order, each
// sentence's features sorted: no sentence is sorted on its own.
func (p *Profile) buildFeatures() {
	t := p.Text
	sc := tableScratch.Get().(*featureScratch)
	defer tableScratch.Put(sc)
	// Every feature, in sentence order: a stem and the character grams of
	// each content word, the numbers and the entity words.
	fs := sc.fs[:0]
	sent := sc.sent[:0]
	ni, ei := 0, 0
	var buf []byte
	for si := range t.Sentences {
		first := len(fs)
		r := t.SentTokens[si]
		for k := r.Start; k < r.End; k++ {
			st := t.Stems[k]
			if st == "" {
				continue
			}
			fs = append(fs, align.Feature{Hash: hashKind(kindStem, st), Weight: weightStem})
			fs, buf = appendGrams(fs, t.Tokens[k].Norm, buf)
		}
		for ; ni < len(p.numbers) && p.numbers[ni].sent <= si; ni++ {
			if p.numbers[ni].sent == si {
				fs = append(fs, align.Feature{Hash: hashKind(kindNumber, p.numbers[ni].Unit+p.numbers[ni].Value), Weight: weightNumber})
			}
		}
		for ; ei < len(p.entities) && p.entities[ei].sent <= si; ei++ {
			if p.entities[ei].sent == si {
				for _, k := range p.entities[ei].Words {
					fs = append(fs, align.Feature{Hash: hashKind(kindName, k), Weight: weightName})
				}
			}
		}
		for range len(fs) - first {
			sent = append(sent, int32(si))
		}
	}
	hs := slices.Grow(sc.hashes[:0], len(fs))
	at := slices.Grow(sc.at[:0], len(fs)) // each hash's feature, carried through the sort
	for i, f := range fs {
		hs = append(hs, f.Hash)
		at = append(at, int32(i))
	}
	// Stable: a hash's features stay in sentence order, so its repeats
	// within one sentence lie next to each other.
	sketch.SortWithValues(hs, at)

	// Merge the repeats within a sentence; count the sentences per hash.
	ents := slices.Grow(sc.ents[:0], len(hs))
	distinct := 0
	for i, h := range hs {
		if i == 0 || h != hs[i-1] {
			distinct++
		}
	}
	p.uniq = make([]uint64, 0, distinct)
	p.ucount = make([]int32, 0, distinct)
	perSent := make([]int32, len(t.Sentences)+1)
	for i, h := range hs {
		f := at[i]
		if i == 0 || h != hs[i-1] {
			p.uniq = append(p.uniq, h)
			p.ucount = append(p.ucount, 0)
		}
		u := int32(len(p.uniq) - 1)
		if n := len(ents); n > 0 && ents[n-1].u == u && ents[n-1].sent == sent[f] {
			ents[n-1].w = max(ents[n-1].w, fs[f].Weight)
			continue
		}
		ents = append(ents, featureEntry{u: u, sent: sent[f], w: fs[f].Weight})
		p.ucount[u]++
		perSent[sent[f]+1]++
	}
	// Deal the entries out to their sentences, in hash order.
	for si := range t.Sentences {
		perSent[si+1] += perSent[si]
	}
	p.sentEnd = perSent[1:]
	p.fidx = make([]int32, len(ents))
	p.fweight = make([]float64, len(ents))
	next := sc.next[:0]
	next = append(next, perSent[:len(t.Sentences)]...)
	for _, e := range ents {
		k := next[e.sent]
		next[e.sent]++
		p.fidx[k], p.fweight[k] = e.u, e.w
	}
	sc.fs, sc.sent, sc.hashes, sc.at, sc.ents, sc.next = fs, sent, hs, at, ents, next
	// A text made only of caption-like lines (a list, a short note) still
	// needs weight to be compared at all.
	if sum(p.weights) == 0 {
		for si := range p.weights {
			p.weights[si] = float64(p.sentFeatures(si))
		}
	}
}

// sentFeatures is the number of distinct features of sentence si.
func (p *Profile) sentFeatures(si int) int {
	if si == 0 {
		return int(p.sentEnd[0])
	}
	return int(p.sentEnd[si] - p.sentEnd[si-1])
}

// featureScratch is the temporary space of the feature table, reused
// across profiles: it is as large as the document's features, and
// garbage the moment the table is built.
type featureScratch struct {
	fs     []align.Feature
	sent   []int32
	hashes []uint64
	at     []int32
	ents   []featureEntry
	next   []int32
}

// featureEntry is one distinct feature of one sentence: its index in uniq
// and its weight.
type featureEntry struct {
	u, sent int32
	w       float64
}

var tableScratch = sync.Pool{New: func() any { return new(featureScratch) }}

// appendGrams adds the character 4-grams of a word, padded with spaces at
// both ends, sharing weightGrams between them. buf is scratch space for the
// padded word; the grown buffer is returned for reuse.
func appendGrams(fs []align.Feature, w string, buf []byte) ([]align.Feature, []byte) {
	const n = 4
	buf = append(append(append(buf[:0], ' '), w...), ' ')
	runes := utf8.RuneCount(buf)
	if runes <= n {
		return append(fs, align.Feature{Hash: hashKindBytes(kindGram, buf), Weight: weightGrams}), buf
	}
	count := runes - n + 1
	wt := weightGrams / float64(count)
	// start and end walk the padded word n runes apart.
	start, end := 0, 0
	for range n {
		_, size := utf8.DecodeRune(buf[end:])
		end += size
	}
	for {
		fs = append(fs, align.Feature{Hash: hashKindBytes(kindGram, buf[start:end]), Weight: wt})
		if end == len(buf) {
			return fs, buf
		}
		_, size := utf8.DecodeRune(buf[start:])
		start += size
		_, size = utf8.DecodeRune(buf[end:])
		end += size
	}
}

// sentenceAt returns the index of the sentence containing byte offset off,
// or -1 when off falls between sentences.
func sentenceAt(t *text.Doc, off int) int {
	i, found := slices.BinarySearchFunc(t.Sentences, off, func(s text.Sentence, off int) int {
		switch {
		case s.End <= off:
			return -1
		case s.Start > off:
			return 1
		}
		return 0
	})
	if !found {
		return -1
	}
	return i
}

// joinedTokens is the normalized token sequence joined by spaces.
func joinedTokens(t *text.Doc) string {
	var b strings.Builder
	size := len(t.Tokens)
	for _, tok := range t.Tokens {
		size += len(tok.Norm)
	}
	b.Grow(size)
	for i, tok := range t.Tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tok.Norm)
	}
	return b.String()
}

// docShingles computes the document-level sets: the hash of the whole
// normalized token sequence, word 5-grams over all tokens, and content
// stems.
func docShingles(t *text.Doc) (normHash uint64, word5, stems []uint64) {
	joined := joinedTokens(t)
	normHash = xxh3.HashString(joined)

	const k = 5
	if n := len(t.Tokens); n > 0 {
		word5 = make([]uint64, 0, max(1, n-k+1))
		if n < k {
			word5 = append(word5, hashKind(kindWord5, joined))
		}
		// The 5-gram ending at token i starts where token i-k+1 does:
		// the last k token starts, in a ring, hash it without copying.
		var starts [k]int
		pos := 0
		for i, tok := range t.Tokens {
			starts[i%k] = pos
			pos += len(tok.Norm) + 1
			if i+1 >= k {
				word5 = append(word5, hashKind(kindWord5, joined[starts[(i+1)%k]:pos-1]))
			}
		}
	}
	content := 0
	for _, st := range t.Stems {
		if st != "" {
			content++
		}
	}
	stems = make([]uint64, 0, content)
	for _, st := range t.Stems {
		if st != "" {
			stems = append(stems, hashKind(kindStem, st))
		}
	}
	return normHash, sketch.Set(word5), sketch.Set(stems)
}

// char5Set returns the sorted unique character 5-grams of the normalized
// tokens joined by spaces, built on first use (only a full comparison
// reports their Jaccard). They are many (about six per word), so the set
// keeps only the hashes that are 0 mod char5Sample: Broder's mod-m sample,
// whose Jaccard is an unbiased estimate of the full sets' Jaccard.
func (p *Profile) char5Set() []uint64 {
	p.charOnce.Do(func() {
		const k = 5
		joined := joinedTokens(p.Text)
		var char5 []uint64
		// ring holds the byte offsets of the last k+1 rune starts.
		var ring [k + 1]int
		n := 0
		for i := range joined {
			ring[n%(k+1)] = i
			if n >= k {
				if h := hashKind(kindChar5, joined[ring[(n-k)%(k+1)]:i]); h%char5Sample == 0 {
					char5 = append(char5, h)
				}
			}
			n++
		}
		if n >= k {
			if h := hashKind(kindChar5, joined[ring[(n-k)%(k+1)]:]); h%char5Sample == 0 {
				char5 = append(char5, h)
			}
		}
		p.char5 = sketch.Set(char5)
	})
	return p.char5
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// ContentHash is the hash of the normalized token sequence: two profiles
// with equal hashes are duplicates.
func (p *Profile) ContentHash() uint64 { return p.normHash }

// EnglishShare is the share of the document's word tokens that are
// English function words: what the cross-language rule compares.
func (p *Profile) EnglishShare() float64 { return p.english }

// Language is the text's language as text.Language guesses it, "" when
// unsure.
func (p *Profile) Language() string { return p.lang }

// StemSet returns the sorted unique content stem hashes. The slice is the
// profile's own: do not modify it.
func (p *Profile) StemSet() []uint64 { return p.stems }

// FactSet returns the sorted unique hashes of the document's facts: each
// number's canonical value with its unit, and each word of each name by
// its transliteration key. These survive rewording and translation. It
// is built on first use (event linking asks for a partner's on every
// pair); the slice is the profile's own: do not modify it.
func (p *Profile) FactSet() []uint64 {
	p.factOnce.Do(func() {
		out := make([]uint64, 0, len(p.numbers)+2*len(p.entities))
		for _, n := range p.numbers {
			out = append(out, hashKind(kindNumber, n.Unit+n.Value))
		}
		for _, e := range p.entities {
			for _, k := range e.Words {
				out = append(out, hashKind(kindName, k))
			}
		}
		p.factSet = sketch.Set(out)
	})
	return p.factSet
}

// englishShare is the share of word tokens that are English stopwords.
func englishShare(t *text.Doc) float64 {
	words, stop := 0, 0
	for i, tok := range t.Tokens {
		if tok.Number {
			continue
		}
		words++
		if t.Stems[i] == "" && text.IsStopword(tok.Norm) {
			stop++
		}
	}
	if words == 0 {
		return 0
	}
	return float64(stop) / float64(words)
}

// factSequence is the document's distinct facts in order of first
// appearance: number keys and name keys, hashed.
func factSequence(p *Profile) []uint64 {
	type at struct {
		pos int
		key uint64
	}
	var seq []at
	seen := make(map[uint64]bool)
	for _, n := range p.numbers {
		if k := hashKind(kindNumber, n.key); !seen[k] {
			seen[k] = true
			seq = append(seq, at{n.Start, k})
		}
	}
	for _, e := range p.entities {
		if k := hashKind(kindName, e.Key); !seen[k] {
			seen[k] = true
			seq = append(seq, at{e.Start, k})
		}
	}
	slices.SortStableFunc(seq, func(x, y at) int { return x.pos - y.pos })
	out := make([]uint64, len(seq))
	for i, s := range seq {
		out[i] = s.key
	}
	return out
}

// factRank is a document's facts sorted by hash, with each one's place in
// the order of appearance, for factOrder's lookups.
type factRank struct {
	key uint64
	pos int32
}

func factRanks(seq []uint64) []factRank {
	out := make([]factRank, len(seq))
	for i, k := range seq {
		out[i] = factRank{k, int32(i)}
	}
	slices.SortFunc(out, func(x, y factRank) int { return cmp.Compare(x.key, y.key) })
	return out
}

// factOrder counts the facts two profiles share and the share of pairs of
// them in the same order in both.
func factOrder(a, b *Profile) (shared int, order float64) {
	var seq []int32 // positions in B of the shared facts, in A's order
	for _, k := range a.facts {
		i, ok := slices.BinarySearchFunc(b.factRank, k, func(r factRank, k uint64) int { return cmp.Compare(r.key, k) })
		if ok {
			seq = append(seq, b.factRank[i].pos)
		}
	}
	if len(seq) < 2 {
		return len(seq), 1
	}
	agree, total := 0, 0
	for i := range seq {
		for j := i + 1; j < len(seq); j++ {
			total++
			if seq[i] < seq[j] {
				agree++
			}
		}
	}
	return len(seq), float64(agree) / float64(total)
}
