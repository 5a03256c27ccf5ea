package app

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// alertScenario is a hand-made store: alpha healthy then weak, bravo
// healthy, with API traffic, a late milestone and collector runs.
type alertScenario struct {
	db           *data.DB
	alpha, bravo *domain.Member
	project      int64
	day, now     time.Time
}

func newAlertScenario(tb testing.TB) *alertScenario {
	tb.Helper()
	ctx := context.Background()
	s := &alertScenario{db: emptyDB(tb), day: demoEnd, now: demoEnd.Add(12 * time.Hour)}
	joined, _ := domain.ParseDay("2026-01-01")
	for _, m := range []**domain.Member{&s.alpha, &s.bravo} {
		slug := "alpha"
		if m == &s.bravo {
			slug = "bravo"
		}
		*m = &domain.Member{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: domain.KindPartner, JoinedOn: joined}
		if err := s.db.CreateMember(ctx, *m); err != nil {
			tb.Fatal(err)
		}
	}
	s.scores(tb, s.day.AddDate(0, 0, -7), 75, 80)
	s.scores(tb, s.day, 35, 78) // alpha: below 40 and down 40 points
	// API traffic over the last 7 days: alpha 3% 5xx, bravo 1% 5xx and 10% 4xx.
	ca := &domain.APIConsumer{Key: "key-a", MemberID: s.alpha.ID}
	cb := &domain.APIConsumer{Key: "key-b", MemberID: s.bravo.ID}
	for _, c := range []*domain.APIConsumer{ca, cb} {
		if err := s.db.UpsertConsumer(ctx, c); err != nil {
			tb.Fatal(err)
		}
	}
	at := s.day.AddDate(0, 0, -2).Add(10 * time.Hour)
	if err := s.db.AddUsage(ctx, []domain.UsageRollup{
		usage(at, ca.ID, 2, 970), usage(at, ca.ID, 5, 30),
		usage(at, cb.ID, 2, 890), usage(at, cb.ID, 4, 100), usage(at, cb.ID, 5, 10),
	}); err != nil {
		tb.Fatal(err)
	}
	p := &domain.Project{Slug: "joint-lab", Name: "Joint Lab", Status: domain.ProjectActive, StartOn: joined,
		Parties: []domain.ProjectParty{{MemberID: s.alpha.ID, Role: "lead"}}}
	if err := s.db.CreateProject(ctx, p); err != nil {
		tb.Fatal(err)
	}
	s.project = p.ID
	due, _ := domain.ParseDay("2026-06-01")
	if err := s.db.AddMilestones(ctx, []domain.Milestone{{ProjectID: p.ID, ExternalID: "m1", Title: "Pilot", DueOn: due}}); err != nil {
		tb.Fatal(err)
	}
	return s
}

func usage(at time.Time, consumer int64, class int, calls int64) domain.UsageRollup {
	r := domain.UsageRollup{Bucket: at, ConsumerID: consumer, Endpoint: "/v1/chat", StatusClass: class, Calls: calls, Bytes: calls}
	r.Latency.Observe(100, calls)
	return r
}

// scores stores a day's scores with the given healths.
func (s *alertScenario) scores(tb testing.TB, day time.Time, alpha, bravo float64) {
	tb.Helper()
	nan := math.NaN()
	ms := []domain.MemberScore{}
	for _, m := range []struct {
		id int64
		h  float64
	}{{s.alpha.ID, alpha}, {s.bravo.ID, bravo}} {
		st := domain.StatusHealthy
		if m.h < 40 {
			st = domain.StatusAtRisk
		}
		ms = append(ms, domain.MemberScore{Day: day, MemberID: m.id, T: 1, I: 1, M: 1, C: 1, K: 0, Health: m.h, Status: st, Dimensions: [4]float64{m.h, nan, nan, nan}})
	}
	if err := s.db.SaveDayScores(context.Background(), &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day, Health: 50, Members: 2}, Members: ms}); err != nil {
		tb.Fatal(err)
	}
}

// run records a finished collector run.
func (s *alertScenario) run(tb testing.TB, source, status string, ended time.Time) {
	tb.Helper()
	r := &domain.CollectorRun{Source: source, StartedAt: ended.Add(-time.Minute)}
	if err := s.db.StartRun(context.Background(), r); err != nil {
		tb.Fatal(err)
	}
	r.Status, r.EndedAt = status, ended
	if status == domain.RunFailed {
		r.Error = "HTTP 503 from upstream"
	}
	if err := s.db.FinishRun(context.Background(), r); err != nil {
		tb.Fatal(err)
	}
}

func subjects(tb testing.TB, db *data.DB) map[string][]string {
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

func TestAlertRulesOpenDedupeAndResolve(t *testing.T) {
	s := newAlertScenario(t)
	ctx := context.Background()
	s.run(t, "github", domain.RunSucceeded, s.now.Add(-2*time.Hour)) // every 15m: stale after 45m
	s.run(t, "discourse", domain.RunSucceeded, s.now.Add(-10*time.Minute))
	s.run(t, "push", domain.RunSucceeded, s.now.Add(-25*time.Hour)) // not configured: stale after 24h
	s.run(t, "broken", domain.RunFailed, s.now.Add(-time.Minute))   // never succeeded
	sources := []views.SourceInfo{{Name: "github", Interval: 15 * time.Minute}, {Name: "discourse", Interval: 15 * time.Minute},
		{Name: "broken", Interval: time.Hour}, {Name: "idle", Interval: time.Hour}}
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop = 10 // off by default

	res, err := runAlerts(ctx, s.db, cfg, s.day, s.now, sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		views.RuleHealthBelow:      {"alpha"},
		views.RuleHealthDrop:       {"alpha"},
		views.RuleErrorRate:        {"alpha"}, // bravo's 1% 5xx is within the 2% SLO
		views.RuleMilestoneOverdue: {"alpha/joint-lab"},
		views.RuleSourceStale:      {"broken", "github", "push"},
	}
	got := subjects(t, s.db)
	for rule, w := range want {
		if strings.Join(got[rule], ",") != strings.Join(w, ",") {
			t.Errorf("%s: open for %v, want %v", rule, got[rule], w)
		}
	}
	if got, want := len(res.Opened), 7; got != want {
		t.Errorf("first evaluation opened %d alerts, want %d", got, want)
	}
	open, _ := s.db.Alerts(ctx, data.AlertFilter{State: data.AlertOpen, Member: "alpha"})
	msgs := map[string]string{}
	for _, a := range open {
		msgs[a.Rule] = a.Message
	}
	for rule, want := range map[string]string{
		views.RuleHealthBelow:      "health 35.0 is below 40",
		views.RuleHealthDrop:       "health fell 40.0 points in a week",
		views.RuleErrorRate:        "5xx API error rate 3% over the last 7 days (30 of 1000 calls) is above the 2% SLO",
		views.RuleMilestoneOverdue: `1 milestone of project Joint Lab overdue; the oldest, "Pilot", was due 2026-06-01`,
	} {
		if !strings.Contains(msgs[rule], want) {
			t.Errorf("%s message = %q, want it to say %q", rule, msgs[rule], want)
		}
	}

	// The same conditions again open nothing new.
	res, err = runAlerts(ctx, s.db, cfg, s.day, s.now.Add(5*time.Minute), sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Opened) != 0 || len(res.Resolved) != 0 {
		t.Errorf("re-evaluation opened %d and resolved %d, want none", len(res.Opened), len(res.Resolved))
	}
	all, _ := s.db.Alerts(ctx, data.AlertFilter{})
	if got, want := len(all), 7; got != want {
		t.Errorf("%d alerts stored after a re-evaluation, want %d (no duplicate)", got, want)
	}

	// Conditions clear: alpha recovers, github collects, the milestone is
	// done; counting 4xx puts bravo over the SLO.
	s.scores(t, s.day, 72, 78)
	s.run(t, "github", domain.RunSucceeded, s.now.Add(9*time.Minute))
	due, _ := domain.ParseDay("2026-06-01")
	if err := s.db.AddMilestones(ctx, []domain.Milestone{{ProjectID: s.project, ExternalID: "m1", Title: "Pilot", DueOn: due, DoneOn: s.day}}); err != nil {
		t.Fatal(err)
	}
	cfg.ErrorRateCounts4xx = true
	res, err = runAlerts(ctx, s.db, cfg, s.day, s.now.Add(10*time.Minute), sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = subjects(t, s.db)
	want = map[string][]string{
		views.RuleErrorRate:   {"alpha", "bravo"},
		views.RuleSourceStale: {"broken", "push"},
	}
	if len(got) != len(want) {
		t.Errorf("open after recovery: %v, want %v", got, want)
	}
	for rule, w := range want {
		if strings.Join(got[rule], ",") != strings.Join(w, ",") {
			t.Errorf("%s: open for %v, want %v", rule, got[rule], w)
		}
	}
	if got, want := len(res.Resolved), 2; got != want { // the milestone, github
		t.Errorf("resolved %d, want %d", got, want)
	}
	// The health alerts opened on the day whose scores were saved again:
	// on its final scores they never held, so they leave the history.
	if res.Withdrawn != 2 {
		t.Errorf("withdrawn %d, want 2 (health below and health drop)", res.Withdrawn)
	}

	// A rule switched off resolves its alerts.
	cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0
	if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now.Add(11*time.Minute), sources, nil); err != nil {
		t.Fatal(err)
	}
	if got := subjects(t, s.db)[views.RuleSourceStale]; len(got) != 0 {
		t.Errorf("source alerts still open with the rule off: %v", got)
	}
}

// webhookServer answers with the given statuses in turn (200 after them)
// and records every request body.
type webhookServer struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	bodies   []string
	accepted int
}

func newWebhookServer(tb testing.TB, statuses ...int) *webhookServer {
	ws := &webhookServer{statuses: statuses}
	ws.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ws.mu.Lock()
		defer ws.mu.Unlock()
		ws.bodies = append(ws.bodies, string(body))
		status := http.StatusOK
		if len(ws.statuses) > 0 {
			status, ws.statuses = ws.statuses[0], ws.statuses[1:]
		}
		if status == http.StatusOK {
			ws.accepted++
		}
		w.WriteHeader(status)
	}))
	tb.Cleanup(ws.Close)
	return ws
}

func (ws *webhookServer) counts() (requests, accepted int) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.bodies), ws.accepted
}

// runAlerts is one evaluation of the rules cfg over db by an engine of
// its own, as the scheduler's alert job makes; n may be nil (no webhook).
func runAlerts(ctx context.Context, db *data.DB, cfg config.AlertConfig, day, now time.Time, sources []views.SourceInfo, n *notifier) (*data.AlertSync, error) {
	return newAlertEngine(db, cfg, quietLogger()).evaluate(ctx, day, now, sources, n)
}

// testWebhook is the notifier of the configured webhook with a recorded,
// instant sleep.
func testWebhook(cfg config.WebhookConfig, url string, waits *[]time.Duration) *notifier {
	cfg.URL = url
	wh := newNotifier(cfg, quietLogger())
	wh.sleep = func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}
	return wh
}

func TestAlertWebhookRetriesAndPostsOnce(t *testing.T) {
	s := newAlertScenario(t)
	ctx := context.Background()
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop, cfg.ErrorRateSLO, cfg.MilestoneOverdue, cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0, false, 0, 0
	srv := newWebhookServer(t, 500, 500)
	var waits []time.Duration
	if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now, nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	requests, accepted := srv.counts()
	if requests != 3 || accepted != 1 {
		t.Fatalf("webhook got %d requests, accepted %d; want 3 and 1", requests, accepted)
	}
	if got, want := waits, []time.Duration{time.Second, 2 * time.Second}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("backoff waits = %v, want %v", got, want)
	}
	var msg struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(srv.bodies[2]), &msg); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	if !strings.Contains(msg.Text, "Alpha: health 35.0 is below 40") || len(msg.Blocks) == 0 {
		t.Errorf("payload = %s", srv.bodies[2])
	}
	open, _ := s.db.Alerts(ctx, data.AlertFilter{State: data.AlertOpen})
	if len(open) != 1 || open[0].NotifiedAt.IsZero() {
		t.Fatalf("the delivery was not recorded: %+v", open)
	}

	// Still open at the next evaluation, and after a restart (a new
	// webhook, as a new process makes): no second post.
	for i := 0; i < 2; i++ {
		if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now.Add(time.Duration(i+1)*time.Minute), nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
			t.Fatal(err)
		}
	}
	if requests, _ := srv.counts(); requests != 3 {
		t.Errorf("a still-open alert was posted again: %d requests", requests)
	}
}

func TestAlertWebhookGivesUpBoundedly(t *testing.T) {
	s := newAlertScenario(t)
	ctx := context.Background()
	cfg := config.DefaultAlertConfig() // with health_drop: 4 alerts about alpha
	cfg.HealthDrop = 10
	cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0
	cfg.Webhook.Rounds = 2
	down := newWebhookServer(t, 503, 503, 503, 503, 503, 503, 503, 503, 503)
	var waits []time.Duration
	if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now, nil, testWebhook(cfg.Webhook, down.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	// The first alert used every attempt; the others wait for the next round.
	if requests, _ := down.counts(); requests != cfg.Webhook.Attempts {
		t.Errorf("a down endpoint got %d requests, want %d (one alert's attempts)", requests, cfg.Webhook.Attempts)
	}
	// A 4xx other than 429 is final: one request, then the next alerts.
	bad := newWebhookServer(t, 400)
	if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now, nil, testWebhook(cfg.Webhook, bad.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if requests, _ := bad.counts(); requests != 1 {
		t.Errorf("HTTP 400 was retried: %d requests", requests)
	}
	// The first alert has failed its 2 rounds; the next three go through.
	ok := newWebhookServer(t)
	if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now, nil, testWebhook(cfg.Webhook, ok.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if _, accepted := ok.counts(); accepted != 3 {
		t.Errorf("after the outage %d alerts were delivered, want 3 (one was given up on)", accepted)
	}
	if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now, nil, testWebhook(cfg.Webhook, ok.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if requests, _ := ok.counts(); requests != 3 {
		t.Errorf("%d requests after every alert was settled, want 3", requests)
	}
}

func TestAlertsAPI(t *testing.T) {
	s := newAlertScenario(t)
	ctx := context.Background()
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop = 10
	if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now, nil, nil); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, s.db)
	status, body, _ := get(t, a.Fiber(), "/api/v1/alerts")
	if status != 200 {
		t.Fatalf("GET /api/v1/alerts = %d: %s", status, body)
	}
	all := decode[views.AlertInbox](t, body)
	if len(all.Alerts) != 4 || all.Total != 4 || all.Counts[data.AlertStatusOpen] != 4 || all.Alerts[0].RuleLabel == "" {
		t.Errorf("API inbox = %+v, want the 4 open alerts about alpha", all)
	}
	raw := decode[map[string]any](t, body)
	first := raw["alerts"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "rule", "rule_label", "subject", "member", "member_name", "message", "state", "status",
		"first_seen", "last_seen", "opened_on", "closed_on", "url"} {
		if _, ok := first[k]; !ok {
			t.Errorf("alert JSON lacks %q: %v", k, first)
		}
	}
	if first["closed_on"] != nil || first["url"] != "/alerts/"+strconv.FormatFloat(first["id"].(float64), 'f', -1, 64) {
		t.Errorf("an open alert's closed_on = %v, url = %v", first["closed_on"], first["url"])
	}
	status, body, _ = get(t, a.Fiber(), "/api/v1/alerts?member=bravo")
	if mine := decode[views.AlertInbox](t, body); status != 200 || len(mine.Alerts) != 0 {
		t.Errorf("bravo's alerts = %d %+v, want none", status, mine)
	}
	for target, want := range map[string]int{
		"/api/v1/alerts?member=nobody":     404,
		"/api/v1/alerts?state=everything":  400,
		"/api/v1/alerts?rule=no_such_rule": 400,
		"/api/v1/alerts?at=2026-13-01":     400,
		"/api/v1/alerts?limit=5000":        400,
		"/api/v1/alerts/abc":               404,
		"/api/v1/alerts/99999":             404,
		"/api/v1/alerts?rule=health_below": 200,
	} {
		if status, body, _ := get(t, a.Fiber(), target); status != want {
			t.Errorf("GET %s = %d, want %d: %s", target, status, want, body)
		}
	}
	_, page, _ := get(t, a.Fiber(), "/")
	if !strings.Contains(page, `data-alerts-src="/api/v1/alerts"`) || !strings.Contains(page, `href="/alerts"`) {
		t.Errorf("the overview has no open-alerts card leading to the inbox")
	}
}

func TestAlertConfigValidates(t *testing.T) {
	if err := config.DefaultAlertConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for name, mod := range map[string]func(*config.AlertConfig){
		"health over 100":  func(c *config.AlertConfig) { c.HealthBelow = 120 },
		"SLO of 1":         func(c *config.AlertConfig) { c.ErrorRateSLO = 1 },
		"webhook not http": func(c *config.AlertConfig) { c.Webhook.URL = "file:///etc/passwd" },
		"zero attempts":    func(c *config.AlertConfig) { c.Webhook.Attempts = 0 },
		"negative max age": func(c *config.AlertConfig) { c.SourceMaxAge = -time.Hour },
		"open at 1":        func(c *config.AlertConfig) { c.UsageDrop.OpenBelow = 1 },
		"close below open": func(c *config.AlertConfig) { c.Latency.CloseAt = 0.4 },
		"close equal open": func(c *config.AlertConfig) { c.Unanswered.CloseAt = c.Unanswered.OpenBelow },
		"close above 1":    func(c *config.AlertConfig) { c.Dormant.CloseAt = 1.5 },
		"negative open":    func(c *config.AlertConfig) { c.Errors4xx.OpenBelow = -0.1 },
	} {
		c := config.DefaultAlertConfig()
		mod(&c)
		if err := c.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: Validate = %v, want EINVALID", name, err)
		}
	}
}

// TestErrorRateScalesWithVolume: three 5xx in a hundred calls is not an
// incident (its lower bound is under the 2% SLO); the same 3% of ten
// thousand calls is.
func TestErrorRateScalesWithVolume(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		calls int64
		want  bool
	}{{100, false}, {10000, true}} {
		s := newAlertScenario(t)
		charlie := &domain.Member{Slug: "charlie", Name: "Charlie", Kind: domain.KindPartner, JoinedOn: s.alpha.JoinedOn}
		if err := s.db.CreateMember(ctx, charlie); err != nil {
			t.Fatal(err)
		}
		cons := &domain.APIConsumer{Key: "key-c", MemberID: charlie.ID}
		if err := s.db.UpsertConsumer(ctx, cons); err != nil {
			t.Fatal(err)
		}
		at := s.day.AddDate(0, 0, -1).Add(9 * time.Hour)
		errs := c.calls * 3 / 100
		if err := s.db.AddUsage(ctx, []domain.UsageRollup{usage(at, cons.ID, 2, c.calls-errs), usage(at, cons.ID, 5, errs)}); err != nil {
			t.Fatal(err)
		}
		cfg := config.DefaultAlertConfig()
		cfg.MilestoneOverdue, cfg.HealthBelow, cfg.SourceStaleIntervals, cfg.SourceMaxAge = false, 0, 0, 0
		if _, err := runAlerts(ctx, s.db, cfg, s.day, s.now, nil, nil); err != nil {
			t.Fatal(err)
		}
		got := slices.Contains(subjects(t, s.db)[views.RuleErrorRate], "charlie")
		if got != c.want {
			t.Errorf("charlie with 3%% 5xx of %d calls: alert %v, want %v", c.calls, got, c.want)
		}
	}
}
