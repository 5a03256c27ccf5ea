// Command gendata builds benchmark databases for scripts/bench.sh.
//
//	go run ./scripts/bench/gendata -kind demo  -members 500 -days 365 -end 2026-06-30 DB
//	go run ./scripts/bench/gendata -kind scale -members 10000 -days 365 -end 2026-06-30 DB
//
// -kind demo seeds the deterministic demo ecosystem (collectors/demo.Seed:
// hourly traffic, projects, milestones, community threads); `ecopulse score`
// then scores its history, so that a server started on it has nothing to
// catch up on.
//
// -kind scale writes a large, regular ecosystem straight through the store,
// for the scoring benchmarks: N members, each with one API consumer and
// one daily rollup per day (AddUsage with day buckets, with a latency
// histogram and a few 4xx/5xx days), and -pairs cooperation edges per
// member: a third of them shared projects (with quarterly milestones), the
// rest shared community threads (one every four weeks, so every 28-day
// window sees each pair). It prints what it wrote as one JSON object.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

type summary struct {
	Kind       string  `json:"kind"`
	Members    int     `json:"members"`
	Days       int     `json:"days"`
	End        string  `json:"end"`
	UsageRows  int     `json:"usage_rows"`
	Projects   int     `json:"projects"`
	Milestones int     `json:"milestones"`
	Activities int     `json:"activities"`
	PairsPlan  int     `json:"pairs_planned"` // distinct member pairs given something in common
	Calls      int64   `json:"calls"`
	Seconds    float64 `json:"seconds"`
}

func main() {
	kind := flag.String("kind", "scale", "demo (collectors/demo.Seed) or scale (regular ecosystem for scoring)")
	members := flag.Int("members", 1000, "members")
	days := flag.Int("days", 365, "days of history")
	endS := flag.String("end", "", "last day of the history, YYYY-MM-DD (default yesterday, UTC)")
	pairs := flag.Int("pairs", 20, "scale: cooperation edges per member (each edge has two ends)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: gendata [flags] DB\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	end := domain.Day(time.Now()).AddDate(0, 0, -1)
	if *endS != "" {
		d, err := domain.ParseDay(*endS)
		if err != nil {
			fail(err)
		}
		end = d
	}
	ctx := context.Background()
	start := time.Now()
	db, err := data.Open(ctx, flag.Arg(0))
	if err != nil {
		fail(err)
	}
	defer db.Close()
	var sum summary
	switch *kind {
	case "demo":
		sum, err = seedDemo(ctx, db, *members, *days, end)
	case "scale":
		sum, err = seedScale(ctx, db, *members, *days, end, *pairs)
	default:
		err = fmt.Errorf("unknown -kind %q", *kind)
	}
	if err != nil {
		fail(err)
	}
	sum.Kind, sum.Members, sum.Days, sum.End = *kind, *members, *days, end.Format(domain.DateLayout)
	sum.Seconds = time.Since(start).Seconds()
	json.NewEncoder(os.Stdout).Encode(sum)
}

var phaseStart = time.Now()

// phase reports on stderr how long the phase that just ended took.
func phase(name string) {
	fmt.Fprintf(os.Stderr, "gendata: %s in %.1f s\n", name, time.Since(phaseStart).Seconds())
	phaseStart = time.Now()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gendata:", err)
	os.Exit(1)
}

func seedDemo(ctx context.Context, db *data.DB, members, days int, end time.Time) (summary, error) {
	s, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Members: members, Days: days, End: end})
	if err != nil {
		return summary{}, err
	}
	return summary{UsageRows: s.UsageRows, Projects: s.Projects, Milestones: s.Milestones, Activities: s.Activities, Calls: s.Calls}, nil
}

// partnerOffsets spread each member's own edges (member i with i+offset):
// with as many incoming edges, a member has 2×len(offsets) partners.
var partnerOffsets = []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987}

func seedScale(ctx context.Context, db *data.DB, n, days int, end time.Time, pairsPerMember int) (summary, error) {
	var sum summary
	if n < 2 {
		return sum, fmt.Errorf("-members must be at least 2")
	}
	out := pairsPerMember / 2 // edges each member starts; as many end at it
	if out < 1 || out > len(partnerOffsets) {
		return sum, fmt.Errorf("-pairs must be between 2 and %d", 2*len(partnerOffsets))
	}
	if c, err := db.CountMembers(ctx); err != nil || c > 0 {
		return sum, fmt.Errorf("the database must be empty (members: %d, %v)", c, err)
	}
	s := &scaleSeeder{db: db, n: n, days: days, end: end, first: end.AddDate(0, 0, -(days - 1)),
		r: rand.New(rand.NewPCG(42, 7)), sum: &sum}
	if err := s.members(ctx); err != nil {
		return sum, err
	}
	phase("members")
	if err := s.usage(ctx); err != nil {
		return sum, err
	}
	phase("usage")
	if err := s.cooperation(ctx, out); err != nil {
		return sum, err
	}
	return sum, nil
}

// scaleSeeder writes the regular ecosystem of -kind scale, counting what it
// wrote in sum.
type scaleSeeder struct {
	db         *data.DB
	n, days    int
	first, end time.Time // the history's first and last day
	r          *rand.Rand
	sum        *summary
	ids        []int64 // member i's ID
	consumers  []int64 // member i's API consumer
	activities []domain.Activity
	milestones []domain.Milestone
}

// members creates the n members, each with one API consumer.
func (s *scaleSeeder) members(ctx context.Context) error {
	kinds := []domain.MemberKind{domain.KindPartner, domain.KindDeveloperOrg, domain.KindResearch, domain.KindInternal}
	s.ids = make([]int64, s.n)
	s.consumers = make([]int64, s.n)
	for i := 0; i < s.n; i++ {
		m := &domain.Member{Slug: fmt.Sprintf("m%05d", i), Name: fmt.Sprintf("Member %d", i), Kind: kinds[i%len(kinds)],
			Tier: []string{"gold", "silver", "bronze"}[i%3], Segment: []string{"nlp", "vision", "fintech", "health"}[i%4],
			JoinedOn: s.first.AddDate(0, 0, -30)}
		if err := s.db.CreateMember(ctx, m); err != nil {
			return err
		}
		s.ids[i] = m.ID
		c := &domain.APIConsumer{Key: fmt.Sprintf("key-%05d", i), Name: m.Name + " prod", MemberID: m.ID}
		if err := s.db.UpsertConsumer(ctx, c); err != nil {
			return err
		}
		s.consumers[i] = c.ID
	}
	return nil
}

// usage writes the daily rollups: one transaction per day, every member.
func (s *scaleSeeder) usage(ctx context.Context) error {
	n, r := s.n, s.r
	base := make([]float64, n)
	for i := range base {
		base[i] = 200 + r.Float64()*20000
	}
	batch := make([]domain.UsageRollup, 0, n+n/10)
	for d := 0; d < s.days; d++ {
		day := s.first.AddDate(0, 0, d)
		batch = batch[:0]
		for i := 0; i < n; i++ {
			calls := int64(base[i] * (0.8 + 0.4*r.Float64()))
			u := domain.UsageRollup{Bucket: day, ConsumerID: s.consumers[i], Endpoint: "/v1/chat/completions", StatusClass: 2,
				Calls: calls, Bytes: calls * 900}
			u.Latency.Observe(40+r.Float64()*200, calls)
			u.LatencySumMS = float64(calls) * 120
			batch = append(batch, u)
			if (i+d)%10 == 0 { // some errors
				batch = append(batch, domain.UsageRollup{Bucket: day, ConsumerID: s.consumers[i], Endpoint: "/v1/chat/completions",
					StatusClass: 4 + (i+d)%20/10, Calls: calls / 50, Bytes: calls / 50 * 200})
			}
			s.sum.Calls += calls
		}
		if err := s.db.AddUsage(ctx, batch); err != nil {
			return err
		}
		s.sum.UsageRows += len(batch)
	}
	return nil
}

// cooperation pairs member i with i+offset for its first out offsets. The
// first third are shared projects, the rest shared threads.
func (s *scaleSeeder) cooperation(ctx context.Context, out int) error {
	nProjects := max(1, out/3)
	for i := 0; i < s.n; i++ {
		for k := 0; k < out; k++ {
			j := (i + partnerOffsets[k]) % s.n
			if j == i {
				continue
			}
			s.sum.PairsPlan++
			if k < nProjects {
				if err := s.sharedProject(ctx, i, j, k); err != nil {
					return err
				}
				continue
			}
			s.sharedThreads(i, j)
			if err := s.flushActivities(ctx, false); err != nil {
				return err
			}
		}
		if len(s.milestones) >= 20000 {
			if err := s.flushMilestones(ctx); err != nil {
				return err
			}
		}
	}
	if err := s.flushActivities(ctx, true); err != nil {
		return err
	}
	phase("cooperation")
	if len(s.milestones) > 0 {
		return s.flushMilestones(ctx)
	}
	return nil
}

// sharedProject creates project k of member i, with j as partner and
// quarterly milestones delivered on time (stored by flushMilestones).
func (s *scaleSeeder) sharedProject(ctx context.Context, i, j, k int) error {
	p := &domain.Project{Slug: fmt.Sprintf("p%05d-%02d", i, k), Name: fmt.Sprintf("Project %d/%d", i, k), Status: domain.ProjectActive,
		StartOn: s.first, Source: "gendata",
		Parties: []domain.ProjectParty{{MemberID: s.ids[i], Role: "lead"}, {MemberID: s.ids[j], Role: "partner"}}}
	if err := s.db.CreateProject(ctx, p); err != nil {
		return err
	}
	s.sum.Projects++
	for q := 1; q <= 4; q++ {
		due := s.first.AddDate(0, 3*q, -1)
		m := domain.Milestone{ProjectID: p.ID, ExternalID: fmt.Sprintf("q%d", q), Title: fmt.Sprintf("Q%d deliverable", q), DueOn: due}
		if !due.After(s.end) {
			m.DoneOn = due.AddDate(0, 0, -s.r.IntN(10))
		}
		s.milestones = append(s.milestones, m)
	}
	return nil
}

// sharedThreads adds a shared thread every four weeks: opened by i's
// people, answered by j's (stored by flushActivities).
func (s *scaleSeeder) sharedThreads(i, j int) {
	for t := 0; t < s.days/28; t++ {
		at := s.end.AddDate(0, 0, -28*t-s.r.IntN(28)).Add(time.Duration(s.r.IntN(20)+2) * time.Hour)
		thread := fmt.Sprintf("gen:%d-%d-%d", i, j, t)
		s.activities = append(s.activities,
			domain.Activity{Source: "gendata", ExternalID: thread + ":o", Kind: domain.ActThreadOpened, At: at,
				Actor: fmt.Sprintf("u%05d", i), MemberID: s.ids[i], Thread: thread, Title: "Question"},
			domain.Activity{Source: "gendata", ExternalID: thread + ":r", Kind: domain.ActReply, At: at.Add(3 * time.Hour),
				Actor: fmt.Sprintf("u%05d", j), MemberID: s.ids[j], Thread: thread})
	}
}

// flushActivities stores the pending activities once there are 20,000 of
// them, or any when force is set.
func (s *scaleSeeder) flushActivities(ctx context.Context, force bool) error {
	if len(s.activities) == 0 || (!force && len(s.activities) < 20000) {
		return nil
	}
	st, err := s.db.AddActivities(ctx, s.activities)
	s.sum.Activities += st
	s.activities = s.activities[:0]
	return err
}

// flushMilestones stores the pending milestones.
func (s *scaleSeeder) flushMilestones(ctx context.Context) error {
	if err := s.db.AddMilestones(ctx, s.milestones); err != nil {
		return err
	}
	s.sum.Milestones += len(s.milestones)
	s.milestones = s.milestones[:0]
	return nil
}
