package data_test

// What the processes on one database share through it (migration 0025):
// the data version their page caches key on, failed-login counts and
// request counts. Each test opens two stores on one database, as two
// replicas would (twoProcesses, races_test.go).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// TestDataVersionFollowsAnotherProcessesWrites: a data write through one
// store changes the other's Version within ClusterVersionEvery (polled,
// with a deadline of 2 s, the bound the page cache promises); its own
// Version changes at once, and by one; a housekeeping write changes
// neither.
func TestDataVersionFollowsAnotherProcessesWrites(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	a.ReadClusterVersionNow()
	b.ReadClusterVersionNow()
	va, vb := a.Version(), b.Version()

	if err := a.Audit(ctx, data.AuditEntry{Actor: "someone", Action: "test"}); err != nil {
		t.Fatal(err)
	}
	b.ReadClusterVersionNow()
	if got := b.Version(); got != vb {
		t.Errorf("an audit line (housekeeping) on A moved B's version %d → %d", vb, got)
	}

	if _, err := a.CreateToken(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest}); err != nil {
		t.Fatal(err)
	}
	a.ReadClusterVersionNow() // its own write, read back: counted once
	if got, want := a.Version(), va+1; got != want {
		t.Errorf("A's version after its own write: %d, want %d (at once, and once)", got, want)
	}
	deadline := time.Now().Add(2 * time.Second)
	for b.Version() == vb {
		if time.Now().After(deadline) {
			t.Fatalf("B's version still %d 2 s after a write on A", vb)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDataVersionIsReadAtMostOncePerInterval: Version, called for every
// page request, reads the shared version at most once per
// ClusterVersionEvery, however many ask.
func TestDataVersionIsReadAtMostOncePerInterval(t *testing.T) {
	_, b := twoProcesses(t)
	before := b.ClusterVersionReads()
	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 3*data.ClusterVersionEvery {
				b.Version()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	reads := b.ClusterVersionReads() - before
	if limit := uint64(elapsed/data.ClusterVersionEvery) + 1; reads > limit || reads == 0 {
		t.Errorf("%d reads of the shared version in %v, want 1 to %d (one per %v)", reads, elapsed, limit, data.ClusterVersionEvery)
	}
}

// TestLoginFailuresCountAcrossProcesses: failures counted through two
// stores at once all count, on one row per key; a forgotten count starts
// over; the rows are bounded.
func TestLoginFailuresCountAcrossProcesses(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	forget := func(f data.LoginFailure) time.Time { return f.Last.Add(time.Hour) }
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := a
			if i%2 == 1 {
				db = b
			}
			errs <- db.CountLoginFailure(ctx, now, 0, data.LoginFailureKey{Key: "k", Forget: forget}, data.LoginFailureKey{Key: "addr", Forget: forget})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.LoginFailures(ctx, now, "k", "addr", "none")
	if err != nil {
		t.Fatal(err)
	}
	if got["k"].Failures != 20 || got["addr"].Failures != 20 || len(got) != 2 {
		t.Errorf("20 failures through two stores: %+v, want 20 on each key, no other", got)
	}
	// Past its forget time the count is gone, and the next failure starts over.
	later := now.Add(time.Hour)
	if got, _ := a.LoginFailures(ctx, later, "k"); len(got) != 0 {
		t.Errorf("a forgotten count is still read: %+v", got)
	}
	if err := a.CountLoginFailure(ctx, later, 0, data.LoginFailureKey{Key: "k", Forget: forget}); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.LoginFailures(ctx, later, "k"); got["k"].Failures != 1 || !got["k"].First.Equal(later) {
		t.Errorf("after its forget time: %+v, want a new count of 1 from %v", got["k"], later)
	}
	// The bound: the least recently failed go first, the forgotten ("addr") on the way.
	for i := range 30 {
		at := later.Add(time.Duration(i) * time.Second)
		if err := b.CountLoginFailure(ctx, at, 10, data.LoginFailureKey{Key: "n" + strconv.Itoa(i), Forget: forget}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := a.CountLoginFailureRows(ctx); err != nil || n != 10 {
		t.Errorf("rows after 30 keys with a bound of 10: %d (%v)", n, err)
	}
	if got, _ := a.LoginFailures(ctx, later, "n29", "n0"); len(got) != 1 || got["n29"].Failures != 1 {
		t.Errorf("kept: %+v, want the newest key and not the oldest", got)
	}
	if err := a.ForgetLoginFailures(ctx, "n29"); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.LoginFailures(ctx, later, "n29"); len(got) != 0 {
		t.Errorf("a forgotten key: %+v", got)
	}
}

// TestRequestCountsAreSharedAndStartOver: requests counted through two
// stores at once all count in their window; the next window starts over,
// and ended windows are deleted on the way.
func TestRequestCountsAreSharedAndStartOver(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	start := time.Unix(1_800_000_000, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]bool{}
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := a
			if i%2 == 1 {
				db = b
			}
			n, end, err := db.CountRequest(ctx, "token:gateway", start, time.Minute, 1)
			if err != nil {
				t.Error(err)
				return
			}
			if !end.Equal(start.Add(time.Minute)) {
				t.Errorf("window end %v, want %v", end, start.Add(time.Minute))
			}
			mu.Lock()
			seen[n] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	for n := int64(1); n <= 40; n++ {
		if !seen[n] {
			t.Errorf("no request was counted %d-th: each count is one upsert, %v", n, seen)
			break
		}
	}
	if _, _, err := a.CountRequest(ctx, "addr:other", start, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	// A count from a replica whose clock is behind goes on in the newer window.
	next := start.Add(time.Minute)
	if n, _, err := b.CountRequest(ctx, "token:gateway", next, time.Minute, 1); err != nil || n != 1 {
		t.Errorf("first request of the next window: %d (%v), want 1", n, err)
	}
	if n, _, err := a.CountRequest(ctx, "token:gateway", start, time.Minute, 1); err != nil || n != 2 {
		t.Errorf("a late replica's request: %d (%v), want 2 (counted in the newer window)", n, err)
	}
	if rows, _ := a.CountRateRows(ctx); rows != 1 {
		t.Errorf("%d rows after a new window began, want 1 (the ended one deleted on the way)", rows)
	}
}

// TestUsageWritesMoveTheUsageVersion: a usage write (ingest, collected
// usage, an import) moves the usage version, on its own process at once
// and on the other at its next read, and leaves the other data's version
// alone unless it moves the first or last day of usage; it moves the
// members' usage version when it stores usage of a consumer a member owns
// or calls on a day that held none, and only then; any other data write
// moves the other version and leaves the usage ones alone. Pages that show
// no usage key on the other version, a member's page on the other and the
// members' usage (app/policy.go, noUsage and membersUsage).
func TestUsageWritesMoveTheUsageVersion(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	day := time.Date(2026, 4, 7, 0, 0, 0, 0, time.UTC)
	usageOf := func(at time.Time, keys ...string) func() error {
		return func() error {
			batch := domain.NewUsageBatch("gateway")
			for _, key := range keys {
				batch.Add(domain.UsageRecord{Time: at, Consumer: key, Endpoint: "/v1/chat", Status: 200, Bytes: 10, LatencyMS: 5}, "")
			}
			return a.CommitCollectedUsage(ctx, batch)
		}
	}
	usageOn := func(at time.Time) func() error { return usageOf(at, "key-1") }
	usageAt := func(times ...time.Time) func() error { // one write, one consumer
		return func() error {
			batch := domain.NewUsageBatch("gateway")
			for _, at := range times {
				batch.Add(domain.UsageRecord{Time: at, Consumer: "key-1", Endpoint: "/v1/chat", Status: 200, Bytes: 10, LatencyMS: 5}, "")
			}
			return a.CommitUsage(ctx, batch)
		}
	}
	// Many consumers no member owns (a sparse access log's chunk), and
	// the same with one a member owns among them.
	var anonymous []string
	for i := range 1500 {
		anonymous = append(anonymous, fmt.Sprintf("anon-%04d", i))
	}
	steps := []struct {
		name                 string
		write                func() error
		other, usage, member uint64 // how far each version moves
	}{
		{"the first usage", usageOn(day.Add(9 * time.Hour)), 1, 1, 1},
		{"usage on the same day", usageOn(day.Add(10 * time.Hour)), 0, 1, 0},
		{"usage of another hour the same day", usageOn(day.Add(23 * time.Hour)), 0, 1, 0},
		{"usage on a new last day", usageOn(day.Add(25 * time.Hour)), 1, 1, 1},
		{"usage on a new first day", usageOn(day.Add(-time.Hour)), 1, 1, 1},
		{"usage within the days", usageOn(day.Add(12 * time.Hour)), 0, 1, 0},
		{"usage on a new last day after a gap", usageOn(day.Add(3*24*time.Hour + time.Hour)), 1, 1, 1},
		{"usage on the day of the gap", usageOn(day.Add(2*24*time.Hour + time.Hour)), 0, 1, 1},
		{"usage on a new last day after another gap", usageOn(day.Add(6*24*time.Hour + time.Hour)), 1, 1, 1},
		{"usage within the days, on the day of that gap and on a new last day, in one write", usageAt(day.Add(11*time.Hour), day.Add(5*24*time.Hour+time.Hour), day.Add(7*24*time.Hour+time.Hour)), 1, 1, 1},
		{"many consumers no member owns", usageOf(day.Add(13*time.Hour), anonymous...), 0, 1, 0},
		{"a member (other data)", func() error {
			return a.CreateMember(ctx, &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: day})
		}, 1, 0, 0},
		{"a consumer mapped to it (other data)", func() error { return a.MapConsumer(ctx, "key-1", "acme") }, 1, 0, 0},
		{"usage of its consumer within the days", usageOn(day.Add(14 * time.Hour)), 0, 1, 1},
		{"usage of its consumer among many", usageOf(day.Add(15*time.Hour), append(anonymous, "key-1")...), 0, 1, 1},
		{"usage of a consumer no member owns again", usageOf(day.Add(16*time.Hour), "key-2"), 0, 1, 0},
		// The owned consumers looked up in several statements of a few
		// sizes: a consumer made after the anonymous ones (the last id),
		// then mapped, is in the second statement of 601.
		{"usage of a new consumer no member owns", usageOf(day.Add(16*time.Hour), "key-z"), 0, 1, 0},
		{"the new consumer mapped (other data)", func() error { return a.MapConsumer(ctx, "key-z", "acme") }, 1, 0, 0},
		{"20 consumers no member owns", usageOf(day.Add(16*time.Hour), anonymous[:20]...), 0, 1, 0},
		{"600 consumers no member owns", usageOf(day.Add(16*time.Hour), anonymous[:600]...), 0, 1, 0},
		{"the new consumer's usage after 600 no member owns", usageOf(day.Add(16*time.Hour), slices.Concat(anonymous[:600], []string{"key-z"})...), 0, 1, 1},
		{"its consumer's usage by rollup", func() error {
			cs, err := a.Consumers(ctx)
			if err != nil {
				return err
			}
			for _, c := range cs {
				if c.MemberID != 0 {
					return a.AddUsage(ctx, []domain.UsageRollup{{Bucket: day.Add(17 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: 1}})
				}
			}
			return errors.New("no consumer of a member")
		}, 0, 1, 1},
		{"a token (other data)", func() error {
			_, err := a.CreateToken(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest})
			return err
		}, 1, 0, 0},
	}
	kinds := [3]data.DataKind{data.OtherData, data.UsageData, data.MemberUsageData}
	versions := func(db *data.DB) (v [3]uint64) {
		for i, k := range kinds {
			v[i] = db.VersionOf(k)
		}
		return v
	}
	moved := func(now, then [3]uint64) (d [3]uint64) {
		for i := range now {
			d[i] = now[i] - then[i]
		}
		return d
	}
	for _, s := range steps {
		for _, p := range []*data.DB{a, b} {
			p.ReadClusterVersionNow()
		}
		av, all, bv := versions(a), a.Version(), versions(b)
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		want := [3]uint64{s.other, s.usage, s.member}
		if got := moved(versions(a), av); got != want {
			t.Errorf("%s: the writer's versions moved by %v (other, usage, members' usage), want %v", s.name, got, want)
		}
		if got, want := a.Version()-all, s.other+s.usage+s.member; got != want {
			t.Errorf("%s: the writer's Version moved by %d, want %d", s.name, got, want)
		}
		b.ReadClusterVersionNow()
		if got := moved(versions(b), bv); got != want {
			t.Errorf("%s: the other process's versions moved by %v (other, usage, members' usage), want %v", s.name, got, want)
		}
		a.ReadClusterVersionNow() // its own write read back: counted once
		if got := moved(versions(a), av); got != want {
			t.Errorf("%s: after reading the shared versions, the writer's moved by %v, want %v", s.name, got, want)
		}
	}
}
