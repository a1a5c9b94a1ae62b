package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

// eventSummary is an event's row of the events table, from the story
// summaries s: the original is that of its earliest story (by
// first_seen, then id, the order of the stories_event index); the
// outlets are those of its stories' documents and copies, each once, as
// a JSON array in byte order (JSON and not the stories' commas, so an
// outlet's name may hold a comma).
const eventSummary = `SELECT s.event, count(*), sum(s.size), sum(s.copies),
		(SELECT s2.original FROM stories s2 WHERE s2.event = s.event ORDER BY s2.first_seen, s2.story LIMIT 1),
		(SELECT json_group_array(outlet ORDER BY outlet) FROM (
			SELECT d.outlet AS outlet FROM stories s3 JOIN documents d ON d.story = s3.story WHERE s3.event = s.event AND d.outlet != ''
			UNION
			SELECT c.outlet FROM stories s4 JOIN documents d ON d.story = s4.story JOIN copies c ON c.seq = d.seq
				WHERE s4.event = s.event AND c.outlet != '')),
		min(s.first_seen), max(s.first_seen)
	FROM stories s`

func scanEvent(row rowScanner) (retold.Event, error) {
	var e retold.Event
	var outlets string
	if err := row.Scan(&e.ID, &e.Stories, &e.Size, &e.Copies, &e.Original, &outlets, &e.FirstSeen, &e.LastSeen); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(outlets), &e.Outlets); err != nil {
		return e, fmt.Errorf("outlets of event %q: %w", e.ID, err)
	}
	if len(e.Outlets) == 0 {
		e.Outlets = nil
	}
	return e, nil
}

func (t *readTx) Event(id string) (retold.Event, error) {
	if err := t.flushStories(); err != nil {
		return retold.Event{}, err
	}
	e, err := scanEvent(t.q.QueryRowContext(t.ctx, `SELECT `+eventColumns+` FROM events WHERE event = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("sqlite: event %q: %w", id, retold.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("sqlite: event %q: %w", id, err)
	}
	return e, nil
}

// Events lists the summaries by (first_seen DESC, event), which the
// events_first_seen index holds in that order. Since and Until bound an
// event's FirstSeen (its earliest story's), the order it is listed in,
// so a range of dates is a range of the index.
func (t *readTx) Events(q retold.EventQuery) ([]retold.Event, error) {
	if err := t.flushStories(); err != nil {
		return nil, err
	}
	l := listing[retold.Event]{table: "events", id: "event", columns: eventColumns, scan: scanEvent,
		key:   func(e retold.Event) retold.StoryKey { return retold.StoryKey{FirstSeen: e.FirstSeen, ID: e.ID} },
		after: q.After, offset: q.Offset, limit: q.Limit,
		ofDocuments: `SELECT s.event FROM json_each(?) j JOIN documents d ON d.seq = j.value JOIN stories s ON s.story = d.story`,
		documentsOf: `SELECT s.event, d.seq FROM json_each(?) j JOIN stories s ON s.event = j.value JOIN documents d ON d.story = s.story`,
	}
	l.where, l.args = sinceUntil(q.Since, q.Until)
	events, err := list(t, l, q.Words)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	return events, nil
}

func (t *readTx) CountEvents(q retold.EventQuery, max int64) (retold.Total, error) {
	if err := t.flushStories(); err != nil {
		return retold.Total{}, err
	}
	if q.Since == "" && q.Until == "" && q.Words == "" {
		return t.total("events")
	}
	where, args := sinceUntil(q.Since, q.Until)
	m := ftsQuery(q.Words)
	if m == "" {
		if strings.TrimSpace(q.Words) != "" {
			return retold.Total{}, nil // no word to search for: nothing matches
		}
		return t.capped("events", `SELECT event FROM events WHERE `+where, args, max)
	}
	// As CountStories: the matches to their stories' events, until max+1.
	query := `SELECT DISTINCT s.event FROM (SELECT rowid FROM doc_fts WHERE doc_fts MATCH ? ORDER BY rowid DESC) f
		JOIN documents d ON d.seq = f.rowid JOIN stories s ON s.story = d.story`
	qargs := []any{m}
	if q.Since != "" || q.Until != "" {
		query += ` WHERE EXISTS (SELECT 1 FROM events NOT INDEXED WHERE events.event = s.event AND ` + where + `)`
		qargs = append(qargs, args...)
	}
	return t.capped("events", query, qargs, max)
}

func (t *readTx) EventStories(id string) ([]retold.Story, error) {
	if err := t.flushStories(); err != nil {
		return nil, err
	}
	stories, err := rowsOf(t, scanStory, `SELECT `+storyColumns+` FROM stories WHERE event = ? ORDER BY first_seen, story`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stories of event %q: %w", id, err)
	}
	return stories, nil
}
