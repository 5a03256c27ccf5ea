package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Cluster jobs: the replicas serving one database run each job once per
// slot. Every job of the scheduler that changes the shared data — scoring
// (and the alert rules after it), each source's collection, the weekly
// snapshots, the demo tick and seed, the purge of expired sessions — goes
// through one wrapper: claim the job's slot (a lease row, data/leases.go),
// run it under the lease, renewing it a third of its time to live apart and
// cancelling the run when a renewal finds it lost, then mark the slot done.
// A replica that does not get the claim skips the slot. A replica whose
// lease ran out mid-run (it died, or stalled) is taken over: every replica
// looks for such slots (takeOverLoop) and runs the job for them, under a
// new fencing token. What the old run might still commit is refused by the
// collector cursors, which move by compare-and-set (data/cursors.go);
// scoring and snapshots rewrite what they write, or write once.
//
// The push-ingest flush stays per replica: it records what this replica
// received.

// Lease names of the jobs.
const (
	jobScore     = "score"
	jobSnapshots = "snapshots"
	jobPurge     = "purge-sessions"
	jobDemoTick  = "demo-tick"
	jobDemoSeed  = "demo-seed"
)

// collectJob is the lease name of a source's collection.
func collectJob(source string) string { return "collect:" + source }

// errLeaseLost is the cause of a run's cancelled context when its lease was
// taken over (or could not be renewed for a whole lease).
var errLeaseLost = errors.New("the job's lease was lost: another replica took the job over")

// clusterJob is a job the replicas run once per slot.
type clusterJob struct {
	name  string
	sched cron.Schedule
	run   func(ctx context.Context) error
}

// jobRegistry is what a takeover can run: the cluster jobs of this replica
// by lease name.
type jobRegistry struct {
	mu   sync.Mutex
	jobs map[string]*clusterJob
}

func (r *jobRegistry) add(j *clusterJob) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.jobs == nil {
		r.jobs = map[string]*clusterJob{}
	}
	r.jobs[j.name] = j
}

func (r *jobRegistry) get(name string) *clusterJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.jobs[name]
}

// scheduleJob schedules run as the cluster job name on spec: each firing
// claims the slot it fired for and runs it unless another replica has.
func (s *scheduler) scheduleJob(name, spec string, run func(ctx context.Context) error) (cron.EntryID, error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return 0, err
	}
	return s.scheduleClusterJob(&clusterJob{name: name, sched: sched, run: run}), nil
}

func (s *scheduler) scheduleClusterJob(j *clusterJob) cron.EntryID {
	s.registry.add(j)
	// The cron's chain (newScheduler) recovers panics and skips a firing
	// while this replica still runs the job's previous one.
	return s.cron.Schedule(j.sched, cron.FuncJob(func() { s.fire(s.jobs.ctx, j, s.now()) }))
}

// fire runs j for the slot its schedule fired for at now, unless another
// replica claimed that slot (or the job still runs). It reports whether
// this replica ran it.
func (s *scheduler) fire(ctx context.Context, j *clusterJob, now time.Time) bool {
	slot := slotOf(j.sched, now)
	l, err := s.claimSlot(ctx, j.name, slot, now)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("job not claimed", "job", j.name, "err", err)
		}
		return false
	}
	if l == nil {
		s.log.Debug("job slot claimed elsewhere or still running; skipped", "job", j.name, "slot", slot.UTC())
		return false
	}
	s.logJobError(j.name, l.hold(ctx, j.run))
	return true
}

// runNow runs the cluster job name off the schedule (at start, after an
// edit), unless it runs somewhere now. It reports whether it ran here.
func (s *scheduler) runNow(ctx context.Context, name string, run func(ctx context.Context) error) bool {
	l, err := s.claimNow(ctx, name)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("job not claimed", "job", name, "err", err)
		}
		return false
	}
	if l == nil {
		s.log.Debug("job runs elsewhere; not started", "job", name)
		return false
	}
	s.logJobError(name, l.hold(ctx, run))
	return true
}

func (s *scheduler) logJobError(name string, err error) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, errLeaseLost) {
		return
	}
	s.log.Error("job failed", "job", name, "err", err)
}

// lease is a claim this replica holds on one slot of a job.
type lease struct {
	s     *scheduler
	job   string
	fence int64
	slot  time.Time
}

// claimSlot claims slot of job; a nil lease (and no error) when another
// replica holds the job or the slot was run.
func (s *scheduler) claimSlot(ctx context.Context, job string, slot, now time.Time) (*lease, error) {
	fence, ok, err := s.db.ClaimJob(ctx, job, s.holder, slot, now, s.leaseTTL)
	if err != nil || !ok {
		return nil, err
	}
	return &lease{s: s, job: job, fence: fence, slot: slot}, nil
}

// claimNow claims a run of job now, off the schedule; a nil lease when a
// run holds the job.
func (s *scheduler) claimNow(ctx context.Context, job string) (*lease, error) {
	fence, slot, ok, err := s.db.ClaimJobNow(ctx, job, s.holder, s.now(), s.leaseTTL)
	if err != nil || !ok {
		return nil, err
	}
	return &lease{s: s, job: job, fence: fence, slot: slot}, nil
}

// hold runs fn under the lease and returns its error. fn's context is
// cancelled (cause errLeaseLost) when a renewal finds the lease taken over,
// or finds no store to renew it in for a whole lease. The slot is marked
// done when fn returns — failed or not: a failed run waits for the next
// slot, as it did on one machine — except when the lease was lost, and
// when ctx was cancelled (the replica shuts down) before fn was done: then
// the lease is released, unfinished, for a replica (or this process
// restarted) to take the slot over at once.
func (l *lease) hold(ctx context.Context, fn func(context.Context) error) error {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop, renewing := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(renewing)
		l.renew(runCtx, cancel, stop)
	}()
	err := fn(runCtx)
	close(stop)
	<-renewing
	log := l.s.log.With("job", l.job, "slot", l.slot.UTC(), "fence", l.fence)
	if errors.Is(context.Cause(runCtx), errLeaseLost) {
		log.Warn("job lease lost: the run was stopped, another replica has the job", "err", err)
		return errors.Join(errLeaseLost, err)
	}
	if ctx.Err() != nil && err != nil {
		if _, rerr := l.s.db.ReleaseJob(context.WithoutCancel(ctx), l.job, l.fence, l.s.now()); rerr != nil {
			log.Warn("job lease not released", "err", rerr)
		}
		return err
	}
	ok, ferr := l.s.db.FinishJob(context.WithoutCancel(ctx), l.job, l.fence, l.s.now())
	switch {
	case ferr != nil:
		log.Error("job slot not marked done", "err", ferr)
	case !ok:
		log.Warn("job lease lost before the run finished: another replica took the job over")
	}
	return err
}

// renew extends the lease every third of its time to live until stop or
// ctx is done; it cancels the run when the lease is lost.
func (l *lease) renew(ctx context.Context, cancel context.CancelCauseFunc, stop <-chan struct{}) {
	ttl := l.s.leaseTTL
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	last := l.s.now()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := l.s.now()
		ok, err := l.s.db.RenewJob(ctx, l.job, l.fence, now, ttl)
		switch {
		case err == nil && ok:
			last = now
		case err == nil:
			cancel(errLeaseLost)
			return
		case ctx.Err() != nil:
			return
		case now.Sub(last) >= ttl:
			// No renewal for a whole lease: another replica may have
			// taken the job over already.
			l.s.log.Error("job lease not renewed for a whole lease: stopping the run", "job", l.job, "err", err)
			cancel(errLeaseLost)
			return
		default:
			l.s.log.Warn("job lease not renewed", "job", l.job, "err", err)
		}
	}
}

// takeOverLoop looks for slots whose lease ran out unfinished, half a
// lease apart, until ctx is done.
func (s *scheduler) takeOverLoop(ctx context.Context) {
	t := time.NewTicker(s.leaseTTL / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.takeOver(ctx, s.now())
		}
	}
}

// takeOver claims each unfinished slot whose lease ran out at now, of the
// jobs this replica runs, and runs the job for it, one after the other. It
// returns the jobs it ran.
func (s *scheduler) takeOver(ctx context.Context, now time.Time) []string {
	expired, err := s.db.ExpiredJobs(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("expired job leases not listed", "err", err)
		}
		return nil
	}
	var ran []string
	for _, e := range expired {
		j := s.registry.get(e.Job)
		if j == nil {
			continue // not a job of this replica's configuration, or one-shot (the demo seed)
		}
		l, err := s.claimSlot(ctx, e.Job, e.Slot, now)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("job not claimed", "job", e.Job, "err", err)
			}
			continue
		}
		if l == nil {
			continue // another replica took it over first
		}
		s.log.Warn("taking over a job whose lease ran out unfinished", "job", e.Job, "slot", e.Slot.UTC(),
			"from", e.Holder, "lease_until", e.LeaseUntil.UTC())
		s.logJobError(e.Job, l.hold(ctx, j.run))
		ran = append(ran, e.Job)
		if ctx.Err() != nil {
			break
		}
	}
	return ran
}
