package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/retold/retold/internal/evalfacts"
	"github.com/retold/retold/internal/evalpairs"
)

// runEvalFacts audits the fact diff: every changed number of every
// same-story pair of the labeled news sets, and how many pair numbers
// that count different things.
func runEvalFacts(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval-facts", "eval-facts [--data DIR] [-v]")
	data := fs.String("data", filepath.Join("..", "shared", "data"), "`DIR` holding newsversions-dev.jsonl and -dev2")
	verbose := fs.Bool("v", false, "print every change, not only the mispaired ones")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("takes no arguments")
	}
	var all []evalfacts.Change
	for _, name := range []string{"newsversions-dev", "newsversions-dev2"} {
		recs, err := evalpairs.Load(filepath.Join(*data, name+".jsonl"))
		if err != nil {
			return fmt.Errorf("labeled data: %w", err)
		}
		ch, err := evalfacts.Changes(ctx, name, recs)
		if err != nil {
			return err
		}
		all = append(all, ch...)
	}
	evalfacts.Write(e.stdout, all, *verbose)
	return nil
}
