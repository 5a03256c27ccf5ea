//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// threadNices reads the nice value of each thread of this process.
func threadNices(t *testing.T) []int {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // ended meanwhile
		}
		// The fields after the command's closing parenthesis: state is
		// field 3, nice field 19.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		n, err := strconv.Atoi(f[16])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// TestLowerPriorityChild runs in a child process of TestImportLowersItsPriority
// (a nice value cannot be lowered back without privileges).
func TestLowerPriorityChild(t *testing.T) {
	switch os.Getenv("ECOPULSE_TEST_NICE_CHILD") {
	case "":
		t.Skip("run by TestImportLowersItsPriority")
	case "import": // the command, with its default
		log := filepath.Join(t.TempDir(), "access.log")
		line := `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.1" 200 2023 "-" "Mozilla/5.0"` + "\n"
		if err := os.WriteFile(log, []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := runCLI(t, "import", "accesslog", log, "--db", datatest.Target(t)); err != nil {
			t.Fatal(err)
		}
	default:
		if err := lowerPriority(7); err != nil {
			t.Fatal(err)
		}
	}
	// Threads started after it: each goroutine locked to a thread of its own.
	var wg sync.WaitGroup
	hold := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			runtime.LockOSThread()
			wg.Done()
			<-hold
		}()
	}
	wg.Wait()
	fmt.Printf("nices %v\n", threadNices(t))
	close(hold)
}

// The import yields the CPU to the server on a shared machine: every
// thread, those started before and after, runs at the nice value asked,
// and a process already nicer stays so.
func TestImportLowersItsPriority(t *testing.T) {
	for _, c := range []struct {
		child       string
		start, want int
	}{{"func", 0, 7}, {"func", 12, 12}, {"import", 0, importNice}} {
		// nice(1) starts the child at the nice value start, every thread.
		cmd := exec.Command("nice", "-n", strconv.Itoa(c.start), os.Args[0], "-test.run=^TestLowerPriorityChild$", "-test.v")
		cmd.Env = append(os.Environ(), "ECOPULSE_TEST_NICE_CHILD="+c.child)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s child (starting at nice %d): %v\n%s", c.child, c.start, err, out)
		}
		i := strings.Index(string(out), "nices [")
		if i < 0 {
			t.Fatalf("child printed no nice values:\n%s", out)
		}
		line := string(out[i+len("nices ["):])
		line = line[:strings.IndexByte(line, ']')]
		fields := strings.Fields(line)
		if len(fields) < 5 {
			t.Fatalf("child has %d threads, want the process's and the 4 started after: %s", len(fields), line)
		}
		for _, f := range fields {
			if f != strconv.Itoa(c.want) {
				t.Errorf("%s starting at nice %d: thread nices %s, want every one %d", c.child, c.start, line, c.want)
				break
			}
		}
	}
}
