// Command pushload pushes NDJSON batches of API-call records to one or
// more EcoPulse replicas for a while and prints what was accepted, as one
// JSON object: records/s over the run, batches, refusals. Each client
// posts to one replica (client i to URL i mod n, as a load balancer
// spreading connections would), one batch after the other, each with an
// Idempotency-Key of its own, as a gateway that retries would send it.
// The records of every batch fall in a few hours and share six consumers
// and three endpoints: hot rollup keys that every replica writes at once.
//
//	go run ./scripts/bench/pushload -token T -clients 8 -batch 1000 -seconds 10 http://127.0.0.1:8081 http://127.0.0.1:8082
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Replicas  int     `json:"replicas"`
	Clients   int     `json:"clients"`
	Batch     int     `json:"batch"`
	Seconds   float64 `json:"seconds"`
	Batches   int64   `json:"batches"`
	Records   int64   `json:"records"` // accepted (2xx)
	PerSecond float64 `json:"records_per_s"`
	Refused   int64   `json:"refused"` // batches answered otherwise, or not at all
	FirstErr  string  `json:"first_error,omitempty"`
}

func main() {
	token := flag.String("token", "", "the ingest token (Bearer)")
	clients := flag.Int("clients", 8, "clients posting at once")
	batch := flag.Int("batch", 1000, "records a batch")
	seconds := flag.Float64("seconds", 10, "how long to push")
	day := flag.String("day", "2026-05-04", "the day the records fall on")
	flag.Parse()
	urls := flag.Args()
	if *token == "" || len(urls) == 0 || *clients < 1 || *batch < 1 {
		fmt.Fprintln(os.Stderr, "usage: pushload -token T [-clients N] [-batch N] [-seconds S] URL…")
		os.Exit(2)
	}
	start, err := time.Parse("2006-01-02", *day)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pushload: -day:", err)
		os.Exit(2)
	}
	bodies := make([]string, 16)
	for i := range bodies {
		bodies[i] = ndjson(*batch, start.Add(time.Duration(i%4)*time.Hour))
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	var batches, records, refused, seq atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	began := time.Now()
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := urls[c%len(urls)]
			for time.Now().Before(deadline) {
				n := seq.Add(1)
				err := post(client, base, *token, fmt.Sprintf("pushload-%d-%d", began.UnixNano(), n), bodies[n%int64(len(bodies))])
				if err != nil {
					refused.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				batches.Add(1)
				records.Add(int64(*batch))
			}
		}()
	}
	wg.Wait()
	took := time.Since(began).Seconds()
	r := result{Replicas: len(urls), Clients: *clients, Batch: *batch, Seconds: took, Batches: batches.Load(),
		Records: records.Load(), PerSecond: float64(records.Load()) / took, Refused: refused.Load()}
	if e, ok := firstErr.Load().(string); ok {
		r.FirstErr = e
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

// ndjson is n records from at on, a second apart: six consumers, three
// endpoints, one call in seven a 5xx.
func ndjson(n int, at time.Time) string {
	var b strings.Builder
	endpoints := []string{"/v1/chat/completions", "/v1/embeddings", "/v1/models"}
	for i := range n {
		fmt.Fprintf(&b, `{"time":%q,"consumer":"load-%d","endpoint":%q,"status":%d,"bytes":%d,"latency_ms":%d}`+"\n",
			at.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i%6, endpoints[i%3], 200+(i%7/6)*300, 100+i%900, 20+i%50)
	}
	return b.String()
}

func post(client *http.Client, base, token, key, body string) error {
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/ingest/api-calls", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Idempotency-Key", key)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s: status %d", base, res.StatusCode)
	}
	return nil
}
