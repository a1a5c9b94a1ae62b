package explain

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/retold/retold/verify"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func render(t *testing.T, r *verify.Result, width int, color bool) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Text(&buf, r, width, color); err != nil {
		t.Fatalf("Text: %v", err)
	}
	return buf.String()
}

func TestTextShowsVerdictSentencesAndFacts(t *testing.T) {
	tests := []struct {
		name   string
		change func(*verify.Result)
		want   []string
	}{
		{
			name: "full result",
			want: []string{
				"A: lomza-a.txt — Twelve hurt in Lomza town hall fire",
				"B: lomza-b.txt — Fire at Lomza town hall: 14 hurt",
				"verdict: version   score: 0.83",
				"reason: most sentences align",
				"coverage A 78% B 74%",
				"Aligned sentences (3)",
				"A1 The council said [-\u206012-] people were hurt on Monday.",
				"0.86",
				"B1 The council said {+14+} people were hurt on Monday.",
				"B3 Mayor Anna {+Kowalski+} thanked",
				"Only in A (1)\n  A3  The building dates from 1890.",
				"Only in B (1)\n  B2  Repairs will cost $2 million.",
				"    A1 12 (people hurt) -> B1 14 (people hurt)",
				"40 (firefighters)",
				"    B2 $2 million (repairs cost)",
				"Kowalsky ~ Kowalski",
				"  same (2)\n    Lomza, Anna",
				"  only in A (0)\n    (none)",
			},
		},
		{
			name: "empty sections say none",
			change: func(r *verify.Result) {
				r.Alignment, r.OnlyInA, r.OnlyInB = nil, nil, nil
				r.Facts = verify.FactDiff{}
			},
			want: []string{
				"Aligned sentences (0)\n  (none)",
				"Only in A (0)\n  (none)",
				"Only in B (0)\n  (none)",
				"Numbers\n  same (0)\n    (none)\n  changed (0)\n    (none)\n  only in A (0)\n    (none)\n  only in B (0)\n    (none)",
				"Entities\n  variants (0)\n    (none)\n  same (0)\n    (none)\n  only in A (0)\n    (none)\n  only in B (0)\n    (none)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, _ := fixture()
			if tt.change != nil {
				tt.change(r)
			}
			// Wide enough that no sentence wraps, so the texts can be matched whole.
			out := render(t, r, 200, false)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
		})
	}
}

// Sentences in scripts whose characters are not one byte, or not one column.
var (
	japanese = "東京都は十二日、大雨の影響で三百人以上が避難したと発表した。市の担当者は被害の全容はまだ分からないと述べた。"
	cyrillic = "Городской совет сообщил, что в результате пожара пострадали двенадцать человек, среди них трое пожарных."
)

func TestTextLinesFitTheWidth(t *testing.T) {
	r, _, _ := fixture()
	r.Alignment = append(r.Alignment,
		pair(4, 4, japanese, cyrillic, 0.42),
		pair(5, 5, cyrillic+" "+cyrillic, japanese+japanese, 0.40))
	r.OnlyInA = append(r.OnlyInA, verify.SentenceRef{Index: 6, Text: japanese + japanese})
	r.Facts.Entities.Same = append(r.Facts.Entities.Same, verify.EntityItem{Text: "Международный валютный фонд"})
	for _, cols := range []int{1, 40, 41, 57, 80, 100, 133} {
		out := render(t, r, cols, false)
		limit := max(cols, MinWidth)
		for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !utf8.ValidString(line) {
				t.Errorf("width %d, line %d splits a rune: %q", cols, i+1, line)
			}
			if w := width(line); w > limit {
				t.Errorf("width %d, line %d is %d columns: %q", cols, i+1, w, line)
			}
		}
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestTextColorOnlyAddsEscapes(t *testing.T) {
	r, _, _ := fixture()
	plain := render(t, r, 80, false)
	colored := render(t, r, 80, true)
	if strings.Contains(plain, "\x1b") {
		t.Error("color off, but the output has escape sequences")
	}
	if !strings.Contains(colored, "\x1b[") {
		t.Error("color on, but the output has no escape sequences")
	}
	if got := ansi.ReplaceAllString(colored, ""); got != plain {
		t.Errorf("colored output without its escapes differs from the plain output:\n%s\n---\n%s", got, plain)
	}
}

func TestTextSanitizesControlCharacters(t *testing.T) {
	r, _, _ := fixture()
	r.OnlyInA = []verify.SentenceRef{{Index: 9, Text: "Clear\x1b[2Jthe screen\tand\nbreak"}}
	out := render(t, r, 80, false)
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\t") {
		t.Errorf("a control character from a document reached the terminal:\n%q", out)
	}
	if !strings.Contains(out, "A9  Clear\uFFFD[2Jthe screen and break") {
		t.Errorf("control characters not replaced as documented:\n%s", out)
	}
}

func TestTextGolden(t *testing.T) {
	r, _, _ := fixture()
	got := render(t, r, 80, false)
	path := filepath.Join("testdata", "text.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Text output differs from %s (run go test -update after checking):\n%s", path, got)
	}
}

func TestTextIsDeterministic(t *testing.T) {
	r, _, _ := fixture()
	first := render(t, r, 90, true)
	for range 5 {
		if render(t, r, 90, true) != first {
			t.Fatal("two renderings of one result differ")
		}
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestTextErrors(t *testing.T) {
	if err := Text(&bytes.Buffer{}, nil, 80, false); !errors.Is(err, ErrNoResult) {
		t.Errorf("nil result: got %v, want ErrNoResult", err)
	}
	r, _, _ := fixture()
	if err := Text(failingWriter{}, r, 80, false); !errors.Is(err, errDiskFull) {
		t.Errorf("failing writer: got %v, want it wrapped", err)
	}
}
