package align

// referenceAlign is the plain version of Align: every pair scored with
// Similarity, no index. Tests hold Align to it.
func referenceAlign(a, b []Sentence, o Options) []Pair {
	var cands []scored
	for i := range a {
		for j := range b {
			sh := sharedWeight(a[i], b[j])
			if sh == 0 {
				continue
			}
			if c := (scored{a: i, b: j, shared: sh, sim: Similarity(a[i], b[j])}); c.keep(a[i].total(), b[j].total(), o) {
				cands = append(cands, c)
			}
		}
	}
	return link(cands, a, b, o, &bIndex{})
}
