package features

import (
	"reflect"
	"testing"
)

func quoteTexts(s string) []string {
	var out []string
	for _, q := range Quotes(s) {
		out = append(out, q.Text)
	}
	return out
}

func TestQuotes(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"curly double quotes", `he said “we will restore order” on Friday`, []string{"we will restore order"}},
		{"straight double quotes", `he said "we will restore order" on Friday`, []string{"we will restore order"}},
		{"guillemets with inner spaces", `il a dit « nous rétablirons l'ordre » hier`, []string{"nous rétablirons l'ordre"}},
		{"German low-high quotes", `er sagte „wir stellen die Ordnung wieder her“ gestern`, []string{"wir stellen die Ordnung wieder her"}},
		{"Japanese brackets", `彼は「秩序を回復する」と述べた`, []string{"秩序を回復する"}},
		{"single quotes with three words", `he said ‘we will win’ and left`, []string{"we will win"}},
		{"single quotes with two words are skipped", `the so-called ‘old man’ left`, nil},
		{"apostrophe does not open a quote", `Tokaev’s office said ‘order will be restored’ today`, []string{"order will be restored"}},
		{"apostrophe inside a single quote", `he said ‘Tokaev’s men are here’ today`, []string{"Tokaev’s men are here"}},
		{"one word is too short", `foreign-backed “terrorists,” he said`, nil},
		{"two words are enough", `shouted “old man” as`, []string{"old man"}},
		{"unbalanced quote ends at the line", "he said “this never closes\nand “this does close” later", []string{"this does close"}},
		{"straight quote after a letter does not open", `a 5" screen and a "real quote here" ok`, []string{"real quote here"}},
		{"several quotes", `“First one here,” he said. “Second one there.”`, []string{"First one here,", "Second one there."}},
		{"short quote consumes its closer", `"a" and "b c"`, []string{"b c"}},
		{"no quotes", "plain text only", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quoteTexts(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Quotes(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestQuoteSpanIsInsideTheMarks(t *testing.T) {
	s := `He said “restore order” twice.`
	qs := Quotes(s)
	if len(qs) != 1 {
		t.Fatalf("got %v", qs)
	}
	q := qs[0]
	if s[q.Start:q.End] != q.Text || s[q.Start-len("“"):q.Start] != "“" || s[q.End:q.End+len("”")] != "”" {
		t.Errorf("span %d..%d does not sit inside the marks", q.Start, q.End)
	}
}
