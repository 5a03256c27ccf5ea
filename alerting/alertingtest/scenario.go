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

// Scenario is a hand-made store: alpha healthy then weak, bravo
// healthy, with API traffic, a late milestone and collector runs.
type Scenario struct {
	DB           *data.DB
	Alpha, Bravo *domain.Member
	Project      int64
	Day, Now     time.Time
}

// NewScenario stores the scenario in a store of its own.
func NewScenario(tb testing.TB) *Scenario {
	tb.Helper()
	ctx := context.Background()
	s := &Scenario{DB: datatest.MustOpenDB(tb), Day: End, Now: End.Add(12 * time.Hour)}
	joined, _ := domain.ParseDay("2026-01-01")
	for _, m := range []**domain.Member{&s.Alpha, &s.Bravo} {
		slug := "alpha"
		if m == &s.Bravo {
			slug = "bravo"
		}
		*m = &domain.Member{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: domain.KindPartner, JoinedOn: joined}
		if err := s.DB.CreateMember(ctx, *m); err != nil {
			tb.Fatal(err)
		}
	}
	s.Scores(tb, s.Day.AddDate(0, 0, -7), 75, 80)
	s.Scores(tb, s.Day, 35, 78) // alpha: below 40 and down 40 points
	// API traffic over the last 7 days: alpha 3% 5xx, bravo 1% 5xx and 10% 4xx.
	ca := &domain.APIConsumer{Key: "key-a", MemberID: s.Alpha.ID}
	cb := &domain.APIConsumer{Key: "key-b", MemberID: s.Bravo.ID}
	for _, c := range []*domain.APIConsumer{ca, cb} {
		if err := s.DB.UpsertConsumer(ctx, c); err != nil {
			tb.Fatal(err)
		}
	}
	at := s.Day.AddDate(0, 0, -2).Add(10 * time.Hour)
	if err := s.DB.AddUsage(ctx, []domain.UsageRollup{
		Usage(at, ca.ID, 2, 970), Usage(at, ca.ID, 5, 30),
		Usage(at, cb.ID, 2, 890), Usage(at, cb.ID, 4, 100), Usage(at, cb.ID, 5, 10),
	}); err != nil {
		tb.Fatal(err)
	}
	p := &domain.Project{Slug: "joint-lab", Name: "Joint Lab", Status: domain.ProjectActive, StartOn: joined,
		Parties: []domain.ProjectParty{{MemberID: s.Alpha.ID, Role: "lead"}}}
	if err := s.DB.CreateProject(ctx, p); err != nil {
		tb.Fatal(err)
	}
	s.Project = p.ID
	due, _ := domain.ParseDay("2026-06-01")
	if err := s.DB.AddMilestones(ctx, []domain.Milestone{{ProjectID: p.ID, ExternalID: "m1", Title: "Pilot", DueOn: due}}); err != nil {
		tb.Fatal(err)
	}
	return s
}

// Usage is one bucket of a consumer's calls of one status class, at 100 ms.
func Usage(at time.Time, consumer int64, class int, calls int64) domain.UsageRollup {
	r := domain.UsageRollup{Bucket: at, ConsumerID: consumer, Endpoint: "/v1/chat", StatusClass: class, Calls: calls, Bytes: calls}
	r.Latency.Observe(100, calls)
	return r
}

// Scores stores a day's scores with the given healths.
func (s *Scenario) Scores(tb testing.TB, day time.Time, alpha, bravo float64) {
	tb.Helper()
	nan := math.NaN()
	ms := []domain.MemberScore{}
	for _, m := range []struct {
		id int64
		h  float64
	}{{s.Alpha.ID, alpha}, {s.Bravo.ID, bravo}} {
		st := domain.StatusHealthy
		if m.h < 40 {
			st = domain.StatusAtRisk
		}
		ms = append(ms, domain.MemberScore{Day: day, MemberID: m.id, T: 1, I: 1, M: 1, C: 1, K: 0, Health: m.h, Status: st, Dimensions: [4]float64{m.h, nan, nan, nan}})
	}
	if err := s.DB.SaveDayScores(context.Background(), &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day, Health: 50, Members: 2}, Members: ms}); err != nil {
		tb.Fatal(err)
	}
}

// Run records a finished collector run.
func (s *Scenario) Run(tb testing.TB, source, status string, ended time.Time) {
	tb.Helper()
	r := &domain.CollectorRun{Source: source, StartedAt: ended.Add(-time.Minute)}
	if err := s.DB.StartRun(context.Background(), r); err != nil {
		tb.Fatal(err)
	}
	r.Status, r.EndedAt = status, ended
	if status == domain.RunFailed {
		r.Error = "HTTP 503 from upstream"
	}
	if err := s.DB.FinishRun(context.Background(), r); err != nil {
		tb.Fatal(err)
	}
}

// OpenSubjects are the subjects of the open alerts by rule, sorted.
func OpenSubjects(tb testing.TB, db *data.DB) map[string][]string {
	tb.Helper()
	open, err := db.Alerts(context.Background(), data.AlertFilter{State: data.AlertOpen})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for _, a := range open {
		out[a.Rule] = append(out[a.Rule], a.Subject)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}
