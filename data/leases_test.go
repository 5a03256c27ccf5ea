package data_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// leaseTTL is the tests' lease: the clock they pass in moves past it.
const leaseTTL = time.Minute

// TestTwoReplicasClaimingOneSlotOneWins: two stores on one database (two
// replicas) claim the same slots of the same jobs at once; each slot goes
// to exactly one of them, whether the job's row exists yet or not.
func TestTwoReplicasClaimingOneSlotOneWins(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for round := range 3 { // round 0 inserts each job's row; then they update it
		slot := now.Add(time.Duration(round) * 5 * time.Minute)
		var wg sync.WaitGroup
		wins := make([][2]bool, 8)
		for j := range wins {
			job := fmt.Sprintf("collect:src-%d", j)
			for i, store := range []*data.DB{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					fence, ok, err := store.ClaimJob(ctx, job, fmt.Sprintf("replica-%d", i), slot, slot, leaseTTL)
					if err != nil {
						t.Errorf("%s: %v", job, err)
					}
					wins[j][i] = ok
					if ok {
						if fence != int64(round+1) {
							t.Errorf("%s round %d: fence %d, want %d", job, round, fence, round+1)
						}
						if ok, err := store.FinishJob(ctx, job, fence, slot); !ok || err != nil {
							t.Errorf("%s: the winner could not finish: %v %v", job, ok, err)
						}
					}
				}()
			}
		}
		wg.Wait()
		for j, w := range wins {
			if w[0] == w[1] {
				t.Errorf("round %d, job %d: claims won %v, want exactly one", round, j, w)
			}
		}
	}
}

// TestJobLeaseLifecycle: a slot is held while its lease lives; a newer slot
// waits for it to finish; an expired unfinished slot is taken over with a
// higher fence, after which the old fence can neither renew nor finish; a
// finished slot is not run again, and the next one is claimable.
func TestJobLeaseLifecycle(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	const job = "score"
	t0 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	slot := t0
	claim := func(slot, now time.Time) (int64, bool) {
		t.Helper()
		fence, ok, err := db.ClaimJob(ctx, job, "r", slot, now, leaseTTL)
		if err != nil {
			t.Fatal(err)
		}
		return fence, ok
	}
	f1, ok := claim(slot, t0)
	if !ok {
		t.Fatal("the first claim of a job failed")
	}
	if _, ok := claim(slot, t0.Add(leaseTTL/2)); ok {
		t.Error("a live lease was claimed again")
	}
	if _, ok := claim(slot.Add(5*time.Minute), t0.Add(leaseTTL/2)); ok {
		t.Error("a newer slot was claimed while the last one's lease lives")
	}
	if ok, err := db.RenewJob(ctx, job, f1, t0.Add(leaseTTL/2), leaseTTL); !ok || err != nil {
		t.Fatalf("renewing the live lease: %v %v", ok, err)
	}
	// Renewed at t0+30s: alive until t0+90s.
	if _, ok := claim(slot, t0.Add(leaseTTL)); ok {
		t.Error("a renewed lease was taken over before it expired")
	}
	if l, err := db.ExpiredJobs(ctx, t0.Add(leaseTTL)); err != nil || len(l) != 0 {
		t.Errorf("expired jobs while the lease lives: %v %v", l, err)
	}
	late := t0.Add(leaseTTL/2 + leaseTTL)
	expired, err := db.ExpiredJobs(ctx, late)
	if err != nil {
		t.Fatal(err)
	}
	if len(expired) != 1 || expired[0].Job != job || !expired[0].Slot.Equal(slot) || expired[0].Fence != f1 || expired[0].Done {
		t.Fatalf("expired jobs = %+v, want the slot of %s with fence %d", expired, job, f1)
	}
	f2, ok := claim(slot, late)
	if !ok || f2 <= f1 {
		t.Fatalf("takeover of the expired slot: fence %d, %v; want a fence above %d", f2, ok, f1)
	}
	if ok, err := db.RenewJob(ctx, job, f1, late, leaseTTL); ok || err != nil {
		t.Errorf("the stale fence renewed: %v %v", ok, err)
	}
	if ok, err := db.FinishJob(ctx, job, f1, late); ok || err != nil {
		t.Errorf("the stale fence finished the slot: %v %v", ok, err)
	}
	if l, err := db.JobLease(ctx, job); err != nil || l.Done || l.Fence != f2 {
		t.Errorf("after the stale finish: %+v %v, want fence %d unfinished", l, err, f2)
	}
	if ok, err := db.FinishJob(ctx, job, f2, late); !ok || err != nil {
		t.Fatalf("the holder could not finish: %v %v", ok, err)
	}
	much := late.Add(10 * leaseTTL)
	if _, ok := claim(slot, much); ok {
		t.Error("a finished slot was claimed again")
	}
	if _, ok := claim(slot.Add(-5*time.Minute), much); ok {
		t.Error("an older slot was claimed after a newer one ran")
	}
	if l, err := db.ExpiredJobs(ctx, much); err != nil || len(l) != 0 {
		t.Errorf("expired jobs after the finish: %v %v", l, err)
	}
	f3, ok := claim(slot.Add(5*time.Minute), late)
	if !ok || f3 <= f2 {
		t.Errorf("the next slot after a finished one: fence %d, %v", f3, ok)
	}
	// An unfinished slot whose lease ran out gives way to a newer slot too.
	f4, ok := claim(slot.Add(10*time.Minute), late.Add(2*leaseTTL))
	if !ok || f4 <= f3 {
		t.Errorf("a newer slot after an expired one: fence %d, %v", f4, ok)
	}
}

// TestClaimJobNow: a run started by hand takes the current second as its
// slot, or the one after the last slot; it waits for nobody's finished
// run, and is refused while a lease lives.
func TestClaimJobNow(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	f1, s1, ok, err := db.ClaimJobNow(ctx, "collect:gw", "r", now, leaseTTL)
	if err != nil || !ok || !s1.Equal(now) {
		t.Fatalf("first run by hand: %d %v %v %v", f1, s1, ok, err)
	}
	if _, _, ok, _ := db.ClaimJobNow(ctx, "collect:gw", "r", now, leaseTTL); ok {
		t.Error("a run by hand was claimed while another holds the job")
	}
	if ok, err := db.FinishJob(ctx, "collect:gw", f1, now); !ok || err != nil {
		t.Fatal(ok, err)
	}
	f2, s2, ok, err := db.ClaimJobNow(ctx, "collect:gw", "r", now, leaseTTL)
	if err != nil || !ok || f2 <= f1 || !s2.Equal(now.Add(time.Second)) {
		t.Errorf("second run in the same second: fence %d slot %v %v %v, want the next second", f2, s2, ok, err)
	}
	if ok, err := db.FinishJob(ctx, "collect:gw", f2, now); !ok || err != nil {
		t.Fatal(ok, err)
	}
	// The scheduled slot that second is covered: not run again.
	if _, ok, _ := db.ClaimJob(ctx, "collect:gw", "r", now.Add(time.Second), now.Add(2*leaseTTL), leaseTTL); ok {
		t.Error("a scheduled slot a run by hand covered was claimed")
	}
}

func TestJobClaimBounds(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now()
	for _, c := range []struct {
		job, holder string
		ttl         time.Duration
	}{
		{"", "r", leaseTTL},
		{string(make([]byte, domain.MaxJobName+1)), "r", leaseTTL},
		{"score", string(make([]byte, domain.MaxJobHolder+1)), leaseTTL},
		{"score", "r", 0},
		{"score", "r", 2 * domain.MaxJobLease},
	} {
		if _, _, err := db.ClaimJob(ctx, c.job, c.holder, now, now, c.ttl); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("claim %q by %q for %s: %v, want %s", c.job, c.holder, c.ttl, err, domain.EINVALID)
		}
	}
	if _, err := db.JobLease(ctx, "never"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("lease of a job never run: %v", err)
	}
}

// TestReleasedJobIsTakenOverAtOnce: a lease released unfinished (its
// process shut down mid-run) is expired at once — listed for takeover and
// claimable by hand — while a stale fence cannot release it.
func TestReleasedJobIsTakenOverAtOnce(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	f1, ok, err := db.ClaimJob(ctx, "score", "r", now, now, leaseTTL)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := db.ReleaseJob(ctx, "score", f1+1, now); ok || err != nil {
		t.Errorf("a fence that never held the job released it: %v %v", ok, err)
	}
	if l, _ := db.ExpiredJobs(ctx, now); len(l) != 0 {
		t.Fatalf("expired before the release: %+v", l)
	}
	if ok, err := db.ReleaseJob(ctx, "score", f1, now); !ok || err != nil {
		t.Fatalf("release: %v %v", ok, err)
	}
	if l, err := db.ExpiredJobs(ctx, now); err != nil || len(l) != 1 || l[0].Done {
		t.Errorf("expired after the release: %+v %v, want the unfinished slot", l, err)
	}
	if f2, _, ok, err := db.ClaimJobNow(ctx, "score", "restarted", now, leaseTTL); err != nil || !ok || f2 <= f1 {
		t.Errorf("a run by hand after the release: fence %d, %v, %v", f2, ok, err)
	}
}
