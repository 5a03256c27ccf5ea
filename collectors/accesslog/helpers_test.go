package accesslog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// realApacheLog is the whole real Apache log (testdata/README.md), gzipped
// as an import reads it.
const realApacheLog = "testdata/apache_logs.gz"

func mustParser(tb testing.TB, c Config) *parser {
	tb.Helper()
	p, err := c.compile()
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	return p
}

type parsed struct {
	recs    []domain.UsageRecord
	rejects []string // "line N: reason"
}

// parseLines parses every line of text with c, as the engine does.
func parseLines(tb testing.TB, c Config, text []byte) parsed {
	tb.Helper()
	p := mustParser(tb, c)
	var out parsed
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r domain.UsageRecord
		if err := p.parseRecord(sc.Bytes(), &r); err != nil {
			out.rejects = append(out.rejects, "line "+itoa(n)+": "+err.Error())
			continue
		}
		out.recs = append(out.recs, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// readFile returns a test file's bytes, un-gzipped when it is a .gz.
func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

func writeFile(tb testing.TB, path string, text string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func appendFile(tb testing.TB, path string, text string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// collect runs one Collect of src under the source name "gw".
func collect(tb testing.TB, db *data.DB, src *Source) collectors.Stats {
	tb.Helper()
	env := collectors.Env{DB: db, Name: "gw", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC) }}
	st, err := src.Collect(context.Background(), env)
	if err != nil {
		tb.Fatalf("collect: %v", err)
	}
	return st
}

// totals sums all usage stored (every day from 1990 to 2100).
func totals(tb testing.TB, db *data.DB) domain.UsageTotals {
	tb.Helper()
	t, err := db.UsageTotals(context.Background(), time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func mustCursor(tb testing.TB, db *data.DB, source string) *cursorState {
	tb.Helper()
	s, err := db.Cursor(context.Background(), source)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := parseCursor(s)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// combinedLine renders one combined-format line.
func combinedLine(t time.Time, path string, status, size int) string {
	return "203.0.113.7 - - [" + t.UTC().Format("02/Jan/2006:15:04:05 -0700") + "] \"GET " + path + " HTTP/1.1\" " +
		itoa(status) + " " + itoa(size) + " \"-\" \"test-agent/1.0\"\n"
}

// genLines renders n combined lines, one per second from t0.
func genLines(t0 time.Time, from, n int) string {
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		b.WriteString(combinedLine(t0.Add(time.Duration(i)*time.Second), "/v1/items/"+itoa(i%7), 200+(i%3)*100, i%1000))
	}
	return b.String()
}
