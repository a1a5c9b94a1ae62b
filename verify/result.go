package verify

import retold "github.com/retold/retold"

// Result is the verdict on a pair of documents with all the evidence behind
// it. Its JSON form is the stable schema of `retold compare --json`
// (documented in docs/json.md); field names never change meaning.
type Result struct {
	Verdict retold.Verdict `json:"verdict"`
	// Score is in [0, 1]: how strongly the pair is one story. The verdict
	// follows from the signals by the rule in Reason, not from Score alone.
	Score   float64 `json:"score"`
	Reason  string  `json:"reason"` // the rule that decided the verdict, in words
	Signals Signals `json:"signals"`
	A       DocInfo `json:"a"`
	B       DocInfo `json:"b"`

	Alignment []AlignedPair `json:"alignment"`
	OnlyInA   []SentenceRef `json:"only_in_a"`
	OnlyInB   []SentenceRef `json:"only_in_b"`
	Facts     FactDiff      `json:"facts"`
	// Reuse is how much of each text derives from the other: the
	// Churnalism question, asked of authored wording only.
	Reuse Reuse `json:"reuse"`
}

// Reuse measures how much of each text's authored wording derives from
// the other. Authored wording is what a reporter wrote around the facts:
// quotations are left out, and names and numbers are placeholders, so two
// independent reports that restate the same quotes and figures share
// little of it, while a copy, an edit, a rewrite or a translation shares
// much.
type Reuse struct {
	// Class is whole (most of both texts derive from each other, in
	// wording or sentence by sentence), partial
	// (a run of sentences, or a fair share of both, inside texts that are
	// otherwise their own) or none.
	Class string `json:"class"`
	// ShareA and ShareB are the shares of each text's authored content
	// words that stand in sentences derived from the other, each sentence
	// credited by how much wording its best aligned partner shares.
	ShareA float64 `json:"share_a"`
	ShareB float64 `json:"share_b"`
	// LongestRun is the longest run of verbatim or edited sentences kept
	// in order in both texts (at most one sentence between two of them).
	LongestRun int `json:"longest_run"`
	// Structure is the share of the shorter-followed text that the other
	// follows sentence by sentence: the smaller of the two ordered
	// coverages (Signals). A close rewrite keeps the original's selection
	// and order of details even where it changes every word; two
	// independent reports do not.
	Structure float64 `json:"structure"`
}

// Signals are the measurements the verdict rule reads.
type Signals struct {
	// CoverageA is the share of A's content (by content words) inside
	// sentences aligned to B; CoverageB the same for B.
	CoverageA float64 `json:"coverage_a"`
	CoverageB float64 `json:"coverage_b"`
	// SoftCoverageA and SoftCoverageB are the coverages with each aligned
	// sentence counted by how closely it matches (see credit): loose
	// matches, common between independent reports, count little.
	SoftCoverageA float64 `json:"soft_coverage_a"`
	SoftCoverageB float64 `json:"soft_coverage_b"`
	// OrderedCoverageA and OrderedCoverageB count only the aligned pairs
	// on the longest order-keeping run, with soft credit.
	OrderedCoverageA float64 `json:"ordered_coverage_a"`
	OrderedCoverageB float64 `json:"ordered_coverage_b"`
	// AlignedSimilarity is the mean similarity of the aligned pairs.
	AlignedSimilarity float64 `json:"aligned_similarity"`
	// OrderAgreement is the share of aligned pairs in the longest run that
	// keeps the same order in both documents.
	OrderAgreement float64 `json:"order_agreement"`
	// Word5Jaccard is the Jaccard similarity of word 5-gram sets (what
	// MinHash dedup estimates); StemJaccard of content-word stem sets;
	// Char5Jaccard of character 5-gram sets.
	Word5Jaccard float64 `json:"word5_jaccard"`
	StemJaccard  float64 `json:"stem_jaccard"`
	Char5Jaccard float64 `json:"char5_jaccard"`
	// NumberAgreement is the share of numbers (with their context) the two
	// documents have in common; EntityAgreement the same for named entities.
	NumberAgreement float64 `json:"number_agreement"`
	EntityAgreement float64 `json:"entity_agreement"`
	// SharedFacts is the number of distinct facts (numbers by value,
	// names by transliteration key) found in both documents; FactOrder is
	// the share of pairs of them that come in the same order in both
	// (1 when fewer than two are shared).
	SharedFacts int     `json:"shared_facts"`
	FactOrder   float64 `json:"fact_order"`
	// EnglishA and EnglishB are the shares of each text's words that are
	// English function words: about 0.4 for English, under 0.1 for most
	// other languages. A pair far apart is judged on its facts.
	EnglishA float64 `json:"english_a"`
	EnglishB float64 `json:"english_b"`
	// LangA and LangB are the texts' languages as guessed from their
	// function words and scripts (ISO 639-1), "" when unsure. Texts in two
	// different languages are judged on their facts.
	LangA string `json:"lang_a,omitempty"`
	LangB string `json:"lang_b,omitempty"`
	// Translation is the translation measure of texts in different
	// languages (see translation.go): how far their sentences, rendered
	// word by word in English, follow each other above their average
	// likeness. TranslationRead says it was taken: both languages are
	// English or have a dictionary.
	Translation     float64 `json:"translation,omitempty"`
	TranslationRead bool    `json:"translation_read,omitempty"`
}

// DocInfo names one side of the comparison.
type DocInfo struct {
	Name      string `json:"name"` // file name or record id
	Title     string `json:"title,omitempty"`
	Sentences int    `json:"sentences"`
	Words     int    `json:"words"`
}

// AlignedPair is one sentence of A matched with one sentence of B. A sentence
// split in two in the other document shows up as two pairs sharing an index.
type AlignedPair struct {
	A          int     `json:"a"` // sentence index in A
	B          int     `json:"b"` // sentence index in B
	AText      string  `json:"a_text"`
	BText      string  `json:"b_text"`
	Similarity float64 `json:"similarity"`
	// Wording is how much authored wording the two sentences share, in
	// [0, 1]; Shares names what they share: verbatim, edited, paraphrase,
	// translation or quote-only (only quotes, names, numbers and common
	// words).
	Wording float64 `json:"wording"`
	Shares  string  `json:"shares"`
	// Byte spans of the two sentences in their documents' texts.
	AStart int `json:"a_start"`
	AEnd   int `json:"a_end"`
	BStart int `json:"b_start"`
	BEnd   int `json:"b_end"`
}

// SentenceRef is one sentence of a document, with its byte span in the
// document's text.
type SentenceRef struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// FactDiff compares the facts of the two documents.
type FactDiff struct {
	Numbers  NumberDiff `json:"numbers"`
	Entities EntityDiff `json:"entities"`
}

// NumberDiff sorts the numbers of both documents: the same fact with the same
// value, the same fact (same context words) with a changed value, and the
// numbers found on one side only.
type NumberDiff struct {
	Same    []NumberItem   `json:"same"` // A's occurrence of each shared value
	Changed []NumberChange `json:"changed"`
	OnlyInA []NumberItem   `json:"only_in_a"`
	OnlyInB []NumberItem   `json:"only_in_b"`
}

// NumberItem is one number as it occurs in a document.
type NumberItem struct {
	Value    string `json:"value"`          // canonical decimal: "2200", "4", "5800000"
	Unit     string `json:"unit,omitempty"` // "%", "$", "m", "km", ... or empty
	Role     string `json:"role,omitempty"` // what it counts, when its clause says: "dead", "injured", "missing", "arrested", "displaced", "rescued", "age", "magnitude", "votes", "year"
	Noun     string `json:"noun,omitempty"` // the counted noun as written, lower-cased: "people", "troops"
	Text     string `json:"text"`           // as written: "2,200", "four"
	Context  string `json:"context"`        // the words around it
	Sentence int    `json:"sentence"`
	Start    int    `json:"start"` // byte span of Text in the document
	End      int    `json:"end"`
}

// NumberChange is one fact whose value differs between the documents
// ("164 killed" in A, "26 killed" in B): two numbers with the same unit
// that count the same thing.
type NumberChange struct {
	A    NumberItem `json:"a"`
	B    NumberItem `json:"b"`
	Role string     `json:"role,omitempty"` // the role they share, when one is known
}

// EntityDiff sorts named entities. Same lists A's entities found in B too
// (by key, or by the key of their last word: "Karim Massimov" and
// "Masimov"); Variants lists the name words that have one key but are
// spelled differently on the two sides (Tokaev / Tokayev); OnlyInA and
// OnlyInB the rest.
type EntityDiff struct {
	Same     []EntityItem    `json:"same"`
	Variants []EntityVariant `json:"variants"`
	OnlyInA  []EntityItem    `json:"only_in_a"`
	OnlyInB  []EntityItem    `json:"only_in_b"`
}

// EntityItem is one named entity as written, with its key.
type EntityItem struct {
	Text  string `json:"text"`
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// EntityVariant is one entity spelled differently in A and B.
type EntityVariant struct {
	A   string `json:"a"`
	B   string `json:"b"`
	Key string `json:"key"`
}
