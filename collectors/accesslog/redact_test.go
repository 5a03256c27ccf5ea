package accesslog

import (
	"context"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/data/datatest"
)

func TestRedactIPs(t *testing.T) {
	for in, want := range map[string]string{
		`203.0.113.7 - - [30/Jun/2026:10:00:05 +0000] "GARBAGE" 200 1`: `[ip] - - [30/Jun/2026:10:00:05 +0000] "GARBAGE" 200 1`,
		`from 2001:db8::beef:1 and ::ffff:10.1.2.3`:                    `from [ip] and [ip]`,
		`upstream 10.20.30.40:8080 [2001:db8::1]:443`:                  `upstream [ip]:8080 [[ip]]:443`,
		`GET /v1.2/models 1.5 10:00:05 a.b.c`:                          `GET /v1.2/models 1.5 10:00:05 a.b.c`,
		`time "not a time" is not dd/Mon/yyyy:hh:mm:ss ±hhmm`:          `time "not a time" is not dd/Mon/yyyy:hh:mm:ss ±hhmm`,
	} {
		if got := redactIPs(in); got != want {
			t.Errorf("redactIPs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddressesAreNotRoutesOrConsumers(t *testing.T) {
	if got := endpoint.Normalize("/v1/geo/203.0.113.7/2001:db8::1"); got != "/v1/geo/:id/:id" {
		t.Errorf("endpoint.Normalize = %q", got)
	}
	if got := endpoint.Normalize("/v1.2/models/gpt-4.1"); got != "/v1.2/models/gpt-4.1" {
		t.Errorf("endpoint.Normalize = %q", got)
	}
}

// TestQuarantineKeepsNoPersonalData imports lines that are rejected for
// different reasons and carry e-mail and IP addresses — in the user field,
// in the request the reason quotes, at the head of an over-long line — and
// reads the quarantine back, and the whole database (datatest.Holds): the
// addresses are gone, replaced by placeholders, the rest of each line is
// kept.
func TestQuarantineKeepsNoPersonalData(t *testing.T) {
	dbPath := datatest.Target(t)
	db := datatest.Open(t, dbPath)
	lines := []string{
		`203.0.113.7 - alice@example.com [not a time] "GET /v1/x HTTP/1.1" 200 5 "-" "ua"`,
		`203.0.113.8 - - [01/May/2026:09:15:02 +0000] "bob%40example.org" 200 5 "-" "ua"`,
		`carol.smith+api@example.net ` + strings.Repeat("x", readBufSize+10),
		`203.0.113.9 - - [01/May/2026:09:15:02 +0000] "GET /v1/x HTTP/1.1" 200 5 "-" "ua"`,
	}
	path := writeLog(t, strings.Join(lines, "\n")+"\n")
	sum, err := Import(context.Background(), db, Config{}, []string{path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stored != 1 || sum.Rejected != 3 {
		t.Fatalf("summary %+v, want 1 stored, 3 rejected", sum)
	}
	rej, err := db.RejectedRecords(context.Background(), ImportSource, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 3 {
		t.Fatalf("%d quarantined, want 3", len(rej))
	}
	var all strings.Builder
	for _, r := range rej {
		all.WriteString(r.Reason + "\n" + r.Record + "\n")
		if !strings.Contains(r.Record, "[email]") {
			t.Errorf("quarantined %.80q…: no [email] placeholder", r.Record)
		}
	}
	for _, datum := range []string{"alice", "bob", "carol", "example.", "203.0.113"} {
		if strings.Contains(all.String(), datum) {
			t.Errorf("quarantine still holds %q:\n%.400s", datum, all.String())
		}
	}
	// The reason keeps its shape, with the placeholder.
	if !strings.Contains(all.String(), `request "[email]" is not METHOD PATH`) {
		t.Errorf("reasons lost their shape:\n%.400s", all.String())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, datum := range []string{"alice@example.com", "bob%40example.org", "carol.smith+api@example.net"} {
		if datatest.Holds(t, dbPath, datum) {
			t.Errorf("the database holds %q", datum)
		}
	}
}
