// Package text turns a document's text into paragraphs, sentences and word
// tokens, keeping byte offsets into the original text all the way, so that
// any evidence retold reports (an aligned sentence, a changed number) can be
// shown where it stands in the source.
//
// The pipeline is: Segment (paragraphs, then sentences), Tokenize (words and
// numbers, per sentence), Normalize (per token: NFKC, case folding, curly
// quotes and dashes made plain) and Stem (English Snowball for Latin-script
// words; other scripts keep their normalized form).
//
// Normalizing per token rather than the whole text up front is what keeps the
// offsets exact: a token's Start and End always index the original text,
// while its Norm is the folded form used for matching.
//
// Segmentation is rule based. A sentence ends at '.', '!' or '?' (with any
// closing quotes or brackets after it) followed by space and a word that can
// start a sentence, unless the word before the period is a known
// abbreviation (Mr., Dr., Jan., No. 2), an initial (J. Smith), or a dotted
// acronym (U.S.) followed by a word that does not look like a sentence start.
// A line break always ends a sentence, except a break inside a hard-wrapped
// paragraph (a line not ending in punctuation followed by a lower-case
// word). Short lines with no final punctuation (photo credits, bylines,
// "Epoch Times Photo") and lines that end in a photo credit in parentheses
// are marked as captions, so that alignment can leave them out of coverage.
//
// Text in any script goes through without error: letters and digits of every
// script make tokens, and scripts written without spaces (Chinese, Japanese,
// Thai) give one token per character, which character n-grams can still
// match. Segmentation cost is linear in the text length.
//
// Analyze runs once per document, so its fast paths matter. ASCII text is
// scanned byte by byte without rune decoding (eight bytes at a time when
// looking for sentence ends), and an ASCII token without capitals is its own
// Norm, a substring of the text. Tokens are found first into pooled,
// pointer-free scratch and only then given their Norm strings, so the token
// and stem slices are allocated once at their exact size and the lower-cased
// forms of all capitalized words share one string. Stopwords are tested
// without hashing, and the Stemmer's cache is read without locks, laid out so
// that a lookup in a cache too big for the CPU's costs about one memory read.
// Each fast path has a test or fuzz test against a plain reference.
package text
