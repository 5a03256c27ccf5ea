package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestRejectedRecordsAreVisibleWhereTheSourceIs: a run that rejected
// records is "partial" on /sources, with a link to the source's rejected
// records — counts per reason (line numbers left out) and the newest
// records, escaped — the same in the page, the JSON and the command.
func TestRejectedRecordsAreVisibleWhereTheSourceIs(t *testing.T) {
	ctx := context.Background()
	env, db, out := commandEnv(t)
	run := &domain.CollectorRun{Source: "gateway", StartedAt: time.Now().Add(-time.Minute)}
	if err := db.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	run.Status, run.EndedAt, run.ItemsRead, run.ItemsStored, run.ItemsRejected = domain.RunSucceeded, time.Now(), 10, 7, 3
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceRejectedRecords(ctx, "gateway", []domain.Rejected{
		{Reason: "line 3: status 0 is not an HTTP status", Record: `GET /v1 0 <script>alert(1)</script>`},
		{Reason: "line 9: status 0 is not an HTTP status", Record: "GET /v2 0"},
		{Reason: "line 12: invalid time", Record: "garbage"},
	}); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, db)

	_, body, _ := get(t, a.Fiber(), "/api/v1/sources")
	src := decode[views.Sources](t, body)
	if len(src.Sources) != 1 || src.Sources[0].Status != "partial" || src.Sources[0].Quarantined != 3 {
		t.Fatalf("sources: %s", body)
	}
	_, page, _ := get(t, a.Fiber(), "/sources")
	if !strings.Contains(page, `href="/sources/gateway/rejected"`) || !strings.Contains(page, ">partial<") {
		t.Fatal("/sources does not show the partial run and where its rejections are")
	}
	status, body, _ := get(t, a.Fiber(), "/api/v1/sources/gateway/rejected")
	r := decode[views.Rejected](t, body)
	if status != 200 || r.Total != 3 || len(r.ByReason) != 2 || r.ByReason[0].Reason != "status 0 is not an HTTP status" || r.ByReason[0].Count != 2 ||
		len(r.Records) != 3 || r.Records[0].Reason != "line 12: invalid time" {
		t.Fatalf("rejected JSON: %d %s", status, body)
	}
	_, page, _ = get(t, a.Fiber(), "/sources/gateway/rejected")
	if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;") || !strings.Contains(page, "invalid time") {
		t.Fatal("the rejected-records page does not show the records, escaped")
	}
	if err := RejectedList(ctx, env, "gateway", true); err != nil {
		t.Fatal(err)
	}
	var fromCLI views.Rejected
	if err := json.Unmarshal(out.Bytes(), &fromCLI); err != nil || fromCLI.Total != 3 || len(fromCLI.ByReason) != 2 {
		t.Fatalf("command: %v %s", err, out.String())
	}
}
