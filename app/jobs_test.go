package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// replicas builds n Apps on one database, each with its own store opened
// on target (as n processes would), named r0, r1, …; none is started.
func replicas(t *testing.T, cfg config.Config, target string, n int) []*App {
	t.Helper()
	var out []*App
	for i := range n {
		a, err := New(cfg, datatest.Open(t, target), quietLogger())
		if err != nil {
			t.Fatal(err)
		}
		a.replica = "r" + string(rune('0'+i))
		a.holder = a.replica
		out = append(out, a)
	}
	return out
}

// fireTogether fires the cluster job name on every replica at once, for
// the same instant, and returns which of them ran it.
func fireTogether(t *testing.T, apps []*App, name string, now time.Time) []bool {
	t.Helper()
	ran := make([]bool, len(apps))
	var wg sync.WaitGroup
	for i, a := range apps {
		j := a.registry.get(name)
		if j == nil {
			t.Fatalf("replica %d has no job %s", i, name)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran[i] = a.fire(context.Background(), j, now)
		}()
	}
	wg.Wait()
	return ran
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// TestAScheduledSlotRunsOnceAcrossReplicas: two replicas whose schedules
// fire the same slot of a source's collection run it once — one run
// record, the log's calls counted once — and the next slot once again;
// the same for the weekly snapshot job.
func TestAScheduledSlotRunsOnceAcrossReplicas(t *testing.T) {
	t.Setenv("GW_TEST_HASH_KEY", "gateway-hash-key-for-tests-0123")
	dir := t.TempDir()
	cfg := gatewayConfig(t, dir, gatewayLog(t, dir), "shared")
	apps := replicas(t, cfg, cfg.DB, 2)
	ctx := context.Background()
	db := apps[0].db
	calls := func() int64 {
		t.Helper()
		tot, err := db.UsageTotals(ctx, time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC), 0)
		if err != nil {
			t.Fatal(err)
		}
		return tot.Calls
	}
	now := time.Now()
	for slot := range 2 {
		at := now.Add(time.Duration(slot) * 15 * time.Minute) // the source's default schedule
		if ran := fireTogether(t, apps, collectJob("gw"), at); countTrue(ran) != 1 {
			t.Fatalf("slot %d: ran on %v, want exactly one replica", slot, ran)
		}
		runs, err := db.RunsOf(ctx, "gw", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != slot+1 {
			t.Fatalf("slot %d: %d run records, want %d", slot, len(runs), slot+1)
		}
		if runs[0].Status != domain.RunSucceeded {
			t.Errorf("slot %d: run %+v", slot, runs[0])
		}
		if got := calls(); got != 60 {
			t.Errorf("slot %d: %d calls stored, want the log's 60 once", slot, got)
		}
	}
	// The slot a replica already ran is not run again by a late one.
	if ran := fireTogether(t, apps[1:], collectJob("gw"), now.Add(15*time.Minute)); ran[0] {
		t.Error("a replica firing late ran a slot already run")
	}
}

// TestTheSnapshotJobRunsOnceAcrossReplicas: the weekly snapshot job fired
// for one slot on two replicas of a scored database runs on one.
func TestTheSnapshotJobRunsOnceAcrossReplicas(t *testing.T) {
	target := datatest.Seeded(t, "scored_demo", seedScoredDemo)
	apps := replicas(t, config.Default(), target, 2)
	monday := time.Date(2026, 6, 29, 0, 10, 0, 0, time.UTC) // W26 closed
	for _, a := range apps {
		a.now = func() time.Time { return monday }
	}
	if ran := fireTogether(t, apps, jobSnapshots, monday); countTrue(ran) != 1 {
		t.Fatalf("snapshot job ran on %v, want exactly one replica", ran)
	}
	snaps, err := apps[0].db.Snapshots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) == 0 || snaps[0].Week != closedWeek {
		t.Errorf("snapshots after the job: %+v, want %s among them", snaps, closedWeek)
	}
}

// gateSource is a collector that reads its cursor, says so, waits for its
// gate, then commits one call moving the cursor on from what it read — as
// every collector does, by compare-and-set.
type gateSource struct {
	read    chan string   // gets the cursor read
	gate    chan struct{} // nil: no wait
	untilCx bool          // wait for the run's context instead of the gate
}

func (g *gateSource) Collect(ctx context.Context, env collectors.Env) (collectors.Stats, error) {
	cur, err := env.DB.Cursor(ctx, env.Name)
	if err != nil {
		return collectors.Stats{}, err
	}
	if g.read != nil {
		g.read <- cur
	}
	switch {
	case g.untilCx:
		<-ctx.Done()
		return collectors.Stats{}, ctx.Err()
	case g.gate != nil:
		<-g.gate
	}
	b := domain.NewUsageBatch(env.Name)
	b.Add(domain.UsageRecord{Time: time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC), Consumer: "k", Endpoint: "/v1", Status: 200, Bytes: 1, LatencyMS: 1}, "")
	b.CursorFrom, b.Cursor = cur, cur+"+"
	if err := env.DB.CommitUsage(ctx, b); err != nil {
		return collectors.Stats{Read: 1}, err
	}
	return collectors.Stats{Read: 1, Stored: 1, Cursor: b.Cursor}, nil
}

// addGateSource configures and schedules a gateSource on a built app.
func addGateSource(a *App, name string, g *gateSource) {
	s := addFakeSource(a, name, g)
	s.schedule = everySchedule{every: 3600}
	a.scheduleSource(s)
}

// TestATakenOverRunCannotCommit: a collection whose replica stalls mid-run
// (blocked after reading its cursor) past its lease is taken over by
// another replica — a higher fence, the same slot — which collects from
// the same cursor; when the first run wakes, its commit is refused, so the
// slot's data is stored once, and its stale fence does not finish the
// slot.
func TestATakenOverRunCannotCommit(t *testing.T) {
	cfg := config.Default()
	cfg.JobLease = time.Hour // no renewal ticks during the test: the refusal is the cursor's
	apps := replicas(t, cfg, datatest.Target(t), 2)
	a, b := apps[0], apps[1]
	stalled := &gateSource{read: make(chan string, 1), gate: make(chan struct{})}
	addGateSource(a, "slow", stalled)
	addGateSource(b, "slow", &gateSource{})
	ctx := context.Background()
	now := time.Now()
	done := make(chan bool, 1)
	go func() { done <- a.fire(ctx, a.registry.get(collectJob("slow")), now) }()
	if cur := <-stalled.read; cur != "" {
		t.Fatalf("first run read cursor %q", cur)
	}
	// Two leases later on b's clock, the slot is expired and unfinished.
	b.now = func() time.Time { return now.Add(2 * cfg.JobLease) }
	if ran := b.takeOver(ctx, b.now()); len(ran) != 1 || ran[0] != collectJob("slow") {
		t.Fatalf("takeover ran %v, want the stalled collection", ran)
	}
	close(stalled.gate)
	if !<-done {
		t.Fatal("the first replica did not run its slot")
	}
	db := a.db
	runs, err := db.RunsOf(ctx, "slow", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d run records, want the taken-over one and the takeover", len(runs))
	}
	var failed, succeeded int
	for _, r := range runs {
		switch {
		case r.Status == domain.RunFailed && r.ItemsStored == 0:
			failed++
		case r.Status == domain.RunSucceeded && r.ItemsStored == 1:
			succeeded++
		}
	}
	if failed != 1 || succeeded != 1 {
		t.Errorf("runs %+v: want the takeover's stored, the stalled one's refused", runs)
	}
	if cur, err := db.Cursor(ctx, "slow"); err != nil || cur != "+" {
		t.Errorf("cursor = %q (%v), want the takeover's %q", cur, err, "+")
	}
	tot, err := db.UsageTotals(ctx, time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 3, 0, 0, 0, 0, time.UTC), 0)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Calls != 1 {
		t.Errorf("%d calls stored, want the slot's one call once", tot.Calls)
	}
	l, err := db.JobLease(ctx, collectJob("slow"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Holder != "r1" || l.Fence != 2 || !l.Done {
		t.Errorf("lease after both runs: %+v, want done by r1 with fence 2", l)
	}
}

// TestALostLeaseStopsTheRun: a run whose lease another replica took over
// is cancelled at its next renewal (a third of a lease later), not left to
// run beside the takeover.
func TestALostLeaseStopsTheRun(t *testing.T) {
	cfg := config.Default()
	cfg.JobLease = domain.MinJobLease
	apps := replicas(t, cfg, datatest.Target(t), 2)
	a, b := apps[0], apps[1]
	stuck := &gateSource{read: make(chan string, 1), untilCx: true}
	addGateSource(a, "stuck", stuck)
	addGateSource(b, "stuck", &gateSource{})
	ctx := context.Background()
	now := time.Now()
	done := make(chan bool, 1)
	go func() { done <- a.fire(ctx, a.registry.get(collectJob("stuck")), now) }()
	<-stuck.read
	b.now = func() time.Time { return time.Now().Add(time.Hour) }
	if ran := b.takeOver(ctx, b.now()); len(ran) != 1 {
		t.Fatalf("takeover ran %v", ran)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the run whose lease was taken over still runs")
	}
	runs, err := a.db.RunsOf(ctx, "stuck", 10)
	if err != nil {
		t.Fatal(err)
	}
	var cancelled int
	for _, r := range runs {
		if r.Status == domain.RunFailed && r.ItemsStored == 0 {
			cancelled++
		}
	}
	if len(runs) != 2 || cancelled != 1 {
		t.Errorf("runs %+v: want the stopped run and the takeover", runs)
	}
}

// TestRunNowIsRefusedWhileAnotherReplicaRuns: "Run now" on one replica
// while the source runs on another answers "already running" (409), and
// starts nothing.
func TestRunNowIsRefusedWhileAnotherReplicaRuns(t *testing.T) {
	apps := replicas(t, config.Default(), datatest.Target(t), 2)
	a, b := apps[0], apps[1]
	busy := &gateSource{read: make(chan string, 1), gate: make(chan struct{})}
	addGateSource(a, "gw", busy)
	addGateSource(b, "gw", &gateSource{})
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { _, err := a.runSource(ctx, a.sources[len(a.sources)-1]); done <- err }()
	<-busy.read
	if err := b.triggerSource("gw"); err != ErrSourceBusy {
		t.Errorf("run now on the other replica: %v, want %v", err, ErrSourceBusy)
	}
	withTestAccounts(t, b)
	if resp := do(t, b.Fiber(), httptest.NewRequest("POST", "/api/v1/sources/gw/run", nil)); resp.StatusCode != 409 {
		t.Errorf("POST run now on the other replica = %d, want 409", resp.StatusCode)
	}
	close(busy.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if runs, err := a.db.RunsOf(ctx, "gw", 10); err != nil || len(runs) != 1 {
		t.Errorf("runs %+v (%v): want the one run", runs, err)
	}
	// Once it finished, the other replica may run it.
	if _, err := b.runSource(ctx, b.sources[len(b.sources)-1]); err != nil {
		t.Errorf("run by hand after the first finished: %v", err)
	}
}

// TestReplicasStartingTogether: three replicas serving one empty database,
// started at once, all serve: one creates the first admin, the others find
// it; then all three stop cleanly.
func TestReplicasStartingTogether(t *testing.T) {
	target := datatest.UnmigratedTarget(t)
	const n = 3
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type replica struct {
		db   *data.DB
		logs *logWatch
		done chan error
	}
	rs := make([]*replica, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		rs[i] = &replica{logs: newLogWatch("serving"), done: make(chan error, 1)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := data.Open(ctx, target) // migrates, as serve does
			if err != nil {
				errs[i] = err
				return
			}
			rs[i].db = db
			cfg := config.Default()
			cfg.DB = target
			a, err := New(cfg, db, slog.New(rs[i].logs))
			if err != nil {
				errs[i] = err
				return
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				errs[i] = err
				return
			}
			go func() { rs[i].done <- a.Serve(ctx, ln) }()
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, r := range rs {
			if r.db != nil {
				r.db.Close()
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		select {
		case <-r.logs.logged("serving"):
		case err := <-r.done:
			t.Fatalf("replica %d stopped before serving: %v", i, err)
		case <-time.After(60 * time.Second):
			t.Fatalf("replica %d did not serve", i)
		}
	}
	users, err := rs[0].db.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if users != 1 {
		t.Errorf("%d accounts after three starts, want the one admin", users)
	}
	cancel()
	for i, r := range rs {
		if err := <-r.done; err != nil {
			t.Errorf("replica %d: Serve returned %v", i, err)
		}
	}
}

// TestSlotOf: a firing's slot is the schedule's last firing at or before
// it, the same whatever the instant within the slot; @every is aligned to
// the epoch, so every replica fires at the same instants.
func TestSlotOf(t *testing.T) {
	at := time.Date(2026, 3, 4, 10, 7, 42, 5e8, time.UTC) // a Wednesday
	every, err := parseSchedule("@every 5m")
	if err != nil {
		t.Fatal(err)
	}
	daily, err := parseSchedule("CRON_TZ=UTC 30 3 * * *")
	if err != nil {
		t.Fatal(err)
	}
	weekly, err := parseSchedule("CRON_TZ=UTC 5 0 * * 1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sched cron.Schedule
		want  time.Time
	}{
		{every, time.Date(2026, 3, 4, 10, 5, 0, 0, time.UTC)},
		{daily, time.Date(2026, 3, 4, 3, 30, 0, 0, time.UTC)},
		{weekly, time.Date(2026, 3, 2, 0, 5, 0, 0, time.UTC)},
	} {
		if got := slotOf(c.sched, at); !got.Equal(c.want) {
			t.Errorf("slot of %v at %v = %v, want %v", c.sched, at, got, c.want)
		}
		// Fired exactly at the slot, or late within it: the same slot.
		if got := slotOf(c.sched, c.want); !got.Equal(c.want) {
			t.Errorf("slot at the firing %v = %v", c.want, got)
		}
		if next := c.sched.Next(c.want); !slotOf(c.sched, next.Add(-time.Second)).Equal(c.want) {
			t.Errorf("slot a second before the next firing is not %v", c.want)
		}
	}
	if got, want := every.Next(at), time.Date(2026, 3, 4, 10, 10, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("@every 5m after %v fires at %v, want %v", at, got, want)
	}
}

// TestTheDemoSeedRunsOnce: two replicas of serve --demo starting together
// on one empty database both go on to serve the demo; it was seeded once
// (one seed run of the demo collector, the demo's 40 members).
func TestTheDemoSeedRunsOnce(t *testing.T) {
	cfg := config.Default()
	cfg.BackfillDays = 7 // the seed's scoring: enough to show it ran
	apps := replicas(t, cfg, datatest.Target(t), 2)
	now := time.Now()
	errs := make([]error, len(apps))
	var wg sync.WaitGroup
	for i, a := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.enableDemo(context.Background(), now)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := apps[0].db
	if n, err := db.CountMembers(ctx); err != nil || n != 40 {
		t.Errorf("%d members (%v), want the demo's 40 once", n, err)
	}
	runs, err := db.RunsOf(ctx, "demo", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Errorf("%d demo collector runs, want the one seed", len(runs))
	}
	for i, a := range apps {
		if a.demo == nil || a.registry.get(jobDemoTick) == nil {
			t.Errorf("replica %d does not tick the demo", i)
		}
	}
}

// TestStartUpAccountsCreatedByAnotherReplica: a replica that counted no
// accounts, then finds the first admin (or the demo viewer) created by a
// replica starting beside it, takes that as done instead of failing to
// start with "already exists" — and prints no password of its own.
func TestStartUpAccountsCreatedByAnotherReplica(t *testing.T) {
	var logged strings.Builder
	a, err := New(config.Default(), datatest.MustOpenDB(t), slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := AddUser(ctx, a.db, "admin", domain.RoleAdmin, "the other replica's password"); err != nil {
		t.Fatal(err)
	}
	if err := a.db.CreateUser(ctx, &domain.User{Name: demoUser, Role: domain.RoleViewer, PasswordHash: "another replica's hash"}); err != nil {
		t.Fatal(err)
	}
	if err := a.createFirstAdmin(ctx); err != nil {
		t.Errorf("the first admin, created meanwhile: %v", err)
	}
	if err := a.createDemoAccount(ctx); err != nil {
		t.Errorf("the demo viewer, created meanwhile: %v", err)
	}
	if strings.Contains(logged.String(), "password=") {
		t.Errorf("a password was logged for an account this replica did not create:\n%s", logged.String())
	}
	if n, err := a.db.CountUsers(ctx); err != nil || n != 2 {
		t.Errorf("%d accounts (%v), want the two", n, err)
	}
}
