package demo

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/metrics"
)

// TestDeveloperCohortsArriveInWaves reads the demo's developer funnel the
// way /developers does and checks the story the generator tells: a cohort
// every week, hackathon cohorts (bigger) keep fewer of their developers to
// week 4 than the organic ones, and the later half succeeds sooner than the
// earlier half (the quick-start guide), some after days of failing.
func TestDeveloperCohortsArriveInWaves(t *testing.T) {
	db, sum := sharedDB(t)
	ctx := context.Background()
	from := sum.To.AddDate(0, 0, -7*devMaxWaves)
	u, err := db.FunnelUsage(ctx, from, sum.To)
	if err != nil {
		t.Fatal(err)
	}
	var in []metrics.FunnelConsumer
	for _, c := range u.Consumers {
		if len(c.Key) < len(devKeyPrefix) || c.Key[:len(devKeyPrefix)] != devKeyPrefix {
			continue // a member's production keys, new when it joined
		}
		fc := metrics.FunnelConsumer{Key: c.Key, Member: c.Member, Segment: c.Segment, First: int(c.First.Unix() / 86400)}
		for _, d := range c.Success {
			fc.SuccessDays = append(fc.SuccessDays, int(d.Unix()/86400))
		}
		in = append(in, fc)
	}
	f := metrics.FunnelOf(in, int(u.LastDay.Unix()/86400))
	if len(f.Cohorts) < devMaxWaves-2 {
		t.Fatalf("%d weekly cohorts of trial keys, want about %d", len(f.Cohorts), devMaxWaves)
	}
	// Week-4 retention of big (hackathon) against small (organic) cohorts.
	var big, small [2]int // active, observed
	for _, c := range f.Cohorts {
		cell := c.Retention[3]
		if c.Consumers >= 10 {
			big[0], big[1] = big[0]+cell.Active, big[1]+cell.Observed
		} else {
			small[0], small[1] = small[0]+cell.Active, small[1]+cell.Observed
		}
	}
	if big[1] == 0 || small[1] == 0 || float64(big[0])/float64(big[1]) >= float64(small[0])/float64(small[1])-0.15 {
		t.Errorf("week-4 retention: hackathons %d/%d, organic %d/%d; want hackathons well below", big[0], big[1], small[0], small[1])
	}
	t.Logf("%d trial keys in %d cohorts; week-4 retention: hackathons %d/%d, organic %d/%d", f.Consumers, len(f.Cohorts), big[0], big[1], small[0], small[1])
	half := len(f.Cohorts) / 2
	early, late := f.Cohorts[1:half], f.Cohorts[half+1:]
	t.Logf("mean median days to first success: early %.1f, late %.1f", mean(early), mean(late))
	if mean(early) <= mean(late)+1 {
		t.Errorf("mean median days to first success: early waves %.1f, late %.1f; want the late ones quicker", mean(early), mean(late))
	}
	if c, _ := stage(f.FunnelSummary, metrics.StageFirstSuccess); c == 0 || c == f.Consumers {
		t.Errorf("%d of %d trial keys succeed: want most, not all", c, f.Consumers)
	}
}

func mean(cs []metrics.FunnelCohort) float64 {
	s, n := 0.0, 0
	for _, c := range cs {
		if c.TTFSMedian != nil {
			s += *c.TTFSMedian
			n++
		}
	}
	return s / float64(max(n, 1))
}

func stage(s metrics.FunnelSummary, name string) (int, int) {
	for _, st := range s.Stages {
		if st.Stage == name {
			return st.Count, st.Observed
		}
	}
	return 0, 0
}
