package app

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// commandEnv returns an Env for commands on a fresh store (datatest.Target:
// a file, or a PostgreSQL database), that store opened for the test's own
// setup and checks, and the buffer the commands print to.
func commandEnv(tb testing.TB) (*Env, *data.DB, *bytes.Buffer) {
	tb.Helper()
	cfg := config.Default()
	cfg.DB = datatest.Target(tb)
	db := datatest.Open(tb, cfg.DB)
	var out bytes.Buffer
	return &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: time.Now}, db, &out
}

// addPartners creates partner members named after their slugs, joined on
// joined.
func addPartners(tb testing.TB, db *data.DB, joined time.Time, slugs ...string) {
	tb.Helper()
	for _, slug := range slugs {
		if err := db.CreateMember(context.Background(), &domain.Member{Slug: slug, Name: slug, Kind: domain.KindPartner, JoinedOn: joined}); err != nil {
			tb.Fatal(err)
		}
	}
}
