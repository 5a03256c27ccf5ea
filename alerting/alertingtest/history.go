package alertingtest

import (
	"context"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// ChangeHistory is a store with members whose scored days carry change
// signals given by hand: what the model would have stored.
type ChangeHistory struct {
	DB      *data.DB
	Members map[string]int64
	First   time.Time
}

// NewChangeHistory is an empty store with the members slugs.
func NewChangeHistory(tb testing.TB, slugs ...string) *ChangeHistory {
	tb.Helper()
	h := &ChangeHistory{DB: datatest.MustOpenDB(tb), Members: map[string]int64{}, First: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	joined, _ := domain.ParseDay("2026-01-01")
	for _, slug := range slugs {
		m := &domain.Member{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: domain.KindPartner, JoinedOn: joined}
		if err := h.DB.CreateMember(context.Background(), m); err != nil {
			tb.Fatal(err)
		}
		h.Members[slug] = m.ID
	}
	return h
}

// Day is the history's day i (day 0 is 2026-06-01).
func (h *ChangeHistory) Day(i int) time.Time { return h.First.AddDate(0, 0, i) }

// UsageDrop is a usage_drop signal of score s (calls fell to 1000·s a week
// from 1000): its sentence quotes the numbers.
func UsageDrop(s float64) domain.Change {
	return domain.Change{Kind: domain.ChangeUsageDrop, Dimension: "api", Score: s, Now: math.Round(1000 * s), Before: 1000}
}

// Save stores day i's scores: every member healthy, with the signals given
// (a member not in changes has none: fine that day).
func (h *ChangeHistory) Save(tb testing.TB, i int, changes map[string][]domain.Change) {
	tb.Helper()
	nan := math.NaN()
	var ms []domain.MemberScore
	for slug, id := range h.Members {
		ms = append(ms, domain.MemberScore{Day: h.Day(i), MemberID: id, T: 1, I: 1, M: 1, C: 1, Health: 80, Status: domain.StatusHealthy,
			Dimensions: [4]float64{80, nan, nan, nan}, Changes: changes[slug]})
	}
	if err := h.DB.SaveDayScores(context.Background(), &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: h.Day(i), Health: 80}, Members: ms}); err != nil {
		tb.Fatal(err)
	}
}

// Episodes are a rule's alerts about a member as "MM-DD→MM-DD" (→… while
// open), oldest first, with their rows.
func (h *ChangeHistory) Episodes(tb testing.TB, rule, member string) ([]string, []data.Alert) {
	tb.Helper()
	all, err := h.DB.Alerts(context.Background(), data.AlertFilter{Rule: rule, Member: member})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].OpenedOn.Before(all[j].OpenedOn) })
	var spans []string
	for _, a := range all {
		end := "…"
		if !a.ClosedOn.IsZero() {
			end = a.ClosedOn.Format("01-02")
		}
		spans = append(spans, a.OpenedOn.Format("01-02")+"→"+end)
	}
	return spans, all
}

// Hovering is alpha's usage signal day by day (0: no signal, fine): it
// dips under 0.5, hovers across it, recovers over 0.75, hovers under 0.75
// without dipping, and dips again. A single threshold at 0.5 would open
// and close three times in the first five days.
var Hovering = []float64{0, 0.45, 0.55, 0.48, 0.62, 0.70, 0.80, 0.55, 0.45, 0.49}

// SaveHovering saves the ten days of Hovering for alpha, and bravo's
// latency between the thresholds.
func (h *ChangeHistory) SaveHovering(tb testing.TB) {
	tb.Helper()
	for i, s := range Hovering {
		changes := map[string][]domain.Change{
			// bravo's latency hovers between the thresholds every day:
			// never bad enough to open an alert.
			"bravo": {{Kind: domain.ChangeLatency, Dimension: "api", Score: 0.52 + 0.02*float64(i%3), Now: 2400, Before: 1000}},
		}
		if s > 0 {
			changes["alpha"] = []domain.Change{UsageDrop(s)}
		}
		h.Save(tb, i, changes)
	}
}
