package baseline

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	retold "github.com/retold/retold"
)

func TestScale(t *testing.T) {
	if os.Getenv("RETOLD_EXP") == "" {
		t.Skip("experiment")
	}
	n, _ := strconv.Atoi(os.Getenv("RETOLD_EXP"))
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.07, 2, 200000)
	docs := make([]retold.Document, n)
	var sb strings.Builder
	for i := range docs {
		sb.Reset()
		for range 150 + r.IntN(400) {
			sb.WriteString("w")
			sb.WriteString(strconv.FormatUint(z.Uint64(), 36))
			sb.WriteByte(' ')
		}
		docs[i] = retold.Document{ID: strconv.Itoa(i), Text: sb.String()}
	}
	for i := 0; i+1 < n; i += 50 {
		docs[i+1].Text = docs[i].Text[:len(docs[i].Text)*3/4]
	}
	for _, mp := range []int{2000, 500} {
		for _, th := range []float64{0.175, 0.3} {
			runtime.GC()
			t0 := time.Now()
			l := TFIDF(docs, &Options{Threshold: th, MaxPostings: mp})
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			c := map[string]int{}
			for _, x := range l {
				c[x]++
			}
			fmt.Printf("n=%d tfidf th %.3f maxpost %d: %v, %d clusters, heap sys %d MB\n", n, th, mp, time.Since(t0), len(c), ms.HeapSys>>20)
		}
	}
	t0 := time.Now()
	l := MinHash(docs, nil)
	c := map[string]int{}
	for _, x := range l {
		c[x]++
	}
	fmt.Printf("minhash: %v, %d clusters\n", time.Since(t0), len(c))
}
