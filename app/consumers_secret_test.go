package app

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

const secretTestHashKey = "consumers-secret-test-hash-key-0123"

// importSecretLog imports an nginx log whose consumer is the X-Api-Key
// header (a secret) into db and returns the secrets it holds.
func importSecretLog(t *testing.T, db *data.DB) (string, string) {
	t.Helper()
	const live, test = "sk-live-0123456789abcdef9f3a", "sk-test/fedcba9876543210+0c1d"
	line := func(k string) string {
		return `[01/May/2026:09:15:02 +0000] "GET /v1/chat HTTP/1.1" 200 "` + k + `"` + "\n"
	}
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(line(live)+line(live)+line(test)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := accesslog.Config{Format: accesslog.FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key"`,
		Consumer: accesslog.ConsumerConfig{From: accesslog.ConsumerHeader, Name: "X-Api-Key"}}
	if _, err := accesslog.Import(context.Background(), db, cfg, []string{path}, nil); err != nil {
		t.Fatal(err)
	}
	return live, test
}

// TestConsumerMappedByItsSecret: a manager pastes a consumer's API key
// (PUT /api/v1/consumers/:key with "secret": true, or ecopulse consumer
// map --secret): the consumer the access logs stored under its hash is
// mapped; the secret is in no answer, audit entry or byte of the database.
func TestConsumerMappedByItsSecret(t *testing.T) {
	t.Setenv(accesslog.DefaultHashKeyEnv, secretTestHashKey)
	ctx := context.Background()
	target := datatest.Target(t)
	db, err := data.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, slug := range []string{"acme", "beta"} {
		if err := db.CreateMember(ctx, &domain.Member{Slug: slug, Name: slug, Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	live, test := importSecretLog(t, db)
	liveKey := endpoint.SecretKey([]byte(secretTestHashKey), live)
	send := managerJSON(t, newTestApp(t, db))

	// Without "secret", the raw key is not a stored key (the audit log
	// of the failed attempt keeps no secret either: checked below).
	if status, body := send("PUT", "/api/v1/consumers/"+url.PathEscape(live), `{"member":"acme"}`); status != 404 {
		t.Fatalf("raw secret as a key: %d %s, want 404", status, body)
	}
	status, body := send("PUT", "/api/v1/consumers/"+url.PathEscape(live), `{"member":"acme","secret":true}`)
	if status != 200 || !strings.Contains(body, liveKey) || strings.Contains(body, live) {
		t.Fatalf("map by secret: %d %s, want 200 naming %s only", status, body, liveKey)
	}
	// The Authorization form of the same key maps the same consumer.
	if status, body := send("PUT", "/api/v1/consumers/"+url.PathEscape("Bearer "+live), `{"member":"acme","secret":true}`); status != 200 || !strings.Contains(body, liveKey) {
		t.Fatalf("map by bearer secret: %d %s", status, body)
	}
	if status, body := send("PUT", "/api/v1/consumers/"+url.PathEscape("sk-nobody-has-this-0000"), `{"member":"acme","secret":true}`); status != 404 || strings.Contains(body, "sk-nobody") {
		t.Fatalf("unknown secret: %d %s, want 404 without the secret", status, body)
	}

	// The command, with a secret holding / and +.
	var out bytes.Buffer
	cfg := config.Default()
	cfg.DB = target
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: time.Now}
	if err := ConsumerMapSecret(ctx, env, test, "", "beta", false, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), test) {
		t.Errorf("the command printed the secret: %s", out.String())
	}
	mapped := map[string]string{}
	rows, _, err := db.ConsumerList(ctx, data.ConsumerQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		mapped[r.Key] = r.Member
	}
	testKey := endpoint.SecretKey([]byte(secretTestHashKey), test)
	if mapped[liveKey] != "acme" || mapped[testKey] != "beta" || len(mapped) != 2 {
		t.Errorf("mappings %v, want %s → acme, %s → beta", mapped, liveKey, testKey)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{live, test, "sk-nobody"} {
		if datatest.Holds(t, target, s) {
			t.Errorf("the store holds the secret %q", s)
		}
	}
}

// TestMappingBySecretNeedsTheHashKey: without the key the access logs hash
// with, a pasted secret cannot be matched: a clear error says what to set.
func TestMappingBySecretNeedsTheHashKey(t *testing.T) {
	t.Setenv(accesslog.DefaultHashKeyEnv, "")
	db := datatest.MustOpenDB(t)
	send := managerJSON(t, newTestApp(t, db))
	status, body := send("PUT", "/api/v1/consumers/sk-live-0123456789abcdef", `{"member":"acme","secret":true}`)
	if status != 400 || !strings.Contains(body, "set the environment variable "+accesslog.DefaultHashKeyEnv) || strings.Contains(body, "sk-live") {
		t.Fatalf("no hash key: %d %s", status, body)
	}
}
