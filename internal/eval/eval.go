// Package eval scores predictions against labeled truth for `retold
// eval`: it reads the truth file (ids with story and event labels) and a
// clustering or a dedup's kept records, and writes the scores of package
// metrics as a table or as JSON (docs/json.md).
package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	retold "github.com/retold/retold"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/internal/metrics"
)

// MaxLine is the longest JSONL line eval reads. Truth files carry the
// article text, so lines are long, but a line past this is more likely a
// file that is not JSONL at all.
const MaxLine = 16 << 20

// Level is one level of clustering that eval scores.
type Level struct {
	Name     string // "story" or "event"
	TruthKey string // field holding the label in the truth file
}

// The pred file is what `retold cluster` writes, so its fields are fixed;
// only the truth's can be renamed (wmt-versions.jsonl has `group`).
const (
	predStoryKey = "story"
	predEventKey = "event"
)

// Truth is the truth file read: the items are its ids in file order.
type Truth struct {
	ids   []string
	index map[string]int // id -> position in ids
	// labels holds per level (in the order of the levels given to
	// ReadTruth) the label of every item, or nil when no line has one.
	labels [][]string
}

// ReadTruth reads the truth file. A level is present when any line has its
// field; then every line must.
func ReadTruth(ctx context.Context, path string, levels []Level) (*Truth, error) {
	keys := make([]string, len(levels))
	for k, l := range levels {
		keys[k] = l.TruthKey
	}
	t := &Truth{index: make(map[string]int), labels: make([][]string, len(levels))}
	var lineOf []int // line of each item, for the duplicate message
	// lacking[k] is the first line without level k's field, 0 when none.
	lacking := make([]int, len(levels))
	err := readLabeled(ctx, path, keys, func(r labeledLine) error {
		if i, ok := t.index[r.id]; ok {
			return r.errorf("duplicate id %q (first on line %d)", r.id, lineOf[i])
		}
		t.index[r.id] = len(t.ids)
		lineOf = append(lineOf, r.line)
		for k := range levels {
			if !r.has[k] {
				if lacking[k] == 0 {
					lacking[k] = r.line
				}
				continue
			}
			if t.labels[k] == nil {
				// The lines before this one lack the field: reported below.
				t.labels[k] = make([]string, len(t.ids), len(t.ids)+1)
			}
			t.labels[k] = append(t.labels[k], r.labels[k])
		}
		t.ids = append(t.ids, r.id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(t.ids) == 0 {
		return nil, fmt.Errorf("%s: no records", path)
	}
	anyLevel := false
	for k, l := range levels {
		if t.labels[k] == nil {
			continue
		}
		anyLevel = true
		if lacking[k] != 0 {
			return nil, fmt.Errorf("%s:%d: %w: no %q field, but other lines have one", path, lacking[k], retold.ErrFormat, l.TruthKey)
		}
	}
	if !anyLevel {
		return nil, fmt.Errorf("%s: %w: no line has a label field to score against (looked for %s)", path, retold.ErrFormat, quoteFirst(keys, len(keys)))
	}
	return t, nil
}

// ReadPred reads the predicted labels of the truth's items: per level, in
// truth order; nil for a level the truth lacks. Lines whose id is not in
// the truth are skipped with a note on stderr.
func ReadPred(ctx context.Context, warn io.Writer, path string, truth *Truth, levels []Level) ([][]string, error) {
	keys := []string{predStoryKey, predEventKey}
	out := make([][]string, len(levels))
	for k := range levels {
		if truth.labels[k] != nil {
			out[k] = make([]string, len(truth.ids))
		}
	}
	lineOf := make([]int, len(truth.ids)) // 0: not seen yet
	extraLines := make(map[string]int)
	var extra []string
	err := readLabeled(ctx, path, keys, func(r labeledLine) error {
		i, ok := truth.index[r.id]
		if !ok {
			if first, dup := extraLines[r.id]; dup {
				return r.errorf("duplicate id %q (first on line %d)", r.id, first)
			}
			extraLines[r.id] = r.line
			extra = append(extra, r.id)
			return nil
		}
		if lineOf[i] != 0 {
			return r.errorf("duplicate id %q (first on line %d)", r.id, lineOf[i])
		}
		lineOf[i] = r.line
		for k, l := range levels {
			if out[k] == nil {
				continue
			}
			if !r.has[k] {
				return r.errorf("id %q has no %q field, and the truth has %s labels", r.id, keys[k], l.Name)
			}
			out[k][i] = r.labels[k]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var missing []string
	for i, l := range lineOf {
		if l == 0 {
			missing = append(missing, truth.ids[i])
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s lacks %d of the %d truth ids (first: %s)", path, len(missing), len(truth.ids), quoteFirst(missing, 5))
	}
	if len(extra) > 0 {
		fmt.Fprintf(warn, "retold eval: note: %s: ignored %d ids that are not in the truth (first: %s)\n", path, len(extra), quoteFirst(extra, 5))
	}
	return out, nil
}

// quoteFirst quotes the first n of ids, with "..." when there are more.
func quoteFirst(ids []string, n int) string {
	var q []string
	for _, id := range ids[:min(n, len(ids))] {
		q = append(q, strconv.Quote(id))
	}
	if len(ids) > n {
		q = append(q, "...")
	}
	return strings.Join(q, ", ")
}

// labeledLine is one record of an eval input: its id and, per key asked
// for, whether it has the field and the label.
type labeledLine struct {
	path   string
	line   int
	id     string
	has    []bool
	labels []string
}

// errorf makes an error naming the record's file and line.
func (r labeledLine) errorf(format string, a ...any) error {
	return fmt.Errorf("%s:%d: %w: %s", r.path, r.line, retold.ErrFormat, fmt.Sprintf(format, a...))
}

// readLabeled calls fn for every non-blank line of the JSONL file at path,
// with the string labels found under keys. Each line must be a JSON object
// with a non-empty string id; a label present must be a non-empty string.
// The has and labels slices are reused between calls.
func readLabeled(ctx context.Context, path string, keys []string, fn func(labeledLine) error) error {
	lr, err := extract.OpenJSONL(path, &extract.JSONLOptions{MaxLine: MaxLine})
	if err != nil {
		return err
	}
	defer lr.Close()
	r := labeledLine{path: path, has: make([]bool, len(keys)), labels: make([]string, len(keys))}
	var obj map[string]json.RawMessage
	for {
		line, n, err := lr.NextLine()
		if err == io.EOF {
			return nil
		}
		r.line = n
		if errors.Is(err, retold.ErrTooLarge) {
			return fmt.Errorf("%s:%d: %w: line longer than %d MiB", path, r.line, retold.ErrTooLarge, MaxLine>>20)
		}
		if err != nil {
			return err
		}
		if r.line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !utf8.Valid(line) {
			// encoding/json would turn bad bytes into U+FFFD and so merge
			// labels that differ.
			return fmt.Errorf("%s:%d: %w", path, r.line, retold.ErrInvalidUTF8)
		}
		// The map is reused: Unmarshal adds to a map it is given.
		clear(obj)
		if err := json.Unmarshal(line, &obj); err != nil {
			return r.errorf("not a JSON object: %v", err)
		}
		if obj == nil {
			return r.errorf("not a JSON object: null")
		}
		id, ok, err := stringField(obj, "id")
		switch {
		case err != nil:
			return r.errorf("%v", err)
		case !ok:
			return r.errorf(`no "id" field`)
		}
		r.id = id
		for k, key := range keys {
			r.labels[k], r.has[k], err = stringField(obj, key)
			if err != nil {
				return r.errorf("%v", err)
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// stringField returns obj[key] as a string; ok is false when the field is
// absent. A field that is not a string, or is empty, is an error: an empty
// label would silently make one cluster of everything unlabeled.
func stringField(obj map[string]json.RawMessage, key string) (s string, ok bool, err error) {
	raw, ok := obj[key]
	if !ok {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil || !bytes.HasPrefix(raw, []byte(`"`)) {
		return "", false, fmt.Errorf("%q is not a string: %.40s", key, raw)
	}
	if s == "" {
		return "", false, fmt.Errorf("empty %q", key)
	}
	return s, true, nil
}

// LevelScores is one row of the eval report.
type LevelScores struct {
	level string
	metrics.Scores
}

// WriteTable prints rows as a Markdown table with padded columns, so it
// reads as a plain table in a terminal too.
func WriteTable(w io.Writer, rows []LevelScores) {
	head := []string{"level", "items", "truth clusters", "pred clusters", "ARI", "pair P", "pair R", "pair F1", "B-cubed F1"}
	cells := [][]string{head}
	for _, r := range rows {
		f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
		cells = append(cells, []string{
			r.level, strconv.Itoa(r.Items), strconv.Itoa(r.TruthClusters), strconv.Itoa(r.PredClusters),
			f(r.ARI), f(r.Precision), f(r.Recall), f(r.F1), f(r.BCubedF1),
		})
	}
	width := make([]int, len(head))
	for _, row := range cells {
		for c, s := range row {
			width[c] = max(width[c], len(s))
		}
	}
	line := func(row []string) {
		var b strings.Builder
		for c, s := range row {
			b.WriteString("| ")
			pad := strings.Repeat(" ", width[c]-len(s))
			if c == 0 {
				b.WriteString(s + pad) // the level name reads left to right
			} else {
				b.WriteString(pad + s)
			}
			b.WriteString(" ")
		}
		b.WriteString("|")
		fmt.Fprintln(w, b.String())
	}
	line(head)
	rule := make([]string, len(head))
	for c := range rule {
		if c == 0 {
			rule[c] = strings.Repeat("-", width[c])
		} else {
			rule[c] = strings.Repeat("-", width[c]-1) + ":"
		}
	}
	line(rule)
	for _, row := range cells[1:] {
		line(row)
	}
}

// WriteJSON writes {"story": Scores, "event": Scores}, levels in that
// order, a skipped level left out.
func WriteJSON(w io.Writer, rows []LevelScores) error {
	var out struct {
		Story *metrics.Scores `json:"story,omitempty"`
		Event *metrics.Scores `json:"event,omitempty"`
	}
	for _, r := range rows {
		switch r.level {
		case "story":
			out.Story = &r.Scores
		case "event":
			out.Event = &r.Scores
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// Kept scores a dedup against the truth's stories, walking the truth
// in file order: a dropped record is a right drop when an earlier record
// of its story was kept; recall is over the records whose story has an
// earlier record at all.
func Kept(w io.Writer, truth *Truth, path string, asJSON bool) error {
	if truth.labels[0] == nil {
		return fmt.Errorf("%s: truth has no story labels to score a dedup against", path)
	}
	lr, err := extract.OpenJSONL(path, &extract.JSONLOptions{MaxLine: MaxLine})
	if err != nil {
		return err
	}
	defer lr.Close()
	kept := map[string]bool{}
	for {
		line, n, err := lr.NextLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		var r struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(line, &r); err != nil || r.ID == "" {
			return fmt.Errorf("%s:%d: want a JSON record with a string id", path, n)
		}
		if _, ok := truth.index[r.ID]; !ok {
			return fmt.Errorf("%s:%d: id %q is not in the truth", path, n, r.ID)
		}
		kept[r.ID] = true
	}
	seen, seenKept := map[string]bool{}, map[string]bool{}
	var dropped, right, later int
	for i, id := range truth.ids {
		s := truth.labels[0][i]
		if seen[s] {
			later++
		}
		if kept[id] {
			seenKept[s] = true
		} else {
			dropped++
			if seenKept[s] {
				right++
			}
		}
		seen[s] = true
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	p, r := ratio(right, dropped), ratio(right, later)
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"docs": len(truth.ids), "dropped": dropped, "right_drops": right, "later_versions": later, "precision": p, "recall": r})
	}
	fmt.Fprintf(w, "| docs | later versions | dropped | right drops | precision | recall |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| %d | %d | %d | %d | %.3f | %.3f |\n",
		len(truth.ids), later, dropped, right, p, r)
	return nil
}

// Score compares pred (per level, as ReadPred gives it) with the truth:
// a row per level the truth labels, and a note per level it does not.
func Score(truth *Truth, pred [][]string, levels []Level) (rows []LevelScores, notes []string, err error) {
	for k, l := range levels {
		if truth.labels[k] == nil {
			notes = append(notes, fmt.Sprintf("%s: skipped (truth has no %s labels)", l.Name, l.Name))
			continue
		}
		s, err := metrics.Compare(truth.labels[k], pred[k])
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, LevelScores{l.Name, s})
	}
	return rows, notes, nil
}
