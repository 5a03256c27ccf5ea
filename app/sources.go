package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/collectors/affiliation"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// sourceFactory builds a source of one type from its options.
type sourceFactory func(opts *yaml.Node) (collectors.Source, error)

// sourceTypes are the source types EcoPulse knows, by their config name.
// Each source family registers itself from its own file (source_*.go).
var sourceTypes = map[string]sourceFactory{}

// decodeOptions decodes a source's options strictly: an unknown key is an
// error, as in the rest of the configuration.
func decodeOptions(opts *yaml.Node, v any) error {
	if opts == nil || opts.Kind == 0 {
		return nil
	}
	raw, err := yaml.Marshal(opts)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// scheduledSource is a configured source with its schedule.
type scheduledSource struct {
	cfg      config.SourceConfig
	src      collectors.Source
	schedule cron.Schedule
	entry    cron.EntryID
	running  atomic.Bool // a run of this replica's is going
}

// buildSources validates every declared source and builds it.
func buildSources(cfgs []config.SourceConfig) ([]*scheduledSource, error) {
	seen := map[string]bool{}
	var out []*scheduledSource
	for i, sc := range cfgs {
		where := fmt.Sprintf("sources[%d] (%s)", i, sc.Name)
		if !domain.ValidSlug(sc.Name) {
			return nil, domain.Errorf(domain.EINVALID, "config: %s: name must be lower-case letters, digits and dashes", where)
		}
		if seen[sc.Name] {
			return nil, domain.Errorf(domain.EINVALID, "config: %s: two sources are named %q", where, sc.Name)
		}
		seen[sc.Name] = true
		factory, ok := sourceTypes[sc.Type]
		if !ok {
			return nil, domain.Errorf(domain.EINVALID, "config: %s: unknown type %q (known: %v)", where, sc.Type, knownSourceTypes())
		}
		spec := sc.Schedule
		if spec == "" {
			spec = "@every 15m"
		}
		sched, err := parseSchedule(spec)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "config: %s: bad schedule %q: %v", where, spec, err)
		}
		sc.Schedule = spec
		src, err := factory(&sc.Options)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", where, err)
		}
		out = append(out, &scheduledSource{cfg: sc, src: src, schedule: sched})
	}
	return out, nil
}

func knownSourceTypes() []string {
	var names []string
	for n := range sourceTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// interval estimates the time between two runs of a schedule.
func interval(s cron.Schedule, from time.Time) time.Duration {
	a := s.Next(from)
	return s.Next(a).Sub(a)
}

// ErrSourceBusy is returned when a source is asked to run while it runs,
// on this replica or another.
var ErrSourceBusy = domain.Errorf(domain.ECONFLICT, "the source is already running")

// errShuttingDown is returned when a source is asked to run while the
// scheduler stops.
var errShuttingDown = domain.Errorf(domain.ECONFLICT, "the server is shutting down")

// runSource runs one source now, by hand (`ecopulse collect`, tests), under
// its job lease: ErrSourceBusy when a run holds the source, on any replica
// or process of the database.
func (s *scheduler) runSource(ctx context.Context, src *scheduledSource) (*domain.CollectorRun, error) {
	l, err := s.claimNow(ctx, collectJob(src.cfg.Name))
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, ErrSourceBusy
	}
	return s.collectUnder(ctx, l, src)
}

// collectUnder runs src holding its job lease l. The source says it runs
// (src.running, shown on /sources) until the lease is let go, not only
// while it collects: a "Run now" asked once it no longer says so is not
// refused as already running.
func (s *scheduler) collectUnder(ctx context.Context, l *lease, src *scheduledSource) (*domain.CollectorRun, error) {
	src.running.Store(true)
	defer src.running.Store(false)
	var run *domain.CollectorRun
	err := l.hold(ctx, func(ctx context.Context) error {
		var err error
		run, err = s.collect(ctx, src)
		return err
	})
	return run, err
}

// collect runs one source under its run record, then rescores today
// ("after each collection"). Its caller holds the source's job lease.
func (s *scheduler) collect(ctx context.Context, src *scheduledSource) (*domain.CollectorRun, error) {
	runner := &collectors.Runner{DB: s.db, Log: s.log}
	start := time.Now()
	run, err := runner.Run(ctx, src.cfg.Name, src.src)
	s.ops.collectorRan(src.cfg.Name, time.Since(start), run, err)
	if run != nil && run.ItemsStored > 0 && ctx.Err() == nil {
		if _, serr := s.scorer.ScoreDay(ctx, time.Now()); serr != nil {
			s.log.Error("scoring after collection failed", "source", src.cfg.Name, "err", serr)
		}
	}
	return run, err
}

// scheduleSources adds every source to the scheduler, as a cluster job: a
// slot still running when its next one comes is skipped, not queued.
func (s *scheduler) scheduleSources() {
	for _, src := range s.sources {
		s.scheduleSource(src)
	}
}

func (s *scheduler) scheduleSource(src *scheduledSource) {
	src.entry = s.scheduleClusterJob(&clusterJob{name: collectJob(src.cfg.Name), sched: src.schedule,
		run: func(ctx context.Context) error {
			src.running.Store(true)
			defer src.running.Store(false)
			_, err := s.collect(ctx, src)
			return err
		}})
}

// sourceByName returns the configured source with the name, or ENOTFOUND.
func (s *scheduler) sourceByName(name string) (*scheduledSource, error) {
	for _, src := range s.sources {
		if src.cfg.Name == name {
			return src, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "no source named %q is configured", name)
}

// triggerSource starts a run of a source in the background (an admin's
// "run now"), as a job shutdown waits for, or says why it cannot: the run
// is claimed before it starts, so a run held by any replica is refused
// here (ErrSourceBusy), not started a second time.
func (s *scheduler) triggerSource(name string) error {
	src, err := s.sourceByName(name)
	if err != nil {
		return err
	}
	ctx := s.jobs.ctx
	if ctx.Err() != nil {
		return errShuttingDown
	}
	l, err := s.claimNow(ctx, collectJob(name))
	if err != nil {
		if ctx.Err() != nil {
			return errShuttingDown
		}
		return err
	}
	if l == nil {
		return ErrSourceBusy
	}
	src.running.Store(true) // from the claim on, before the job starts: collectUnder clears it
	started := s.jobs.Go(func(ctx context.Context) {
		_, err := s.collectUnder(ctx, l, src)
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, errLeaseLost) {
			s.log.Error("collection failed", "source", name, "err", err)
		}
	})
	if !started {
		src.running.Store(false)
		// Stopping since the claim: free the slot for the next run.
		if _, err := s.db.FinishJob(context.WithoutCancel(ctx), l.job, l.fence, s.now()); err != nil {
			s.log.Warn("job slot not released", "job", l.job, "err", err)
		}
		return errShuttingDown
	}
	return nil
}

// sourceInfos is what the scheduler knows of each source, for /sources.
func (s *scheduler) sourceInfos(now time.Time) []views.SourceInfo {
	out := make([]views.SourceInfo, 0, len(s.sources))
	for _, src := range s.sources {
		info := views.SourceInfo{Name: src.cfg.Name, Type: src.cfg.Type, Schedule: src.cfg.Schedule,
			Interval: interval(src.schedule, now), Running: src.running.Load()}
		if e := s.cron.Entry(src.entry); e.ID != 0 && !e.Next.IsZero() {
			info.Next = e.Next
		} else {
			info.Next = src.schedule.Next(now)
		}
		out = append(out, info)
	}
	return out
}

// applyConsumerMappings attributes configured API consumers to members.
// Every mapping is applied; the ones naming an unknown member are reported
// together.
func (a *App) applyConsumerMappings(ctx context.Context) error {
	return applyConsumerMappings(ctx, a.db, a.cfg.Consumers)
}

func applyConsumerMappings(ctx context.Context, db *data.DB, ms []config.ConsumerMapping) error {
	var errs []error
	for _, m := range ms {
		member, err := db.MemberBySlug(ctx, m.Member)
		if err != nil {
			errs = append(errs, fmt.Errorf("consumer %q: %w", m.Key, err))
			continue
		}
		// Created unmapped, then mapped: a mapping that changed carries the
		// consumer's stored history, like one made on the page.
		if err := db.UpsertConsumer(ctx, &domain.APIConsumer{Key: m.Key, Name: m.Name}); err != nil {
			errs = append(errs, err)
		} else if err := db.MapConsumer(ctx, m.Key, member.Slug); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// applyAffiliations applies the configured people and affiliations, so
// that community activity is attributed to members (and re-attributed when
// the rules change). Problems are logged; the rest still applies.
func (a *App) applyAffiliations(ctx context.Context) error {
	cfg := a.cfg.Affiliation
	if len(cfg.People) == 0 && len(cfg.Domains) == 0 {
		return nil
	}
	rep, err := affiliation.Apply(ctx, a.db, cfg)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		a.log.Warn("affiliation rule not applied", "problem", p)
	}
	a.log.Info("affiliations applied", "people", rep.People, "identities", rep.Identities, "affiliations", rep.Affiliations, "reattributed", rep.Reresolved)
	return nil
}
