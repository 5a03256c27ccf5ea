package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestConsumerMapBySecret: `ecopulse consumer map --secret SECRET SLUG`
// maps the consumer the access logs stored under the secret's keyed hash,
// and prints the hash, never the secret.
func TestConsumerMapBySecret(t *testing.T) {
	const hashKey, secret = "cli-secret-test-hash-key-0123", "sk-live-0123456789abcdef9f3a"
	t.Setenv(accesslog.DefaultHashKeyEnv, hashKey)
	ctx := context.Background()
	path := datatest.Target(t)
	db, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	key := endpoint.SecretKey([]byte(hashKey), secret)
	if err := db.CreateMember(ctx, &domain.Member{Slug: "acme", Name: "ACME", Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertConsumer(ctx, &domain.APIConsumer{Key: key, Name: endpoint.SecretName(secret)}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if _, _, err := runCLI(t, "consumer", "map", "--db", path, secret, "acme"); err == nil {
		t.Fatal("the raw secret without --secret mapped a consumer")
	}
	out, _, err := runCLI(t, "consumer", "map", "--db", path, "--secret", secret, "acme")
	if err != nil {
		t.Fatalf("consumer map --secret: %v", err)
	}
	if !strings.Contains(out, key) || strings.Contains(out, secret) {
		t.Errorf("output %q: want the key %s, never the secret", out, key)
	}
	if _, _, err := runCLI(t, "consumer", "map", "--db", path, "--secret", "--pattern", "sk-*", "acme"); err == nil {
		t.Error("--secret with --pattern accepted")
	}
	db, err = data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, _, err := db.ConsumerList(ctx, data.ConsumerQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Key != key || rows[0].Member != "acme" {
		t.Errorf("consumers %+v, want %s mapped to acme", rows, key)
	}
}
