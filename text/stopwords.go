package text

// stopwords are English function words that carry no topic: they are left
// out of content-word features. Kept as a switch-free map literal built once;
// the set is fixed, so it is not global mutable state.
var stopwords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range stopwordList {
		m[w] = struct{}{}
	}
	return m
}()

// IsStopword reports whether w (already lower-cased) is an English function
// word such as "the", "of" or "said".
func IsStopword(w string) bool {
	_, ok := stopwords[w]
	return ok
}

var stopwordList = []string{
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
	"around", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
	"by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either", "even",
	"ever", "every", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
	"here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is",
	"it", "its", "itself", "just", "least", "less", "like", "made", "make", "many", "may", "me",
	"might", "more", "most", "much", "must", "my", "myself", "neither", "no", "nor", "not", "now", "of",
	"off", "on", "once", "one", "only", "or", "other", "others", "our", "ours", "ourselves", "out",
	"over", "own", "per", "quite", "rather", "really", "said", "same", "say", "says", "several", "she",
	"should", "since", "so", "some", "still", "such", "than", "that", "the", "their", "theirs", "them",
	"themselves", "then", "there", "these", "they", "this", "those", "though", "through", "thus", "to",
	"too", "under", "until", "up", "upon", "us", "very", "via", "was", "we", "were", "what", "when",
	"where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
	"without", "would", "yet", "you", "your", "yours", "yourself", "s", "t", "d", "ll", "m", "re", "ve",
	"according", "among", "amid", "already", "another", "away", "back", "let", "lot", "got", "get",
	"gets", "go", "goes", "went", "gone", "told", "tell", "new",
}
