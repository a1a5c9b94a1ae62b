package main

import (
	"context"
	"fmt"

	"github.com/retold/retold/internal/eval"
)

func runEval(ctx context.Context, e *env, args []string) error {
	const usage = "eval --truth T.jsonl (--pred P.jsonl | --kept K.jsonl) [--json] [--truth-story-key KEY] [--truth-event-key KEY]"
	fs := newFlagSet(e, "eval", usage)
	truthPath := fs.String("truth", "", "labeled JSONL `FILE`: per line an id and story and/or event labels")
	predPath := fs.String("pred", "", "predicted JSONL `FILE`, as retold cluster writes it: id, story, event")
	keptPath := fs.String("kept", "", "score a dedup instead: the records `FILE` retold dedup kept (only ids are read); a drop is right when its truth story has an earlier kept record")
	asJSON := fs.Bool("json", false, "write the scores as one JSON object keyed by level")
	storyKey := fs.String("truth-story-key", "story", "the truth's `KEY` for the story label, e.g. group for wmt-versions.jsonl (the pred always uses story)")
	eventKey := fs.String("truth-event-key", "event", "the truth's `KEY` for the event label (the pred always uses event)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 0:
		return usageErr("takes no arguments, got %q (usage: retold %s)", pos[0], usage)
	case *truthPath == "" || (*predPath == "") == (*keptPath == ""):
		return usageErr("needs --truth and one of --pred and --kept (usage: retold %s)", usage)
	case *storyKey == "" || *eventKey == "":
		return usageErr("--truth-story-key and --truth-event-key must not be empty")
	}
	levels := []eval.Level{{Name: "story", TruthKey: *storyKey}, {Name: "event", TruthKey: *eventKey}}

	truth, err := eval.ReadTruth(ctx, *truthPath, levels)
	if err != nil {
		return err
	}
	if *keptPath != "" {
		return eval.Kept(e.stdout, truth, *keptPath, *asJSON)
	}
	pred, err := eval.ReadPred(ctx, e.stderr, *predPath, truth, levels)
	if err != nil {
		return err
	}

	rows, notes, err := eval.Score(truth, pred, levels)
	if err != nil {
		return err
	}
	if *asJSON {
		// stdout stays one JSON value; a skipped level is absent from it.
		for _, n := range notes {
			fmt.Fprintf(e.stderr, "retold eval: %s\n", n)
		}
		return eval.WriteJSON(e.stdout, rows)
	}
	eval.WriteTable(e.stdout, rows)
	for _, n := range notes {
		fmt.Fprintln(e.stdout, n)
	}
	return nil
}
