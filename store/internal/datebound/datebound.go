// Package datebound turns the date prefixes of retold.StoryQuery and
// retold.EventQuery into bounds that both backends compare first_seen
// with, so that a range condition reads the first_seen index.
package datebound

// top sorts after every character of a date (they are ASCII) in byte
// order, which SQLite's BINARY collation, PostgreSQL's "C" and Go all
// compare by: U+10FFFF, the largest code point, is F4 8F BF BF in UTF-8.
const top = "\U0010FFFF"

// Until is the bound b such that first_seen <= b keeps exactly the dates
// at or before prefix, a prefix of RFC 3339: "2024-05" keeps all of May
// ("2024-05-31T23:00:00Z" included) and nothing of June. It is prefix
// followed by a character larger than any a date holds.
func Until(prefix string) string {
	return prefix + top
}
