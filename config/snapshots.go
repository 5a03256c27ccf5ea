package config

import (
	"strings"
	"time"
	_ "time/tzdata" // snapshot schedules name IANA zones; a bare machine may have no zoneinfo

	"github.com/robfig/cron/v3"

	"github.com/ecopulse/ecopulse/domain"
)

// SnapshotConfig schedules the weekly snapshot job (config key "snapshots").
type SnapshotConfig struct {
	// Schedule is a 5-field cron spec, read in Timezone. The default runs
	// shortly after a week closes (weeks close at Monday 00:00 UTC).
	Schedule string `yaml:"schedule"`
	// Timezone is the IANA zone Schedule is read in ("UTC", "Europe/Paris").
	Timezone string `yaml:"timezone"`
	// CatchUpWeeks bounds how many missed closed weeks a run snapshots
	// (newest first, never before the first scored week). 1 takes only the
	// week that just closed.
	CatchUpWeeks int `yaml:"catch_up_weeks"`
}

// DefaultSnapshotConfig returns the snapshot defaults.
func DefaultSnapshotConfig() SnapshotConfig {
	return SnapshotConfig{Schedule: "15 0 * * 1", Timezone: "UTC", CatchUpWeeks: 26}
}

// Spec returns the cron spec of the snapshot job, with its time zone as a
// CRON_TZ= prefix (a spec that has its own CRON_TZ= or TZ= keeps it).
func (c SnapshotConfig) Spec() string {
	s := strings.TrimSpace(c.Schedule)
	if c.Timezone == "" || strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		return s
	}
	return "CRON_TZ=" + c.Timezone + " " + s
}

// Validate reports the first snapshot setting that cannot work.
func (c SnapshotConfig) Validate() error {
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			return domain.Errorf(domain.EINVALID, "config: snapshots.timezone %q is not a known time zone", c.Timezone)
		}
	}
	if _, err := cron.ParseStandard(c.Spec()); err != nil {
		return domain.Errorf(domain.EINVALID, "config: snapshots.schedule %q: %v", c.Schedule, err)
	}
	if c.CatchUpWeeks < 1 {
		return domain.Errorf(domain.EINVALID, "config: snapshots.catch_up_weeks must be at least 1")
	}
	return nil
}
