package explain

import (
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Word-level diff inside an aligned sentence pair, as NewsDiffs shows
// it: the words one version dropped, added or replaced. The two sentences
// are cut into tokens (a word or one other character; white space only
// separates them, so a changed space is no change), each distinct token
// becomes one rune, and diff-match-patch diffs the rune strings (Myers,
// the shortest edit). Its semantic clean-up is not used: at the level of
// whole words it folds a kept word between two additions into one
// replacement ("from villages" against "from flooded villages overnight").

// Classes of a word-diff range.
const (
	wordDeleted  = "w-del" // in A only
	wordInserted = "w-ins" // in B only
	wordReplaced = "w-rep" // replaced by (or replacing) the other side's words
)

// maxDiffTokens bounds the tokens of a sentence that is word-diffed: the
// diff runs with no time limit (a limit would make the output depend on
// the machine's speed), so a pathological sentence is shown unmarked.
const maxDiffTokens = 600

// WordRange is a byte range of a text that the word diff marks, with its
// class: "w-del" (only in A), "w-ins" (only in B), "w-rep" (reworded).
type WordRange struct {
	Start, End int
	Class      string
}

// WordDiff returns the ranges of a and of b that the other text does not
// share, word by word, as the compare page marks them. Identical texts,
// and texts over maxDiffTokens, give none.
func WordDiff(a, b string) (ra, rb []WordRange) {
	if a == b {
		return nil, nil
	}
	ta, tb := tokenSpans(a), tokenSpans(b)
	if len(ta) > maxDiffTokens || len(tb) > maxDiffTokens {
		return nil, nil
	}
	ids := map[string]rune{}
	encode := func(s string, spans [][2]int) []rune {
		out := make([]rune, len(spans))
		for i, sp := range spans {
			tok := s[sp[0]:sp[1]]
			r, ok := ids[tok]
			if !ok {
				r = tokenRune(len(ids))
				ids[tok] = r
			}
			out[i] = r
		}
		return out
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffMainRunes(encode(a, ta), encode(b, tb), false)
	i, j := 0, 0 // token positions in a and b
	for k, d := range diffs {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			i, j = i+n, j+n
		case diffmatchpatch.DiffDelete:
			ra = appendRange(ra, a, ta[i:i+n], editClass(diffs, k, diffmatchpatch.DiffInsert, wordDeleted))
			i += n
		case diffmatchpatch.DiffInsert:
			rb = appendRange(rb, b, tb[j:j+n], editClass(diffs, k, diffmatchpatch.DiffDelete, wordInserted))
			j += n
		}
	}
	return ra, rb
}

// editClass is the class of edit k: reworded when an edit of the other
// kind stands next to it, else lone (dropped or added).
func editClass(diffs []diffmatchpatch.Diff, k int, other diffmatchpatch.Operation, lone string) string {
	if k+1 < len(diffs) && diffs[k+1].Type == other || k > 0 && diffs[k-1].Type == other {
		return wordReplaced
	}
	return lone
}

// tokenRune is the rune standing for the n-th distinct token: private-use
// code points, which no clean-up step treats as text.
func tokenRune(n int) rune {
	if n < 0xF8FF-0xE000 {
		return rune(0xE000 + n)
	}
	return rune(0xF0000 + n)
}

// appendRange marks the run of tokens spans of s, from its first token
// to its last (the spaces between them included).
func appendRange(out []WordRange, s string, spans [][2]int, class string) []WordRange {
	if len(spans) == 0 {
		return out
	}
	return append(out, WordRange{spans[0][0], spans[len(spans)-1][1], class})
}

// tokenSpans cuts s into words (letters, digits and marks, with inner
// apostrophes and hyphens) and single other characters, as byte spans;
// white space is left out.
func tokenSpans(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		switch {
		case unicode.IsSpace(r):
			i = j
			continue
		case isWordRune(r):
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r) {
					j += size
					continue
				}
				// "don't", "Kassym-Jomart": one word when a letter follows.
				if (r == '\'' || r == '’' || r == '-') && j+size < len(s) {
					if next, _ := utf8.DecodeRuneInString(s[j+size:]); isWordRune(next) {
						j += size
						continue
					}
				}
				break
			}
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
