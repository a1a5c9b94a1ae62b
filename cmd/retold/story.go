package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/verify"
)

func runStory(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "story", "story [--db FILE] [--json] [--html FILE] ID (a story's, or one of its documents')")
	dbf := addDBFlag(fs, "the index `FILE`")
	asJSON := fs.Bool("json", false, "print JSON (schema: explain.StoryJSON)")
	htmlOut := fs.String("html", "", "also write a self-contained HTML page of the story to `FILE`")
	width := fs.Int("width", 100, "terminal width for the report")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("give one story ID (see retold stories)")
	}
	st, err := dbf.open(ctx, openRead, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	var s retold.Story
	var docs []retold.StoredDocument
	var copies []retold.Copy
	err = st.View(ctx, func(tx retold.ReadTx) error {
		var err error
		s, err = tx.Story(pos[0])
		if errors.Is(err, retold.ErrNotFound) {
			// A document's id names its story too.
			if d, derr := tx.DocumentByID(pos[0]); derr == nil {
				s, err = tx.Story(d.Story)
			}
		}
		if err != nil {
			return fmt.Errorf("story %s: %w (give a story ID from retold stories, or a document's id)", pos[0], err)
		}
		if docs, err = tx.StoryDocuments(s.ID); err != nil {
			return err
		}
		copies, err = tx.StoryCopies(s.ID)
		return err
	})
	if err != nil {
		return err
	}
	// The comparisons run after the read transaction: they take a few
	// milliseconds a version and need nothing more from the store.
	story := explain.BuildStory(s, docs, copies, verify.New(nil))
	if *htmlOut != "" {
		if err := writeFileAtomic(*htmlOut, func(w io.Writer) error { return explain.StoryHTML(w, story) }); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, story.JSON())
	}
	color := e.stdoutIsTerminal && e.getenv("NO_COLOR") == ""
	return explain.StoryText(e.stdout, story, *width, color)
}
