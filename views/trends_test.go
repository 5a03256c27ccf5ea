package views

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/metrics"
)

// scoreSundays stores an ecosystem score on every Sunday of [from, to] but
// the days in skip; health rises by one point a week from 50, R by 0.1 from 1.
func scoreSundays(tb testing.TB, db *data.DB, from, to string, skip ...string) {
	tb.Helper()
	ctx := context.Background()
	first, _ := data.ParseDay(from)
	last, _ := data.ParseDay(to)
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	for d, i := first, 0; !d.After(last); d, i = d.AddDate(0, 0, 7), i+1 {
		if skipped[d.Format(data.DateLayout)] {
			continue
		}
		e := data.EcosystemScore{Day: d, Health: 50 + float64(i), R: 1 + 0.1*float64(i), Members: 3}
		if err := db.SaveDayScores(ctx, &data.DayScores{Ecosystem: e}); err != nil {
			tb.Fatal(err)
		}
	}
}

func trendIndex(tb testing.TB, trend []TrendPoint, day string) int {
	tb.Helper()
	for i, p := range trend {
		if p.Day == day {
			return i
		}
	}
	tb.Fatalf("no trend point on %s in %+v", day, trend)
	return -1
}

// markAreaRange returns the label and the first and last x of a series'
// markArea, "" when it has none.
func markAreaRange(tb testing.TB, s pageChartSpec, i int) (label, from, to string) {
	tb.Helper()
	list, _ := s.Option["series"].([]any)
	if i >= len(list) {
		tb.Fatalf("no series %d", i)
	}
	ma, _ := list[i].(map[string]any)["markArea"].(map[string]any)
	items, _ := ma["data"].([]any)
	if len(items) != 1 {
		return "", "", ""
	}
	pair, _ := items[0].([]any)
	if len(pair) != 2 {
		tb.Fatalf("markArea item %v is not a pair", items[0])
	}
	a, b := pair[0].(map[string]any), pair[1].(map[string]any)
	label, _ = a["name"].(string)
	from, _ = a["xAxis"].(string)
	to, _ = b["xAxis"].(string)
	return label, from, to
}

// TestOverviewTrendDrawsMissingDaysAsGapsAndShadesTheWarmUp: data starts
// on Monday 2026-03-02, so with a 28-day window the scores of 2026-03-02 to
// 2026-03-29 are warming up. A Sunday not scored (05-17) and one scored
// before any data (02-22: health 0, no active member) are missing — null in
// the JSON and in the chart, never 0 — and the warm-up's Sundays are
// shaded, the same range in the chart and in the JSON.
func TestOverviewTrendDrawsMissingDaysAsGapsAndShadesTheWarmUp(t *testing.T) {
	ctx := context.Background()
	db := viewsTestDB(t)
	plantDataDays(t, db, "2026-03-02", "2026-06-28")
	scoreSundays(t, db, "2026-01-04", "2026-06-28", "2026-05-17", "2026-02-22")
	nothing, _ := data.ParseDay("2026-02-22")
	if err := db.SaveDayScores(ctx, &data.DayScores{Ecosystem: data.EcosystemScore{Day: nothing}}); err != nil {
		t.Fatal(err)
	}
	at, _ := data.ParseDay("2026-06-28")
	o, err := BuildOverview(ctx, db, metrics.DefaultConfig(), at)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Trend) != trendWeeks || o.Trend[0].Day != "2026-01-04" || o.Trend[trendWeeks-1].Day != "2026-06-28" {
		t.Fatalf("trend = %d points from %s; want %d Sundays 2026-01-04..2026-06-28", len(o.Trend), o.Trend[0].Day, trendWeeks)
	}
	gap, none := trendIndex(t, o.Trend, "2026-05-17"), trendIndex(t, o.Trend, "2026-02-22")
	for _, i := range []int{gap, none} {
		if !math.IsNaN(o.Trend[i].Health) || !math.IsNaN(o.Trend[i].R) {
			t.Errorf("%s = %+v, want health and R missing", o.Trend[i].Day, o.Trend[i])
		}
	}
	// A measured point keeps its value: the week of 05-24 is the 20th from 01-04.
	if p := o.Trend[trendIndex(t, o.Trend, "2026-05-24")]; p.Health != 70 || math.Abs(p.R-3) > 1e-9 {
		t.Errorf("2026-05-24 = %+v, want health 70 and R 3", p)
	}
	if o.TrendWarmingUp == nil || *o.TrendWarmingUp != (DayRange{From: "2026-03-08", To: "2026-03-29"}) {
		t.Errorf("trend_warming_up = %+v, want the Sundays 2026-03-08..2026-03-29", o.TrendWarmingUp)
	}

	// The JSON the API sends: null, not 0.
	raw, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var api struct {
		Trend []struct {
			Day    string   `json:"day"`
			Health *float64 `json:"health"`
			R      *float64 `json:"R"`
		} `json:"trend"`
		WarmingUp *DayRange `json:"trend_warming_up"`
	}
	if err := json.Unmarshal(raw, &api); err != nil {
		t.Fatal(err)
	}
	if p := api.Trend[gap]; p.Health != nil || p.R != nil {
		t.Errorf("JSON point %s = health %v, R %v; want null", p.Day, p.Health, p.R)
	}
	if p := api.Trend[gap+1]; p.Health == nil || *p.Health != 70 {
		t.Errorf("JSON point %s = health %v, want 70", p.Day, p.Health)
	}
	var back Overview
	if err := json.Unmarshal(raw, &back); err != nil || !math.IsNaN(back.Trend[gap].Health) {
		t.Errorf("decoded again: %s = %+v (%v), want NaN health", back.Trend[gap].Day, back.Trend[gap], err)
	}

	// The charts: null at the missing points, lines not joined across them,
	// the warm-up shaded over the same range as the JSON's.
	specs := pageChartSpecs(t, renderOverviewHTML(t, *o))
	for _, id := range []string{"chart-health-trend-data", "chart-r-trend-data"} {
		s := specs[id]
		values := seriesData(t, s, 0)
		if len(values) != trendWeeks || values[gap] != nil || values[none] != nil {
			t.Errorf("%s: %d points, %v at 2026-05-17 and %v at 2026-02-22; want null at both", id, len(values), values[gap], values[none])
		}
		if values[gap+1] == nil || values[gap-1] == nil {
			t.Errorf("%s: the neighbours of the gap are missing too: %v", id, values)
		}
		if c, ok := s.Option["series"].([]any)[0].(map[string]any)["connectNulls"]; c != false || !ok {
			t.Errorf("%s: connectNulls = %v, want false", id, c)
		}
		label, from, to := markAreaRange(t, s, 0)
		if label != WarmUpLabel || from != api.WarmingUp.From || to != api.WarmingUp.To {
			t.Errorf("%s: markArea %q %s..%s, want %q %s..%s", id, label, from, to, WarmUpLabel, api.WarmingUp.From, api.WarmingUp.To)
		}
	}
}

// TestOverviewComparesOnlyCompleteWeeks: the health change against 7 days
// earlier is computed between two complete weeks, and not when either week
// is short of data or warming up — then the page says "partial week", not 0.
func TestOverviewComparesOnlyCompleteWeeks(t *testing.T) {
	ctx := context.Background()
	db := viewsTestDB(t)
	// Data from 2026-03-02, every day but 2026-06-16 (in the week ending on
	// 06-21).
	plantDataDays(t, db, "2026-03-02", "2026-06-28", "2026-06-16")
	scoreSundays(t, db, "2026-03-08", "2026-06-28")
	for _, c := range []struct {
		at, why string // why: "" when the change is computed
	}{
		{"2026-06-14", ""},                           // weeks to 06-07 and 06-14: complete
		{"2026-06-21", "only 6 of the 7 days"},       // this week lacks 06-16
		{"2026-06-28", "the week before is partial"}, // the week before does
		{"2026-04-05", "the week before is partial: scores of 2026-03-29 are warming up"},
		{"2026-03-29", "this week is partial: scores of 2026-03-29 are warming up"},
	} {
		at, _ := data.ParseDay(c.at)
		o, err := BuildOverview(ctx, db, metrics.DefaultConfig(), at)
		if err != nil {
			t.Fatal(err)
		}
		if c.why == "" {
			if o.ChangePartial != "" || o.HealthChange != 1 {
				t.Errorf("%s: change %v, partial %q; want +1 between complete weeks", c.at, o.HealthChange, o.ChangePartial)
			}
			continue
		}
		if !strings.Contains(o.ChangePartial, c.why) || o.HealthChange != 0 || o.RChange != 0 {
			t.Errorf("%s: change %v (R %v), partial %q; want none, because %q", c.at, o.HealthChange, o.RChange, o.ChangePartial, c.why)
		}
		html := renderOverviewHTML(t, *o)
		if !strings.Contains(html, "partial week") || !strings.Contains(html, "not compared: ") {
			t.Errorf("%s: the page does not say the week is partial", c.at)
		}
	}
}

// TestSnapshotOnAPartialWindowSaysSoAndComparesNothing: data starts on
// 2026-06-01, so the snapshots of 2026-W24 (06-14) and W25 (06-21) froze
// warming-up scores; W27 (07-05) closes a week with a day of no data. Each
// says it is partial and why, and has no change, riser or faller; W28 is
// complete but its previous snapshot is not, so it is not compared either.
// W26 has no snapshot: a gap in the trend.
func TestSnapshotOnAPartialWindowSaysSoAndComparesNothing(t *testing.T) {
	ctx := context.Background()
	db := viewsTestDB(t)
	plantDataDays(t, db, "2026-06-01", "2026-07-12", "2026-07-01")
	for _, s := range []struct {
		week, day string
		h         float64
	}{{"2026-W24", "2026-06-14", 50}, {"2026-W25", "2026-06-21", 60}, {"2026-W27", "2026-07-05", 55}, {"2026-W28", "2026-07-12", 65}} {
		d, _ := data.ParseDay(s.day)
		ms := []data.SnapshotMember{snapMember("alpha", s.h, 0.2), snapMember("bravo", 100-s.h, 0.1)}
		if s.week == "2026-W25" {
			ms = append(ms, snapMember("charlie", 40, 0.05))
		}
		if err := db.CreateSnapshot(ctx, &data.Snapshot{Week: s.week, Day: d, R: 0.3, Health: s.h, TakenAt: time.Now()}, ms); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		week, partial, notCompared string
	}{
		{"2026-W25", "scores of 2026-06-21 are warming up: data starts on 2026-06-01, so its 28-day scoring window holds 21 days", "this snapshot was taken on a partial window"},
		{"2026-W27", "only 6 of the 7 days ending on 2026-07-05 hold collected data", "this snapshot was taken on a partial window"},
		{"2026-W28", "", "2026-W27 was taken on a partial window"},
	} {
		d, err := BuildSnapshot(ctx, db, c.week)
		if err != nil {
			t.Fatal(err)
		}
		if d.Partial != (c.partial != "") || d.PartialReason != c.partial {
			t.Errorf("%s: partial %v, %q; want %q", c.week, d.Partial, d.PartialReason, c.partial)
		}
		ch := d.Changes
		if !strings.HasPrefix(ch.NotCompared, c.notCompared) || len(ch.HealthRisers)+len(ch.HealthFallers)+len(ch.PhiRisers)+len(ch.PhiFallers) != 0 {
			t.Errorf("%s: not compared %q, risers and fallers %+v; want none, because %q", c.week, ch.NotCompared, ch, c.notCompared)
		}
		for _, m := range d.Members {
			if m.HealthChange != nil || m.PhiChange != nil {
				t.Errorf("%s: %s changed by %v / %v across a partial week", c.week, m.Slug, *m.HealthChange, *m.PhiChange)
			}
		}
		var buf bytes.Buffer
		if err := newTestRenderer(t).SnapshotPage(&buf, *d); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		if c.partial != "" && !strings.Contains(page, "Taken on a partial window: "+c.partial) {
			t.Errorf("%s: the page does not say it was taken on a partial window", c.week)
		}
		if strings.Contains(page, "Risers and fallers since") || !strings.Contains(page, "Not compared: ") {
			t.Errorf("%s: the page compares across a partial week", c.week)
		}
	}
	// Who came and went is no change of a score: W25 still lists charlie
	// as new, W27 as gone.
	if d, _ := BuildSnapshot(ctx, db, "2026-W25"); refSlugs(d.Changes.New) != "charlie" {
		t.Errorf("W25 new = %q, want charlie", refSlugs(d.Changes.New))
	}

	list, err := BuildSnapshots(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	partial := map[string]bool{}
	for _, s := range list.Snapshots {
		partial[s.Week] = s.Partial
	}
	if want := map[string]bool{"2026-W24": true, "2026-W25": true, "2026-W27": true, "2026-W28": false}; !equalBools(partial, want) {
		t.Errorf("partial snapshots = %v, want %v", partial, want)
	}
	if list.WarmingUp == nil || *list.WarmingUp != (DayRange{From: "2026-W24", To: "2026-W25"}) {
		t.Errorf("warming_up = %+v, want 2026-W24..2026-W25", list.WarmingUp)
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).SnapshotsPage(&buf, *list); err != nil {
		t.Fatal(err)
	}
	s := pageChartSpecs(t, buf.String())["chart-snapshot-health-data"]
	if got, want := strings.Join(axisData(t, s, "xAxis"), ","), "2026-W24,2026-W25,2026-W26,2026-W27,2026-W28"; got != want {
		t.Fatalf("weeks = %v, want %v", got, want)
	}
	values := seriesData(t, s, 0)
	if values[2] != nil || values[4] != 65.0 || values[3] != 55.0 {
		t.Errorf("health by week = %v; want null for W26 (no snapshot), 55 and 65 after it", values)
	}
	if label, from, to := markAreaRange(t, s, 0); label != WarmUpLabel || from != "2026-W24" || to != "2026-W25" {
		t.Errorf("markArea %q %s..%s, want %q 2026-W24..2026-W25", label, from, to, WarmUpLabel)
	}
	raw := s.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
	if p, ok := raw[3].(map[string]any); !ok || p["partial"] != true || p["symbol"] != "emptyCircle" {
		t.Errorf("W27's point = %v, want drawn hollow as partial", raw[3])
	}
	if _, ok := raw[4].(map[string]any); ok {
		t.Errorf("W28's point = %v, want a plain value (complete)", raw[4])
	}
	if !strings.Contains(buf.String(), `data-partial>partial</span>`) {
		t.Error("the list does not mark the partial weeks")
	}
}

func equalBools(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
