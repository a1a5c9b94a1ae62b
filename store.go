package retold

import (
	"context"
	"errors"
)

// The story index
//
// A Store is the persistent half of retold: the documents that were added,
// the sketch keys that find candidates for a new document, the verified
// edges between documents with their evidence, and which story and event
// each document belongs to. `retold add` matches a new document against
// it and records the result in one transaction, so a crash leaves either
// all of a document's changes or none.
//
// The interface is transactional in the manner of bbolt: View runs a
// read-only function against a consistent snapshot, Update a read-write
// function whose changes are committed together when it returns nil and
// discarded when it returns an error. Writers are serialized; readers run
// alongside a writer and never see half of its work. Backends live in
// store/<name> (store/sqlite first) and must pass store/storetest.

var (
	// ErrNotFound is returned for a document, story or event that is not
	// in the store.
	ErrNotFound = errors.New("not found")
	// ErrExists is returned by Tx.PutDocument for a text (by content
	// hash) that is already stored.
	ErrExists = errors.New("already stored")
)

// MaxPostings is how many documents a key is filed for: later documents
// with the key are not filed under it. Matching looks for rare keys, and
// a key held by more documents than this is not rare; capping keeps the
// key index linear in the corpus instead of quadratic in its common
// words.
const MaxPostings = 64

// StoredDocument is a document as the store holds it.
type StoredDocument struct {
	Document
	// Seq is the store's number for this text, assigned by PutDocument,
	// increasing in the order documents were added.
	Seq int64
	// Version counts the texts stored under one Document.ID, from 1: the
	// same id with a new text is a new version, and the old one is kept.
	Version int
	// Hash is the content hash of the normalized text; two documents with
	// the same Hash are one text, stored once.
	Hash uint64
	// Added is when the document was stored (RFC 3339, UTC).
	Added string
	// Story and Event are the labels the document has now; merges change
	// them.
	Story, Event string
	// CopyOf is set when this is a copy (see Copy) looked up by its own
	// id: Document then holds the copy's id, title, url, outlet and date,
	// the rest is the stored text's, and CopyOf is that text's id.
	CopyOf string
}

// Copy is a record whose text is stored already under another id: a
// wire story that another outlet ran unchanged. The text is stored
// once; each copy keeps its own id, title, url, outlet and date, and is
// listed and counted with the text's story.
type Copy struct {
	ID, Title, URL, Outlet, Date string
	// Seq is the stored text's number.
	Seq int64
	// Added is when the copy was stored (RFC 3339, UTC).
	Added string
}

// Edge is one verified relation between two stored documents: A is the
// earlier (smaller Seq), B the later.
type Edge struct {
	A, B    int64
	Verdict Verdict
	Score   float64
	// Event is the event linker's probability, in [0, 1], that the two
	// documents report one real-world event (cluster.EventModel); 0 when
	// it was not computed.
	Event float64
	// Evidence is the compare result as JSON (the `retold compare --json`
	// schema), or empty when only the verdict was kept.
	Evidence []byte
}

// Story is a story's summary.
type Story struct {
	ID    string
	Event string
	// Original is the Seq of the story's probable original.
	Original int64
	// Size is the number of documents (texts); Copies the number of
	// copies of them stored besides (see Copy); Outlets the distinct
	// outlets of both, in name order; FirstSeen the earliest document
	// date (or added time when no document has a date).
	Size      int
	Copies    int
	Outlets   []string
	FirstSeen string
}

// StoryQuery selects stories for ReadTx.Stories.
type StoryQuery struct {
	// Since keeps stories first seen at or after this date (a prefix of
	// RFC 3339, "2024-05" say); "" keeps all.
	Since string
	// Limit is the most stories returned, newest first; 0 means 100.
	Limit int
	// After, when set, starts the page after that story of the listing
	// (keyset paging: the cost does not grow with the page's depth);
	// Offset then counts from there.
	After *StoryKey
	// Offset skips that many stories first, for paging.
	Offset int
	// Words keeps stories with a document whose title or lede (the
	// first 1,500 characters of its text) holds every one of these words,
	// case and accents folded; "" keeps all.
	Words string
	// Event keeps the stories of this event; "" keeps all.
	Event string
	// Outlet keeps stories with a document or copy from this outlet
	// (exact name); "" keeps all.
	Outlet string
	// Until keeps stories first seen at or before this date (a prefix
	// of RFC 3339, compared as Since is); "" keeps all.
	Until string
}

// Event is an event's summary: the stories that report one happening.
type Event struct {
	ID string
	// Stories is the number of stories; Size the documents (texts) and
	// Copies the copies of them across those stories; Outlets the
	// distinct outlets of all of them, in name order.
	Stories, Size, Copies int
	Outlets               []string
	// FirstSeen and LastSeen are the earliest and latest FirstSeen of
	// its stories.
	FirstSeen, LastSeen string
	// Original is the Seq of the probable original of the event's
	// earliest story (by FirstSeen, then story ID): its headline names
	// the event.
	Original int64
}

// EventQuery selects events for ReadTx.Events; its fields mean what
// StoryQuery's do, applied to the event's stories (Words keeps events
// with a story that matches).
type EventQuery struct {
	Since, Until string
	Limit        int
	After        *StoryKey // the event's FirstSeen and ID
	Offset       int
	Words        string
}

// StoryKey is a story's place in the listing order: newest FirstSeen
// first, then ID.
type StoryKey struct {
	FirstSeen, ID string
}

// Total is the size of a listing, as CountStories and CountEvents give
// it.
type Total struct {
	// N is the number of stories or events the listing holds, or, when
	// Capped, the cap the count stopped at: the listing holds more than
	// N.
	N      int64
	Capped bool
}

// TotalCap is the cap the server and the command line count a filtered
// listing to. Counting every story that holds a word in every document
// took 0.4 s over 70,000 stories; counted to 1,000 it takes 5 ms, to
// 10,000 45 ms, more than listing the page (docs/store.md), and "more
// than 1,000" tells a reader as much.
const TotalCap = 1_000

// Counts are the sizes of a store.
type Counts struct {
	Documents, Copies, Stories, Events, Edges, Keys int64
}

// Store is a persistent story index. It is safe for concurrent use.
type Store interface {
	// View runs fn in a read-only transaction over a consistent snapshot.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Update runs fn in a read-write transaction: its changes are stored
	// together, durably, when fn returns nil, and none of them when it
	// returns an error (which Update returns).
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store. Calls after Close fail.
	Close() error
}

// ReadTx reads a store.
type ReadTx interface {
	// Document returns the document with number seq.
	Document(seq int64) (StoredDocument, error)
	// DocumentByID returns the latest version stored under id, or, when
	// id is a copy's, the text it copies with the copy's own fields and
	// CopyOf set.
	DocumentByID(id string) (StoredDocument, error)
	// Copies returns the copies of the text numbered seq, oldest first.
	Copies(seq int64) ([]Copy, error)
	// StoryCopies returns the copies of a story's texts, by Seq, then
	// oldest first.
	StoryCopies(id string) ([]Copy, error)
	// DocumentByHash returns the document whose text has this hash.
	DocumentByHash(hash uint64) (StoredDocument, error)
	// Documents returns up to limit documents with Seq above after, in
	// Seq order: all of them, page by page.
	Documents(after int64, limit int) ([]StoredDocument, error)
	// Versions returns every version stored under id, oldest first.
	Versions(id string) ([]StoredDocument, error)
	// Keys calls fn for every document with Seq above after, in Seq
	// order, with the keys it was filed under (sorted, unique; fn must
	// not keep the slice). The store only keeps the keys: the inverted
	// index over them is the caller's (package storyindex holds it in memory
	// and rebuilds it from here).
	Keys(after int64, fn func(seq int64, keys []uint64) error) error
	// Deletions counts the documents ever deleted: an inverted index
	// built from Keys is stale when it changes.
	Deletions() (int64, error)
	// Edges returns the edges that touch seq, by the other end's Seq.
	Edges(seq int64) ([]Edge, error)
	// EdgesAmong returns the edges whose two ends are both in seqs,
	// ordered by A then B, without their Evidence: what grouping reads.
	EdgesAmong(seqs []int64) ([]Edge, error)
	// Story returns a story's summary.
	Story(id string) (Story, error)
	// StoryDocuments returns a story's documents in Seq order.
	StoryDocuments(id string) ([]StoredDocument, error)
	// EventDocuments returns an event's documents in Seq order.
	EventDocuments(id string) ([]StoredDocument, error)
	// Members returns the documents of a story and of an event (either
	// may be ""), each once, in Seq order, as regrouping needs them:
	// without their texts, so a large story costs little to regroup.
	Members(story, event string) ([]Member, error)
	// Stories returns story summaries, newest first (by FirstSeen, then
	// ID).
	Stories(q StoryQuery) ([]Story, error)
	// CountStories is how many stories Stories would list for q with no
	// Limit, After or Offset. For a q that selects every story (no
	// Since, Until, Words, Event or Outlet) it is the store's running
	// count, exact and read in O(1) whatever max. Otherwise the count
	// stops at max (max <= 0: no cap): when more than max stories match,
	// it returns Total{N: max, Capped: true}, having looked at about max
	// of them and not at the rest, so that a word in every document
	// costs as much to count as a rarer one.
	CountStories(q StoryQuery, max int64) (Total, error)
	// Event returns an event's summary.
	Event(id string) (Event, error)
	// Events returns event summaries, newest first (by FirstSeen, then
	// ID).
	Events(q EventQuery) ([]Event, error)
	// CountEvents is how many events Events would list for q with no
	// Limit, After or Offset, counted as CountStories counts: the
	// running count for a q with no Since, Until or Words, otherwise at
	// most max (max <= 0: no cap), Capped when more match.
	CountEvents(q EventQuery, max int64) (Total, error)
	// EventStories returns an event's stories, oldest first (by
	// FirstSeen, then ID).
	EventStories(id string) ([]Story, error)
	// Counts returns the sizes of the store.
	Counts() (Counts, error)
}

// Member is a stored document as grouping sees it.
type Member struct {
	Seq          int64
	Date         string
	Story, Event string
}

// Tx reads and writes a store inside Update.
type Tx interface {
	ReadTx
	// PutDocument stores d with d.Hash set, assigns d.Seq, d.Version and
	// d.Added, and files it under keys (see ReadTx.Keys). It returns ErrExists, storing
	// nothing, when a document with the same Hash is stored. An empty
	// d.Story becomes "s<Seq>" and an empty d.Event "e<Seq>": a story or
	// event of its own.
	PutDocument(d *StoredDocument, keys []uint64) error
	// NextSeq is the Seq the next PutDocument will assign: each assigns
	// one more than the highest ever assigned, deleted documents
	// included, so a caller can number a batch before storing it.
	NextSeq() (int64, error)
	// PutEdge stores e, replacing an edge between the same two documents
	// (all of it: Verdict, Score, Event and Evidence). It fails, storing
	// nothing, for an Event outside [0, 1] or NaN.
	PutEdge(e Edge) error
	// SetStory moves document seq to story and event.
	SetStory(seq int64, story, event string) error
	// MergeStories moves every document of story from into story into;
	// the merged story keeps into's event. Original is recomputed by the
	// caller with SetOriginal.
	MergeStories(into, from string) error
	// MergeEvents moves every story and document of event from into
	// event into.
	MergeEvents(into, from string) error
	// SetOriginal records the probable original of a story.
	SetOriginal(story string, seq int64) error
	// DeleteDocument removes every version stored under id, their keys
	// and edges, and the copies of those texts. A story left empty
	// disappears.
	DeleteDocument(id string) error
	// PutCopy stores c, a copy of the text numbered c.Seq, and sets
	// c.Added. It returns ErrExists when c.ID is a document's or a copy's
	// id already, and ErrNotFound when no text has number c.Seq.
	PutCopy(c *Copy) error
	// DeleteCopy removes the copy with this id.
	DeleteCopy(id string) error
	// PromoteCopy makes the copy with this id the owner of its text: the
	// document row takes the copy's id (as version 1), title, url, outlet
	// and date, and the copy is gone. A deletion of the text's owner
	// promotes its first copy, so the text, its edges and its story stay.
	PromoteCopy(id string) error
}
