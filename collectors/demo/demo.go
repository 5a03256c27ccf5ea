// Package demo generates a believable, entirely fictional AI-platform
// ecosystem: members (partners, developer studios, research institutes,
// internal teams) across six segments, their API keys and six months of
// hourly API traffic with weekly and daily seasonality, trends and incidents,
// cooperation projects with milestones, and community activity on GitHub and
// Discourse attributed through people's affiliations.
//
// Everything is deterministic: the same Options give the same database
// content (bar the store's own bookkeeping timestamps), and Tick continues
// the same trajectories after the seeded history.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Source is the collector source under which the demo records its runs.
const Source = "demo"

// Options parameterise the demo ecosystem. Pass the same Options to Seed and
// to every Tick of a database.
type Options struct {
	Seed    int64     // default 1
	Days    int       // length of the history in days; default 180
	End     time.Time // last day of the history (UTC); required
	Members int       // default 40
}

// Summary counts what Seed stored. The history covers [From, To): Days whole
// days ending with End's day, or up to End itself when End carries a time of
// day; Tick should continue from To.
type Summary struct {
	Members, People, Consumers, Projects, Milestones, Activities int
	UsageRows                                                    int
	Calls                                                        int64
	From, To                                                     time.Time
}

// Limits of Options.
const (
	MaxDays    = 730
	MaxMembers = 500
)

func (o Options) withDefaults() (Options, error) {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Days == 0 {
		o.Days = 180
	}
	if o.Members == 0 {
		o.Members = 40
	}
	switch {
	case o.End.IsZero():
		return o, domain.Errorf(domain.EINVALID, "demo: the last day of the history (End) is required")
	case o.Days < 7 || o.Days > MaxDays:
		return o, domain.Errorf(domain.EINVALID, "demo: days must be between 7 and %d, got %d", MaxDays, o.Days)
	case o.Members < 1 || o.Members > MaxMembers:
		return o, domain.Errorf(domain.EINVALID, "demo: members must be between 1 and %d, got %d", MaxMembers, o.Members)
	}
	o.End = o.End.UTC()
	return o, nil
}

// Seed fills an empty database with the demo ecosystem and its history,
// records the seeding as a run of the "demo" collector and sets the "demo"
// cursor to the end of the history (Summary.To, RFC 3339). It refuses, with
// an ECONFLICT error, a database that already has members. Seeding takes many
// transactions: after a failure, start again from a fresh database.
func Seed(ctx context.Context, db *data.DB, opt Options) (Summary, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	n, err := db.CountMembers(ctx)
	if err != nil {
		return Summary{}, err
	}
	if n > 0 {
		return Summary{}, domain.Errorf(domain.ECONFLICT, "demo: the database already has %d members; the demo seeds an empty database only", n)
	}
	p := newPlan(opt)
	run := &domain.CollectorRun{Source: Source}
	if err := db.StartRun(ctx, run); err != nil {
		return Summary{}, err
	}
	sum, err := p.seed(ctx, db)
	sum.From, sum.To = p.start, p.end
	if err == nil {
		// Where Tick takes over: the same cursor Tick moves.
		err = db.SetCursor(ctx, Source, p.end.Format(time.RFC3339))
	}
	items := int64(sum.Members + sum.People + sum.Consumers + sum.Projects + sum.Milestones + sum.Activities + sum.UsageRows)
	run.ItemsRead, run.ItemsStored = items, items
	run.Cursor = p.end.Format(time.RFC3339)
	run.Status = domain.RunSucceeded
	if err != nil {
		run.Status, run.Error, run.Cursor = domain.RunFailed, err.Error(), ""
	}
	// Record the run even when ctx was cancelled.
	if ferr := db.FinishRun(context.WithoutCancel(ctx), run); err == nil && ferr != nil {
		err = ferr
	}
	return sum, err
}

func (p *plan) seed(ctx context.Context, db *data.DB) (Summary, error) {
	var sum Summary
	memberIDs := make([]int64, len(p.members))
	for i := range p.members {
		m := p.members[i].Member
		if err := db.CreateMember(ctx, &m); err != nil {
			return sum, err
		}
		memberIDs[i] = m.ID
		sum.Members++
	}
	ids := make([]int64, len(p.consumers))
	for i, c := range p.consumers {
		ac := &domain.APIConsumer{Key: c.key, Name: c.name}
		if c.member >= 0 {
			ac.MemberID = memberIDs[c.member]
		}
		if err := db.UpsertConsumer(ctx, ac); err != nil {
			return sum, err
		}
		ids[i] = ac.ID
		sum.Consumers++
	}
	for i := range p.people {
		pp := &p.people[i]
		person := &domain.Person{Name: pp.name, Email: pp.email}
		idents := []domain.Identity{{Source: srcGitHub, Login: pp.github}}
		if pp.discourse != "" {
			idents = append(idents, domain.Identity{Source: srcDiscourse, Login: pp.discourse})
		}
		if err := db.CreatePerson(ctx, person, idents...); err != nil {
			return sum, err
		}
		pp.id = person.ID
		sum.People++
		for _, a := range pp.affs {
			if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: pp.id, MemberID: memberIDs[a.member], From: a.from, To: a.to}); err != nil {
				return sum, err
			}
		}
	}
	var milestones []domain.Milestone
	for i := range p.projects {
		pr := &p.projects[i]
		proj := &domain.Project{
			Slug: pr.spec.slug, Name: pr.spec.name, Scope: pr.spec.scope, Terms: pr.terms + p.allocationTerms(i),
			Status: pr.status, StartOn: pr.start, EndOn: pr.end, Source: Source,
		}
		for _, party := range pr.parties {
			proj.Parties = append(proj.Parties, domain.ProjectParty{MemberID: memberIDs[party.member], Role: party.role})
		}
		if err := db.CreateProject(ctx, proj); err != nil {
			return sum, err
		}
		sum.Projects++
		for _, ms := range pr.milestones {
			ms.ProjectID = proj.ID
			milestones = append(milestones, ms)
		}
	}
	if err := db.AddMilestones(ctx, milestones); err != nil {
		return sum, err
	}
	sum.Milestones = len(milestones)

	// Generation runs beside the writes (two cores): the traffic in chunks,
	// the community history as a whole. Each generator is sequential with
	// its own random stream, so the result is the same as one after another.
	acts := make(chan []domain.Activity, 1)
	go func() { acts <- p.history(newRand(p.opt.Seed, streamCommunity)) }()
	calls, rows, err := p.pipeTraffic(ctx, db, ids)
	sum.Calls, sum.UsageRows = calls, rows
	history := <-acts
	if err != nil {
		return sum, err
	}
	if sum.Activities, err = addActivities(ctx, db, history); err != nil {
		return sum, err
	}
	return sum, p.seedDevelopers(ctx, db, &sum) // developer cohorts (developers.go)
}

// pipeTraffic generates the seeded history's traffic in one goroutine and
// stores it in chunks of rowsPerAddUsage in this one.
func (p *plan) pipeTraffic(ctx context.Context, db *data.DB, ids []int64) (int64, int, error) {
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []domain.UsageRollup, 2)
	var calls int64
	var rows int
	var genErr error
	go func() {
		defer close(chunks)
		send := func(buf []domain.UsageRollup) error {
			select {
			case chunks <- buf:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		buf := make([]domain.UsageRollup, 0, rowsPerAddUsage)
		calls, rows, genErr = p.traffic(gctx, newRand(p.opt.Seed, streamTraffic), ids, p.start, p.end, func(u *domain.UsageRollup) error {
			buf = append(buf, *u)
			if len(buf) < rowsPerAddUsage {
				return nil
			}
			err := send(buf)
			buf = make([]domain.UsageRollup, 0, rowsPerAddUsage)
			return err
		})
		if genErr == nil && len(buf) > 0 {
			genErr = send(buf)
		}
	}()
	var err error
	for chunk := range chunks {
		if err == nil {
			if err = db.AddUsage(ctx, chunk); err != nil {
				cancel() // stops the generator; the loop drains what it sent
			}
		}
	}
	// The channel is closed: the generator is done and its results are set.
	if err == nil {
		err = genErr
	}
	return calls, rows, err
}

// addActivities stores activities in chunks and returns how many were new.
func addActivities(ctx context.Context, db *data.DB, acts []domain.Activity) (int, error) {
	const chunk = 5000
	stored := 0
	for i := 0; i < len(acts); i += chunk {
		n, err := db.AddActivities(ctx, acts[i:min(i+chunk, len(acts))])
		stored += n
		if err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// Tick appends the demo traffic of the minutes in [from, to) (each minute's
// calls go to its hour's bucket, merged with what is there) and now and then
// a community event, moves the "demo" cursor to to (RFC 3339) in the same
// transaction as the traffic, and records a run of the "demo" collector. It
// continues the trajectories of the ecosystem Seed stored with the same
// Options, and is deterministic for a given seed and interval. It returns the
// calls added; on error nothing of the traffic was added. prev is the
// cursor the caller read (from is where it points): the traffic is stored
// only if the cursor is still prev, so that two ticks from one cursor (two
// replicas) never both add the interval (the second fails with ECONFLICT).
func Tick(ctx context.Context, db *data.DB, opt Options, prev string, from, to time.Time) (int64, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return 0, err
	}
	from, to = from.UTC().Truncate(time.Minute), to.UTC().Truncate(time.Minute)
	if !to.After(from) {
		return 0, domain.Errorf(domain.EINVALID, "demo: tick interval [%s, %s) is empty", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	p := newPlan(opt)
	consumers, err := db.Consumers(ctx)
	if err != nil {
		return 0, err
	}
	byKey := make(map[string]int64, len(consumers))
	for _, c := range consumers {
		byKey[c.Key] = c.ID
	}
	ids := make([]int64, len(p.consumers))
	for i, c := range p.consumers {
		if ids[i] = byKey[c.key]; ids[i] == 0 {
			return 0, domain.Errorf(domain.ENOTFOUND, "demo: API consumer %q is missing: seed the demo with the same options first", c.key)
		}
	}
	run := &domain.CollectorRun{Source: Source}
	if err := db.StartRun(ctx, run); err != nil {
		return 0, err
	}
	// Activities first: they are idempotent (same external ids). Then the
	// traffic of the whole interval and the "demo" cursor in one
	// transaction: a tick is stored whole or not at all, so a caller that
	// retries a failed interval never double-counts.
	stored, err := addActivities(ctx, db, p.tickCommunity(from, to))
	var calls int64
	var rows []domain.UsageRollup
	if err == nil {
		r := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(from.Unix())^streamTick))
		calls, _, err = p.traffic(ctx, r, ids, from, to, func(u *domain.UsageRollup) error {
			rows = append(rows, *u)
			return nil
		})
	}
	if err == nil {
		err = db.AddUsageWithCursor(ctx, rows, Source, prev, to.Format(time.RFC3339))
	}
	run.ItemsRead, run.ItemsStored = int64(len(rows)+stored), int64(len(rows)+stored)
	run.Status, run.Cursor = domain.RunSucceeded, to.Format(time.RFC3339)
	if err != nil {
		run.Status, run.Error, run.Cursor = domain.RunFailed, err.Error(), ""
	}
	if ferr := db.FinishRun(context.WithoutCancel(ctx), run); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return 0, fmt.Errorf("demo: tick [%s, %s): %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return calls, nil
}
