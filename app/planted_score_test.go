package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The planted-degradation scorer: what EcoPulse made of the planted
// ecosystem, read from the scores and alerts it stored, against the truth.
//
// A degraded member is flagged on a day of [onset, onset+14] when its
// status is at_risk, or watch while an alert about it is open; its reason
// is right when, on the first flagged day, its main change (Changes[0])
// names one of the kinds that describe what was planted. A control is
// clean when no day from the end of the warm-up on has it at_risk or with
// an alert open about it.

// plantedReasons are the change kinds that name each planted problem.
var plantedReasons = map[plantKind][]string{
	plantChurn:      {domain.ChangeUsageDrop, domain.ChangeDormant},
	plantDrop:       {domain.ChangeUsageDrop, domain.ChangeDormant},
	plantDormant:    {domain.ChangeDormant, domain.ChangeUsageDrop},
	plantLatency:    {domain.ChangeLatency},
	plant4xx:        {domain.ChangeErrors4xx},
	plant5xx:        {domain.ChangeErrors5xx},
	plantNeglect:    {domain.ChangeUnanswered, domain.ChangeSlowResponse},
	plantSlow:       {domain.ChangeSlowResponse, domain.ChangeUnanswered},
	plantExodus:     {domain.ChangeContributionDrop, domain.ChangeContributorLoss},
	plantMilestones: {domain.ChangeMilestonesOverdue, domain.ChangeMilestonesLate},
}

// plantedAlert is the span of days an alert was open: [From, To), To zero
// while it is open.
type plantedAlert struct {
	Rule     string
	From, To time.Time
}

// plantedAlertSpan returns the days an alert was open, as the scoring job
// recorded them: from the scored day it opened to the day it closed.
func plantedAlertSpan(a data.Alert) plantedAlert {
	return plantedAlert{Rule: a.Rule, From: domain.Day(a.OpenedOn), To: a.ClosedOn}
}

func (s plantedAlert) openOn(day time.Time) bool {
	return !day.Before(s.From) && (s.To.IsZero() || day.Before(s.To))
}

// plantedRecord is everything stored about the history: each member's
// score per day (nil where the day was not scored) and its alerts.
type plantedRecord struct {
	scores  map[string][]*domain.MemberScore
	alerts  map[string][]plantedAlert
	changes int // member-days with at least one change recorded
	nAlerts int // alerts about members
}

func readPlantedRecord(ctx context.Context, tb testing.TB, db *data.DB, e *plantedEcosystem) *plantedRecord {
	tb.Helper()
	rec := &plantedRecord{scores: map[string][]*domain.MemberScore{}, alerts: map[string][]plantedAlert{}}
	for _, m := range e.Members {
		rec.scores[m.Slug] = make([]*domain.MemberScore, plantedDays)
		as, err := db.Alerts(ctx, data.AlertFilter{Member: m.Slug})
		if err != nil {
			tb.Fatal(err)
		}
		for _, a := range as {
			rec.alerts[m.Slug] = append(rec.alerts[m.Slug], plantedAlertSpan(a))
		}
		rec.nAlerts += len(as)
	}
	for d := range plantedDays {
		ss, err := db.ScoresOn(ctx, plantedDay(d))
		if err != nil {
			tb.Fatal(err)
		}
		for i := range ss {
			if days := rec.scores[ss[i].Slug]; days != nil {
				days[d] = &ss[i].Score
				if len(ss[i].Score.Changes) > 0 {
					rec.changes++
				}
			}
		}
	}
	return rec
}

// alertOn returns the rule of an alert about slug open on day d, or "".
func (rec *plantedRecord) alertOn(slug string, d int) string {
	for _, a := range rec.alerts[slug] {
		if a.openOn(plantedDay(d)) {
			return a.Rule
		}
	}
	return ""
}

// plantedOutcome is what the scorer found for one member.
type plantedOutcome struct {
	M       *plantedMember
	Onset   int
	Flagged int    // first flagged (degraded) or troubled (control) day; −1: none
	Status  string // on that day, or the worst status of the days judged
	Alert   string // an alert open on that day
	Reason  string // main change kind on that day
	Text    string // and in words
	Right   bool   // the reason names what was planted
}

func plantedReason(s *domain.MemberScore) (kind, text string) {
	if s == nil || len(s.Changes) == 0 {
		return "", ""
	}
	return s.Changes[0].Kind, s.Changes[0].Text()
}

var plantedStatusRank = map[string]int{domain.StatusNoData: 0, domain.StatusHealthy: 1, domain.StatusWatch: 2, domain.StatusAtRisk: 3}

// judge scores one member against the truth.
func (rec *plantedRecord) judge(e *plantedEcosystem, m *plantedMember) plantedOutcome {
	o := plantedOutcome{M: m, Onset: -1, Flagged: -1}
	from, to := plantedWarmup, plantedDays-1
	if m.Plant != plantControl {
		o.Onset = e.onsetOf(m)
		from, to = o.Onset, min(o.Onset+plantedCatch, plantedDays-1)
	}
	days := rec.scores[m.Slug]
	worst := -1
	for d := from; d <= to; d++ {
		s := days[d]
		alert := rec.alertOn(m.Slug, d)
		if s == nil {
			continue
		}
		troubled := s.Status == domain.StatusAtRisk || (s.Status == domain.StatusWatch && alert != "")
		if m.Plant == plantControl {
			troubled = s.Status == domain.StatusAtRisk || alert != ""
		}
		if troubled {
			o.Flagged, o.Status, o.Alert = d, s.Status, alert
			o.Reason, o.Text = plantedReason(s)
			o.Right = slices.Contains(plantedReasons[m.Plant], o.Reason)
			return o
		}
		if r := plantedStatusRank[s.Status]; r > worst {
			worst = r
			o.Status, o.Alert = s.Status, alert
			o.Reason, o.Text = plantedReason(s)
		}
	}
	return o
}

// plantedSummary is the measured outcome of the whole ecosystem.
type plantedSummary struct {
	Outcomes                 []plantedOutcome
	Alerts                   int
	Degraded, Flagged, Right int
	Controls, Clean          int
}

func summarisePlanted(rec *plantedRecord, e *plantedEcosystem) plantedSummary {
	s := plantedSummary{Alerts: rec.nAlerts}
	for _, m := range e.Members {
		o := rec.judge(e, m)
		s.Outcomes = append(s.Outcomes, o)
		if m.Plant == plantControl {
			s.Controls++
			if o.Flagged < 0 {
				s.Clean++
			}
			continue
		}
		s.Degraded++
		if o.Flagged >= 0 {
			s.Flagged++
			if o.Right {
				s.Right++
			}
		}
	}
	return s
}

// table prints the outcome for people: one line per member, degraded
// first.
func (s plantedSummary) table() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "member\tplanted\tonset\tflagged\tstatus\talert\treason\t")
	for _, degraded := range []bool{true, false} {
		for _, o := range s.Outcomes {
			if (o.M.Plant != plantControl) != degraded {
				continue
			}
			planted, onset, flagged := string(o.M.Plant), "—", "—"
			if !degraded {
				planted = "control (" + o.M.Shape + ")"
			} else {
				onset = fmt.Sprintf("day %d", o.Onset)
			}
			switch {
			case o.Flagged >= 0 && degraded:
				flagged = fmt.Sprintf("day %d (+%d)", o.Flagged, o.Flagged-o.Onset)
			case o.Flagged >= 0:
				flagged = fmt.Sprintf("day %d", o.Flagged)
			}
			reason := o.Reason
			switch {
			case reason == "":
				reason = "—"
			case degraded && o.Flagged >= 0 && o.Right:
				reason += " ✓"
			case degraded && o.Flagged >= 0:
				reason += " ✗"
			}
			if o.Text != "" {
				reason += ": " + o.Text
			}
			alert := o.Alert
			if alert == "" {
				alert = "—"
			}
			status := o.Status
			if status == "" {
				status = "not scored"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", o.M.Slug, planted, onset, flagged, status, alert, reason)
		}
	}
	w.Flush()
	fmt.Fprintf(&b, "%d alerts about members recorded\n", s.Alerts)
	fmt.Fprintf(&b, "degraded flagged within %d days of onset: %d of %d; right reason: %d of %d; controls clean from day %d: %d of %d\n",
		plantedCatch, s.Flagged, s.Degraded, s.Right, s.Degraded, plantedWarmup, s.Clean, s.Controls)
	return b.String()
}
