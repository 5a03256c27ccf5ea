package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// funnelMonday is the day number of a Monday (1970-01-05 is day 4).
const funnelMonday = 4 + 7*2900

func stageCount(s FunnelSummary, name string) (int, int) {
	for _, st := range s.Stages {
		if st.Stage == name {
			return st.Count, st.Observed
		}
	}
	return -1, -1
}

// TestFunnelOnPaper checks a hand-worked funnel: four consumers, two
// cohorts, one week 8 not yet observed for the later cohort.
func TestFunnelOnPaper(t *testing.T) {
	m := funnelMonday
	consumers := []FunnelConsumer{
		// a: succeeds on day 0, active in weeks 1, 2 and 4; its member contributed on day 20.
		{Key: "a", Segment: "NLP", Member: "acme", First: m, SuccessDays: []int{m, m + 8, m + 22}, ContributionDays: []int{m - 3, m + 20}},
		// b: fails for 3 days, then succeeds on day 3 and in week 8 (day 49..55).
		{Key: "b", Segment: "NLP", Member: "beta", First: m + 2, SuccessDays: []int{m + 5, m + 2 + 50}},
		// c: never succeeds; its member contributed before it came only.
		{Key: "c", Member: "gamma", First: m + 6, ContributionDays: []int{m}},
		// d: next week's cohort, succeeds on day 10 (week 2).
		{Key: "d", Segment: "Vision", Member: "acme", First: m + 7, SuccessDays: []int{m + 17}, ContributionDays: []int{m + 70}},
	}
	last := m + 7 + 7*8 - 2 // d's week 8 ends one day after the data
	f := FunnelOf(consumers, last)
	for _, tc := range []struct {
		stage           string
		count, observed int
	}{
		{StageFirstCall, 4, 4}, {StageFirstSuccess, 3, 4}, {StageActiveWeek2, 2, 4},
		{StageActiveWeek4, 1, 4}, {StageActiveWeek8, 1, 3}, {StageContributed, 1, 4},
	} {
		if c, o := stageCount(f.FunnelSummary, tc.stage); c != tc.count || o != tc.observed {
			t.Errorf("%s: %d of %d, want %d of %d", tc.stage, c, o, tc.count, tc.observed)
		}
	}
	// Times to first success 0, 3, 10 days: median 3, p90 3 + 0.8·7.
	if f.TTFSMedian == nil || *f.TTFSMedian != 3 || f.TTFSP90 == nil || math.Abs(*f.TTFSP90-8.6) > 1e-9 {
		t.Errorf("ttfs median %v p90 %v, want 3 and 8.6", deref(f.TTFSMedian), deref(f.TTFSP90))
	}
	if len(f.Cohorts) != 2 || f.Cohorts[0].Monday != m || f.Cohorts[1].Monday != m+7 {
		t.Fatalf("%d cohorts, want 2 from Monday %d", len(f.Cohorts), m)
	}
	c0, c1 := f.Cohorts[0], f.Cohorts[1]
	if c0.Consumers != 3 || c1.Consumers != 1 {
		t.Errorf("cohort sizes %d, %d", c0.Consumers, c1.Consumers)
	}
	// Cohort 0: week 1 active a, b; week 2 a; week 4 a; week 8 b.
	wantActive := []int{2, 1, 0, 1, 0, 0, 0, 1}
	for k, cell := range c0.Retention {
		if cell.Week != k+1 || cell.Active != wantActive[k] || cell.Observed != 3 {
			t.Errorf("cohort 0 week %d: %+v, want %d active of 3", k+1, cell, wantActive[k])
		}
	}
	if cell := c1.Retention[7]; cell.Observed != 0 || cell.Active != 0 {
		t.Errorf("cohort 1 week 8 is not over, got %+v", cell)
	}
	if cell := c1.Retention[1]; cell.Observed != 1 || cell.Active != 1 {
		t.Errorf("cohort 1 week 2: %+v", cell)
	}
	if keys := groupKeys(c0.Segments); !slices.Equal(keys, []string{"", "NLP"}) {
		t.Errorf("cohort 0 segments %v", keys)
	}
	if keys := groupKeys(c0.Members); !slices.Equal(keys, []string{"acme", "beta", "gamma"}) {
		t.Errorf("cohort 0 members %v", keys)
	}
	if c, _ := stageCount(c0.Segments[1].FunnelSummary, StageFirstSuccess); c != 2 {
		t.Errorf("NLP in cohort 0: %d first successes, want 2", c)
	}
	if f.Segments[len(f.Segments)-1].Key != "Vision" || f.Segments[len(f.Segments)-1].Consumers != 1 {
		t.Errorf("segments %+v", f.Segments)
	}
}

func groupKeys(gs []FunnelGroup) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Key)
	}
	return out
}

// TestFunnelNoSuccessIsMissing: with no successful call the time to first
// success is missing (nil), never 0.
func TestFunnelNoSuccessIsMissing(t *testing.T) {
	f := FunnelOf([]FunnelConsumer{{Key: "x", First: funnelMonday}}, funnelMonday+100)
	if f.TTFSMedian != nil || f.TTFSP90 != nil {
		t.Errorf("ttfs %v %v, want nil", f.TTFSMedian, f.TTFSP90)
	}
	if f := FunnelOf(nil, 0); f.Consumers != 0 || len(f.Cohorts) != 0 {
		t.Errorf("empty funnel %+v", f)
	}
}

// TestFunnelSuccessAfterTheFollowedWeeks: a first success after week 8, or
// after the last day of data, is not counted.
func TestFunnelSuccessAfterTheFollowedWeeks(t *testing.T) {
	m := funnelMonday
	f := FunnelOf([]FunnelConsumer{{Key: "late", First: m, SuccessDays: []int{m + 56}, ContributionDays: []int{m + 56}}}, m+100)
	if c, _ := stageCount(f.FunnelSummary, StageFirstSuccess); c != 0 {
		t.Errorf("a success on day 56: %d first successes, want 0", c)
	}
	if c, _ := stageCount(f.FunnelSummary, StageContributed); c != 0 {
		t.Errorf("a contribution on day 56: %d contributed, want 0", c)
	}
	f = FunnelOf([]FunnelConsumer{{Key: "future", First: m, SuccessDays: []int{m + 30}, ContributionDays: []int{m + 30}}}, m+29)
	if c, _ := stageCount(f.FunnelSummary, StageFirstSuccess); c != 0 {
		t.Errorf("a success after the data: %d first successes, want 0", c)
	}
	if c, _ := stageCount(f.FunnelSummary, StageContributed); c != 0 {
		t.Errorf("a contribution after the data: %d contributed, want 0", c)
	}
}

// TestFunnelAgainstBruteForce compares random funnels' stage counts with
// a per-day brute force over the definition.
func TestFunnelAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	for round := 0; round < 200; round++ {
		last := funnelMonday + 30 + r.IntN(80)
		var cs []FunnelConsumer
		for i := 0; i < 1+r.IntN(12); i++ {
			c := FunnelConsumer{First: funnelMonday + r.IntN(30)}
			for d := c.First; d <= last+10; d++ {
				if r.IntN(4) == 0 {
					c.SuccessDays = append(c.SuccessDays, d)
				}
			}
			cs = append(cs, c)
		}
		f := FunnelOf(cs, last)
		for _, k := range []int{2, 4, 8} {
			active, observed := 0, 0
			for _, c := range cs {
				weekEnd := c.First + 7*k - 1
				if weekEnd > last {
					continue
				}
				observed++
				for _, d := range c.SuccessDays {
					if d >= weekEnd-6 && d <= weekEnd {
						active++
						break
					}
				}
			}
			name := map[int]string{2: StageActiveWeek2, 4: StageActiveWeek4, 8: StageActiveWeek8}[k]
			if c, o := stageCount(f.FunnelSummary, name); c != active || o != observed {
				t.Fatalf("round %d %s: %d of %d, want %d of %d", round, name, c, o, active, observed)
			}
		}
	}
}

func TestMondayOf(t *testing.T) {
	for d := 4; d < 4+7*3; d++ { // day 4 (1970-01-05) is a Monday
		if got, want := mondayOf(d), 4+7*((d-4)/7); got != want {
			t.Errorf("mondayOf(%d) = %d, want %d", d, got, want)
		}
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{1, 2, 3, 4}
	if got := Quantile(xs, 0.5); got != 2.5 {
		t.Errorf("median %v", got)
	}
	if got := Quantile(xs, 0.9); got < 3.7-1e-9 || got > 3.7+1e-9 {
		t.Errorf("p90 %v, want 3.7", got)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
