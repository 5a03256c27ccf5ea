package views

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// scoreSundays stores an ecosystem score on every Sunday of [from, to] but
// the days in skip; health rises by one point a week from 50, R by 0.1 from 1.
func scoreSundays(tb testing.TB, db *data.DB, from, to string, skip ...string) {
	tb.Helper()
	ctx := context.Background()
	first, _ := domain.ParseDay(from)
	last, _ := domain.ParseDay(to)
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	for d, i := first, 0; !d.After(last); d, i = d.AddDate(0, 0, 7), i+1 {
		if skipped[d.Format(domain.DateLayout)] {
			continue
		}
		e := domain.EcosystemScore{Day: d, Health: 50 + float64(i), R: 1 + 0.1*float64(i), Members: 3}
		if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: e}); err != nil {
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
	db := datatest.MustOpenDB(t)
	plantDataDays(t, db, "2026-03-02", "2026-06-28")
	scoreSundays(t, db, "2026-03-08", "2026-06-28", "2026-05-17")
	nothing, _ := domain.ParseDay("2026-02-22")
	if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: nothing}}); err != nil {
		t.Fatal(err)
	}
	at, _ := domain.ParseDay("2026-06-28")
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
	// A measured point keeps its value: 05-24 is the 12th Sunday from 03-08.
	if p := o.Trend[trendIndex(t, o.Trend, "2026-05-24")]; p.Health != 61 || math.Abs(p.R-2.1) > 1e-9 {
		t.Errorf("2026-05-24 = %+v, want health 61 and R 2.1", p)
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
	if p := api.Trend[gap+1]; p.Health == nil || *p.Health != 61 {
		t.Errorf("JSON point %s = health %v, want 61", p.Day, p.Health)
	}
	var back Overview
	if err := json.Unmarshal(raw, &back); err != nil || !math.IsNaN(back.Trend[gap].Health) {
		t.Errorf("decoded again: %s = %+v (%v), want NaN health", back.Trend[gap].Day, back.Trend[gap], err)
	}

	// The charts: null at the missing points, lines not joined across them,
	// the warm-up shaded over the same range as the JSON's.
	html := renderOverviewHTML(t, *o)
	// The text summary starts after the warm-up and skips the gap.
	if want := "Ecosystem health went from 54.0 on 2026-04-05 to 66.0 on 2026-06-28 (1 point without data left out). " +
		"Scores from 2026-03-08 to 2026-03-29 were warming up: their window was not yet full."; !strings.Contains(html, want) {
		t.Errorf("the health trend's summary is not %q", want)
	}
	specs := pageChartSpecs(t, html)
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
	db := datatest.MustOpenDB(t)
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
		at, _ := domain.ParseDay(c.at)
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
	db := datatest.MustOpenDB(t)
	plantDataDays(t, db, "2026-06-01", "2026-07-12", "2026-07-01")
	for _, s := range []struct {
		week, day string
		h         float64
	}{{"2026-W24", "2026-06-14", 50}, {"2026-W25", "2026-06-21", 60}, {"2026-W27", "2026-07-05", 55}, {"2026-W28", "2026-07-12", 65}} {
		d, _ := domain.ParseDay(s.day)
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
		d, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), c.week)
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
	if d, _ := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W25"); refSlugs(d.Changes.New) != "charlie" {
		t.Errorf("W25 new = %q, want charlie", refSlugs(d.Changes.New))
	}

	list, err := BuildSnapshots(ctx, db, metrics.DefaultConfig())
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

// TestMemberTrendsDrawMissingAsGaps: on a member's page, a week not scored
// and a week scored on no data are gaps in the health history, the
// warm-up's weeks are shaded (the JSON says which); a day without any
// collected input is a gap in the calls chart while a day with data but
// none of the member's calls is 0; a community week without data is a gap,
// one short of data is partial.
func TestMemberTrendsDrawMissingAsGaps(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	joined, _ := domain.ParseDay("2026-01-01")
	m := &domain.Member{Slug: "alpha", Name: "Alpha", Kind: domain.KindPartner, JoinedOn: joined}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	// Data from Monday 2026-05-04 (warm-up to 05-31), but none on 06-17.
	plantDataDays(t, db, "2026-05-04", "2026-06-28", "2026-06-17")
	var acts []domain.Activity
	for _, d := range []string{"2026-06-16", "2026-06-23", "2026-06-24"} {
		at, _ := domain.ParseDay(d)
		acts = append(acts, domain.Activity{Source: "github", ExternalID: "alpha-" + d, Kind: "comment", At: at.Add(9 * time.Hour),
			Actor: "ann", Thread: "a-" + d, MemberID: m.ID})
	}
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	c := &domain.APIConsumer{Key: "alpha-app", Name: "alpha-app", MemberID: m.ID}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	var rollups []domain.UsageRollup
	for _, d := range []string{"2026-06-16", "2026-06-20"} {
		at, _ := domain.ParseDay(d)
		rollups = append(rollups, domain.UsageRollup{Bucket: at.Add(10 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: 40})
	}
	if err := db.AddUsage(ctx, rollups); err != nil {
		t.Fatal(err)
	}
	for i, d := range []string{"2026-05-03", "2026-05-10", "2026-05-17", "2026-05-24", "2026-05-31", "2026-06-14", "2026-06-21", "2026-06-28"} {
		day, _ := domain.ParseDay(d)
		ms := domain.MemberScore{MemberID: m.ID, Health: 60 + float64(i), Status: domain.StatusWatch, Dimensions: [4]float64{math.NaN(), math.NaN(), 60, math.NaN()}}
		eco := domain.EcosystemScore{Day: day, Health: 60 + float64(i), Members: 1}
		if d == "2026-05-03" { // before any data: scored on nothing
			ms = domain.MemberScore{MemberID: m.ID, Status: domain.StatusNoData, Dimensions: [4]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}}
			eco = domain.EcosystemScore{Day: day}
		}
		if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: eco, Members: []domain.MemberScore{ms}}); err != nil {
			t.Fatal(err)
		}
	}
	at, _ := domain.ParseDay("2026-06-28")
	from, _ := domain.ParseDay("2026-06-15")
	d, err := BuildMember(ctx, db, metrics.DefaultConfig(), MemberParams{Slug: "alpha", At: at, From: from, To: at})
	if err != nil {
		t.Fatal(err)
	}
	history := map[string]MemberHistoryPoint{}
	index := map[string]int{}
	for i, p := range d.History {
		history[p.Day], index[p.Day] = p, i
	}
	for _, day := range []string{"2026-05-03", "2026-06-07"} {
		if p := history[day]; p.Health != nil || p.Ecosystem != nil || p.C != nil {
			t.Errorf("history %s = %v / %v; want null (not scored, or scored on nothing)", day, p.Health, p.Ecosystem)
		}
	}
	if p := history["2026-06-14"]; p.Health == nil || *p.Health != 65 {
		t.Errorf("history 2026-06-14 = %v, want 65", p.Health)
	}
	if d.HistoryWarmingUp == nil || *d.HistoryWarmingUp != (DayRange{From: "2026-05-10", To: "2026-05-31"}) {
		t.Errorf("history_warming_up = %+v, want 2026-05-10..2026-05-31", d.HistoryWarmingUp)
	}

	usage := map[string]MemberUsageDay{}
	for _, u := range d.Usage.Days {
		usage[u.Day] = u
	}
	if usage["2026-06-17"].HasData || !usage["2026-06-18"].HasData {
		t.Errorf("has_data: 06-17 %v, 06-18 %v; want false, true", usage["2026-06-17"].HasData, usage["2026-06-18"].HasData)
	}
	weeks := map[string]MemberCommunityWeek{}
	for _, w := range d.Community.Weeks {
		weeks[w.Week] = w
	}
	for week, want := range map[string]struct {
		days    int
		partial bool
	}{"2026-W17": {0, true}, "2026-W25": {6, true}, "2026-W26": {7, false}} {
		if w := weeks[week]; w.DataDays != want.days || w.Partial != want.partial {
			t.Errorf("%s: %d data days, partial %v; want %d, %v", week, w.DataDays, w.Partial, want.days, want.partial)
		}
	}

	// The week before 06-28 lacks 06-17: no health change against it.
	if d.Score == nil || !strings.HasPrefix(d.Score.ChangePartial, "the week before is partial: only 6 of the 7 days") || d.Score.HealthChange != 0 {
		t.Errorf("score = %+v; want no change against the partial week before", d.Score)
	}
	html := renderMember(t, *d)
	if !strings.Contains(html, "partial week") {
		t.Error("the member page does not say the change is not computed")
	}
	specs := pageChartSpecs(t, html)
	hist := specs["chart-member-history-data"]
	if v := seriesData(t, hist, 0); v[index["2026-06-07"]] != nil || v[index["2026-05-03"]] != nil || v[index["2026-06-14"]] != 65.0 {
		t.Errorf("history chart = %v; want null on 05-03 and 06-07, 65 on 06-14", v)
	}
	if label, f, to := markAreaRange(t, hist, 0); label != WarmUpLabel || f != d.HistoryWarmingUp.From || to != d.HistoryWarmingUp.To {
		t.Errorf("history markArea %q %s..%s, want the JSON's %+v", label, f, to, d.HistoryWarmingUp)
	}
	calls := seriesData(t, specs["chart-member-calls-data"], 0) // 06-15 .. 06-28
	if calls[1] != 40.0 || calls[2] != nil || calls[3] != 0.0 {
		t.Errorf("calls: 06-16 %v, 06-17 %v, 06-18 %v; want 40, null (nothing collected) and 0 (no call of alpha)", calls[1], calls[2], calls[3])
	}
	people := specs["chart-member-contributors-data"]
	active := seriesData(t, people, 0)
	w17, w25, w26 := -1, -1, -1
	for i, w := range axisData(t, people, "xAxis") {
		switch w {
		case "2026-W17":
			w17 = i
		case "2026-W25":
			w25 = i
		case "2026-W26":
			w26 = i
		}
	}
	if active[w17] != nil || active[w25] != 1.0 || active[w26] != 1.0 {
		t.Errorf("active contributors = %v; want null in W17 (no data), 1 in W25 and W26", active)
	}
	raw := people.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
	if p, ok := raw[w25].(map[string]any); !ok || p["partial"] != true {
		t.Errorf("W25's point = %v, want marked partial", raw[w25])
	}
}

// TestAPIUsageDrawsADayWithoutDataAsAGap: calls on 06-01, 06-02 and 06-04
// (one mapped, one unmapped consumer), nothing collected on 06-03, only
// community activity on 06-05. Every daily chart has a gap on 06-03; on
// 06-05 the calls are measured zeros.
func TestAPIUsageDrawsADayWithoutDataAsAGap(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	joined, _ := domain.ParseDay("2026-01-01")
	m := &domain.Member{Slug: "alpha", Name: "Alpha", Kind: domain.KindPartner, Segment: "NLP", JoinedOn: joined}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	mapped := &domain.APIConsumer{Key: "alpha-app", Name: "alpha-app", MemberID: m.ID}
	stray := &domain.APIConsumer{Key: "stray", Name: "stray"}
	for _, c := range []*domain.APIConsumer{mapped, stray} {
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	var rollups []domain.UsageRollup
	for _, d := range []string{"2026-06-01", "2026-06-02", "2026-06-04"} {
		at, _ := domain.ParseDay(d)
		rollups = append(rollups,
			domain.UsageRollup{Bucket: at.Add(9 * time.Hour), ConsumerID: mapped.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: 100},
			domain.UsageRollup{Bucket: at.Add(9 * time.Hour), ConsumerID: stray.ID, Endpoint: "/v1/chat", StatusClass: 5, Calls: 10})
	}
	if err := db.AddUsage(ctx, rollups); err != nil {
		t.Fatal(err)
	}
	plantDataDays(t, db, "2026-06-05", "2026-06-05")
	u, err := BuildAPIUsage(ctx, db, metrics.DefaultConfig(), APIUsageParams{RangeParams: RangeParams{From: ecoDay(t, "2026-06-01"), To: ecoDay(t, "2026-06-05")}})
	if err != nil {
		t.Fatal(err)
	}
	var has []bool
	for _, d := range u.Daily {
		has = append(has, d.HasData)
	}
	if want := []bool{true, true, false, true, true}; fmt.Sprint(has) != fmt.Sprint(want) {
		t.Fatalf("has_data by day = %v, want %v", has, want)
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).APIUsagePage(&buf, *u); err != nil {
		t.Fatal(err)
	}
	specs := pageChartSpecs(t, buf.String())
	for _, c := range []struct {
		id     string
		series int
		want   []any
	}{
		{"chart-usage-segments-data", 0, []any{100.0, 100.0, nil, 100.0, 0.0}},
		{"chart-usage-segments-data", 1, []any{10.0, 10.0, nil, 10.0, 0.0}}, // the unmapped consumers' line
		{"chart-usage-unmapped-data", 0, []any{10.0, 10.0, nil, 10.0, 0.0}},
		{"chart-usage-budget-data", 0, nil}, // checked below: a gap on 06-03 only
	} {
		got := seriesData(t, specs[c.id], c.series)
		if c.want != nil && fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s series %d = %v, want %v", c.id, c.series, got, c.want)
		}
		if len(got) != 5 || got[2] != nil || got[1] == nil || got[3] == nil {
			t.Errorf("%s series %d = %v, want a gap on 06-03 alone", c.id, c.series, got)
		}
	}
}

// TestCommunityWeeksWithoutDataAreGapsAndShortWeeksPartial: the range
// starts on a Wednesday (its first week is partial), nothing was collected
// in 2026-W24 (a gap, not a week of zeros), W25 is complete and W26 lacks a
// day (partial).
func TestCommunityWeeksWithoutDataAreGapsAndShortWeeksPartial(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	plantDataDays(t, db, "2026-06-03", "2026-06-07")
	plantDataDays(t, db, "2026-06-15", "2026-06-28", "2026-06-25")
	c, err := BuildCommunity(ctx, db, metrics.DefaultConfig(), RangeParams{From: ecoDay(t, "2026-06-03"), To: ecoDay(t, "2026-06-28")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range c.Weeks {
		got = append(got, fmt.Sprintf("%s %d %v", w.Week, w.DataDays, w.Partial))
	}
	if want := "[2026-W23 5 true 2026-W24 0 true 2026-W25 7 false 2026-W26 6 true]"; fmt.Sprint(got) != want {
		t.Fatalf("weeks (data days, partial) = %v, want %s", got, want)
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).CommunityPage(&buf, *c); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	specs := pageChartSpecs(t, html)
	active := seriesData(t, specs["chart-community-people-data"], 0)
	if fmt.Sprint(active) != "[1 <nil> 1 1]" {
		t.Errorf("active contributors by week = %v, want [1 <nil> 1 1]: a gap where nothing was collected", active)
	}
	raw := specs["chart-community-people-data"].Option["series"].([]any)[0].(map[string]any)["data"].([]any)
	for i, partial := range []bool{true, false, false, true} {
		if i == 1 {
			continue // the gap
		}
		if p, ok := raw[i].(map[string]any); ok != partial || (ok && p["partial"] != true) {
			t.Errorf("week %d's point = %v, want partial %v", i, raw[i], partial)
		}
	}
	if opened := seriesData(t, specs["chart-community-closure-data"], 0); opened[1] != nil || opened[2] != 0.0 {
		t.Errorf("pull requests opened by week = %v; want a gap in W24 and 0 in W25", opened)
	}
	if !strings.Contains(html, `<tr data-week="2026-W24">`) || !strings.Contains(html, "no data collected this week") {
		t.Error("the weeks table does not say W24 had no data")
	}
}
