package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Weekly snapshots: an ISO week's scores frozen when the week closes (Monday
// 00:00 UTC, since scores are UTC days): the scores of its Sunday, copied
// with the members' names and attributes. A snapshot is never rewritten.

// takeSnapshot freezes the scores of week's Sunday, scoring that day first
// if it has no scores. A week that has not closed at now is EINVALID; a week
// that has a snapshot is ECONFLICT.
func takeSnapshot(ctx context.Context, db *data.DB, scorer *Scorer, week string, now time.Time) (*data.Snapshot, error) {
	monday, err := data.ParseISOWeek(week)
	if err != nil {
		return nil, err
	}
	sunday, closes := monday.AddDate(0, 0, 6), monday.AddDate(0, 0, 7)
	if now.Before(closes) {
		return nil, domain.Errorf(domain.EINVALID, "week %s has not closed yet: it closes at %s UTC; only closed weeks are snapshotted",
			week, closes.Format("2006-01-02 15:04"))
	}
	if s, err := db.SnapshotOf(ctx, week); err == nil {
		return nil, domain.Errorf(domain.ECONFLICT, "snapshot of %s exists (taken %s); snapshots are never rewritten",
			week, s.TakenAt.UTC().Format(time.RFC3339))
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	if _, err := ensureScored(ctx, db, scorer, sunday); err != nil {
		return nil, err
	}
	return db.FreezeSnapshot(ctx, week, sunday, time.Now())
}

// ensureScored returns the ecosystem score of day, scoring it first when it
// has none.
func ensureScored(ctx context.Context, db *data.DB, scorer *Scorer, day time.Time) (*domain.EcosystemScore, error) {
	eco, err := db.EcosystemScoreOn(ctx, day)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		ds, err := scorer.ScoreDay(ctx, day)
		if err != nil {
			return nil, err
		}
		return &ds.Ecosystem, nil
	}
	return eco, err
}

// catchUpSnapshots takes the snapshot of the last week closed at now and of
// up to weeks-1 closed weeks before it that have none, oldest first. It goes
// back no further than the first scored day, and skips a week whose Sunday
// had no active member (nothing to freeze: a history not collected yet).
// Only the last closed week is scored when its Sunday has no scores; older
// weeks are taken from the scores that exist.
func catchUpSnapshots(ctx context.Context, db *data.DB, scorer *Scorer, now time.Time, weeks int) ([]*data.Snapshot, error) {
	first, err := db.FirstScoreDay(ctx)
	if err != nil || first.IsZero() {
		return nil, err
	}
	last := data.LastClosedWeekSunday(now)
	var todo []time.Time
	for i := 0; i < max(weeks, 1); i++ {
		sunday := last.AddDate(0, 0, -7*i)
		if sunday.Before(domain.Day(first)) {
			break
		}
		todo = append(todo, sunday)
	}
	var taken []*data.Snapshot
	for i := len(todo) - 1; i >= 0; i-- {
		sunday := todo[i]
		week := domain.ISOWeek(sunday)
		if _, err := db.SnapshotOf(ctx, week); err == nil {
			continue
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return taken, err
		}
		var eco *domain.EcosystemScore
		if sunday.Equal(last) {
			eco, err = ensureScored(ctx, db, scorer, sunday)
		} else {
			eco, err = db.EcosystemScoreOn(ctx, sunday)
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				continue
			}
		}
		if err != nil {
			return taken, err
		}
		if eco.Members == 0 {
			continue
		}
		s, err := db.FreezeSnapshot(ctx, week, sunday, time.Now())
		switch domain.ErrorCode(err) {
		case "":
			taken = append(taken, s)
		case domain.ECONFLICT: // taken meanwhile (another process): fine
		default:
			return taken, err
		}
	}
	return taken, nil
}

// scheduleSnapshots adds the weekly snapshot job to the scheduler.
func (s *scheduler) scheduleSnapshots() error {
	if err := s.cfg.Snapshots.Validate(); err != nil {
		return err
	}
	if _, err := s.scheduleJob(jobSnapshots, s.cfg.Snapshots.Spec(), s.snapshotJob); err != nil {
		return fmt.Errorf("app: bad schedule for snapshots %q: %w", s.cfg.Snapshots.Spec(), err)
	}
	return nil
}

// snapshotJob is the scheduled job: it snapshots the week that just closed
// and catches up on missed ones (failures are logged by runSnapshots).
func (s *scheduler) snapshotJob(ctx context.Context) error {
	s.runSnapshots(ctx, s.now())
	return nil
}

func (s *scheduler) runSnapshots(ctx context.Context, now time.Time) {
	taken, err := catchUpSnapshots(ctx, s.db, s.scorer, now, s.cfg.Snapshots.CatchUpWeeks)
	for _, snap := range taken {
		s.log.Info("snapshot taken", "week", snap.Week, "day", snap.Day.Format(domain.DateLayout), "members", snap.Members, "R", snap.R, "health", snap.Health)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Error("weekly snapshot failed", "err", err)
	}
}

// afterScoring returns the scoring job's after-run hook: the first run
// (at start) catches up on missed weekly snapshots, since the scheduled job
// only fires once a week; every run evaluates the alert rules.
func (s *scheduler) afterScoring() func(ctx context.Context, day time.Time) {
	var caughtUp atomic.Bool
	return func(ctx context.Context, day time.Time) {
		if caughtUp.CompareAndSwap(false, true) {
			s.runSnapshots(ctx, day)
		}
		s.evaluateAlerts(ctx, day)
	}
}
