// Package config is EcoPulse's configuration: its settings and their
// defaults, the YAML file, the ECOPULSE_* environment and --set overrides
// (env.go), validation, and the printing of it with its secrets masked
// (write.go, mask.go). It knows nothing of the application that runs on it.
package config

import (
	"fmt"
	"net/url"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/collectors/affiliation"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// Config is EcoPulse's configuration (ecopulse.example.yaml documents it).
type Config struct {
	Addr string `yaml:"addr"` // HTTP listen address
	DB   string `yaml:"db"`   // SQLite database file, or a postgres:// URL (no password: dbPasswordInFile)

	// Schedules are robfig/cron specs (standard 5-field or @every).
	Schedules struct {
		Score    string `yaml:"score"`     // the scoring job
		DemoTick string `yaml:"demo_tick"` // fresh demo traffic under serve --demo
	} `yaml:"schedules"`

	// Language is the interface's language when neither the user's choice
	// nor the browser's Accept-Language names one it speaks: en or zh-CN.
	Language string `yaml:"language"`

	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// JobLease is how long a replica's claim on a running job lasts without
	// being renewed (a third of it apart): when a replica dies mid-job,
	// another takes the job over once the lease has run out.
	JobLease time.Duration `yaml:"job_lease"`
	// BackfillDays is how many days of history the scoring job fills in
	// when scores are missing (the overview's trend needs 26 weeks).
	BackfillDays int `yaml:"backfill_days"`

	Scoring metrics.Config `yaml:"scoring"`

	// Sources are the collectors, each on its own schedule.
	Sources []SourceConfig `yaml:"sources"`
	// Consumers map API consumer keys (API key ids, consumer names) to
	// members; traffic of unmapped consumers is counted, not attributed.
	Consumers []ConsumerMapping `yaml:"consumers"`
	// Affiliation says which member each person worked for, and when
	// (logins, e-mail addresses and e-mail domain rules).
	Affiliation affiliation.Config `yaml:"affiliation"`

	// Snapshots schedules the weekly snapshot job (snapshots.go).
	Snapshots SnapshotConfig `yaml:"snapshots"`
	// Alerts are the alert rules and their webhook (alerts.go).
	Alerts AlertConfig `yaml:"alerts"`
	// Auth is single sign-on, rate limits and client addresses (auth.go).
	Auth AuthConfig `yaml:"auth"`
	// Ingest bounds push ingest (ingest.go).
	Ingest IngestConfig `yaml:"ingest"`
	// Versions declare the API's versions and their lifecycle
	// (apiversions.go).
	Versions []APIVersionConfig `yaml:"api_versions"`
}

// ConsumerMapping attributes an API consumer's traffic to a member.
type ConsumerMapping struct {
	Key    string `yaml:"key"`
	Name   string `yaml:"name"`
	Member string `yaml:"member"` // member slug
}

// Default returns the configuration used when no file sets a value.
func Default() Config {
	var c Config
	c.Addr = "127.0.0.1:8080"
	c.DB = "ecopulse.db"
	c.Schedules.Score = "@every 5m"
	c.Schedules.DemoTick = "@every 1m"
	c.Language = "en"
	c.ShutdownTimeout = 15 * time.Second
	c.JobLease = time.Minute
	c.BackfillDays = 182
	c.Scoring = metrics.DefaultConfig()
	c.Snapshots = DefaultSnapshotConfig()
	c.Alerts = DefaultAlertConfig()
	c.Auth = DefaultAuthConfig()
	c.Ingest = DefaultIngestConfig()
	return c
}

// Load reads a YAML file over the defaults, then applies the
// ECOPULSE_<KEY> environment variables over it (env.go), and validates the
// result; an empty path gives the defaults. Unknown keys are an error, so a
// typo does not pass silently.
func Load(path string) (Config, error) {
	return LoadWith(path, Overrides{Environ: os.Environ()})
}

// loadFile reads a YAML file over the defaults, without validating; an
// empty path gives the defaults.
func loadFile(path string) (Config, error) {
	c := Default()
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		defer f.Close()
		dec := yaml.NewDecoder(f)
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
		if err := checkFileDB(c.DB); err != nil {
			return c, domain.Errorf(domain.EINVALID, "config %s: db: %v", path, err)
		}
	}
	return c, nil
}

// checkFileDB refuses a db setting of the configuration file that is a
// PostgreSQL URL with a password, in its user part or as a password=
// parameter: a configuration file is shared, committed and backed up as
// configuration, so the password goes in the environment instead.
func checkFileDB(db string) error {
	if !data.IsPostgresURL(db) {
		return nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return fmt.Errorf("not a readable postgres:// URL") // never echoed: it may hold a password
	}
	_, inUser := u.User.Password()
	if inUser || u.Query().Has("password") {
		return fmt.Errorf("a PostgreSQL password does not belong in the configuration file: " +
			"remove it from the URL and give the whole URL in $ECOPULSE_DB (or --db), or the password alone in $PGPASSWORD")
	}
	return nil
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if c.DB == "" {
		return domain.Errorf(domain.EINVALID, "config: db must name a database file or a postgres:// URL")
	}
	if c.Language != "en" && c.Language != "zh-CN" {
		return domain.Errorf(domain.EINVALID, "config: language must be en or zh-CN, not %q", c.Language)
	}
	if c.ShutdownTimeout <= 0 {
		return domain.Errorf(domain.EINVALID, "config: shutdown_timeout must be positive")
	}
	if c.JobLease < domain.MinJobLease || c.JobLease > domain.MaxJobLease {
		return domain.Errorf(domain.EINVALID, "config: job_lease must be between %s and %s", domain.MinJobLease, domain.MaxJobLease)
	}
	if c.BackfillDays < 0 {
		return domain.Errorf(domain.EINVALID, "config: backfill_days cannot be negative")
	}
	if err := c.Scoring.Validate(); err != nil {
		return fmt.Errorf("config: scoring: %w", err)
	}
	if err := c.Snapshots.Validate(); err != nil {
		return err
	}
	if err := c.Alerts.Validate(); err != nil {
		return err
	}
	if err := c.Ingest.Validate(); err != nil {
		return err
	}
	if err := checkSources(c.Sources); err != nil {
		return err
	}
	if _, err := c.APIVersions(); err != nil {
		return err
	}
	for i, m := range c.Consumers {
		if m.Key == "" || !domain.ValidSlug(m.Member) {
			return domain.Errorf(domain.EINVALID, "config: consumers[%d] needs a key and a member slug", i)
		}
	}
	return c.Auth.Validate()
}
