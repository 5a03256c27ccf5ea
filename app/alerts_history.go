package app

import (
	"context"

	"github.com/ecopulse/ecopulse/alerting"
)

// followAlerts is the Scorer's hook after the days it scored: member alerts
// follow them at once (alerting.Engine.Follow), in day order, from the first
// day scored.
func (s *Scorer) followAlerts(ctx context.Context) {
	if e := s.alertEngine(); e != nil {
		e.Follow(ctx)
	}
}

// alertEngine is the engine member alerts follow the scored days with: the
// one the Scorer was given (App.New gives it the scheduler's, so that the
// two never derive at once), else one of the alert rules it was given, else
// none.
func (s *Scorer) alertEngine() *alerting.Engine {
	s.alertsOnce.Do(func() {
		if s.alerting == nil && s.alerts != nil {
			s.alerting = alerting.NewEngine(s.db, *s.alerts, s.log)
			s.alerting.SetAPIVersions(s.versions)
		}
	})
	return s.alerting
}
