// Command loadgen compares the throughput of two GET routes of one server
// over loopback: it alternates rounds of a fixed duration between them,
// with the same number of keep-alive connections, and prints the requests
// per second of each round (target/baseline is the round's ratio), the
// medians, and the median of the round ratios — the figure to read on a
// shared machine, as each ratio compares two back-to-back measurements. Every response
// must be 200; anything else is counted and fails the run.
//
//	loadgen -url http://127.0.0.1:8080/api/cached -header 'Authorization: Token …' \
//	        -baseline http://127.0.0.1:8080/api/public -conns 16 -duration 5s -rounds 5
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("url", "", "route under test")
	baseline := flag.String("baseline", "", "route to compare with")
	header := flag.String("header", "", `header sent to -url, "Name: value"`)
	conns := flag.Int("conns", 16, "concurrent keep-alive connections")
	duration := flag.Duration("duration", 5*time.Second, "length of one round (at most 30s)")
	rounds := flag.Int("rounds", 5, "rounds per route (at most 10)")
	flag.Parse()
	if *target == "" || *baseline == "" || *duration > 30*time.Second || *rounds > 10 || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	for _, u := range []string{*target, *baseline} {
		p, err := url.Parse(u)
		if err != nil || (p.Hostname() != "127.0.0.1" && p.Hostname() != "localhost" && p.Hostname() != "::1") {
			fmt.Fprintln(os.Stderr, "loadgen: loopback URLs only")
			os.Exit(2)
		}
	}
	name, value, _ := strings.Cut(*header, ":")
	var tgt, base, ratios []float64
	for r := range *rounds {
		var b, t float64
		runBase := func() { var err error; b, err = round(*baseline, "", "", *conns, *duration); check(err) }
		runTarget := func() {
			var err error
			t, err = round(*target, strings.TrimSpace(name), strings.TrimSpace(value), *conns, *duration)
			check(err)
		}
		// Alternate the order so that a drifting load on a shared machine
		// does not favour either route.
		if r%2 == 0 {
			runBase()
			runTarget()
		} else {
			runTarget()
			runBase()
		}
		base, tgt, ratios = append(base, b), append(tgt, t), append(ratios, t/b)
		fmt.Printf("round %d: baseline %.0f req/s, target %.0f req/s, ratio %.3f\n", r+1, b, t, t/b)
	}
	fmt.Printf("median: baseline %.0f req/s, target %.0f req/s; median of the round ratios %.3f\n",
		median(base), median(tgt), median(ratios))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// round runs conns workers against u for d and returns requests/s.
func round(u, hname, hvalue string, conns int, d time.Duration) (float64, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var ok, bad atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequest("GET", u, nil)
				if hname != "" {
					req.Header.Set(hname, hvalue)
				}
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						bad.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					bad.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("status %d", resp.StatusCode))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if n := bad.Load(); n > 0 {
		return 0, fmt.Errorf("%s: %d failed requests (first: %v)", u, n, firstErr.Load())
	}
	return float64(ok.Load()) / elapsed, nil
}
