package main

// The cluster tests run the real binary as several processes on one
// database and check, one subtest per guarantee, what issue 16 promises of
// N replicas behind a load balancer: they start together from an empty
// database; every scheduled job runs once per slot; the webhook gets each
// alert once; pushed batches retried to another replica with their
// Idempotency-Key are stored once; a write on one replica shows on
// another's pages within 2 s; a replica killed in the middle of a
// collection is taken over once its lease expires, with the totals of a
// clean run. TestClusterPostgres runs three `serve --demo` replicas on one
// fresh PostgreSQL database; TestClusterSQLite runs what applies on one
// SQLite file: a `serve` beside `collect` and `member edit` commands.
//
// Every replica gets ECOPULSE_JOB_LEASE=5s (its job lease) and its own
// ECOPULSE_REPLICA. The replicas' configurations differ only in the path
// of their GitHub base_url, which tells the test servers who asks.

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// cluster is one run: the binary, the test servers, the database and the
// processes on it.
type cluster struct {
	bin      string
	dir      string
	target   string
	gh       *ghReplay // a clean source: answers at once
	blk      *ghReplay // the same recording, held in its middle
	hook     *webhook
	accLog   string // the access log of source acc
	accRest  string // its second half, appended by checkCollectBeside
	replicas []*proc
	store    *data.DB // the test's own handle, opened once the schema is there
	sql      *sql.DB
	user     *client // logged in as the test's admin
}

const clusterPassword = "cluster-test-password-1"

// The repositories of gh and blk: one recording, replayed under two names.
const (
	ghRepo  = "octokit-fixture-org/paginate-issues"
	blkRepo = "octokit-fixture-org/paginate-held"
)

func newCluster(t *testing.T) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs several processes for minutes")
	}
	c := &cluster{bin: clusterBinary(t), dir: t.TempDir(), target: datatest.UnmigratedTarget(t),
		gh: newGHReplay(t, ghRepo, 0), blk: newGHReplay(t, blkRepo, 100_000), hook: newWebhook(t)}
	c.blk.hold() // from the start: the first collection of blk stops at its second page
	// The access log starts with its first half; checkCollectBeside appends
	// the rest while the processes run.
	full := filepath.Join(c.dir, "apache.log")
	gunzipTo(t, filepath.Join("collectors", "accesslog", "testdata", "apache_logs.gz"), full)
	raw, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	half := strings.Join(lines[:len(lines)/2], "")
	c.accRest = strings.Join(lines[len(lines)/2:], "")
	c.accLog = filepath.Join(c.dir, "access.log")
	if err := os.WriteFile(c.accLog, []byte(half), 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

// config writes the configuration of the process named who.
func (c *cluster) config(t *testing.T, who string) string {
	t.Helper()
	path := filepath.Join(c.dir, who+".yaml")
	body := fmt.Sprintf(`shutdown_timeout: 5s
schedules:
  score: "* * * * *"
  demo_tick: "* * * * *"
sources:
  - name: gh
    type: github
    schedule: "* * * * *"
    options:
      repos: [%s]
      base_url: %q
      token_env: ECOPULSE_TEST_NO_TOKEN
      per_page: 3
  - name: blk
    type: github
    schedule: "@every 5s"
    options:
      repos: [%s]
      base_url: %q
      token_env: ECOPULSE_TEST_NO_TOKEN
      per_page: 3
      timeout: 5m
  - name: acc
    type: accesslog
    schedule: "* * * * *"
    options:
      paths: [%q]
      chunk_lines: 25
alerts:
  webhook:
    url: %q
    backoff: 100ms
    rounds: 1000
`, ghRepo, c.gh.base(who), blkRepo, c.blk.base(who), c.accLog, c.hook.srv.URL)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// up returns the replicas serving now.
func (c *cluster) up() []*proc {
	var out []*proc
	for _, r := range c.replicas {
		if r.base != "" && !r.exited() {
			out = append(out, r)
		}
	}
	return out
}

func (c *cluster) need(t *testing.T, n int) []*proc {
	t.Helper()
	up := c.up()
	if len(up) < n {
		t.Skipf("needs %d replicas serving, %d are", n, len(up))
	}
	return up
}

// startReplicas starts the named `serve --demo` replicas at once and waits
// until each is ready, or has failed.
func (c *cluster) startReplicas(t *testing.T, names ...string) []error {
	t.Helper()
	var started []*proc
	for _, n := range names {
		p := startReplica(t, c.bin, n, c.config(t, n), c.target, "--demo")
		started = append(started, p)
		c.replicas = append(c.replicas, p)
	}
	errs := make([]error, len(started))
	var wg sync.WaitGroup
	for i, p := range started {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = p.waitReady(4 * time.Minute) }()
	}
	wg.Wait()
	return errs
}

// open opens the test's own handle on the store, once the replicas have
// migrated it.
func (c *cluster) open(t *testing.T) {
	t.Helper()
	db, err := data.Open(context.Background(), c.target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.store, c.sql = db, reader(t, c.target)
}

// TestClusterPostgres: three replicas on one fresh PostgreSQL database.
func TestClusterPostgres(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("three replicas on one PostgreSQL database: set " + datatest.PostgresEnv + " (make test's [postgres] run does)")
	}
	c := newCluster(t)
	start := time.Now()
	progress(t, "starting replicas r1, r2, r3 on one empty database")
	errs := c.startReplicas(t, "r1", "r2", "r3")
	t.Run("StartTogetherFromEmpty", func(t *testing.T) { c.checkStart(t, errs) })
	if len(c.up()) == 0 {
		t.Fatal("no replica serves")
	}
	c.open(t)
	t.Run("ReplicaNamedInReadyzAndMetrics", c.checkReplicaNamed)
	t.Run("SessionsWorkOnEveryReplica", c.checkSessions)
	t.Run("WriteShowsOnAnotherReplicaWithin2s", func(t *testing.T) { c.checkWrite(t, false) })
	t.Run("PushRetriedToAnotherReplicaStoredOnce", c.checkPush)
	t.Run("CollectBesideServeCountsOnce", c.checkCollectBeside)
	t.Run("EveryJobOncePerSlot", c.checkOncePerSlot)
	t.Run("WebhookGetsEachAlertOnce", c.checkWebhook)
	t.Run("SIGKILLMidCollectionTakenOver", c.checkTakeover)
	progress(t, "done in %v", time.Since(start).Round(time.Second))
}

// TestClusterSQLite: what applies to several processes on one SQLite
// file — a `serve` beside `collect` and `member edit` commands.
func TestClusterSQLite(t *testing.T) {
	datatest.SkipOnPostgres(t, "TestClusterPostgres runs the replicas on PostgreSQL")
	c := newCluster(t)
	start := time.Now()
	progress(t, "starting serve s1 and `collect acc` at once on an empty file")
	collect := startProc(t, c.bin, "collect acc", "", "collect", "acc", "--config", c.config(t, "cli"), "--db", c.target)
	errs := c.startReplicas(t, "s1")
	t.Run("StartTogetherFromEmpty", func(t *testing.T) {
		if err := collect.wait(3 * time.Minute); err != nil {
			t.Errorf("`collect acc` started beside serve on an empty file: %v\n%s", err, tail(collect.out.String(), 2000))
		}
		c.checkStart(t, errs)
	})
	if len(c.up()) == 0 {
		t.Fatal("serve is not serving")
	}
	c.open(t)
	t.Run("SessionsWorkOnEveryReplica", c.checkSessions)
	t.Run("WriteByCommandShowsWithin2s", func(t *testing.T) { c.checkWrite(t, true) })
	t.Run("PushRetriedStoredOnce", c.checkPush)
	t.Run("CollectBesideServeCountsOnce", c.checkCollectBeside)
	t.Run("SIGKILLMidCollectionTakenOver", c.checkTakeover)
	progress(t, "done in %v", time.Since(start).Round(time.Second))
}

// checkStart: every replica is ready, and the start-up work was done once:
// one first admin created, one demo seed.
func (c *cluster) checkStart(t *testing.T, errs []error) {
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	progress(t, "%d of %d replicas ready", len(c.up()), len(c.replicas))
	for what, line := range map[string]string{"the first admin": "no account existed: created user", "the demo seed": "demo ecosystem seeded"} {
		var by []string
		total := 0
		for _, r := range c.replicas {
			if n := strings.Count(r.out.String(), line); n > 0 {
				by = append(by, fmt.Sprintf("%s (%d×)", r.name, n))
				total += n
			}
		}
		if total != 1 {
			t.Errorf("%s was made by %v, want exactly once", what, by)
		}
	}
}

// checkReplicaNamed: /readyz and /metrics say which replica answers.
func (c *cluster) checkReplicaNamed(t *testing.T) {
	for _, r := range c.need(t, 1) {
		for _, path := range []string{"/readyz", "/metrics"} {
			code, body, err := newClient(t).do(r.base, http.MethodGet, path, nil)
			if err != nil || code != http.StatusOK || !strings.Contains(body, r.name) {
				t.Errorf("%s %s: %d %v, does not name the replica %q: %s", r.name, path, code, err, r.name, tail(body, 300))
			}
		}
	}
}

// checkSessions: an admin added by the command line logs in with the form
// of one replica posted to another, and the session works on every
// replica (sessions and the login form's key live in the database: a load
// balancer needs no sticky sessions).
func (c *cluster) checkSessions(t *testing.T) {
	up := c.need(t, 1)
	if out, err := runBin(t, c.bin, clusterPassword+"\n", "user", "add", "tester", "--role", "admin", "--db", c.target); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	c.user = newClient(t)
	if err := c.user.login(up[0].base, up[len(up)-1].base, "tester", clusterPassword); err != nil {
		c.user = nil
		t.Fatalf("login form of %s posted to %s: %v", up[0].name, up[len(up)-1].name, err)
	}
	for _, r := range up {
		code, body, err := c.user.do(r.base, http.MethodGet, "/api/v1/me", nil)
		if err != nil || code != http.StatusOK || !strings.Contains(body, `"tester"`) {
			t.Errorf("%s: GET /api/v1/me with the session of another replica: %d %v %s", r.name, code, err, tail(body, 200))
		}
	}
}

// checkPush: batches pushed round the replicas, each retried to the next
// replica with its Idempotency-Key (a third of them both at once), sum
// exactly what was sent.
func (c *cluster) checkPush(t *testing.T) {
	up := c.need(t, 1)
	out, err := runBin(t, c.bin, "", "token", "create", "--name", "cluster-push", "--db", c.target)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Fields(strings.TrimSpace(out))
	secret := lines[len(lines)-1]
	day := time.Date(2021, 6, 15, 0, 0, 0, 0, time.UTC) // a day no other data reaches
	const batches, perBatch = 12, 40
	var want domain.UsageTotals
	bodies := make([]string, batches)
	for i := range batches {
		var b strings.Builder
		for j := range perBatch {
			n := i*perBatch + j
			status := []int{200, 200, 201, 404, 503}[n%5]
			bytes := int64(100 + 7*n)
			fmt.Fprintf(&b, `{"time":%q,"consumer":"cluster-%c","method":"POST","endpoint":"/v1/cluster/%d","status":%d,"bytes":%d,"latency_ms":%d}`+"\n",
				day.Add(time.Duration(n)*time.Minute).Format(time.RFC3339), 'a'+n%3, n%4, status, bytes, 10+n%50)
			want.Calls++
			want.Bytes += bytes
			switch status / 100 {
			case 4:
				want.Errors4xx++
			case 5:
				want.Errors5xx++
			}
		}
		bodies[i] = b.String()
	}
	push := func(r *proc, key, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, r.base+"/api/v1/ingest/api-calls", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		res.Body.Close()
		return res.StatusCode, r.name + " " + res.Status
	}
	ok := func(code int) bool { return code >= 200 && code < 300 }
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	var mu sync.Mutex
	for i := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			key := fmt.Sprintf("cluster-batch-%02d", i)
			first, second := up[i%len(up)], up[(i+1)%len(up)]
			var c1, c2 int
			var s1, s2 string
			if i%3 == 0 { // the retry while the first is still being stored
				var inner sync.WaitGroup
				inner.Add(2)
				go func() { defer inner.Done(); c1, s1 = push(first, key, bodies[i]) }()
				go func() { defer inner.Done(); c2, s2 = push(second, key, bodies[i]) }()
				inner.Wait()
			} else {
				c1, s1 = push(first, key, bodies[i])
				c2, s2 = push(second, key, bodies[i])
			}
			mu.Lock()
			defer mu.Unlock()
			if !ok(c1) && !ok(c2) || (!ok(c1) && c1 != http.StatusConflict) || (!ok(c2) && c2 != http.StatusConflict) {
				t.Errorf("batch %s to %s then %s: %s, %s; want both accepted (or one a 409 while the other is stored)", key, first.name, second.name, s1, s2)
			}
		}()
	}
	wg.Wait()
	var got domain.UsageTotals
	if !eventually(10*time.Second, 100*time.Millisecond, func() bool {
		got, err = c.store.UsageTotals(context.Background(), day, day.AddDate(0, 0, 1), 0)
		return err == nil && got.Calls == want.Calls && got.Bytes == want.Bytes && got.Errors4xx == want.Errors4xx && got.Errors5xx == want.Errors5xx
	}) {
		t.Errorf("%d batches of %d records, each sent twice with its key: stored calls %d, bytes %d, 4xx %d, 5xx %d (err %v); want %d, %d, %d, %d",
			batches, perBatch, got.Calls, got.Bytes, got.Errors4xx, got.Errors5xx, err, want.Calls, want.Bytes, want.Errors4xx, want.Errors5xx)
	}
	progress(t, "pushed %d batches twice each over %d replica(s): %d calls stored, %d sent", batches, len(up), got.Calls, want.Calls)
}

// checkWrite: a member renamed on one replica (or, byCommand, by `ecopulse
// member edit`, another process) shows on the other replicas' cached
// member page and JSON within 2 s.
func (c *cluster) checkWrite(t *testing.T, byCommand bool) {
	up := c.need(t, 1)
	readers := up
	if !byCommand {
		up = c.need(t, 2)
		readers = up[1:]
	}
	if c.user == nil {
		t.Skip("no session (SessionsWorkOnEveryReplica failed)")
	}
	ctx := context.Background()
	ms, err := c.store.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A member whose name reads the same in HTML and JSON (no & < > ' ").
	i := slices.IndexFunc(ms, func(m domain.Member) bool { return !strings.ContainsAny(m.Name, `&<>'"`) && !m.Archived() })
	if i < 0 {
		t.Fatalf("no member with a plain name among %d", len(ms))
	}
	m := ms[i]
	midMinute()
	paths := []string{"/api/v1/members/" + m.Slug, "/members/" + m.Slug}
	// Warm the readers' page caches: twice, so the second answer is the
	// cached one.
	for _, r := range readers {
		for _, p := range paths {
			for range 2 {
				if code, body, err := c.user.do(r.base, http.MethodGet, p, nil); err != nil || code != http.StatusOK || !strings.Contains(body, m.Name) {
					t.Fatalf("%s GET %s: %d %v", r.name, p, code, err)
				}
			}
		}
	}
	name := fmt.Sprintf("Renamed %d", time.Now().UnixNano())
	var wrote time.Time
	if byCommand {
		out, err := runBin(t, c.bin, "", "member", "edit", m.Slug, "--name", name, "--db", c.target)
		wrote = time.Now()
		if err != nil {
			t.Fatalf("member edit: %v\n%s", err, out)
		}
	} else {
		in := app.MemberInput{Slug: m.Slug, Name: name, Kind: string(m.Kind), Segment: m.Segment, Tier: m.Tier,
			Joined: m.JoinedOn.Format(domain.DateLayout), Domains: m.Domains, GitHubOrgs: m.GitHubOrgs, KeyPatterns: m.KeyPatterns}
		code, body, err := c.user.do(up[0].base, http.MethodPut, "/api/v1/members/"+m.Slug, in)
		wrote = time.Now()
		if err != nil || code != http.StatusOK {
			t.Fatalf("%s PUT /api/v1/members/%s: %d %v %s", up[0].name, m.Slug, code, err, tail(body, 300))
		}
	}
	for _, r := range readers {
		for _, p := range paths {
			var seen time.Duration
			if !eventually(time.Until(wrote.Add(2*time.Second)), 20*time.Millisecond, func() bool {
				code, body, err := c.user.do(r.base, http.MethodGet, p, nil)
				seen = time.Since(wrote)
				return err == nil && code == http.StatusOK && strings.Contains(body, name)
			}) {
				t.Errorf("%s GET %s: the new name does not show within 2 s of the write", r.name, p)
				continue
			}
			progress(t, "%s %s shows the write after %v", r.name, p, seen.Round(time.Millisecond))
		}
	}
}

// checkCollectBeside: the second half of the access log is appended, and
// two `ecopulse collect acc` start at once, beside the replicas whose
// schedule runs acc too: the log's calls are stored once, the totals of a
// clean collection of the whole log into a store of its own.
func (c *cluster) checkCollectBeside(t *testing.T) {
	f, err := os.OpenFile(c.accLog, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(c.accRest); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := c.config(t, "cli")
	var cmds []*proc
	for i := range 2 {
		cmds = append(cmds, startProc(t, c.bin, fmt.Sprintf("collect-%d", i+1), "", "collect", "acc", "--config", cfg, "--db", c.target))
	}
	for _, p := range cmds {
		err := p.wait(3 * time.Minute)
		progress(t, "%s beside the replicas: %v %s", p.name, err, strings.TrimSpace(tail(p.out.String(), 200)))
	}
	// One more, until it runs (a collection still holding the source may
	// make it wait or refuse): then the whole log has been read.
	var out string
	if !eventually(time.Minute, time.Second, func() bool {
		out, err = runBin(t, c.bin, "", "collect", "acc", "--config", cfg, "--db", c.target)
		return err == nil
	}) {
		t.Fatalf("collect acc: %v\n%s", err, out)
	}
	from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := c.store.UsageTotals(context.Background(), from, to, 0)
	if err != nil {
		t.Fatal(err)
	}

	ref := filepath.Join(t.TempDir(), "ref.db")
	if out, _, err := runCLI(t, "collect", "acc", "--config", c.config(t, "ref"), "--db", ref); err != nil {
		t.Fatalf("clean collection: %v\n%s", err, out)
	}
	refDB, err := data.Open(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	defer refDB.Close()
	want, err := refDB.UsageTotals(context.Background(), from, to, 0)
	if err != nil || want.Calls == 0 {
		t.Fatalf("clean collection stored %d calls, %v", want.Calls, err)
	}
	if got.Calls != want.Calls || got.Bytes != want.Bytes || got.Errors4xx != want.Errors4xx || got.Errors5xx != want.Errors5xx {
		t.Errorf("access log collected by two commands beside the replicas: calls %d, bytes %d, 4xx %d, 5xx %d; a clean collection: %d, %d, %d, %d",
			got.Calls, got.Bytes, got.Errors4xx, got.Errors5xx, want.Calls, want.Bytes, want.Errors4xx, want.Errors5xx)
	}
	progress(t, "access log: %d calls stored, %d by a clean collection", got.Calls, want.Calls)
}

// checkTakeover: blk's server holds every collection at its second page
// from the start. The first process to get there holds the source: while
// it does (longer than three leases) no other process may ask for blk.
// It is killed with SIGKILL; then, once its lease expires, another takes
// the collection over (a replica's schedule or, with no replica left, the
// `collect` command), and blk's activities equal gh's: the same recording,
// collected cleanly.
func (c *cluster) checkTakeover(t *testing.T) {
	var victim string
	var heldSince time.Time
	if !eventually(2*time.Minute, 50*time.Millisecond, func() bool {
		for _, r := range c.blk.log() {
			if r.waiting {
				victim, heldSince = r.who, r.at
				return true
			}
		}
		return false
	}) {
		t.Fatal("no process got to blk's second page within 2 minutes")
	}
	// The victim holds the source longer than three leases: its lease must
	// be renewed, and nobody else may run blk meanwhile. This waits out a
	// window in which something must NOT happen; it asserts no duration.
	time.Sleep(time.Until(heldSince.Add(3 * clusterLeaseTTL)))
	whos := map[string]int{}
	for _, r := range c.blk.log() {
		whos[r.who]++
	}
	if len(whos) != 1 {
		t.Errorf("while %s held blk for %v, blk was asked by %v: want by %s alone", victim, time.Since(heldSince).Round(time.Second), whos, victim)
	}
	var p *proc
	for _, r := range c.replicas {
		if r.name == victim {
			p = r
		}
	}
	if p == nil {
		t.Fatalf("blk is held by %q, no process of the test", victim)
	}
	p.sigkill(t)
	killed := time.Now()
	// In the middle: its first page was stored, the rest was not.
	partial := count(t, c.sql, `SELECT COUNT(*) FROM activities WHERE thread LIKE ?`, "github:"+blkRepo+"#%")
	if partial == 0 {
		t.Errorf("%s was killed before it stored blk's first page: not in the middle of the collection", victim)
	}
	c.blk.release()
	progress(t, "%s killed with SIGKILL %v into its collection of blk, %d activities stored", victim, killed.Sub(heldSince).Round(time.Millisecond), partial)

	succeeded := func() bool {
		return count(t, c.sql, `SELECT COUNT(*) FROM collector_runs WHERE source = ? AND status = ?`, "blk", domain.RunSucceeded) > 0
	}
	bound := clusterLeaseTTL + time.Minute
	if len(c.up()) > 0 {
		if !eventually(bound, 100*time.Millisecond, succeeded) {
			t.Fatalf("no replica completed blk within %v of the SIGKILL", bound)
		}
	} else { // no replica left: the command takes it over
		var out string
		var err error
		if !eventually(bound, time.Second, func() bool {
			out, err = runBin(t, c.bin, "", "collect", "blk", "--config", c.config(t, "cli"), "--db", c.target)
			return err == nil && succeeded()
		}) {
			t.Fatalf("`collect blk` did not complete blk within %v of the SIGKILL: %v\n%s", bound, err, out)
		}
	}
	for _, r := range c.blk.log() {
		if r.at.After(killed) {
			progress(t, "blk taken over by %s %v after the SIGKILL (lease %v)", r.who, r.at.Sub(killed).Round(time.Millisecond), clusterLeaseTTL)
			break
		}
	}
	// The activities of blk's repository equal those of a clean
	// collection of blk into a store of its own.
	acts := func(db *sql.DB) []string {
		rows, err := db.Query(`SELECT external_id, kind, at, actor, title, thread FROM activities WHERE thread LIKE ? ORDER BY external_id`, "github:"+blkRepo+"#%")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, kind, actor, title, thread string
			var at int64
			if err := rows.Scan(&id, &kind, &at, &actor, &title, &thread); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(id, " ", kind, " ", at, " ", actor, " ", title, " ", thread))
		}
		return out
	}
	ref := filepath.Join(t.TempDir(), "ref.db")
	if out, _, err := runCLI(t, "collect", "blk", "--config", c.config(t, "ref"), "--db", ref); err != nil {
		t.Fatalf("clean collection of blk: %v\n%s", err, out)
	}
	if got, want := acts(c.sql), acts(reader(t, ref)); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("after the takeover blk's repository has %d activities, a clean collection %d:\n%v\n%v", len(got), len(want), got, want)
	}
	progress(t, "blk after the takeover: %d activities, as a clean collection", len(acts(c.sql)))
}

// checkOncePerSlot: gh, the demo tick and the scoring job run every
// minute on every replica's schedule. Once two minutes have passed in
// which at least two replicas were serving, each minute has had at most
// one run of gh and of the demo tick, and those two minutes one each.
// Each demo tick covered minutes of its own (no two runs moved its cursor
// to the same place), and every weekly snapshot is whole.
func (c *cluster) checkOncePerSlot(t *testing.T) {
	type run struct {
		started int64
		status  string
		cursor  string
	}
	runs := func(source string) []run {
		rows, err := c.sql.Query(`SELECT started_at, status, cursor FROM collector_runs WHERE source = ? ORDER BY started_at`, source)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []run
		for rows.Next() {
			var r run
			if err := rows.Scan(&r.started, &r.status, &r.cursor); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	slots := func(rs []run) map[int64]int {
		m := map[int64]int{}
		for _, r := range rs {
			m[r.started/60]++
		}
		return m
	}
	// contested returns the minutes, past by 20 s, at whose start two
	// replicas or more were serving.
	contested := func() []int64 {
		var out []int64
		for m := time.Now().Add(-10*time.Minute).Unix() / 60; time.Unix(m*60+20, 0).Before(time.Now()); m++ {
			at := time.Unix(m*60, 0)
			n := 0
			for _, r := range c.replicas {
				if !r.readyAt.IsZero() && r.readyAt.Before(at) && (!r.exited() || r.endedAt.After(at.Add(20*time.Second))) {
					n++
				}
			}
			if n >= 2 {
				out = append(out, m)
			}
		}
		return out
	}
	c.need(t, 2)
	// The webhook refused every alert so far: from now on each replica's
	// evaluation, every minute, finds them all pending.
	c.hook.accept()
	progress(t, "webhook accepting; waiting for two minutes in which two replicas or more serve")
	if !eventually(3*time.Minute, time.Second, func() bool { return len(contested()) >= 2 }) {
		t.Fatalf("fewer than two minutes with two replicas serving: %v", contested())
	}
	for _, source := range []string{"gh", "demo"} {
		got := slots(runs(source))
		for slot, n := range got {
			if n > 1 {
				t.Errorf("%s ran %d times in the minute of %s", source, n, time.Unix(slot*60, 0).UTC().Format("15:04"))
			}
		}
		for _, m := range contested() {
			if got[m] == 0 {
				t.Errorf("%s did not run in the minute of %s, when %d replicas could", source, time.Unix(m*60, 0).UTC().Format("15:04"), len(c.up()))
			}
		}
	}
	cursors := map[string]int{}
	for _, r := range runs("demo") {
		if r.status == domain.RunSucceeded {
			cursors[r.cursor]++
		}
	}
	for cur, n := range cursors {
		if n > 1 {
			t.Errorf("%d demo ticks moved the cursor to %s: its minutes were stored %d times", n, cur, n)
		}
	}
	// Who collected gh, minute by minute (the first page's requests).
	by := map[string][]string{}
	for _, r := range c.gh.log() {
		if r.page == "1" && strings.HasSuffix(r.path, "/issues") {
			m := r.at.UTC().Format("15:04")
			by[m] = append(by[m], r.who)
		}
	}
	var minutes []string
	for m, whos := range by {
		minutes = append(minutes, m+" "+strings.Join(whos, ","))
	}
	sort.Strings(minutes)
	progress(t, "gh collected by, per minute: %s", strings.Join(minutes, "; "))

	ctx := context.Background()
	list, err := c.store.Snapshots(ctx)
	if err != nil || len(list) == 0 {
		t.Fatalf("snapshots: %d, %v", len(list), err)
	}
	for _, sn := range list {
		ms, err := c.store.SnapshotMembers(ctx, sn.Week)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != sn.Members || sn.Members == 0 {
			t.Errorf("snapshot %s holds %d member rows, says %d", sn.Week, len(ms), sn.Members)
		}
	}
	progress(t, "%d weekly snapshots, each whole", len(list))
}

// checkWebhook: the receiver, which refused every alert until
// checkOncePerSlot, got every alert the database says was delivered, each
// once.
func (c *cluster) checkWebhook(t *testing.T) {
	var distinct int
	var notified int64
	if !eventually(time.Minute, 200*time.Millisecond, func() bool {
		distinct, _ = c.hook.received()
		notified = count(t, c.sql, `SELECT COUNT(*) FROM alerts WHERE notified_at IS NOT NULL`)
		return distinct > 0 && int64(distinct) == notified
	}) {
		t.Errorf("the webhook received %d distinct alerts, the database says %d were delivered", distinct, notified)
	}
	_, twice := c.hook.received()
	sort.Strings(twice)
	for _, s := range twice {
		t.Errorf("posted more than once: %s", s)
	}
	progress(t, "webhook: %d alerts received, %d of them more than once", distinct, len(twice))
}
