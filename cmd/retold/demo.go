package main

import (
	"context"
	_ "embed"

	retold "github.com/retold/retold"
)

// The demo pair is an invented story written for retold: a wire original
// and a later write-thru that reached English again through a machine
// translation, with a changed toll and respelled names.
var (
	//go:embed demo/original.txt
	demoOriginal string
	//go:embed demo/version.txt
	demoVersion string
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "demo", "demo [--json] [--html FILE]")
	asJSON := fs.Bool("json", false, "write the result as JSON")
	htmlOut := fs.String("html", "", "also write a side-by-side HTML page to `FILE`")
	width := fs.Int("width", 100, "terminal width for the report")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a := retold.Document{ID: "demo/original.txt", Text: demoOriginal}
	b := retold.Document{ID: "demo/version.txt", Text: demoVersion}
	return writeComparison(ctx, e, a, b, *asJSON, *htmlOut, *width)
}
