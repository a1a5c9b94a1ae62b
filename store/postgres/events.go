package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	retold "github.com/retold/retold"
)

// Event summaries
//
// The events table is to the stories table what that one is to the
// documents: a row per event, made from the summaries of its stories (the
// stories whose summary names the event) and rewritten whenever one of
// them is (writeTx.flushStories), so that listing events newest first
// reads the events_first_seen index instead of grouping every story.

const eventColumns = `event, stories, size, copies, original, outlets, first_seen, last_seen`

// eventSummary is the events table's row of each event of the story
// summaries s it groups: the original is that of its earliest story (by
// first_seen, then id, the order of the stories_event index); the
// outlets are its stories', each once, in byte order.
const eventSummary = `SELECT s.event, count(*), sum(s.size), sum(s.copies),
		(SELECT s2.original FROM stories s2 WHERE s2.event = s.event ORDER BY s2.first_seen, s2.story LIMIT 1),
		coalesce((SELECT array_agg(DISTINCT o.outlet COLLATE "C" ORDER BY o.outlet COLLATE "C")
			FROM stories s3, unnest(s3.outlets) o (outlet) WHERE s3.event = s.event), '{}'),
		min(s.first_seen), max(s.first_seen)
	FROM stories s`

func scanEvent(row rowScanner) (retold.Event, error) {
	var e retold.Event
	err := row.Scan(&e.ID, &e.Stories, &e.Size, &e.Copies, &e.Original, &e.Outlets, &e.FirstSeen, &e.LastSeen)
	if len(e.Outlets) == 0 {
		e.Outlets = nil
	}
	return e, err
}

func (t *readTx) Event(id string) (retold.Event, error) {
	if err := t.flushStories(); err != nil {
		return retold.Event{}, err
	}
	e, err := scanEvent(t.q.QueryRow(t.ctx, `SELECT `+eventColumns+` FROM events WHERE event = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, fmt.Errorf("postgres: event %q: %w", id, retold.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("postgres: event %q: %w", id, err)
	}
	return e, nil
}

// eventFilter is storyFilter's counterpart for the events table (named
// e): an event is kept for words when one of its stories' documents
// matches.
func eventFilter(p *params, q retold.EventQuery) (where string, mode pgx.QueryExecMode, ok bool) {
	where, mode = sinceUntil(p, q.Since, q.Until), pgx.QueryExecModeCacheStatement
	if hasWord(q.Words) {
		mode = pgx.QueryExecModeExec
		where += ` AND EXISTS (SELECT 1 FROM stories s JOIN documents d ON d.story = s.story WHERE s.event = e.event
			AND d.search @@ plainto_tsquery('simple', retold_fold(` + p.add(q.Words) + `)))`
	} else if strings.TrimSpace(q.Words) != "" {
		return "", mode, false
	}
	return where, mode, true
}

// Events lists the summaries by (first_seen DESC, event), which the
// events_first_seen index holds in that order; with words, PostgreSQL
// plans as for Stories. Since and Until bound an event's FirstSeen (its
// earliest story's), the order it is listed in, so a range of dates is a
// range of the index.
func (t *readTx) Events(q retold.EventQuery) ([]retold.Event, error) {
	if err := t.flushStories(); err != nil {
		return nil, err
	}
	var p params
	where, mode, ok := eventFilter(&p, q)
	if !ok {
		return nil, nil // no word to search for: nothing matches
	}
	return prefixed(listRows(t, "events", eventColumns, "event", scanEvent, mode, &p, where, q.After, q.Offset, q.Limit))
}

func (t *readTx) CountEvents(q retold.EventQuery, max int64) (retold.Total, error) {
	if err := t.flushStories(); err != nil {
		return retold.Total{}, err
	}
	if q.Since == "" && q.Until == "" && q.Words == "" {
		return t.total("events")
	}
	var p params
	where, mode, ok := eventFilter(&p, q)
	if !ok {
		return retold.Total{}, nil
	}
	return t.countRows("events", mode, &p, where, max)
}

func (t *readTx) EventStories(id string) ([]retold.Story, error) {
	if err := t.flushStories(); err != nil {
		return nil, err
	}
	rows, err := t.q.Query(t.ctx, `SELECT `+storyColumns+` FROM stories WHERE event = $1 ORDER BY first_seen, story`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: stories of event %q: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (retold.Story, error) { return scanStory(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: stories of event %q: %w", id, err)
	}
	return out, nil
}
