package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/internal/datebound"
	"github.com/retold/retold/store/internal/keyrow"
)

type readTx struct {
	ctx   context.Context
	q     pgx.Tx
	flush func() error // writeTx.flushStories, in a write transaction
}

// rowScanner is a pgx.Row or the current row of pgx.Rows.
type rowScanner interface{ Scan(...any) error }

const docColumns = `seq, id, version, hash, title, text, url, outlet, date, lang, added, story, event`

// scanDoc reads a row of docColumns. Hashes are unsigned and PostgreSQL
// has no unsigned 64-bit type: the column holds the hash's bits as a
// bigint, int64(h) going in and uint64 coming out, so that hashes with the
// top bit set are negative in SQL and compare equal, never larger.
func scanDoc(row rowScanner) (retold.StoredDocument, error) {
	var d retold.StoredDocument
	var hash int64
	err := row.Scan(&d.Seq, &d.ID, &d.Version, &hash, &d.Title, &d.Text, &d.URL, &d.Outlet, &d.Date, &d.Lang, &d.Added, &d.Story, &d.Event)
	d.Hash = uint64(hash)
	return d, err
}

// prefixed puts the package's name before an error of the unexported
// helpers, which the exported methods return: once, however deep.
func prefixed[T any](v T, err error) (T, error) {
	if err != nil {
		err = fmt.Errorf("postgres: %w", err)
	}
	return v, err
}

// one reads the first document a query selects; what says what it was
// looked up by, for the error.
func (t *readTx) one(what, query string, args ...any) (retold.StoredDocument, error) {
	d, err := scanDoc(t.q.QueryRow(t.ctx, `SELECT `+docColumns+` FROM documents `+query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("%s: %w", what, retold.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

func (t *readTx) many(query string, args ...any) ([]retold.StoredDocument, error) {
	rows, err := t.q.Query(t.ctx, `SELECT `+docColumns+` FROM documents `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: documents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (retold.StoredDocument, error) { return scanDoc(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: documents: %w", err)
	}
	return out, nil
}

func (t *readTx) document(seq int64) (retold.StoredDocument, error) {
	return t.one("document "+strconv.FormatInt(seq, 10), `WHERE seq = $1`, seq)
}

func (t *readTx) Document(seq int64) (retold.StoredDocument, error) {
	return prefixed(t.document(seq))
}

func (t *readTx) DocumentByID(id string) (retold.StoredDocument, error) {
	d, err := t.one("document "+strconv.Quote(id), `WHERE id = $1 ORDER BY version DESC LIMIT 1`, id)
	if !errors.Is(err, retold.ErrNotFound) {
		return prefixed(d, err)
	}
	c, cerr := t.copyByID(id)
	if errors.Is(cerr, retold.ErrNotFound) {
		return prefixed(d, err) // neither a document's id nor a copy's
	}
	if cerr != nil {
		return prefixed(d, cerr)
	}
	if d, err = t.document(c.Seq); err != nil {
		return prefixed(d, err)
	}
	d.CopyOf = d.ID
	d.ID, d.Title, d.URL, d.Outlet, d.Date, d.Added, d.Version = c.ID, c.Title, c.URL, c.Outlet, c.Date, c.Added, 1
	return d, nil
}

const copyColumns = `c.id, c.seq, c.title, c.url, c.outlet, c.date, c.added`

func (t *readTx) copies(query string, args ...any) ([]retold.Copy, error) {
	rows, err := t.q.Query(t.ctx, `SELECT `+copyColumns+` FROM copies c `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("copies: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (retold.Copy, error) {
		var c retold.Copy
		err := r.Scan(&c.ID, &c.Seq, &c.Title, &c.URL, &c.Outlet, &c.Date, &c.Added)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("copies: %w", err)
	}
	return out, nil
}

func (t *readTx) copyByID(id string) (retold.Copy, error) {
	cs, err := t.copies(`WHERE c.id = $1`, id)
	if err != nil {
		return retold.Copy{}, err
	}
	if len(cs) == 0 {
		return retold.Copy{}, fmt.Errorf("copy %q: %w", id, retold.ErrNotFound)
	}
	return cs[0], nil
}

func (t *readTx) Copies(seq int64) ([]retold.Copy, error) {
	return prefixed(t.copies(`WHERE c.seq = $1 ORDER BY c.added, c.id`, seq))
}

func (t *readTx) StoryCopies(id string) ([]retold.Copy, error) {
	return prefixed(t.copies(`JOIN documents d ON d.seq = c.seq WHERE d.story = $1 ORDER BY c.seq, c.added, c.id`, id))
}

func (t *readTx) documentByHash(hash uint64) (retold.StoredDocument, error) {
	return t.one(fmt.Sprintf("document of hash %016x", hash), `WHERE hash = $1`, int64(hash))
}

func (t *readTx) DocumentByHash(hash uint64) (retold.StoredDocument, error) {
	return prefixed(t.documentByHash(hash))
}

func (t *readTx) Documents(after int64, limit int) ([]retold.StoredDocument, error) {
	return t.many(`WHERE seq > $1 ORDER BY seq LIMIT $2`, after, max(limit, 1))
}

func (t *readTx) Versions(id string) ([]retold.StoredDocument, error) {
	return t.many(`WHERE id = $1 ORDER BY version`, id)
}

func (t *readTx) StoryDocuments(id string) ([]retold.StoredDocument, error) {
	return t.many(`WHERE story = $1 ORDER BY seq`, id)
}

func (t *readTx) EventDocuments(id string) ([]retold.StoredDocument, error) {
	return t.many(`WHERE event = $1 ORDER BY seq`, id)
}

func (t *readTx) Members(story, event string) ([]retold.Member, error) {
	// Each arm uses its column's index; UNION drops the documents both give.
	rows, err := t.q.Query(t.ctx, `SELECT seq, date, story, event FROM documents WHERE story = $1
		UNION SELECT seq, date, story, event FROM documents WHERE event = $2 ORDER BY seq`, story, event)
	if err != nil {
		return nil, fmt.Errorf("postgres: members: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (retold.Member, error) {
		var m retold.Member
		err := r.Scan(&m.Seq, &m.Date, &m.Story, &m.Event)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: members: %w", err)
	}
	return out, nil
}

// keysPage is how many documents' keys Keys reads per query.
var keysPage = 1000 // a var so that tests can make pages small

// Keys reads the keys a page of documents at a time, and calls fn between
// queries: a pgx connection runs one query at a time, so fn may use the
// transaction, and memory stays bounded however large the store.
func (t *readTx) Keys(after int64, fn func(seq int64, keys []uint64) error) error {
	type docKeys struct {
		seq  int64
		blob []byte
	}
	var keys []uint64
	for {
		rows, err := t.q.Query(t.ctx, `SELECT seq, keys FROM doc_keys WHERE seq > $1 ORDER BY seq LIMIT $2`, after, keysPage)
		if err != nil {
			return fmt.Errorf("postgres: keys: %w", err)
		}
		page, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (docKeys, error) {
			var k docKeys
			err := r.Scan(&k.seq, &k.blob)
			return k, err
		})
		if err != nil {
			return fmt.Errorf("postgres: keys: %w", err)
		}
		for _, k := range page {
			if keys, err = keyrow.Decode(keys, k.blob); err != nil {
				return fmt.Errorf("postgres: keys of document %d: %w", k.seq, err)
			}
			if err := fn(k.seq, keys); err != nil {
				return err
			}
		}
		if len(page) < keysPage {
			return nil
		}
		after = page[len(page)-1].seq
	}
}

func (t *readTx) Deletions() (int64, error) {
	var n int64
	if err := t.q.QueryRow(t.ctx, `SELECT value FROM counters WHERE name = 'deletions'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: deletions: %w", err)
	}
	return n, nil
}

func (t *readTx) Edges(seq int64) ([]retold.Edge, error) {
	return t.edges(`SELECT a, b, verdict, score, event, evidence FROM edges WHERE a = $1 OR b = $1
		ORDER BY CASE WHEN a = $1 THEN b ELSE a END`, seq)
}

func (t *readTx) EdgesAmong(seqs []int64) ([]retold.Edge, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	// One query, however many: the set goes in as an array, and each of
	// its members finds its edges by the primary key's first column.
	return t.edges(`SELECT a, b, verdict, score, event, NULL::bytea FROM edges WHERE a = ANY($1) AND b = ANY($1)
		ORDER BY a, b`, seqs)
}

// edges runs a query of edge rows (a, b, verdict, score, event, evidence).
func (t *readTx) edges(query string, args ...any) ([]retold.Edge, error) {
	rows, err := t.q.Query(t.ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: edges: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (retold.Edge, error) {
		var e retold.Edge
		var v string
		err := r.Scan(&e.A, &e.B, &v, &e.Score, &e.Event, &e.Evidence)
		e.Verdict = retold.Verdict(v)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: edges: %w", err)
	}
	return out, nil
}

const storyColumns = `story, event, size, copies, original, outlets, first_seen`

// storySummary computes the stories table's rows of the stories in $1
// from their documents: the outlets are those of the documents and of
// their copies, each once, in byte order (the columns are COLLATE "C").
const storySummary = `SELECT d.story, min(d.event), count(*),
		(SELECT count(*) FROM copies c JOIN documents d4 ON d4.seq = c.seq WHERE d4.story = d.story),
		coalesce((SELECT o.seq FROM originals o WHERE o.story = d.story), min(d.seq)),
		coalesce((SELECT array_agg(u.outlet ORDER BY u.outlet) FROM (
			SELECT d2.outlet FROM documents d2 WHERE d2.story = d.story AND d2.outlet <> ''
			UNION
			SELECT c.outlet FROM copies c JOIN documents d3 ON d3.seq = c.seq WHERE d3.story = d.story AND c.outlet <> '') u), '{}'),
		coalesce(min(nullif(d.date, '')), min(d.added))
	FROM documents d WHERE d.story = ANY($1) GROUP BY d.story`

func scanStory(row rowScanner) (retold.Story, error) {
	var s retold.Story
	err := row.Scan(&s.ID, &s.Event, &s.Size, &s.Copies, &s.Original, &s.Outlets, &s.FirstSeen)
	if len(s.Outlets) == 0 {
		s.Outlets = nil
	}
	return s, err
}

func (t *readTx) Story(id string) (retold.Story, error) {
	if err := t.flushStories(); err != nil {
		return retold.Story{}, err
	}
	s, err := scanStory(t.q.QueryRow(t.ctx, `SELECT `+storyColumns+` FROM stories WHERE story = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("postgres: story %q: %w", id, retold.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("postgres: story %q: %w", id, err)
	}
	return s, nil
}

// Stories lists the summaries by (first_seen DESC, story), which the
// stories_first_seen index holds in that order.
//
// With words, a story is kept when one of its documents matches. One
// query serves rare and common words alike: PostgreSQL's planner either
// finds the few matching documents by the GIN index and sorts their
// stories, or walks the stories newest first and checks each one's
// documents until the page is full, by its estimate of how many match
// (SQLite's store picks between the same two plans by hand). An outlet
// is the same: a rare one is found by the outlet indexes.
func (t *readTx) Stories(q retold.StoryQuery) ([]retold.Story, error) {
	if err := t.flushStories(); err != nil {
		return nil, err
	}
	var p params
	where, mode, ok := storyFilter(&p, q)
	if !ok {
		return nil, nil // no word to search for: nothing matches
	}
	return prefixed(listRows(t, "stories", storyColumns, "story", scanStory, mode, &p, where, q.After, q.Offset, q.Limit))
}

// storyFilter is the condition that q's filters but After put on the
// rows of the stories table (named s), its arguments added to p, and the
// way pgx should run the query: a statement prepared once and cached,
// and planned once for all arguments in the end, unless there are words
// or an outlet, whose plan depends on how common they are: then an
// unnamed statement, planned for its arguments each time. ok is false
// for words that hold no word to search for, which match nothing.
func storyFilter(p *params, q retold.StoryQuery) (where string, mode pgx.QueryExecMode, ok bool) {
	where, mode = sinceUntil(p, q.Since, q.Until), pgx.QueryExecModeCacheStatement
	if q.Event != "" {
		where += ` AND s.event = ` + p.add(q.Event)
	}
	if q.Outlet != "" {
		mode = pgx.QueryExecModeExec
		o := p.add(q.Outlet)
		where += ` AND s.story IN (SELECT d.story FROM documents d WHERE d.outlet = ` + o + `
			UNION SELECT d.story FROM copies c JOIN documents d ON d.seq = c.seq WHERE c.outlet = ` + o + `)`
	}
	if hasWord(q.Words) {
		mode = pgx.QueryExecModeExec
		where += ` AND EXISTS (SELECT 1 FROM documents d WHERE d.story = s.story
			AND d.search @@ plainto_tsquery('simple', retold_fold(` + p.add(q.Words) + `)))`
	} else if strings.TrimSpace(q.Words) != "" {
		return "", mode, false
	}
	return where, mode, true
}

// sinceUntil is the condition on first_seen of a query's Since and Until.
func sinceUntil(p *params, since, until string) string {
	where := `first_seen >= ` + p.add(since)
	if until != "" {
		where += ` AND first_seen <= ` + p.add(datebound.Until(until))
	}
	return where
}

// params are a query's arguments, numbered $1, $2, ... as they are added.
type params struct{ args []any }

// add adds v and returns its placeholder.
func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// listRows lists a page of a summary table (stories or events, named by
// its first letter in where) newest first, by first_seen DESC then the
// id column, the order of the table's first_seen index: those after
// after, skipping offset, at most limit (0 means 100).
func listRows[T any](t *readTx, table, columns, id string, scan func(rowScanner) (T, error), mode pgx.QueryExecMode,
	p *params, where string, after *retold.StoryKey, offset, limit int) ([]T, error) {
	if limit <= 0 {
		limit = 100
	}
	if after != nil {
		f := p.add(after.FirstSeen)
		where += ` AND (first_seen < ` + f + ` OR first_seen = ` + f + ` AND ` + id + ` > ` + p.add(after.ID) + `)`
	}
	query := `SELECT ` + columns + ` FROM ` + table + ` ` + table[:1] + ` WHERE ` + where + `
		ORDER BY first_seen DESC, ` + id + ` LIMIT ` + p.add(limit) + ` OFFSET ` + p.add(max(offset, 0))
	rows, err := t.q.Query(t.ctx, query, append([]any{mode}, p.args...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	return out, nil
}

// countRows counts the rows of a summary table (named by its first
// letter in where) that where selects, up to max+1 of them (all for max
// <= 0): the LIMIT inside the count stops the plan there.
func (t *readTx) countRows(table string, mode pgx.QueryExecMode, p *params, where string, max int64) (retold.Total, error) {
	limit := ""
	if max > 0 {
		limit = ` LIMIT ` + p.add(max+1)
	}
	var n int64
	err := t.q.QueryRow(t.ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` `+table[:1]+` WHERE `+where+limit+`) x`,
		append([]any{mode}, p.args...)...).Scan(&n)
	if err != nil {
		return retold.Total{}, fmt.Errorf("postgres: count %s: %w", table, err)
	}
	if max > 0 && n > max {
		return retold.Total{N: max, Capped: true}, nil
	}
	return retold.Total{N: n}, nil
}

// total is the running count of a summary table (stories or events),
// kept in counters.
func (t *readTx) total(table string) (retold.Total, error) {
	var n int64
	if err := t.q.QueryRow(t.ctx, `SELECT value FROM counters WHERE name = $1`, table).Scan(&n); err != nil {
		return retold.Total{}, fmt.Errorf("postgres: count %s: %w", table, err)
	}
	return retold.Total{N: n}, nil
}

func (t *readTx) CountStories(q retold.StoryQuery, max int64) (retold.Total, error) {
	if err := t.flushStories(); err != nil {
		return retold.Total{}, err
	}
	if q.Since == "" && q.Until == "" && q.Words == "" && q.Event == "" && q.Outlet == "" {
		return t.total("stories")
	}
	var p params
	where, mode, ok := storyFilter(&p, q)
	if !ok {
		return retold.Total{}, nil
	}
	return t.countRows("stories", mode, &p, where, max)
}

// hasWord reports whether s holds a word to search for: a letter or a
// digit, as SQLite's store splits a query (plainto_tsquery, which parses
// the words here, would only say "no lexemes" and match nothing).
func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// flushStories brings the story and event summaries of a write
// transaction up to date before they are read; in a read-only one it
// does nothing.
func (t *readTx) flushStories() error {
	if t.flush == nil {
		return nil
	}
	return t.flush()
}

func (t *readTx) Counts() (retold.Counts, error) {
	var c retold.Counts
	if err := t.flushStories(); err != nil {
		return c, err
	}
	err := t.q.QueryRow(t.ctx, `SELECT
		(SELECT count(*) FROM documents),
		(SELECT count(*) FROM copies),
		(SELECT count(*) FROM stories),
		(SELECT count(*) FROM events),
		(SELECT count(*) FROM edges),
		(SELECT coalesce(sum(n), 0) FROM doc_keys)`).Scan(&c.Documents, &c.Copies, &c.Stories, &c.Events, &c.Edges, &c.Keys)
	if err != nil {
		return c, fmt.Errorf("postgres: counts: %w", err)
	}
	return c, nil
}

type writeTx struct {
	readTx
	now func() time.Time
	// dirty are the stories whose documents changed in this transaction:
	// their summaries are rewritten once, before the next read of
	// summaries or the commit, however many documents moved.
	dirty map[string]bool
	// dirtyEvents are the events whose stories' summaries were rewritten
	// (the events they left and those they joined): their summaries are
	// rewritten next, from the stories'.
	dirtyEvents map[string]bool
	// seq is the highest number given (the counter row), read once and
	// then kept here: only the writer holding the lock gives numbers.
	// counted says it changed, and flushSeq writes it back.
	seq     int64
	seqRead bool
	counted bool
}

// highest is the highest number ever given, deleted documents included.
func (t *writeTx) highest() (int64, error) {
	if !t.seqRead {
		if err := t.q.QueryRow(t.ctx, `SELECT value FROM counters WHERE name = 'seq'`).Scan(&t.seq); err != nil {
			return 0, err
		}
		t.seqRead = true
	}
	return t.seq, nil
}

// flushSeq writes the counter row back, before the commit.
func (t *writeTx) flushSeq() error {
	if !t.counted {
		return nil
	}
	if _, err := t.q.Exec(t.ctx, `UPDATE counters SET value = $1 WHERE name = 'seq'`, t.seq); err != nil {
		return fmt.Errorf("postgres: the number counter: %w", err)
	}
	t.counted = false
	return nil
}

func (t *writeTx) touch(stories ...string) {
	if t.dirty == nil {
		t.dirty = map[string]bool{}
	}
	for _, s := range stories {
		t.dirty[s] = true
	}
}

// flushStories rewrites the summaries of the dirty stories, dropping
// those left without documents, in one round trip, then those of the
// events they were in and are in now, in another.
func (t *writeTx) flushStories() error {
	if len(t.dirty) > 0 {
		if t.dirtyEvents == nil {
			t.dirtyEvents = map[string]bool{}
		}
		// The events of the rows that go, and of those that come.
		events := func(rows pgx.Rows) error {
			es, err := pgx.CollectRows(rows, pgx.RowTo[string])
			for _, e := range es {
				t.dirtyEvents[e] = true
			}
			return err
		}
		stories := slices.Sorted(maps.Keys(t.dirty))
		b := &pgx.Batch{}
		// The running count (see readTx.total) less the rows that go, plus
		// those that come, in the same round trip.
		b.Queue(`UPDATE counters SET value = value - (SELECT count(*) FROM stories WHERE story = ANY($1)) WHERE name = 'stories'`, stories)
		b.Queue(`DELETE FROM stories WHERE story = ANY($1) RETURNING event`, stories).Query(events)
		b.Queue(`INSERT INTO stories (`+storyColumns+`) `+storySummary+` RETURNING event`, stories).Query(events)
		b.Queue(`UPDATE counters SET value = value + (SELECT count(*) FROM stories WHERE story = ANY($1)) WHERE name = 'stories'`, stories)
		if err := t.q.SendBatch(t.ctx, b).Close(); err != nil {
			return fmt.Errorf("postgres: summaries of %d stories: %w", len(stories), err)
		}
		clear(t.dirty)
	}
	return t.flushEvents()
}

// flushEvents rewrites the summaries of the dirty events, dropping those
// left without stories, in one round trip.
func (t *writeTx) flushEvents() error {
	if len(t.dirtyEvents) == 0 {
		return nil
	}
	events := slices.Sorted(maps.Keys(t.dirtyEvents))
	b := &pgx.Batch{}
	b.Queue(`UPDATE counters SET value = value - (SELECT count(*) FROM events WHERE event = ANY($1)) WHERE name = 'events'`, events)
	b.Queue(`DELETE FROM events WHERE event = ANY($1)`, events)
	b.Queue(`INSERT INTO events (`+eventColumns+`) `+eventSummary+` WHERE s.event = ANY($1) GROUP BY s.event`, events)
	b.Queue(`UPDATE counters SET value = value + (SELECT count(*) FROM events WHERE event = ANY($1)) WHERE name = 'events'`, events)
	if err := t.q.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: summaries of %d events: %w", len(events), err)
	}
	clear(t.dirtyEvents)
	return nil
}

// storiesOf lists the distinct stories of the documents a query selects.
func (t *writeTx) storiesOf(query string, args ...any) ([]string, error) {
	rows, err := t.q.Query(t.ctx, `SELECT DISTINCT story FROM documents `+query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (t *writeTx) PutDocument(d *retold.StoredDocument, keys []uint64) error {
	if d.ID == "" {
		return fmt.Errorf("postgres: PutDocument: %w: empty id", retold.ErrFormat)
	}
	// The next number, kept in the transaction (see the package doc);
	// the next version of the id; and the text refused when its hash is
	// stored already: all in one round trip.
	last, err := t.highest()
	if err != nil {
		return fmt.Errorf("postgres: PutDocument %q: %w", d.ID, err)
	}
	seq := last + 1
	added := t.now().UTC().Format(time.RFC3339)
	story, event := d.Story, d.Event
	if story == "" {
		story = "s" + strconv.FormatInt(seq, 10)
	}
	if event == "" {
		event = "e" + strconv.FormatInt(seq, 10)
	}
	// Every document has its keys row, empty for no keys.
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	b := &pgx.Batch{}
	var version int
	stored := false
	b.Queue(`INSERT INTO documents (`+docColumns+`)
		VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM documents WHERE id = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (hash) DO NOTHING RETURNING version`,
		seq, d.ID, int64(d.Hash), d.Title, d.Text, d.URL, d.Outlet, d.Date, d.Lang, added, story, event).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		stored = err == nil
		return err
	})
	b.Queue(`INSERT INTO doc_keys (seq, n, keys) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM documents WHERE seq = $1)`, seq, len(keys), keyrow.Encode(keys))
	if err := t.q.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: PutDocument %q: %w", d.ID, err)
	}
	if !stored {
		return fmt.Errorf("postgres: PutDocument %q: %w", d.ID, retold.ErrExists)
	}
	t.seq, t.counted = seq, true
	d.Seq, d.Version, d.Added, d.Story, d.Event = seq, version, added, story, event
	t.touch(d.Story)
	return nil
}

// NextSeq reads the counter of the highest number ever given: only the
// writer holding the lock changes it, so it stays right until that
// writer's next PutDocument.
func (t *writeTx) NextSeq() (int64, error) {
	last, err := t.highest()
	if err != nil {
		return 0, fmt.Errorf("postgres: NextSeq: %w", err)
	}
	return last + 1, nil
}

func (t *writeTx) PutEdge(e retold.Edge) error {
	if e.A > e.B {
		e.A, e.B = e.B, e.A
	}
	// Checked here, not left to the column: SQLite stores NaN as NULL
	// (refused by NOT NULL) where PostgreSQL keeps it, and neither knows
	// the range.
	if !(e.Event >= 0 && e.Event <= 1) {
		return fmt.Errorf("postgres: PutEdge %d-%d: event probability %v is not in [0, 1]", e.A, e.B, e.Event)
	}
	_, err := t.q.Exec(t.ctx, `INSERT INTO edges (a, b, verdict, score, event, evidence) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (a, b) DO UPDATE SET verdict = excluded.verdict, score = excluded.score, event = excluded.event, evidence = excluded.evidence`,
		e.A, e.B, string(e.Verdict), e.Score, e.Event, e.Evidence)
	if err != nil {
		return fmt.Errorf("postgres: PutEdge %d-%d: %w", e.A, e.B, err)
	}
	return nil
}

func (t *writeTx) SetStory(seq int64, story, event string) error {
	// One round trip: the old story comes back from the update.
	var old string
	err := t.q.QueryRow(t.ctx, `UPDATE documents d SET story = $1, event = $2
		FROM (SELECT seq, story FROM documents WHERE seq = $3) o WHERE d.seq = o.seq RETURNING o.story`, story, event, seq).Scan(&old)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: SetStory: document %d: %w", seq, retold.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: SetStory: %w", err)
	}
	t.touch(old, story)
	return nil
}

func (t *writeTx) MergeStories(into, from string) error {
	if into == from {
		return nil
	}
	var event string
	err := t.q.QueryRow(t.ctx, `SELECT event FROM documents WHERE story = $1 LIMIT 1`, into).Scan(&event)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: MergeStories: story %q: %w", into, retold.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: MergeStories: %w", err)
	}
	tag, err := t.q.Exec(t.ctx, `UPDATE documents SET story = $1, event = $2 WHERE story = $3`, into, event, from)
	if err := changed(tag, err, "MergeStories"); err != nil {
		return err
	}
	t.touch(into, from)
	if _, err := t.q.Exec(t.ctx, `DELETE FROM originals WHERE story = $1`, from); err != nil {
		return fmt.Errorf("postgres: MergeStories: %w", err)
	}
	return nil
}

func (t *writeTx) MergeEvents(into, from string) error {
	if into == from {
		return nil
	}
	moved, err := t.storiesOf(`WHERE event = $1`, from)
	if err != nil {
		return fmt.Errorf("postgres: MergeEvents: %w", err)
	}
	tag, err := t.q.Exec(t.ctx, `UPDATE documents SET event = $1 WHERE event = $2`, into, from)
	t.touch(moved...)
	return changed(tag, err, "MergeEvents")
}

func (t *writeTx) SetOriginal(story string, seq int64) error {
	var in bool
	var was *int64
	if err := t.q.QueryRow(t.ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE seq = $1 AND story = $2),
		(SELECT seq FROM originals WHERE story = $2)`, seq, story).Scan(&in, &was); err != nil {
		return fmt.Errorf("postgres: SetOriginal: %w", err)
	}
	if !in {
		return fmt.Errorf("postgres: SetOriginal: document %d in story %q: %w", seq, story, retold.ErrNotFound)
	}
	if was != nil && *was == seq {
		return nil // regrouping sets every original again: most are the same
	}
	_, err := t.q.Exec(t.ctx, `INSERT INTO originals (story, seq) VALUES ($1, $2)
		ON CONFLICT (story) DO UPDATE SET seq = excluded.seq`, story, seq)
	if err != nil {
		return fmt.Errorf("postgres: SetOriginal: %w", err)
	}
	t.touch(story)
	return nil
}

func (t *writeTx) DeleteDocument(id string) error {
	// Keys, edges, copies and originals pointing at the versions follow
	// by ON DELETE CASCADE.
	stories, err := t.storiesOf(`WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: DeleteDocument: %w", err)
	}
	t.touch(stories...)
	tag, err := t.q.Exec(t.ctx, `DELETE FROM documents WHERE id = $1`, id)
	if err := changed(tag, err, "DeleteDocument "+strconv.Quote(id)); err != nil {
		return err
	}
	if _, err := t.q.Exec(t.ctx, `UPDATE counters SET value = value + $1 WHERE name = 'deletions'`, tag.RowsAffected()); err != nil {
		return fmt.Errorf("postgres: DeleteDocument: %w", err)
	}
	return nil
}

// changed turns a statement that touched no row into ErrNotFound.
func changed(tag pgconn.CommandTag, err error, op string) error {
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", op, retold.ErrNotFound)
	}
	return nil
}

func (t *writeTx) PutCopy(c *retold.Copy) error {
	if c.ID == "" {
		return fmt.Errorf("postgres: PutCopy: %w: empty id", retold.ErrFormat)
	}
	d, err := t.document(c.Seq)
	if err != nil {
		return fmt.Errorf("postgres: PutCopy %q: %w", c.ID, err)
	}
	var taken bool
	if err := t.q.QueryRow(t.ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1)
		OR EXISTS (SELECT 1 FROM copies WHERE id = $1)`, c.ID).Scan(&taken); err != nil {
		return fmt.Errorf("postgres: PutCopy %q: %w", c.ID, err)
	}
	if taken {
		return fmt.Errorf("postgres: PutCopy %q: %w", c.ID, retold.ErrExists)
	}
	c.Added = t.now().UTC().Format(time.RFC3339)
	if _, err := t.q.Exec(t.ctx, `INSERT INTO copies (id, seq, title, url, outlet, date, added) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.Seq, c.Title, c.URL, c.Outlet, c.Date, c.Added); err != nil {
		return fmt.Errorf("postgres: PutCopy %q: %w", c.ID, err)
	}
	t.touch(d.Story)
	return nil
}

func (t *writeTx) DeleteCopy(id string) error {
	c, err := t.copyByID(id)
	if err != nil {
		return fmt.Errorf("postgres: DeleteCopy: %w", err)
	}
	stories, err := t.storiesOf(`WHERE seq = $1`, c.Seq)
	if err != nil {
		return fmt.Errorf("postgres: DeleteCopy %q: %w", id, err)
	}
	t.touch(stories...)
	tag, err := t.q.Exec(t.ctx, `DELETE FROM copies WHERE id = $1`, id)
	return changed(tag, err, "DeleteCopy "+strconv.Quote(id))
}

func (t *writeTx) PromoteCopy(id string) error {
	c, err := t.copyByID(id)
	if err != nil {
		return fmt.Errorf("postgres: PromoteCopy: %w", err)
	}
	// The search column follows the new title by itself (it is
	// generated).
	tag, err := t.q.Exec(t.ctx, `UPDATE documents SET id = $1, title = $2, url = $3, outlet = $4, date = $5,
		version = (SELECT coalesce(max(version), 0) + 1 FROM documents WHERE id = $1) WHERE seq = $6`,
		c.ID, c.Title, c.URL, c.Outlet, c.Date, c.Seq)
	if err := changed(tag, err, "PromoteCopy "+strconv.Quote(id)); err != nil {
		return err
	}
	if _, err := t.q.Exec(t.ctx, `DELETE FROM copies WHERE id = $1`, id); err != nil {
		return fmt.Errorf("postgres: PromoteCopy %q: %w", id, err)
	}
	stories, err := t.storiesOf(`WHERE seq = $1`, c.Seq)
	if err != nil {
		return fmt.Errorf("postgres: PromoteCopy %q: %w", id, err)
	}
	t.touch(stories...)
	return nil
}
