// Command loadtest is a bounded load test of `retold serve` on loopback:
// a fixed number of requests of each kind (story list, story page, match),
// a few at a time, and the same again while documents are being added
// through the API; it prints p50, p99 and requests per second per kind
// and stops by itself. Any error response fails the run.
//
//	go run ./internal/cmd/loadtest --url http://127.0.0.1:8080 --probes probes.jsonl \
//	    --add more.jsonl --token TOKEN [--n 1000] [--concurrency 4]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/retold/retold/extract"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server")
	n := flag.Int("n", 1000, "requests of each kind in each phase")
	conc := flag.Int("concurrency", 4, "requests at a time")
	probes := flag.String("probes", "", "JSONL of documents to match (id, text); required")
	add := flag.String("add", "", "JSONL to add through the API during the second phase (needs --token)")
	token := flag.String("token", os.Getenv("RETOLD_TOKEN"), "the write token")
	batch := flag.Int("batch", 64, "records per add request")
	flag.Parse()
	if err := run(*base, *n, *conc, *probes, *add, *token, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type kind struct {
	name string
	req  func(i int) (*http.Request, error)
}

func run(base string, n, conc int, probesPath, addPath, token string, batch int) error {
	if probesPath == "" {
		return errors.New("--probes is required")
	}
	probes, err := readLines(probesPath)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2}}
	// Story ids to open: the first pages of the list.
	var ids []string
	for off := 0; off < 1000; off += 500 {
		var list struct {
			Stories []struct{ ID string } `json:"stories"`
		}
		if err := getJSON(client, fmt.Sprintf("%s/api/v1/stories?limit=500&offset=%d", base, off), &list); err != nil {
			return err
		}
		for _, s := range list.Stories {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		return errors.New("the server holds no story")
	}
	words := []string{"said", "government", "minister", "police", "report", "city"}
	kinds := []kind{
		{"story list", func(i int) (*http.Request, error) {
			return http.NewRequest("GET", fmt.Sprintf("%s/api/v1/stories?limit=50&offset=%d", base, (i%20)*50), nil)
		}},
		{"story list, search", func(i int) (*http.Request, error) {
			return http.NewRequest("GET", base+"/api/v1/stories?limit=50&q="+url.QueryEscape(words[i%len(words)]), nil)
		}},
		{"story page", func(i int) (*http.Request, error) {
			return http.NewRequest("GET", base+"/api/v1/stories/"+url.PathEscape(ids[i%len(ids)]), nil)
		}},
		{"match", func(i int) (*http.Request, error) {
			r, err := http.NewRequest("POST", base+"/api/v1/match", bytes.NewReader(probes[i%len(probes)]))
			if err == nil {
				r.Header.Set("Content-Type", "application/json")
			}
			return r, err
		}},
	}
	fmt.Printf("| phase | kind | requests | errors | p50 ms | p99 ms | max ms | req/s |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	if err := phase("idle", client, kinds, n, conc); err != nil {
		return err
	}
	if addPath == "" {
		return nil
	}
	recs, err := readLines(addPath)
	if err != nil {
		return err
	}
	// The adder posts batches until the reads are done (or the file ends).
	stop := make(chan struct{})
	var added, addErrs atomic.Int64
	var addTime atomic.Int64
	done := make(chan error, 1)
	go func() {
		for i := 0; i < len(recs); i += batch {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			body := bytes.Join(recs[i:min(i+batch, len(recs))], []byte("\n"))
			r, _ := http.NewRequest("POST", base+"/api/v1/documents", bytes.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+token)
			t0 := time.Now()
			resp, err := client.Do(r)
			if err != nil {
				done <- err
				return
			}
			var a struct{ Added, Duplicates int }
			err = json.NewDecoder(resp.Body).Decode(&a)
			resp.Body.Close()
			if err != nil || resp.StatusCode >= 300 {
				addErrs.Add(1)
				continue
			}
			addTime.Add(int64(time.Since(t0)))
			added.Add(int64(a.Added + a.Duplicates))
		}
		done <- nil
	}()
	start := time.Now()
	err = phase("during add", client, kinds, n, conc)
	close(stop)
	if aerr := <-done; aerr != nil && err == nil {
		err = aerr
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("\nadd during the reads: %d documents in %.1f s, %.0f docs/s (%.0f docs/s of time spent in add requests), %d failed requests\n",
		added.Load(), secs, float64(added.Load())/secs, float64(added.Load())/max(time.Duration(addTime.Load()).Seconds(), 1e-9), addErrs.Load())
	if addErrs.Load() > 0 && err == nil {
		err = fmt.Errorf("%d add requests failed", addErrs.Load())
	}
	return err
}

// phase runs n requests of each kind, conc at a time, kind after kind.
func phase(name string, client *http.Client, kinds []kind, n, conc int) error {
	failed := 0
	for _, k := range kinds {
		lat := make([]time.Duration, n)
		var errs atomic.Int64
		var firstErr atomic.Value
		next := make(chan int)
		var wg sync.WaitGroup
		start := time.Now()
		for range conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					req, err := k.req(i)
					if err != nil {
						errs.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
						continue
					}
					t0 := time.Now()
					resp, err := client.Do(req)
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if err == nil && resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("%s: status %d", req.URL.Path, resp.StatusCode)
						}
					}
					lat[i] = time.Since(t0)
					if err != nil {
						errs.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		secs := time.Since(start).Seconds()
		slices.Sort(lat)
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		fmt.Printf("| %s | %s | %d | %d | %.1f | %.1f | %.1f | %.0f |\n", name, k.name, n, errs.Load(), q(0.5), q(0.99), q(1), float64(n)/secs)
		if errs.Load() > 0 {
			failed++
			fmt.Fprintf(os.Stderr, "loadtest: %s %s: first error: %v\n", name, k.name, firstErr.Load())
		}
	}
	if failed > 0 {
		return fmt.Errorf("%s: %d kinds of request had errors", name, failed)
	}
	return nil
}

func getJSON(c *http.Client, u string, v any) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func readLines(path string) ([][]byte, error) {
	r, err := extract.OpenJSONL(path, nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out [][]byte
	for {
		line, _, err := r.NextLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, bytes.Clone(line))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no lines", path)
	}
	return out, nil
}
