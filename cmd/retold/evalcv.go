package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/retold/retold/internal/evalcv"
	"github.com/retold/retold/internal/evalpairs"
)

// runEvalCV chooses the reuse rule on the labeled news sets and reports
// the choice's story and event quality in-sample and with
// leave-one-event-out cross-validation.
func runEvalCV(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval-cv", "eval-cv [--data DIR]")
	data := fs.String("data", filepath.Join("..", "shared", "data"), "`DIR` holding newsversions-dev.jsonl, -dev2 and -dev3")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("takes no arguments")
	}
	var sets []evalcv.Set
	for _, name := range []string{"newsversions-dev", "newsversions-dev2", "newsversions-dev3"} {
		recs, err := evalpairs.Load(filepath.Join(*data, name+".jsonl"))
		if err != nil {
			return fmt.Errorf("labeled data: %w", err)
		}
		sets = append(sets, evalcv.Set{Name: name, Recs: recs})
	}
	grid := evalcv.Grid()
	line := newStatus(e)
	progress := func(done, total int) { line.show(done == total, "rules clustered: %d/%d", done, total) }
	rs, chosen, err := evalcv.Run(ctx, sets, grid, progress)
	line.clear()
	if err != nil {
		return err
	}
	evalcv.WriteTable(e.stdout, rs, chosen)
	return nil
}
