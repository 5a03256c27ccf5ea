package app

import (
	"context"
	"errors"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// Member alerts follow the scores: every save of a day's scores marks the
// day (migration 0021), and an evaluation derives the member rules' episodes
// over every scored day from the earliest marked one on, in day order
// (data.RecordAlertHistory). So the scoring job's backfill, a rescore of
// old days after an import or a remap, and `ecopulse score --from --to` all
// leave alert history, and an episode that still happened keeps what people
// did about it.

// lastDay bounds "every scored day from then on".
var lastDay = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// deriveAlertHistory derives member alerts over every scored day from the
// earliest of from (zero: none) and the days marked since the last
// derivation. The caller holds alertMu.
func deriveAlertHistory(ctx context.Context, db *data.DB, cfg config.AlertConfig, from, now time.Time) (*data.AlertSync, error) {
	mark, err := db.AlertsStaleFrom(ctx)
	if err != nil {
		return nil, err
	}
	if from.IsZero() || (!mark.From.IsZero() && mark.From.Before(from)) {
		from = mark.From
	}
	if from.IsZero() {
		return &data.AlertSync{}, nil
	}
	eco, err := db.EcosystemScores(ctx, from, lastDay)
	if err != nil {
		return nil, err
	}
	// The health drop reads the day a week before each: keep what was read.
	read := map[time.Time][]data.ScoredMember{}
	scores := func(d time.Time) ([]data.ScoredMember, error) {
		if s, ok := read[d]; ok {
			return s, nil
		}
		s, err := db.ScoresOn(ctx, d)
		if err != nil {
			return nil, err
		}
		for k := range read {
			if k.Before(d.AddDate(0, 0, -7)) { // no later day asks for it
				delete(read, k)
			}
		}
		read[d] = s
		return s, nil
	}
	days := make([]data.AlertDay, 0, len(eco))
	for _, e := range eco {
		conds, err := memberConditions(ctx, db, cfg, e.Day, scores)
		if err != nil {
			return nil, err
		}
		days = append(days, data.AlertDay{Day: e.Day, Conds: conds})
	}
	return db.RecordAlertHistory(ctx, views.MemberAlertRules, days, mark, now)
}

// followAlerts is the Scorer's hook after the days it scored: member alerts
// follow them at once, so that `ecopulse score` and the backfill leave
// alert history without a server. Source alerts and the webhook are the
// server's (App.evaluateAlerts). A failure is logged: the days stay marked,
// and the next evaluation derives them.
func (s *Scorer) followAlerts(ctx context.Context) {
	if s.alerts == nil {
		return
	}
	alertMu.Lock()
	defer alertMu.Unlock()
	start := time.Now()
	res, err := deriveAlertHistory(ctx, s.db, *s.alerts, time.Time{}, time.Now())
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			s.log.Warn("alert history not derived", "err", err)
		}
		return
	}
	if len(res.Opened)+len(res.Resolved)+res.Withdrawn > 0 {
		s.log.Info("alert history derived", "opened", len(res.Opened), "resolved", len(res.Resolved), "withdrawn", res.Withdrawn,
			"open", res.Open, "took", time.Since(start).Round(time.Millisecond))
	}
}
