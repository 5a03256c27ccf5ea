// Command testprogress reads `go test -json` on stdin and prints what a
// person watching CI needs: each package's result as it ends, every failed
// test with its output, a line a minute naming the packages still running
// (a package silent for minutes looks hung), and a closing count. It exits
// 1 when anything failed, so that `go test -json … | testprogress` fails as
// go test does (scripts/test.sh also sets pipefail). With -label NAME its
// lines start with "[NAME] ": scripts/test.sh runs the suites twice, once
// per database backend, and a failure must say which run it came from.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action string
	// ImportPath names the package of a build-output event (go 1.24+).
	ImportPath string
	Package    string
	Test       string
	Elapsed    float64
	Output     string
}

type pkgState struct {
	start  time.Time
	passed int
	output []string            // package-level output (build errors, panics outside tests)
	tests  map[string][]string // output of the tests running now
}

func main() {
	label := flag.String("label", "", "start each line with [label]")
	flag.Parse()
	tag := ""
	if *label != "" {
		tag = "[" + *label + "] "
	}
	var mu sync.Mutex
	running := map[string]*pkgState{}
	var passed, failed, skipped int
	var failedPkgs []string

	defer heartbeat(&mu, running, tag)()

	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // not an event: go test's own message
			continue
		}
		if e.Action == "build-output" || e.Action == "build-fail" {
			fmt.Print(e.Output) // a compile error: shown at once, whole
			continue
		}
		mu.Lock()
		s := running[e.Package]
		if s == nil {
			s = &pkgState{start: time.Now(), tests: map[string][]string{}}
			running[e.Package] = s
		}
		switch {
		case e.Action == "output" && e.Test == "":
			s.output = append(s.output, e.Output)
		case e.Action == "output":
			s.tests[e.Test] = append(s.tests[e.Test], e.Output)
		case e.Test != "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
			out := s.tests[e.Test]
			delete(s.tests, e.Test)
			if i := strings.LastIndex(e.Test, "/"); i >= 0 {
				// A subtest: its parent says it, with a failed
				// subtest's output (where its t.Error lines are).
				if e.Action == "fail" {
					parent := e.Test[:i]
					s.tests[parent] = append(s.tests[parent], out...)
				}
				break
			}
			switch e.Action {
			case "pass":
				passed++
				s.passed++
			case "skip":
				skipped++
			case "fail":
				failed++
				// The test's own output ends with its "--- FAIL" line.
				fmt.Printf("%sFAIL: %s [%s]\n%s", tag, e.Test, short(e.Package), strings.Join(out, ""))
			}
		case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
			delete(running, e.Package)
			switch e.Action {
			case "pass":
				fmt.Printf("%sok  \t%s\t%.3fs\n", tag, e.Package, e.Elapsed)
			case "skip":
				fmt.Printf("%s?   \t%s\t[no test files]\n", tag, e.Package)
			case "fail":
				failedPkgs = append(failedPkgs, e.Package)
				for _, line := range s.output {
					// go test's own closing lines: said once, below.
					if line == "FAIL\n" || line == "PASS\n" || strings.HasPrefix(line, "FAIL\t") || strings.HasPrefix(line, "ok  \t") {
						continue
					}
					fmt.Print(line)
				}
				fmt.Printf("%sFAIL\t%s\t%.3fs\n", tag, e.Package, e.Elapsed)
			}
		}
		mu.Unlock()
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		os.Exit(1)
	}
	if len(failedPkgs) > 0 {
		fmt.Printf("%sFAIL: %s\n", tag, strings.Join(failedPkgs, " "))
	}
	fmt.Printf("%stests: %d passed, %d failed, %d skipped\n", tag, passed, failed, skipped)
	if failed > 0 || len(failedPkgs) > 0 {
		os.Exit(1)
	}
}

// heartbeat says once a minute which packages are still running, so that
// a long package does not look hung; the returned func stops it.
func heartbeat(mu *sync.Mutex, running map[string]*pkgState, tag string) (stop func()) {
	tick := time.NewTicker(time.Minute)
	go func() {
		for range tick.C {
			mu.Lock()
			var names []string
			for p, s := range running {
				names = append(names, fmt.Sprintf("%s (%s, %d tests passed)", short(p), time.Since(s.start).Round(time.Second), s.passed))
			}
			mu.Unlock()
			if len(names) > 0 {
				sort.Strings(names)
				fmt.Printf("%s… still running: %s\n", tag, strings.Join(names, ", "))
			}
		}
	}()
	return tick.Stop
}

// short is a package path without the module's.
func short(pkg string) string {
	if s := strings.TrimPrefix(pkg, "github.com/ecopulse/ecopulse/"); s != pkg {
		return s
	}
	if pkg == "github.com/ecopulse/ecopulse" {
		return "."
	}
	return pkg
}
