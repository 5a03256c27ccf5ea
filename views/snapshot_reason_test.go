package views

import (
	"bytes"
	"context"
	"html"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// snapshotReasonRE reads each member row's reason cell off the snapshot page.
var snapshotReasonRE = regexp.MustCompile(`(?s)<tr data-slug="([^"]+)">.*?data-reason-kind="[^"]*">(.*?)</td>`)

func snapshotReasons(page string) map[string]string {
	out := map[string]string{}
	for _, m := range snapshotReasonRE.FindAllStringSubmatch(page, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// TestSnapshotReasonsInThePagesLanguage: a week frozen with its reasons'
// facts says each reason in the page's language — on the English page the
// very words it was frozen with (the facts say the same reason), on the
// Chinese page Chinese with the same numbers — while a row frozen without
// facts keeps its English on both, and the JSON keeps the English.
func TestSnapshotReasonsInThePagesLanguage(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	sunday := ecoDay(t, "2026-03-29")
	nan := math.NaN()
	scores := map[string]domain.MemberScore{
		"slow":  {Health: 43, Status: domain.StatusWatch, Dimensions: [4]float64{33, 100, 90, 5}, Changes: []domain.Change{{Kind: domain.ChangeLatency, Dimension: "api", Score: 0.33, Now: 3000, Before: 1000}}},
		"low":   {Health: 55, Status: domain.StatusWatch, Dimensions: [4]float64{80, 41.6, nan, 0}},
		"old":   {Health: 30, Status: domain.StatusAtRisk, Dimensions: [4]float64{29, nan, nan, 0}, Changes: []domain.Change{{Kind: domain.ChangeUsageDrop, Dimension: "api", Score: 0.29, Now: 4700, Before: 12400}}},
		"quiet": {Health: 90, Status: domain.StatusHealthy, Dimensions: [4]float64{95, 90, 92, 0}},
	}
	ds := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: sunday, R: 4, Health: 50, Members: len(scores)}}
	for slug, s := range scores {
		mem := &domain.Member{Slug: slug, Name: strings.ToUpper(slug), Kind: domain.KindPartner, JoinedOn: ecoDay(t, "2026-01-01")}
		if err := db.CreateMember(ctx, mem); err != nil {
			t.Fatal(err)
		}
		s.Day, s.MemberID, s.C, s.Phi = sunday, mem.ID, 0.25, 1
		ds.Members = append(ds.Members, s)
	}
	if err := db.SaveDayScores(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FreezeSnapshot(ctx, "2026-W13", sunday, time.Date(2026, 3, 30, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// "old" as a row frozen before facts were kept.
	if _, err := datatest.Raw(t, db).ExecContext(ctx, `UPDATE snapshot_members SET changes = NULL, health_api = NULL,
		health_projects = NULL, health_community = NULL, health_cooperation = NULL WHERE slug = 'old'`); err != nil {
		t.Fatal(err)
	}
	d, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W13")
	if err != nil {
		t.Fatal(err)
	}
	frozen := map[string]string{}
	for _, m := range d.Members {
		frozen[m.Slug] = m.Reason
	}
	for slug, s := range scores {
		if e := s.Explain(); frozen[slug] != e.Text {
			t.Fatalf("%s frozen with reason %q, want %q", slug, frozen[slug], e.Text)
		}
	}
	page := func(lang string) map[string]string {
		return snapshotReasons(renderIn(t, lang, func(r *Renderer, w *bytes.Buffer) error { return r.SnapshotPage(w, *d) }))
	}
	en, zh := page(LangEnglish), page(LangChinese)
	if len(en) != len(scores) || len(zh) != len(scores) {
		t.Fatalf("read %d English and %d Chinese reason cells, want %d", len(en), len(zh), len(scores))
	}
	for _, slug := range []string{"slow", "low", "old"} {
		if en[slug] != frozen[slug] {
			t.Errorf("English page: %s's reason %q, want the frozen %q", slug, en[slug], frozen[slug])
		}
	}
	for slug, want := range map[string]string{
		"slow": "p95 延迟 3.0 s，SLO 为 1.0 s",
		"low":  "项目里程碑 42/100，为其最低维度；相对自身基线没有下降项",
		"old":  frozen["old"], // no facts: the English it was frozen with
	} {
		if zh[slug] != want {
			t.Errorf("Chinese page: %s's reason %q, want %q", slug, zh[slug], want)
		}
	}
	if none := `<span class="muted">—</span>`; en["quiet"] != none || zh["quiet"] != none {
		t.Errorf("a member without a reason shows %q and %q, want —", en["quiet"], zh["quiet"])
	}
	// The page model the JSON answers with keeps the frozen English.
	for _, m := range d.Members {
		if m.Reason != frozen[m.Slug] {
			t.Errorf("rendering changed %s's reason in the model to %q", m.Slug, m.Reason)
		}
	}
}
