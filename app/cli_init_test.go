package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/collectors/registry"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestInitWritesFilesThatLoadAndApply: the starter configuration loads as
// it is, its registry source applies the registry template cleanly and
// creates its members, and so does the members CSV.
func TestInitWritesFilesThatLoadAndApply(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "conf")
	var out bytes.Buffer
	if err := Init(dir, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Next steps", "ecopulse config --check --config " + filepath.Join(dir, "ecopulse.yaml"), "registry.yaml"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("init's output lacks %q:\n%s", want, out.String())
		}
	}
	cfg, err := config.LoadWith(filepath.Join(dir, "ecopulse.yaml"), config.Overrides{})
	if err != nil {
		t.Fatalf("the starter configuration does not load: %v", err)
	}
	if cfg.DB != filepath.Join(dir, "ecopulse.db") {
		t.Errorf("db = %q, want the database beside the configuration", cfg.DB)
	}
	var reg *config.SourceConfig
	for i := range cfg.Sources {
		if cfg.Sources[i].Type == "registry" {
			reg = &cfg.Sources[i]
		}
	}
	if len(cfg.Sources) != 1 || reg == nil {
		t.Fatalf("sources = %+v, want the registry alone (the others commented)", cfg.Sources)
	}

	ctx := context.Background()
	for _, file := range []string{"registry.yaml", "members.csv"} {
		db := datatest.MustOpenDB(t)
		src, err := registry.New(registry.Config{Path: filepath.Join(dir, file)})
		if err != nil {
			t.Fatal(err)
		}
		stats, err := src.Collect(ctx, collectors.Env{DB: db, Name: "registry", Log: slog.New(slog.DiscardHandler), Now: time.Now})
		if err != nil || stats.Rejected != 0 || len(src.Rejected()) != 0 {
			t.Fatalf("%s: %+v, %v, rejected %v", file, stats, err, src.Rejected())
		}
		for _, slug := range []string{"acme", "beta-labs"} {
			if _, err := db.MemberBySlug(ctx, slug); err != nil {
				t.Errorf("%s did not create %s: %v", file, slug, err)
			}
		}
	}
	// The registry source the configuration declares reads that very file.
	var rc registry.Config
	if err := reg.Options.Decode(&rc); err != nil || rc.Path != filepath.Join(dir, "registry.yaml") {
		t.Errorf("the registry source reads %q (%v), want %s", rc.Path, err, filepath.Join(dir, "registry.yaml"))
	}
}

// TestInitNeverOverwrites: with one of its files present, init writes
// nothing and names the file.
func TestInitNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "registry.yaml")
	if err := os.WriteFile(mine, []byte("members: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Init(dir, &bytes.Buffer{})
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), mine) {
		t.Fatalf("init over an existing registry: %v, want a conflict naming %s", err, mine)
	}
	if b, _ := os.ReadFile(mine); string(b) != "members: []\n" {
		t.Errorf("the existing file was changed: %q", b)
	}
	for _, name := range []string{"ecopulse.yaml", "members.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was written although init refused", name)
		}
	}
}
