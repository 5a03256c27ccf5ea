package app

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/data"
)

// demoEnd is the fixed last day of the test ecosystem: tests never depend on
// the wall clock.
var demoEnd = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

var (
	seedOnce sync.Once
	seedPath string
	seedErr  error
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// seededDB returns a private copy of a demo database scored over its last
// five weeks. The demo is seeded and scored once per test binary.
func seededDB(tb testing.TB) *data.DB {
	tb.Helper()
	seedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ecopulse-app-test")
		if err != nil {
			seedErr = err
			return
		}
		seedPath = filepath.Join(dir, "seed.db")
		ctx := context.Background()
		db, err := data.Open(ctx, seedPath)
		if err != nil {
			seedErr = err
			return
		}
		defer db.Close()
		if _, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Days: 180, End: demoEnd, Members: 40}); err != nil {
			seedErr = err
			return
		}
		cfg := DefaultConfig()
		_, seedErr = NewScorer(db, cfg.Scoring, quietLogger()).ScoreRange(ctx, demoEnd.AddDate(0, 0, -35), demoEnd)
	})
	if seedErr != nil {
		tb.Fatalf("seed demo: %v", seedErr)
	}
	ctx := context.Background()
	src, err := data.Open(ctx, seedPath)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "ecopulse.db")
	err = src.Backup(ctx, path)
	src.Close()
	if err != nil {
		tb.Fatal(err)
	}
	db, err := data.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func emptyDB(tb testing.TB) *data.DB {
	tb.Helper()
	db, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "ecopulse.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func newTestApp(tb testing.TB, db *data.DB) *App {
	tb.Helper()
	a, err := New(DefaultConfig(), db, quietLogger())
	if err != nil {
		tb.Fatal(err)
	}
	a.ready.Store(true)
	return a
}

// get performs a request through the Fiber app (no network) and returns the
// response and its body.
func get(tb testing.TB, f *fiber.App, target string) (int, string, map[string][]string) {
	tb.Helper()
	resp, err := f.Test(httptest.NewRequest("GET", target, nil), -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}
