package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestOnboardingAnEcosystemThroughCommandsAndTheAPI is the new user's path,
// with no SQL and no demo: members declared in the registry file and one
// added through the API; the real Apache log (May 2015) imported with its
// consumers identified by client address; two addresses mapped to members
// from the unmapped list; an agreement registered; the scoring job; then
// the log's days show in the scores, the member and the API usage.
func TestOnboardingAnEcosystemThroughCommandsAndTheAPI(t *testing.T) {
	ctx := context.Background()
	env, out := onboardingEnv(t)
	cfg := env.Config

	// 1. Members: the registry file, then one through the API.
	if err := Collect(ctx, env, []string{"partners"}); err != nil {
		t.Fatal(err)
	}
	a, _ := appOnConfig(t, cfg)
	send := managerJSON(t, a)
	if status, body := send("POST", "/api/v1/members", `{"slug":"gamma","name":"Gamma Corp","kind":"developer_org","joined":"2015-03-01"}`); status != 201 {
		t.Fatalf("add a member: %d %s", status, body)
	}

	// 2. The real log, consumers by client address.
	out.Reset()
	if err := ImportAccessLog(ctx, env, []string{onboardingLog}, ImportOptions{ConsumerFrom: "ip", JSON: true}); err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Stored    int64  `json:"stored"`
		FirstDay  string `json:"first_day"`
		LastDay   string `json:"last_day"`
		Consumers int    `json:"consumers"`
		Unmapped  int    `json:"unmapped"`
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil || sum.Stored != 10000 || sum.FirstDay != "2015-05-17" || sum.LastDay != "2015-05-20" ||
		sum.Consumers != 1753 || sum.Unmapped != 1753 {
		t.Fatalf("import summary: %v %s", err, out.String())
	}

	// 3. Two addresses mapped from the unmapped list.
	_, body := send("GET", "/api/v1/consumers?unmapped=1&limit=5", "")
	if p := decode[ConsumerPage](t, body); p.Total != 1753 || len(p.Consumers) != 5 {
		t.Fatalf("unmapped consumers: %s", body)
	}
	for addr, member := range map[string]string{"83.149.9.216": "acme", "66.249.73.135": "beta-labs"} {
		if status, body := send("POST", "/api/v1/consumers/map", `{"address":"`+addr+`","member":"`+member+`"}`); status != 200 ||
			decode[map[string]any](t, body)["mapped"] != float64(1) {
			t.Fatalf("map %s: %d %s", addr, status, body)
		}
	}

	// 4. An agreement between two of them.
	if status, body := send("POST", "/api/v1/projects", `{"slug":"log-insights","name":"Log insights","status":"active","start_on":"2015-04-01",
		"parties":[{"member":"acme","role":"lead"},{"member":"beta-labs","role":"partner"}]}`); status != 201 {
		t.Fatalf("register an agreement: %d %s", status, body)
	}

	// 5. The scoring job, as it runs on its schedule.
	if err := a.Scorer().Run(ctx, domain.Day(time.Now()), cfg.BackfillDays); err != nil {
		t.Fatal(err)
	}

	// The log's week is scored, and shows.
	_, body = send("GET", "/api/v1/api-usage?from=2015-05-17&to=2015-05-20&member=acme", "")
	var usage struct{ Totals domain.UsageTotals }
	if err := json.Unmarshal([]byte(body), &usage); err != nil || usage.Totals.Calls != 23 {
		t.Fatalf("acme's calls in the log's days: %s (want the 23 lines of 83.149.9.216)", body)
	}
	_, body = send("GET", "/api/v1/overview?at=2015-05-24", "")
	o := decode[views.Overview](t, body)
	if o.Empty || o.At != "2015-05-24" || o.Members.Value < 2 || o.R <= 0 {
		t.Fatalf("the overview of the log's week: %s", body)
	}
	_, body = send("GET", "/api/v1/members/beta-labs?at=2015-05-24", "")
	d := decode[views.MemberDetail](t, body)
	if d.Score == nil || d.Usage.Totals.Calls == 0 {
		t.Fatalf("beta-labs on 2015-05-24: %s", body)
	}
	if _, body = send("GET", "/api/v1/consumers?unmapped=1&limit=1", ""); decode[ConsumerPage](t, body).Total != 1751 {
		t.Fatalf("unmapped after the mapping: %s", body)
	}
}
