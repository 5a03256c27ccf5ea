package metrics

import (
	"math"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// steadyAPI is a member with four steady weeks of calls before the last and
// a clean, fast API: no signal of its own.
func steadyAPI(id int64, weeks [5]int64) MemberInput {
	m := MemberInput{ID: id, Weeks: 8, LastCallDaysAgo: 0}
	copy(m.WeeklyCalls[:], weeks[:])
	for _, w := range weeks {
		m.Calls += w
	}
	m.LatencyP95MS, m.RecentLatencyP95MS, m.Consumers = 200, 200, 2
	return m
}

// scoreOne scores m beside a partner it shares six projects with (K ≈ 0.95,
// cooperation ≈ 61), as most members of an ecosystem have ties.
func scoreOne(m MemberInput) domain.MemberScore {
	partner := MemberInput{ID: m.ID + 1, ActiveProjects: 6}
	return Score(Input{Members: []MemberInput{m, partner}, Pairs: []PairInput{{A: m.ID, B: m.ID + 1, SharedProjects: 6}}}, DefaultConfig()).Members[0]
}

// tw is a recent thread: its age and its wait for a first response (-1: none), in hours.
func tw(age, wait float64) domain.ThreadWait {
	return domain.ThreadWait{AgeHours: age, WaitHours: wait}
}

// TestChangeSignalsWorkedExamples checks the worked examples of
// docs/scoring.md, "What changed".
func TestChangeSignalsWorkedExamples(t *testing.T) {
	cases := []struct {
		name   string
		m      MemberInput
		kind   string
		score  float64
		status string
		text   string
	}{
		{"calls fall to 300 from a 975 baseline", steadyAPI(1, [5]int64{300, 900, 1000, 950, 1100}),
			domain.ChangeUsageDrop, (320.0/995 - 0.25) / 0.5, domain.StatusAtRisk, "API calls −69% against the previous four weeks (975 → 300 a week)"},
		{"calls fall to 600", steadyAPI(1, [5]int64{600, 900, 1000, 950, 1100}),
			domain.ChangeUsageDrop, (620.0/995 - 0.25) / 0.5, domain.StatusHealthy, ""},
		{"a fifth of calls 4xx, usually 1%", func() MemberInput {
			m := steadyAPI(1, [5]int64{1000, 1000, 1000, 1000, 1000})
			m.Weekly4xx = [8]int64{200, 10, 10, 10, 10} // usually 1%
			return m
		}(), domain.ChangeErrors4xx, 1 - (WilsonLower(200, 1000, 1.645)-0.06)/0.15, domain.StatusAtRisk, "4xx responses 20% of calls in the last 7 days (was 1%)"},
		{"p95 at three times the SLO", func() MemberInput {
			m := steadyAPI(1, [5]int64{1000, 1000, 1000, 1000, 1000})
			m.RecentLatencyP95MS = 3000
			return m
		}(), domain.ChangeLatency, 1 - 2.0/3, domain.StatusWatch, "p95 latency 3.0 s against a 1.0 s SLO"},
		{"4 of 6 due threads unanswered", MemberInput{ID: 1, Weeks: 8, Contributions: 30, ActiveContributors: 3, Threads: 6, Responded: 2,
			RecentThreads: []domain.ThreadWait{tw(100, 2), tw(90, 30), tw(80, -1), tw(70, 60), tw(60, -1), tw(50, -1), tw(10, -1)}},
			domain.ChangeUnanswered, (3.0/7 - 0.2) / 0.6, domain.StatusWatch, "4 of 6 threads unanswered after 48 h"},
		{"contributions 40 a week fall to 10", MemberInput{ID: 1, Weeks: 8, Contributions: 130, ActiveContributors: 4,
			WeeklyContributions: [8]int{10, 40, 40, 40, 40}},
			domain.ChangeContributionDrop, (18.0/48 - 0.25) / 0.5, domain.StatusAtRisk, "contributions −75% against the previous four weeks (40 → 10 a week)"},
		{"stopped calling 12 days ago", func() MemberInput {
			m := steadyAPI(1, [5]int64{0, 400, 900, 900, 900})
			m.LastCallDaysAgo = 12
			return m
		}(), domain.ChangeDormant, 0, domain.StatusAtRisk, "no API calls for 12 days (was 900 a week)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scoreOne(c.m)
			r := s.Reason()
			if r == nil || r.Kind != c.kind || math.Abs(r.Score-c.score) > 1e-9 {
				t.Fatalf("reason %+v, want %s scoring %.6f (changes %+v)", r, c.kind, c.score, s.Changes)
			}
			if s.Status != c.status {
				t.Errorf("status %s (health %.2f, dimensions %v), want %s", s.Status, s.Health, s.Dimensions, c.status)
			}
			if c.text != "" && r.Text() != c.text {
				t.Errorf("text %q, want %q", r.Text(), c.text)
			}
		})
	}
}

// TestChangeSignalsNeedEvidence: small numbers are not judged, and steady
// members have no change.
func TestChangeSignalsNeedEvidence(t *testing.T) {
	small := steadyAPI(1, [5]int64{10, 30, 30, 30, 30})    // under 70 calls a week
	small.RecentLatencyP95MS, small.Weekly4xx[0] = 9000, 5 // under 50 calls in the last 7 days
	if s := scoreOne(small); len(s.Changes) != 0 {
		t.Errorf("a small member's noise is judged: %+v", s.Changes)
	}
	few := steadyAPI(1, [5]int64{100, 100, 100, 100, 100})
	few.Weekly4xx[0] = 3 // three errors in a hundred calls
	if s := scoreOne(few); len(s.Changes) != 0 {
		t.Errorf("3 errors in 100 calls is judged: %+v", s.Changes)
	}
	usual := steadyAPI(1, [5]int64{1000, 1000, 1000, 1000, 1000})
	usual.Weekly4xx = [8]int64{110, 100, 95, 105, 100} // always about 10% 4xx
	if s := scoreOne(usual); len(s.Changes) != 0 {
		t.Errorf("a member's usual 4xx share is judged: %+v", s.Changes)
	}
	spike := steadyAPI(1, [5]int64{1000, 5000, 1000, 1000, 1000}) // a spike in the baseline weeks
	if s := scoreOne(spike); len(s.Changes) != 0 || s.Status != domain.StatusHealthy {
		t.Errorf("a past spike fakes a drop: %+v, %s", s.Changes, s.Status)
	}
	warming := steadyAPI(1, [5]int64{500, 900, 0, 0, 0}) // data started two weeks ago
	if s := scoreOne(warming); len(s.Changes) != 0 {
		t.Errorf("a member warming up is judged: %+v", s.Changes)
	}
	threeThreads := MemberInput{ID: 1, Weeks: 8, Contributions: 5, RecentThreads: []domain.ThreadWait{tw(100, -1), tw(90, -1), tw(80, 3)}}
	if s := scoreOne(threeThreads); len(s.Changes) != 0 {
		t.Errorf("three threads are judged: %+v", s.Changes)
	}
	// A problem that lasts does not become its own baseline within the
	// baseline's weeks: two weeks of 20% 4xx after 1% still read as a rise.
	lasting := steadyAPI(1, [5]int64{1000, 1000, 1000, 1000, 1000})
	lasting.Weekly4xx = [8]int64{200, 200, 10, 10, 10}
	if s := scoreOne(lasting); s.Reason() == nil || s.Reason().Kind != domain.ChangeErrors4xx || s.Reason().Before != 0.01 {
		t.Errorf("a second week of 4xx: %+v", s.Changes)
	}
	// Outsiders in a member's old threads alone make no community dimension.
	quiet := MemberInput{ID: 1, Weeks: 8, Engaged: 3}
	if s := scoreOne(quiet); !math.IsNaN(s.Dimensions[2]) {
		t.Errorf("community %v without the member's own activity, want none", s.Dimensions[2])
	}
}

// TestCollapseCapsHealth: one collapsed dimension takes a member out of
// healthy however good the others are, and cooperation never caps.
func TestCollapseCapsHealth(t *testing.T) {
	m := steadyAPI(1, [5]int64{1000, 1000, 1000, 1000, 1000})
	m.ActiveProjects, m.Contributions, m.ActiveContributors = 1, 40, 5
	base := scoreOne(m)
	if base.Status != domain.StatusHealthy || len(base.Changes) != 0 {
		t.Fatalf("baseline member: %s, %+v", base.Status, base.Changes)
	}
	m.MilestonesOverdue = 2 // projects 100·e^(−2/3) = 51.3
	s := scoreOne(m)
	want := 100*math.Exp(-2.0/3) + 10
	if math.Abs(s.Health-want) > 1e-9 || s.Status != domain.StatusWatch {
		t.Errorf("two overdue milestones: health %.4f %s, want %.4f watch", s.Health, s.Status, want)
	}
	if r := s.Reason(); r == nil || r.Kind != domain.ChangeMilestonesOverdue || r.Text() != "2 milestones overdue" {
		t.Errorf("reason %+v", r)
	}
}
