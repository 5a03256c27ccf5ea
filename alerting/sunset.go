package alerting

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
	"github.com/ecopulse/ecopulse/views"
)

// SetAPIVersions gives the engine the declared API versions the sunset
// rule watches (nil: none). Set it before the first evaluation: the serve
// command learns the demo's declarations only after the engine is built.
func (e *Engine) SetAPIVersions(vs *domain.APIVersions) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.versions = vs
}

// sunsetConditions: on a scored day within alerts.sunset_days of a
// version's sunset (or past it), each member that called the version in
// the sunset_days days ending that day — the members /api-versions lists
// as at risk, by the same function (metrics.SunsetRisks). The subject is
// member and version, so each version's alert opens and closes on its own.
func (e *Engine) sunsetConditions(ctx context.Context, day time.Time) ([]data.AlertCondition, error) {
	n, vs := e.cfg.SunsetDays, e.versions
	if n <= 0 || !vs.Declared() {
		return nil, nil
	}
	warned := false
	for _, v := range vs.List {
		warned = warned || metrics.InSunsetWarning(v, day, n)
	}
	if !warned {
		return nil, nil // no read on the days far from every sunset
	}
	rows, err := e.db.EndpointCalls(ctx, "", day.AddDate(0, 0, 1-n), day.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	var conds []data.AlertCondition
	for _, r := range metrics.SunsetRisks(vs, rows, day, n) {
		v := vs.List[r.Version]
		left := int(v.Sunset.Sub(day).Hours() / 24)
		key := "alertmsg.sunset_ahead"
		args := map[string]any{"Calls": strconv.FormatInt(r.Calls, 10), "Version": v.Name, "Days": strconv.Itoa(n),
			"Last": r.LastDay.Format(domain.DateLayout), "Sunset": v.Sunset.Format(domain.DateLayout),
			"Count": strconv.Itoa(left), "Replacement": v.Replacement}
		when := fmt.Sprintf("its sunset is %s, in %s", v.Sunset.Format(domain.DateLayout), domain.Plural(left, "day", "days"))
		if !day.Before(v.Sunset) {
			when = fmt.Sprintf("it was sunset on %s", v.Sunset.Format(domain.DateLayout))
			key = "alertmsg.sunset_past"
			delete(args, "Count")
		}
		msg := fmt.Sprintf("still made %d calls to API %s in the last %d days (the last on %s); %s", r.Calls, v.Name,
			n, r.LastDay.Format(domain.DateLayout), when)
		if v.Replacement != "" {
			msg += "; migrate to " + v.Replacement
		}
		conds = append(conds, data.AlertCondition{Rule: views.RuleSunset, Subject: r.Member + "/" + v.Name, Member: r.Member, Message: msg,
			MessageKey: key, MessageArgs: args})
	}
	return conds, nil
}
