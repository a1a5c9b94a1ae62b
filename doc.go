// Package retold finds every version of the same news story in a pile of
// text (wire copies, trims, write-thrus, rewrites, machine translations),
// groups them, and explains how the versions differ.
//
// The root package holds the domain types shared by every stage: Document
// (one text as it came in) and Verdict (what retold says about two
// documents). The stages live in subpackages, in the order data flows:
//
//	extract   read plain text, HTML pages and JSON records into a Document
//	text      normalize, segment into paragraphs and sentences, tokenize, stem
//	features  numbers, named entities, quotes and dates with their contexts
//	align     sentence alignment between two documents
//	verify    score a pair and give a Verdict with its evidence
//
// No package imports one above it in that list.
package retold
