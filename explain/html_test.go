package explain

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/verify"
)

func renderHTML(t *testing.T, r *verify.Result, a, b retold.Document) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, r, a, b); err != nil {
		t.Fatalf("HTML: %v", err)
	}
	return buf.String()
}

func TestHTMLIsACompleteSelfContainedPage(t *testing.T) {
	r, a, b := fixture()
	out := renderHTML(t, r, a, b)
	if !strings.HasPrefix(out, "<!doctype html>") {
		t.Errorf("page does not start with <!doctype html>: %.40q", out)
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "</html>") {
		t.Errorf("page does not end with </html>: ...%q", out[max(0, len(out)-40):])
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "url("} {
		if strings.Contains(out, bad) {
			t.Errorf("page refers outside itself or runs code: has %q", bad)
		}
	}
	for _, want := range []string{
		`<meta charset="utf-8">`,
		`@media (max-width: 700px)`,
		`<span class="badge" data-verdict="version">version</span>`,
		`score 0.83`,
		`<td>Coverage of A</td><td>78%</td>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestHTMLHighlightsFacts(t *testing.T) {
	r, a, b := fixture()
	tests := []struct {
		name   string
		change func(a, b *retold.Document)
	}{
		{name: "by offsets"},
		// Without the document texts the facts are found by their spelling.
		{name: "by spelling", change: func(a, b *retold.Document) { a.Text, b.Text = "", "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := a, b
			if tt.change != nil {
				tt.change(&a, &b)
			}
			out := renderHTML(t, r, a, b)
			for _, want := range []string{
				// A changed number is a reworded word too: the word diff
				// wraps the fact mark.
				`said <span class="w-rep"><mark class="changed" title="B has 14">12</mark></span> people`,
				`said <span class="w-rep"><mark class="changed" title="A has 12">14</mark></span> people`,
				`from <mark class="only" title="only in A">1890</mark>.`,
				`cost <mark class="only" title="only in B">$2 million</mark>.`,
				`Anna <span class="w-rep"><mark class="variant" title="B writes Kowalski">Kowalsky</mark></span> thanked`,
				`Anna <span class="w-rep"><mark class="variant" title="A writes Kowalsky">Kowalski</mark></span> thanked`,
				`the <mark class="same" title="same in A and B">40</mark> firefighters`,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

// rowOrder is the kinds and labels of the table rows, in page order:
// "pair A1 B1", "dropped A3", "added B2".
func rowOrder(page string) []string {
	rowRE := regexp.MustCompile(`<tr class="(pair|dropped|added)">(.*?)</tr>`)
	labelRE := regexp.MustCompile(`<span class="label">([AB]\d+)</span>`)
	var rows []string
	for _, m := range rowRE.FindAllStringSubmatch(page, -1) {
		s := m[1]
		for _, l := range labelRE.FindAllStringSubmatch(m[2], -1) {
			s += " " + l[1]
		}
		rows = append(rows, s)
	}
	return rows
}

func TestHTMLInterleavesOneSidedSentences(t *testing.T) {
	r, a, b := fixture()
	// Sentence 2 of A is split in two in B (B3 and B4), and B5 is new at the end.
	r.Alignment = append(r.Alignment, pair(2, 4, r.Alignment[2].AText, "They came from three towns.", 0.3))
	r.OnlyInB = append(r.OnlyInB, verify.SentenceRef{Index: 5, Text: "The mayor will visit them."})
	// Given out of order: the page sorts them.
	r.Alignment[0], r.Alignment[1] = r.Alignment[1], r.Alignment[0]
	out := renderHTML(t, r, a, b)
	got := strings.Join(rowOrder(out), " | ")
	want := "pair A0 B0 | pair A1 B1 | added B2 | pair A2 B3 | pair A2 B4 | dropped A3 | added B5"
	if got != want {
		t.Errorf("rows:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(out, `<span class="label">A2</span><span class="repeat">Mayor`) {
		t.Error("the second row of a split sentence is not shown as a repeat")
	}
}

func TestHTMLEscapesDocumentText(t *testing.T) {
	const attack = "<script>alert(1)</script>"
	const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
	tests := []struct {
		name   string
		change func(r *verify.Result, a, b *retold.Document)
	}{
		{"title", func(r *verify.Result, a, b *retold.Document) { r.A.Title = attack }},
		{"document title only", func(r *verify.Result, a, b *retold.Document) { r.B.Title, b.Title = "", attack }},
		{"name", func(r *verify.Result, a, b *retold.Document) { r.B.Name = attack }},
		{"aligned sentence", func(r *verify.Result, a, b *retold.Document) {
			r.Alignment[0].AText = "Fire " + attack
			a.Text = strings.Replace(a.Text, "Fire broke out at the town hall in Lomza.", r.Alignment[0].AText, 1)
		}},
		{"sentence only in B", func(r *verify.Result, a, b *retold.Document) {
			r.OnlyInB[0] = verify.SentenceRef{Index: 2, Text: attack}
		}},
		{"reason", func(r *verify.Result, a, b *retold.Document) { r.Reason = attack }},
		{"number context and variant", func(r *verify.Result, a, b *retold.Document) {
			r.Facts.Numbers.Changed[0].B.Text = attack
			r.Facts.Entities.Variants[0].B = attack
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, a, b := fixture()
			tt.change(r, &a, &b)
			out := renderHTML(t, r, a, b)
			if strings.Contains(out, attack) || strings.Contains(out, "<script") {
				t.Errorf("the raw tag reached the page")
			}
			if !strings.Contains(out, escaped) {
				t.Errorf("the page lacks the escaped text %q", escaped)
			}
		})
	}
}

func TestSideLocatesRepeatedSentences(t *testing.T) {
	text := "Stay calm. The river rose. Stay calm. Help came."
	// Refs without a valid span (-1, or one that does not match the text)
	// are located in index order.
	s := newSide("A", "B", text, []verify.SentenceRef{
		{Index: 1, Text: "The river rose.", Start: 11, End: 26},
		{Index: 0, Text: "Stay calm.", Start: -1, End: -1},
		{Index: 2, Text: "Stay calm.", Start: 0, End: 3},
		{Index: 3, Text: "Help came.", Start: -1, End: -1},
		{Index: 4, Text: "Not in the text.", Start: -1, End: -1},
	})
	want := map[int][2]int{0: {0, 10}, 1: {11, 26}, 2: {27, 37}, 3: {38, 48}, 4: {-1, -1}}
	for i, w := range want {
		if st := s.sents[i]; st.Start != w[0] || st.End != w[1] {
			t.Errorf("sentence %d at [%d,%d), want [%d,%d)", i, st.Start, st.End, w[0], w[1])
		}
	}
}

func TestHTMLErrors(t *testing.T) {
	if err := HTML(&bytes.Buffer{}, nil, retold.Document{}, retold.Document{}); !errors.Is(err, ErrNoResult) {
		t.Errorf("nil result: got %v, want ErrNoResult", err)
	}
	r, a, b := fixture()
	if err := HTML(failingWriter{}, r, a, b); !errors.Is(err, errDiskFull) {
		t.Errorf("failing writer: got %v, want it wrapped", err)
	}
}
