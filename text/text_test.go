package text

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func sentenceTexts(s string) []string {
	_, sents := Segment(s)
	out := []string{}
	for _, x := range sents {
		out = append(out, s[x.Start:x.End])
	}
	return out
}

func TestSegmentSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"two sentences", "The dam broke. Water rose fast.", []string{"The dam broke.", "Water rose fast."}},
		{"U.S. mid-sentence", "The U.S. embassy said it would help. It sent aid.", []string{"The U.S. embassy said it would help.", "It sent aid."}},
		{"U.S. at the end", "Aid came from the U.S. The rest came later.", []string{"Aid came from the U.S.", "The rest came later."}},
		{"month abbreviation", "Schools stay closed until Jan. 15, officials said. Then they reopen.", []string{"Schools stay closed until Jan. 15, officials said.", "Then they reopen."}},
		{"title abbreviation", "Dr. Aliya Nur spoke. Mr. Smith did not.", []string{"Dr. Aliya Nur spoke.", "Mr. Smith did not."}},
		{"number abbreviation", "He was ranked No. 2 in the world. She was third.", []string{"He was ranked No. 2 in the world.", "She was third."}},
		{"initials", "The report by J. R. Hartley was read. Nobody objected.", []string{"The report by J. R. Hartley was read.", "Nobody objected."}},
		{"quote closes sentence", `"It is over," he said. "We go home." Then silence.`, []string{`"It is over," he said.`, `"We go home."`, "Then silence."}},
		{"curly quotes", "He said “the water rose.” Others agreed.", []string{"He said “the water rose.”", "Others agreed."}},
		{"question and exclamation", "Who knew? Nobody! It was sudden.", []string{"Who knew?", "Nobody!", "It was sudden."}},
		{"decimal number", "A magnitude 6.3 quake hit. It was shallow.", []string{"A magnitude 6.3 quake hit.", "It was shallow."}},
		{"lower case after period", "The toll was 12 vs. 10 earlier. Fine.", []string{"The toll was 12 vs. 10 earlier.", "Fine."}},
		{"line breaks end sentences", "Headline without a period\nThe body starts here.", []string{"Headline without a period", "The body starts here."}},
		{"hard wrapped paragraph", "The flood waters rose\nquickly overnight. Many fled.", []string{"The flood waters rose\nquickly overnight.", "Many fled."}},
		{"ellipsis", "He paused… Then he spoke.", []string{"He paused…", "Then he spoke."}},
		{"japanese", "地震が発生した。津波の心配はない。", []string{"地震が発生した。津波の心配はない。"}},
		{"hindi danda", "भूकंप आया। लोग घायल हुए।", []string{"भूकंप आया।", "लोग घायल हुए।"}},
		{"sentences run together", "She worked there.She was arrested in 2018.", []string{"She worked there.", "She was arrested in 2018."}},
		{"run together before a quote", `They could not agree on six attacks."We are heartbroken," the families said.`, []string{"They could not agree on six attacks.", `"We are heartbroken," the families said.`}},
		{"run together before a curly quote", "They could not agree.“We are heartbroken,” they said.", []string{"They could not agree.", "“We are heartbroken,” they said."}},
		{"domain and acronym not split", "Read it on Deadline.com today. The U.S.Army said so.", []string{"Read it on Deadline.com today.", "The U.S.Army said so."}},
		{"empty", "", []string{}},
		{"whitespace", "  \n\n \t ", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentenceTexts(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("sentences of %q:\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSegmentParagraphsAndCaptions(t *testing.T) {
	in := "Floods kill 12\n\nThe river rose. People fled.\n\nEpoch Photo Desk\nSoldiers guard a bridge on Monday. (John Doe via AP)\nThe rain went on.\n"
	paras, sents := Segment(in)
	if len(paras) != 5 {
		t.Fatalf("got %d paragraphs, want 5: %v", len(paras), paras)
	}
	var captions []string
	for _, s := range sents {
		if s.Caption {
			captions = append(captions, in[s.Start:s.End])
		}
	}
	want := []string{"Floods kill 12", "Epoch Photo Desk", "Soldiers guard a bridge on Monday.", "(John Doe via AP)"}
	if !reflect.DeepEqual(captions, want) {
		t.Errorf("captions = %q, want %q", captions, want)
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Tokaev’s order", []string{"tokaev", "s", "order"}},
		{"more than 2,200 people", []string{"more", "than", "2,200", "people"}},
		{"a 5.8 million fund.", []string{"a", "5.8", "million", "fund"}},
		{"four-year-old girl", []string{"four", "year", "old", "girl"}},
		{"ends in 2019.", []string{"ends", "in", "2019"}},
		{"Kassym-Jomart", []string{"kassym", "jomart"}},
		{"ＡＢＣ full width", []string{"abc", "full", "width"}},
		{"ﬁnal ligature", []string{"final", "ligature"}},
		{"地震", []string{"地", "震"}},
		{"Grindavík", []string{"grindavík"}},
		{"STRASSE Straße", []string{"strasse", "strasse"}},
		{"1,2,3", []string{"1,2,3"}},
		{"x, 5", []string{"x", "5"}},
	}
	for _, tt := range tests {
		toks := Tokenize(nil, tt.in, 0, len(tt.in))
		got := []string{}
		for _, tk := range toks {
			got = append(got, tk.Norm)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"Tokaev’s":    "tokaev's",
		"“Quoted” —":  "\"quoted\" -",
		"ＡＢＣ":         "abc",
		"Straße":      "strasse",
		"plain ascii": "plain ascii",
		"MiXeD":       "mixed",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStem(t *testing.T) {
	var st Stemmer
	tests := map[string]string{"killed": "kill", "killing": "kill", "protests": "protest", "tokayev": "tokayev", "almaty": "almati", "地震": "地震", "run": "run"}
	for in, want := range tests {
		if got := st.Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnalyzeContentWords(t *testing.T) {
	d := Analyze("The dam broke on Tuesday. It was 60 years old.", nil)
	if len(d.Sentences) != 2 {
		t.Fatalf("got %d sentences", len(d.Sentences))
	}
	if got := d.ContentWords(0); got != 3 { // dam, broke, tuesday
		t.Errorf("ContentWords(0) = %d, want 3", got)
	}
	if got := d.ContentWords(1); got != 2 { // years, old (60 is a number)
		t.Errorf("ContentWords(1) = %d, want 2", got)
	}
}

// FuzzAnalyze checks the pipeline never panics and every offset lies inside
// the text, on rune boundaries, in order.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "The U.S. said. Hi.", "a\n\nb", "地震が発生した。", "\xff\xfe bad", "Dr. J. R. R. Tolkien (AP)", "2,200.5 people… «quoted»"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := Analyze(s, nil)
		check := func(what string, start, end int) {
			if start < 0 || end > len(s) || start > end {
				t.Fatalf("%s span [%d,%d) outside text of %d bytes", what, start, end, len(s))
			}
			if utf8.ValidString(s) && (!utf8.RuneStart(s[start]) && start < len(s) || end < len(s) && !utf8.RuneStart(s[end])) {
				t.Fatalf("%s span [%d,%d) splits a rune", what, start, end)
			}
		}
		prev := 0
		for _, p := range d.Paragraphs {
			check("paragraph", p.Start, p.End)
			if p.Start < prev || p.Start == p.End {
				t.Fatalf("paragraph %v out of order or empty", p)
			}
			prev = p.End
		}
		prev = 0
		for i, se := range d.Sentences {
			check("sentence", se.Start, se.End)
			if se.Start < prev || se.Start == se.End || strings.TrimSpace(s[se.Start:se.End]) == "" {
				t.Fatalf("sentence %v out of order or empty", se)
			}
			prev = se.End
			r := d.SentTokens[i]
			for _, tk := range d.Tokens[r.Start:r.End] {
				check("token", tk.Start, tk.End)
				if tk.Start < se.Start || tk.End > se.End {
					t.Fatalf("token %v outside its sentence %v", tk, se)
				}
			}
		}
		if len(d.Stems) != len(d.Tokens) {
			t.Fatalf("%d stems for %d tokens", len(d.Stems), len(d.Tokens))
		}
	})
}
