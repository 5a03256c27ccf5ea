package app

import (
	"context"
	"errors"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// evaluateAlerts is the scheduler's alert job, run after every scoring run:
// the rule engine follows the scores saved since the last evaluation (and
// day's) with the member rules, evaluates the source rules against what the
// scheduler knows of its sources now, and the notifier posts newly opened
// alerts. Failures are logged, not returned.
func (s *scheduler) evaluateAlerts(ctx context.Context, day time.Time) {
	now := time.Now()
	res, err := s.alerts.Evaluate(ctx, day, now, s.sourceInfos(now), s.notifier)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			s.log.Error("alert evaluation failed", "day", day.Format(domain.DateLayout), "err", err)
		}
		return
	}
	if len(res.Opened)+len(res.Resolved)+res.Withdrawn > 0 {
		s.log.Info("alerts evaluated", "day", day.Format(domain.DateLayout), "opened", len(res.Opened), "resolved", len(res.Resolved),
			"withdrawn", res.Withdrawn, "open", res.Open)
	}
}
