package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// onboardingLog is the real Apache log of May 2015 the onboarding tests
// import, as a new user would.
var onboardingLog = filepath.Join("..", "collectors", "accesslog", "testdata", "apache_logs.gz")

// onboardingEnv is a new user's first configuration, written as files: a
// registry file declaring two members (acme, beta-labs; joined 2015) read
// by the source "partners", and a store of its own (datatest.Target: on
// SQLite a file not created yet). The client-address hash key is set. It
// returns the commands' Env and what they print.
func onboardingEnv(tb testing.TB) (*Env, *bytes.Buffer) {
	tb.Helper()
	dir := tb.TempDir()
	tb.Setenv(accesslog.DefaultHashKeyEnv, "onboarding-test-hash-key-0123456789")
	write := func(name, body string) string {
		tb.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			tb.Fatal(err)
		}
		return p
	}
	registry := write("registry.yaml", `members:
  - {slug: acme, name: Acme AI, kind: partner, segment: NLP, joined: 2015-01-01}
  - {slug: beta-labs, name: Beta Labs, kind: research, joined: 2015-02-01}
`)
	cfgPath := write("ecopulse.yaml", "db: "+strconv.Quote(datatest.Target(tb))+`
sources:
  - name: partners
    type: registry
    schedule: "@every 10m"
    options: {path: `+registry+`}
`)
	cfg, err := config.LoadWith(cfgPath, config.Overrides{})
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	return &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: time.Now}, &out
}

// appOnConfig opens cfg's database (closed when the test ends) and the
// application on it, ready, with the test accounts: what a user's own
// configuration serves once the commands have filled its database.
func appOnConfig(tb testing.TB, cfg config.Config) (*App, *data.DB) {
	tb.Helper()
	db := datatest.Open(tb, cfg.DB)
	a, err := New(cfg, db, quietLogger())
	if err != nil {
		tb.Fatal(err)
	}
	a.ready.Store(true)
	withTestAccounts(tb, a)
	return a, db
}
