package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/retold/retold/internal/evalpairs"
	"github.com/retold/retold/verify"
)

func runEvalCompare(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval-compare", "eval-compare [--data DIR] [--sample N] [--seed N] [-v]")
	data := fs.String("data", filepath.Join("..", "shared", "data"), "`DIR` holding newsversions-dev*.jsonl and wmt-versions*.jsonl")
	sample := fs.Int("sample", 21000, "number of different-document WMT pairs to sample")
	seed := fs.Uint64("seed", 1, "seed for the WMT pair sample")
	verbose := fs.Bool("v", false, "also print the verdict counts of every class")
	dump := fs.String("dump", "", "write every judged pair with its signals as JSONL to `FILE`")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("takes no arguments")
	}
	if _, err := os.Stat(*data); err != nil {
		return fmt.Errorf("labeled data: %w", err)
	}
	c := verify.New(nil)
	var rows []evalpairs.Row
	var all []evalpairs.DumpLine
	// The news sets: the first is required, the two later ones (shared
	// quotes and partial reuse) are scored when present.
	for i, name := range []string{"newsversions-dev", "newsversions-dev2", "newsversions-dev3"} {
		news, err := evalpairs.Load(filepath.Join(*data, name+".jsonl"))
		if i > 0 && errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(e.stderr, "eval-compare: %v: its rows are left out\n", err)
			continue
		}
		if err != nil {
			return err
		}
		outs, err := evalpairs.Judge(ctx, c, news, evalpairs.NewsPairs(news))
		if err != nil {
			return err
		}
		rows = append(rows, evalpairs.Summarize(name, outs)...)
		all = append(all, evalpairs.Dumped(name, news, outs)...)
	}
	wmt, err := evalpairs.Load(filepath.Join(*data, "wmt-versions.jsonl"))
	if err != nil {
		return err
	}
	outs, err := evalpairs.Judge(ctx, c, wmt, evalpairs.WMTPairs(wmt, *sample, *seed))
	if err != nil {
		return err
	}
	rows = append(rows, evalpairs.Summarize("wmt-versions", outs)...)
	if *dump != "" {
		all = append(all, evalpairs.Dumped("wmt-versions", wmt, outs)...)
	}
	// The non-English sources against the English translations: the
	// cross-language rule, which has only the facts to go on.
	src, err := evalpairs.Load(filepath.Join(*data, "wmt-versions-source.jsonl"))
	switch {
	case errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(e.stderr, "eval-compare: %v: the cross-language rows are left out\n", err)
	case err != nil:
		return err
	default:
		both := append(slices.Clip(wmt), src...)
		pairs := evalpairs.SourcePairs(both, 8*len(src), *seed)
		if outs, err = evalpairs.Judge(ctx, c, both, pairs); err != nil {
			return err
		}
		rows = append(rows, evalpairs.Summarize("wmt-versions-source", outs)...)
		if *dump != "" {
			all = append(all, evalpairs.Dumped("wmt-versions-source", both, outs)...)
		}
	}
	if *dump != "" {
		if err := writeFileAtomic(*dump, func(w io.Writer) error { return evalpairs.WriteDump(w, all) }); err != nil {
			return err
		}
	}
	evalpairs.WriteTable(e.stdout, rows, *verbose)
	return nil
}
