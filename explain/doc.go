// Package explain renders a verify.Result for people: a terminal report
// (Text) and a self-contained HTML page (HTML) that puts the two documents
// side by side.
//
// Both say the same things in the same order: which documents, the verdict
// with its score and the rule behind it, the signals the rule read, the
// aligned sentences with their similarity, the sentences only one side has,
// and the facts (numbers the same, changed or one-sided; entities spelled
// the same, spelled differently, or one-sided). The wording of the signals
// and facts lives in one place (facts.go) so the two renderings agree.
//
// # Terminal layout
//
// Text measures text in display columns with uniseg: a Japanese character
// takes two columns, a combining accent none, and lines break only where
// Unicode line breaking (UAX #14) allows, so no rune or grapheme cluster is
// ever cut and no line is wider than the width asked for. Aligned pairs sit
// in two columns of (width-7)/2 with the similarity in the gutter between
// them. Colour is applied after layout, so turning it on changes no line
// break. Control characters from documents are flattened to spaces or
// U+FFFD, so a document cannot drive the terminal.
//
// # HTML page
//
// HTML uses html/template, so every document text, title and name is
// escaped. The page has inline CSS, no scripts and no external resources,
// and stacks its columns under 700px. Facts are highlighted inside the
// sentences by the byte offsets verify reports: NumberItem.Start/End point
// into the document text, and each sentence's span (SentenceRef.Start/End,
// or found in the text for aligned pairs, see spans.go) turns them into
// offsets within the sentence. A fact whose offsets do not point at its text
// is found by its spelling in its sentence instead; entity variants always
// are. Where two facts overlap, the stronger one is shown: a changed number,
// then a one-sided number, an entity variant, a shared number.
//
// # Story report
//
// BuildStory puts a stored story's documents on a timeline (dated ones by
// date, undated last, ties in the store's order) and compares each with
// the probable original. Summarize brings one comparison down to what a
// timeline shows: verdict, counts, the sentences added and dropped, the
// numbers changed or one-sided, the names spelled differently. StoryText,
// StoryHTML and Story.JSON (the `retold story --json` and story API
// schema, StoryJSON) all render that one summary, so they agree; Summaries
// is the story listing of `retold stories` and the stories API.
//
// The story page has one template: StoryHTML wraps it in a self-contained
// page, and StoryFragment gives its body, with the links a site adds
// (StoryLinks), for retold serve's layout. ChangesFragment is the brief
// of one pair as that page shows it, which the serve match page uses.
// StyleSheet is the CSS all of them and the compare page share.
//
// # Event report
//
// BuildEvent puts an event's stories oldest first, each with its versions
// on its own timeline and no changes (BuildStory with no comparer), and
// reads its key facts: KeyFacts takes every document's and copy's first
// mention of each quantity (the dead, the injured, a counted noun), in
// date order, and keeps the facts two documents report, each with its
// distinct values in the order they appeared ("dead: 12 -> 19 -> 23").
// TimelineSVG draws when each story, version and copy appeared, as
// inline SVG with no script and no inline style, so a page under a strict
// Content-Security-Policy can show it. EventText, EventHTML,
// EventFragment and Event.JSON render the one Event; EventSummaries is
// the event listing, ReadEvent the reads BuildEvent needs.
//
// Output is deterministic: the same Result, documents and options give the
// same bytes.
package explain
