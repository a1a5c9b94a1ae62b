package features

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// wordRuns is the plain reference for entityScanner.runs: every maximal
// run of letters, digits and marks of text, found by scanning it.
func wordRuns(text string) []span {
	var out []span
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isAlnum(r) {
			i += size
			continue
		}
		j := alnumEnd(text, i+size)
		out = append(out, span{i, j})
		i = j
	}
	return out
}

// FuzzEntityRuns checks that the words the entity scanner records on its
// way, which dropCommonWords uses instead of scanning the text again, are
// exactly the words of the text.
func FuzzEntityRuns(f *testing.F) {
	for _, s := range []string{
		"", "a", "Tokaev's2 aide", "O’Brien3x and D'Alema", "don't DON'T Don’t", "U.S.5 NUR.KZ",
		"Kassym-Jomart al-Assad -x- x-", "Aʼb c", "\xff\xfeAb\xc3", "Sporadic gunfire. sporadic",
		"it's 5's a'b'c'd o'9", "カザフスタンで164人 Tokaev",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc := entityScanner{text: s}
		sc.scan()
		if want := wordRuns(s); !slices.Equal(sc.runs, want) {
			t.Fatalf("scan of %q recorded runs %v, want %v", s, sc.runs, want)
		}
	})
}

func TestResultsDoNotShareCapacity(t *testing.T) {
	// Numbers and Entities slice many results from one backing array;
	// appending to one must not overwrite the next.
	s := "Ann Lee met Bob Ray. Officials said 12 people and 14 others came."
	ents := Entities(s)
	if len(ents) < 2 {
		t.Fatalf("Entities(%q) = %v, want two or more", s, ents)
	}
	next := slices.Clone(ents[1].Words)
	_ = append(ents[0].Words, "x")
	if !slices.Equal(ents[1].Words, next) {
		t.Errorf("appending to Words of %q changed those of %q", ents[0].Text, ents[1].Text)
	}
	nums := Numbers(s)
	if len(nums) < 2 {
		t.Fatalf("Numbers(%q) = %v, want two or more", s, nums)
	}
	left := slices.Clone(nums[1].Left)
	_ = append(nums[0].Right, "x")
	_ = append(nums[0].Left, "x")
	if !slices.Equal(nums[1].Left, left) {
		t.Errorf("appending to the context of %q changed that of %q", nums[0].Text, nums[1].Text)
	}
}

func TestPooledCallsAreIndependent(t *testing.T) {
	// A second call reuses the first one's buffers; the first results
	// must survive it.
	a := "Helena Marquardt asked for $45 million. Marquardt told Reporters."
	ea, na := Entities(a), Numbers(a)
	wantE, wantN := slices.Clone(ea), slices.Clone(na)
	Entities("Tobias Okonkwo-Reyes opened eleven Shelters for 5,000 People.")
	Numbers("Tobias Okonkwo-Reyes opened eleven Shelters for 5,000 People.")
	for k := range ea {
		if ea[k].Key != wantE[k].Key || !slices.Equal(ea[k].Words, wantE[k].Words) {
			t.Errorf("entity %d changed to %+v, was %+v", k, ea[k], wantE[k])
		}
	}
	for k := range na {
		if na[k].Value != wantN[k].Value || !slices.Equal(na[k].Left, wantN[k].Left) || !slices.Equal(na[k].Right, wantN[k].Right) {
			t.Errorf("number %d changed to %+v, was %+v", k, na[k], wantN[k])
		}
	}
}
