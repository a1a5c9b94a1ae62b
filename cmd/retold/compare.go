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
	return writeComparison(e, docs[0], docs[1], *asJSON, *htmlOut, *width)
}

// readInput reads one compare input; "-" is standard input.
func readInput(e *env, path string) (retold.Document, error) {
	if path == "-" {
		return extract.Read("stdin", e.stdin, nil)
	}
	return extract.ReadFile(path, nil)
}

func writeComparison(e *env, a, b retold.Document, asJSON bool, htmlOut string, width int) error {
	r := verify.New(nil).Compare(a, b)
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
