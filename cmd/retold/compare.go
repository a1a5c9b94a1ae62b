package main

import (
	"context"
	"encoding/json"
	"io"

	retold "github.com/retold/retold"
	"github.com/retold/retold/explain"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/verify"
)

func runCompare(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "compare", "compare [--json] [--html FILE] A B   (A or B may be - for stdin)")
	asJSON := fs.Bool("json", false, "write the result as JSON (schema in docs/json.md)")
	htmlOut := fs.String("html", "", "also write a self-contained side-by-side HTML page to `FILE`")
	width := fs.Int("width", 100, "terminal width for the report")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageErr("want two inputs, got %d (usage: retold compare [--json] [--html FILE] A B)", len(pos))
	}
	if pos[0] == "-" && pos[1] == "-" {
		return usageErr("only one input can be - (stdin)")
	}
	var docs [2]retold.Document
	for i, p := range pos {
		d, err := readInput(e, p)
		if err != nil {
			return err
		}
		docs[i] = d
	}
	return writeComparison(ctx, e, docs[0], docs[1], *asJSON, *htmlOut, *width)
}

// readInput reads one compare input; "-" is standard input.
func readInput(e *env, path string) (retold.Document, error) {
	if path == "-" {
		return extract.Read("stdin", e.stdin, nil)
	}
	return extract.ReadFile(path, nil)
}

func writeComparison(ctx context.Context, e *env, a, b retold.Document, asJSON bool, htmlOut string, width int) error {
	r, err := compareOrStop(ctx, a, b)
	if err != nil {
		return err
	}
	if htmlOut != "" {
		if err := writeFileAtomic(htmlOut, func(w io.Writer) error { return explain.HTML(w, r, a, b) }); err != nil {
			return err
		}
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	color := e.stdoutIsTerminal && e.getenv("NO_COLOR") == ""
	return explain.Text(e.stdout, r, width, color)
}

// compareOrStop compares a and b, or returns ctx's error as soon as it is
// cancelled: the comparison of two long texts takes seconds, and an
// interrupted command exits without waiting for it (the process ends, and
// the comparison with it).
func compareOrStop(ctx context.Context, a, b retold.Document) (*verify.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done := make(chan *verify.Result, 1)
	go func() { done <- verify.New(nil).Compare(a, b) }()
	select {
	case r := <-done:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
