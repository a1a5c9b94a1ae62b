// Package features pulls the checkable facts out of a news text: numbers,
// named entities, direct quotations and dates. Two versions of one story (a
// wire copy and its rewrite, or two machine translations) share these facts
// even when no sentence survives word for word, so they are what retold
// compares to decide that two texts tell the same story and to say how they
// differ ("164 dead" against "103 dead").
//
// Every extractor takes the raw text and returns spans as byte offsets into
// it, with Text == text[Start:End], so evidence can always point back at
// the original. All of them are single left-to-right scanners without
// regular expressions; their lookup tables are package-level values built
// once and never written. They are safe for concurrent use and never panic,
// whatever the input (FuzzExtract checks this, invalid UTF-8 included).
//
// # Numbers
//
// A tokenizer (tokens.go) cuts the text into words, numeric tokens,
// symbols and breaks (a sentence end or line break), remembering for each
// token whether it was glued to, hyphen-joined to, or space-separated from
// the previous one. A numeric token takes its separators greedily: "2,200",
// "5.8", "2.000.000", "8:33", Arabic "١٬٣٠٠". Digits of any script count,
// with their value taken from their offset in Unicode's ten-digit blocks.
//
// A small grammar then reads, at each token: an optional currency (a
// Unicode currency sign, "US$", or an ISO code such as "USD"), the number
// (digits, or spelled-out words combined by a word-class grammar so that
// "one hundred and six" is 106 but "one two" is not 12), optional scale
// words ("5.8 million", or glued "1.2bn"; the short "m", "k", "b" only after
// a currency, since "100m" is usually metres), and an optional unit after
// it ("%", "percent", "per cent", "dollars", "euros", "km", ...). Values
// are exact decimal strings: scale words move the decimal point, so "5.8
// million" is "5800000" without floating point.
//
// Ambiguities are settled by rules, each tested:
//
//   - "2.000": dot groups of exactly three digits are thousands when there
//     are two or more ("2.000.000"); a single group is thousands only when
//     the integer part has one to three digits, a word that is not a scale
//     word follows, and the text nowhere writes English "1,234" thousands.
//     Otherwise the dot is a decimal point ("2.000" -> "2").
//   - A decimal comma ("2,5") is not recognised; it reads as 2 and 5.
//   - Codes keep their letters and are matched as written, lower-cased,
//     with Unit "code": letters glued to digits ("MU5735", "5G", "1990s"),
//     a word with a capital hyphen-joined to digits ("COVID-19",
//     "Mir-24"), and digits hyphen-joined to digits when both parts have
//     three or more digits and are not a year range ("737-800").
//     "2019-2020" and "10-15" are two numbers; ISO dates belong to Dates.
//   - A word hyphen-joined to a number is context, not part of it:
//     "four-year-old" is the Number "four" with Right ["year" "old" ...].
//   - A lone "one" counts only before a content word ("one person") or a
//     hyphen ("one-year"), and never after "no", "the", "any", "each"...
//     "a" counts only before a scale word ("a dozen", "a million").
//     Ordinals ("first", "3rd") and fractions ("half") are not numbers.
//   - Times are "h:mm" in 24-hour form: "8:33 p.m." and "20:33" agree.
//
// Left and Right context words let a comparison tell "16 police" from "16
// demonstrators" when the digits agree.
//
// # Entities
//
// A name is a maximal run of capitalized (or all-caps) words separated by
// spaces, with lower-case connectors (of, the, de, al, von, bin, ...)
// allowed between capitalized words. Sentence-initial capitals are the
// classic false positive; the scanner drops leading capitalized stopwords
// and, for a lone word at a sentence or line start, waits until the whole
// text is scanned and drops it if the same word also occurs in lower case.
// That check is one extra pass over the text for all candidates together,
// so the cost stays linear. Scripts without case yield no entities.
//
// # Transliteration keys
//
// The same person is "Tokaev" in one translation and "Tokayev" in another;
// "Massimov" and "Masimov" are one man. WordKey maps a word to ASCII with
// unidecode, keeps letters and digits, and applies a short, ordered list of
// rewrite rules that erase the usual differences between transliteration
// schemes (kh/h, ph/f, c/q/k, w/v, y between vowels before e, vowel y as i,
// doubled letters) while leaving distinct names distinct (Iran/Iraq,
// Masimov/Maximov, Austria/Australia). The rules are documented on WordKey
// and pinned by tables of pairs that must and must not collide.
//
// # Quotes and dates
//
// Quotes pairs opening and closing marks (“ ”, " ", « », „ “, 「 」, and
// ‘ ’ with apostrophe safeguards) within one line. Dates looks for cheap
// anchors first (a capitalized word beginning like a month or weekday, or
// "dddd-") and parses only a small window around each, so text without
// dates costs one byte scan; a test checks that the windows give the same
// answers as parsing the whole token stream.
//
// # Cost
//
// Each extractor is linear in the length of its input and allocates little
// beyond its results (Dates a small token slice per candidate window).
// They are meant to run on every sentence of every document. Numbers and
// Entities run once per document in every comparison, so they keep their
// working buffers (tokens, context words, name keys) in a sync.Pool, and
// build each result with a few allocations: the strings it holds are
// substrings of the text or of one buffer of lower-cased words and keys.
package features
