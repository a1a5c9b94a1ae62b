package text

// IsStopword reports whether w (already lower-cased) is an English function
// word such as "the", "of" or "said": stopwords carry no topic and are left
// out of content-word features.
//
// Most words that are not stopwords fail a first test on their length and
// first and last letters, one bit in stopwordEnds; the rest are looked up in
// stopwordTable. Neither needs a string hash, and the first needs no
// comparison.
func IsStopword(w string) bool {
	n := len(w)
	if n == 0 || n >= len(stopwordEnds) {
		return false
	}
	first, last := w[0]-'a', w[n-1]-'a' // wrap above 25 unless a-z
	if first >= 26 || last >= 26 || stopwordEnds[n][first]&(1<<last) == 0 {
		return false
	}
	for i := stopwordSlot(w); ; i = (i + 1) % uint(len(stopwordTable)) {
		switch sw := stopwordTable[i]; sw {
		case "":
			return false
		case w:
			return true
		}
	}
}

// stopwordEnds[n][f] has bit l set if a stopword of n letters starts with
// 'a'+f and ends with 'a'+l. Stopwords have at most 10 letters.
var stopwordEnds = func() (m [11][26]uint32) {
	for _, w := range stopwordList {
		m[len(w)][w[0]-'a'] |= 1 << (w[len(w)-1] - 'a')
	}
	return m
}()

// stopwordTable holds the stopwords in an open-addressing table at most
// half full, starting at stopwordSlot.
var stopwordTable = func() (t [512]string) {
	for _, w := range stopwordList {
		i := stopwordSlot(w)
		for t[i] != "" {
			i = (i + 1) % uint(len(t))
		}
		t[i] = w
	}
	return t
}()

// stopwordSlot returns the home slot of the non-empty w in stopwordTable,
// from a multiplicative hash of its length and three of its letters.
func stopwordSlot(w string) uint {
	n := len(w)
	k := uint64(w[0]) | uint64(w[n-1])<<8 | uint64(w[n/2])<<16 | uint64(n)<<24
	return uint(k * 0x9e3779b97f4a7c15 >> 55) // top 9 bits: 0 to 511
}

// stopwordList is the set IsStopword tests, a-z only. The set is fixed, so
// the tables built from it are not mutable state.
var stopwordList = []string{
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
	"are", "around", "as", "at", "be", "because", "been", "before", "being", "below", "between",
	"both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each",
	"either", "even", "ever", "every", "few", "for", "from", "further", "had", "has", "have",
	"having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i",
	"if", "in", "into", "is", "it", "its", "itself", "just", "least", "less", "like", "made", "make",
	"many", "may", "me", "might", "more", "most", "much", "must", "my", "myself", "neither", "no",
	"nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "others", "our",
	"ours", "ourselves", "out", "over", "own", "per", "quite", "rather", "really", "said", "same",
	"say", "says", "several", "she", "should", "since", "so", "some", "still", "such", "than", "that",
	"the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those",
	"though", "through", "thus", "to", "too", "under", "until", "up", "upon", "us", "very", "via",
	"was", "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose",
	"why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself",
	"s", "t", "d", "ll", "m", "re", "ve", "according", "among", "amid", "already", "another", "away",
	"back", "let", "lot", "got", "get", "gets", "go", "goes", "went", "gone", "told", "tell", "new",
}
