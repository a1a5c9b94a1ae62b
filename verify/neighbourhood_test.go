package verify

import (
	"os"
	"path/filepath"
	"testing"

	retold "github.com/retold/retold"
)

// TestNeighbourhoodDiscountsWhatManyShare compares the invented ferry
// reports with and without their neighbourhood: what the independent
// reports share with the wire (the quote's setting, the toll, the
// operator's statement) is shared by most of the corpus, so it weighs
// less and their reuse shares fall, while the spun copy, which shares
// nearly everything, stays whole reuse.
func TestNeighbourhoodDiscountsWhatManyShare(t *testing.T) {
	c := New(nil)
	prof := make(map[string]*Profile)
	var all []*Profile
	for _, name := range []string{"wire", "indep1", "indep2", "partial", "spun", "writethru"} {
		b, err := os.ReadFile(filepath.Join("testdata", "reuse", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		prof[name] = c.Profile(retold.Document{ID: name, Text: string(b)})
		all = append(all, prof[name])
	}
	nbOf := func(name string) *Neighbourhood { return NewNeighbourhood(prof[name], all) }
	for _, name := range []string{"indep1", "indep2"} {
		alone := c.CompareProfiles(prof["wire"], prof[name]).Reuse
		in := c.CompareProfilesIn(prof["wire"], prof[name], nbOf(name)).Reuse
		if in.ShareA > alone.ShareA || in.ShareB > alone.ShareB || in.ShareA+in.ShareB >= alone.ShareA+alone.ShareB {
			t.Errorf("wire vs %s: shares %.3f/%.3f in the neighbourhood, %.3f/%.3f alone: want lower", name, in.ShareA, in.ShareB, alone.ShareA, alone.ShareB)
		}
		if in.Class != ReuseNone {
			t.Errorf("wire vs %s: reuse %s in the neighbourhood", name, in.Class)
		}
	}
	if r := c.CompareProfilesIn(prof["wire"], prof["spun"], nbOf("spun")); r.Reuse.Class != ReuseWhole || r.Verdict != retold.Version {
		t.Errorf("wire vs spun in the neighbourhood: %s, reuse %+v", r.Verdict, r.Reuse)
	}
	// A nil neighbourhood weighs everything 1: the pairwise result.
	if a, b := c.CompareProfilesIn(prof["wire"], prof["partial"], nil).Reuse, c.CompareProfiles(prof["wire"], prof["partial"]).Reuse; a != b {
		t.Errorf("nil neighbourhood %+v, pairwise %+v", a, b)
	}
}
