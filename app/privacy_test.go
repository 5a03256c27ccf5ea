package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestPrivacyRawIPsAreNeverStored imports access-log lines (good ones,
// malformed ones, an address in a path, a consumer name that is an
// address) with the consumer hashed from the client address, pushes Kong
// payloads that carry client_ip, and greps the whole database file for
// every raw address.
func TestPrivacyRawIPsAreNeverStored(t *testing.T) {
	ips := []string{"203.0.113.7", "198.51.100.23", "192.0.2.199", "2001:db8::beef:1", "10.77.66.55", "172.16.254.3"}
	lines := []string{
		`203.0.113.7 - - [30/Jun/2026:10:00:00 +0000] "GET /v1/models HTTP/1.1" 200 512 "-" "curl/8"`,
		`198.51.100.23 - alice [30/Jun/2026:10:00:01 +0000] "POST /v1/chat HTTP/1.1" 200 2048 "-" "sdk/1.2"`,
		`2001:db8::beef:1 - - [30/Jun/2026:10:00:02 +0000] "GET /v1/models HTTP/1.1" 503 0 "-" "-"`,
		`192.0.2.199 - - [30/Jun/2026:10:00:03 +0000] "GET /v1/geo/10.77.66.55 HTTP/1.1" 200 64 "-" "-"`,
		`172.16.254.3 - 10.77.66.55 [30/Jun/2026:10:00:04 +0000] "GET /v1/models HTTP/1.1" 200 1 "-" "-"`,
		// Malformed: rejected, and kept in the quarantine with their reason.
		`203.0.113.7 - - [30/Jun/2026:10:00:05 +0000] "GARBAGE" 200 1 "-" "-"`,
		`198.51.100.23 - - [not a time] "GET /v1/models HTTP/1.1" 200 1`,
		`192.0.2.199 this line is nonsense from 2001:db8::beef:1`,
		`203.0.113.7 - - [30/Jun/2026:10:00:06 +0000] "GET /v1/models HTTP/1.1" abc 1 "-" "-"`,
	}
	t.Setenv(accesslog.DefaultHashKeyEnv, "a-test-key-that-is-long-enough-to-hash-with")
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "access.log")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"ip", ""} { // hashed client addresses, then the default (remote_user)
		cfg := accesslog.Config{Format: "combined"}
		cfg.Consumer.From = from
		copyFile := filepath.Join(dir, "access-"+from+".log")
		os.WriteFile(copyFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		sum, err := accesslog.Import(ctx, db, cfg, []string{copyFile}, nil)
		if err != nil {
			t.Fatalf("import (consumer from %q): %v", from, err)
		}
		if sum.Stored == 0 || sum.Rejected == 0 {
			t.Fatalf("import (consumer from %q): %+v, want some stored and some rejected", from, sum)
		}
	}
	// Push ingest: Kong payloads name the client and the upstream addresses.
	a := newTestApp(t, db)
	secret := newToken(t, db, "kong", "")
	kong, err := os.ReadFile(filepath.Join("..", "collectors", "push", "testdata", "kong_batch.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReplacer("203.0.113.7", "10.77.66.55", "10.20.30.40", "172.16.254.3").Replace(string(kong))
	if status, answer := post(t, a, secret, body, map[string]string{"Content-Type": "application/json"}); status != 202 {
		t.Fatalf("push: %d %s", status, answer)
	}
	bad := `{"client_ip": "198.51.100.23", "request": {"uri": 7}}`
	post(t, a, secret, bad, map[string]string{"Content-Type": "application/json"})
	a.flushPush()
	db.Close()

	all := datatest.DiskBytes(t, db.Path())
	if len(all) < 4096 {
		t.Fatalf("database file is %d bytes", len(all))
	}
	for _, ip := range ips {
		if i := bytes.Index(all, []byte(ip)); i >= 0 {
			t.Errorf("the database file holds the raw address %s: …%q…", ip, all[max(0, i-60):min(len(all), i+40)])
		}
	}
}

// TestPrivacyEmailNeverShownToViewers stores a person with an e-mail
// address, affiliated and active, and checks every GET route's answer, for
// every role: the address appears nowhere.
func TestPrivacyEmailNeverShownToViewers(t *testing.T) {
	db := seededDB(t)
	freezeTestSnapshot(t, db)
	const email = "Private.Person@Secret-Mail.example"
	seedPerson(t, db, "Priya Private", email, "priv-login", demoEnd.AddDate(0, 0, -2))
	a := newTestApp(t, db)
	routes := getRoutes(t, a, testRouteValues(t, db))
	for _, role := range []string{domain.RoleViewer, domain.RoleManager, domain.RoleAdmin} {
		s := loginAs(t, a, role)
		for _, target := range append(routes, "/members?q=secret-mail", "/api/v1/members?q=private") {
			status, _, body := fetch(t, a, s, target)
			if strings.Contains(strings.ToLower(body), strings.ToLower(email)) || strings.Contains(strings.ToLower(body), "secret-mail.example") {
				t.Errorf("GET %s as %s (%d) shows the e-mail address", target, role, status)
			}
		}
	}
}

// seedPerson stores a person with github and discourse logins, affiliated
// with the first member, who opened a thread and replied to it at at.
func seedPerson(tb testing.TB, db *data.DB, name, email, login string, at time.Time) *domain.Person {
	tb.Helper()
	ctx := context.Background()
	ms, err := db.Members(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	p := &domain.Person{Name: name, Email: email}
	if err := db.CreatePerson(ctx, p, domain.Identity{Source: "github", Login: login}, domain.Identity{Source: "discourse", Login: login}); err != nil {
		tb.Fatal(err)
	}
	if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: p.ID, MemberID: ms[0].ID, From: at.AddDate(-1, 0, 0)}); err != nil {
		tb.Fatal(err)
	}
	_, err = db.AddActivities(ctx, []domain.Activity{
		{Source: "github", ExternalID: "seed-" + strconv.FormatInt(p.ID, 10) + "-1", Kind: domain.ActThreadOpened, At: at, Actor: login, Thread: "github:" + login + "/1", Title: "Question by " + login + " (" + email + ")"},
		{Source: "discourse", ExternalID: "seed-" + strconv.FormatInt(p.ID, 10) + "-2", Kind: domain.ActReply, At: at.Add(time.Hour), Actor: login, Thread: "github:" + login + "/1"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestPrivacyAddressesInsideNamesAndPaths pushes consumer names and paths
// that hold addresses or e-mail addresses without being one whole (with a
// port, in brackets, inside a word, percent-encoded) and greps the database
// file: none survives, and the same address gets the same token each time.
func TestPrivacyAddressesInsideNamesAndPaths(t *testing.T) {
	t.Setenv(accesslog.DefaultHashKeyEnv, "a-test-key-that-is-long-enough-to-hash-with")
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "gateway", "")
	var body strings.Builder
	for i, r := range [][2]string{
		{"1.2.3.4:8080", "/v1/chat"},
		{"alice@example.com", "/geo/1.2.3.4.json"},
		{"[2001:db8::1]:443", "/v1/users/alice%40example.com/keys"},
		{"x-10.0.0.1-y", "/v1/geo/2001:db8::beef:1.json"},
		{"alice%40example.com", "/v1/peers/[2001:db8::1]:443"},
		{"team x-10.0.0.1-y", "/v1/hosts/x-10.0.0.1-y/ping"},
	} {
		fmt.Fprintf(&body, `{"time":"2026-05-04T09:%02d:00Z","consumer":%q,"endpoint":%q,"status":200}`+"\n", i, r[0], r[1])
	}
	body.WriteString(`{"started_at":1777885200000,"request":{"uri":"/v1/a"},"response":{"status":200},"route":{"name":"r"},"consumer":{"username":"bob@example.org"}}` + "\n")
	if status, answer := post(t, a, secret, body.String(), nil); status != 202 {
		t.Fatalf("push: %d %s", status, answer)
	}
	cs, err := db.Consumers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Key)
	}
	// alice twice (once %40-encoded), x-10.0.0.1-y inside two names, bob,
	// and the anonymous consumer of the bare addresses.
	if len(cs) != 5 {
		t.Errorf("consumers %q, want 5: the same address must give the same token", names)
	}
	db.Close()
	all := datatest.DiskBytes(t, db.Path())
	for _, s := range []string{"1.2.3.4", "10.0.0.1", "2001:db8", "alice", "example.com", "example.org", "%40"} {
		if i := bytes.Index(all, []byte(s)); i >= 0 {
			t.Errorf("the database file holds %q: …%q…", s, all[max(0, i-60):min(len(all), i+40)])
		}
	}
}
