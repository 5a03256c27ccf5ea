package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestForgetPersonKeepsCountsAndErasesTheLogin forgets a person with logins
// on two sources (one in another case, one alternate login), threads and
// replies, and checks that every score and window count is unchanged, also
// after re-resolving activities, while the login, name and e-mail address
// are gone from every page, every JSON answer and the database file.
func TestForgetPersonKeepsCountsAndErasesTheLogin(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	freezeTestSnapshot(t, db)
	p := seedPerson(t, db, "Zelda Quuxington", "zelda.q@example.org", "zquux", demoEnd.AddDate(0, 0, -3))
	raw := rawSQL(t, db)
	var other, otherThread string
	if err := raw.QueryRow(`SELECT actor, thread FROM activities WHERE bot = FALSE AND thread <> '' AND person_id <> ? ORDER BY id DESC LIMIT 1`, p.ID).Scan(&other, &otherThread); err != nil {
		t.Fatal(err)
	}
	at := demoEnd.AddDate(0, 0, -2)
	if _, err := db.AddActivities(ctx, []domain.Activity{
		{Source: "discourse", ExternalID: "fz-1", Kind: domain.ActThreadOpened, At: at, Actor: "Zquux", Thread: "discourse:zq/2", Title: "Zelda Quuxington asks: quotas?"},
		{Source: "discourse", ExternalID: "fz-2", Kind: domain.ActReply, At: at.Add(time.Hour), Actor: other, Thread: "discourse:zq/2", Title: "@zquux see the docs"},
		{Source: "github", ExternalID: "fz-3", Kind: domain.ActReply, At: at.Add(2 * time.Hour), Actor: "zquux", Thread: otherThread},
		{Source: "github", ExternalID: "fz-4", Kind: domain.ActReply, At: at.Add(3 * time.Hour), Actor: other, Thread: "github:zquux/1", Title: "thanks zquux"},
		{Source: "github", ExternalID: "fz-5", Kind: domain.ActReply, At: at.Add(4 * time.Hour), Actor: "loner-xyz", Thread: "github:zquux/1"},
	}); err != nil {
		t.Fatal(err)
	}
	scorer := NewScorer(db, config.Default().Scoring, quietLogger())
	// measure prints the day's scores and window counts (%v: NaN, the
	// score of a dimension without data, compares equal to itself).
	measure := func() string {
		t.Helper()
		s, err := scorer.Compute(ctx, demoEnd)
		if err != nil {
			t.Fatal(err)
		}
		w, err := db.ScoringWindow(ctx, demoEnd, config.Default().Scoring.WindowDays)
		if err != nil {
			t.Fatal(err)
		}
		mean := *s.Ecosystem.HealthMean // a pointer prints as its address
		s.Ecosystem.HealthMean = nil
		return fmt.Sprintf("%+v mean %v\n%+v", *s, mean, *w)
	}
	// Re-resolve first, as a start with affiliations in the configuration
	// does: the comparison after forgetting starts from the same state.
	if _, err := db.ReresolveActivities(ctx); err != nil {
		t.Fatal(err)
	}
	before := measure()

	var out bytes.Buffer
	env := &Env{Config: config.Default(), Log: quietLogger(), Out: &out, Now: func() time.Time { return demoEnd }}
	env.Config.DB = db.Path()
	if err := Forget(ctx, env, "ZELDA.Q@example.org"); err != nil {
		t.Fatalf("forget: %v", err)
	}
	pseudonym := "forgotten-" + strconv.FormatInt(p.ID, 10)
	if !strings.Contains(out.String(), pseudonym) {
		t.Errorf("output %q does not name the pseudonym", out.String())
	}
	if err := Forget(ctx, env, "loner-xyz"); err != nil {
		t.Fatalf("forget a login with no person: %v", err)
	}
	if err := Forget(ctx, env, "nobody-at-all"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("forget nobody: %v, want ENOTFOUND", err)
	}

	if after := measure(); after != before {
		t.Errorf("scores or counts changed:\nbefore %s\nafter  %s", clip(before, 2000), clip(after, 2000))
	}
	// Attribution survives re-resolution (affiliations re-applied at start).
	if _, err := db.ReresolveActivities(ctx); err != nil {
		t.Fatal(err)
	}
	if after := measure(); after != before {
		t.Error("scores or counts changed after re-resolving activities")
	}
	if _, err := scorer.ScoreDay(ctx, demoEnd); err != nil {
		t.Fatal(err)
	}

	gone := []string{"zquux", "zelda", "quuxington", "loner-xyz"}
	a := newTestApp(t, db)
	admin := loginAs(t, a, domain.RoleAdmin)
	for _, target := range getRoutes(t, a, testRouteValues(t, db)) {
		_, _, body := fetch(t, a, admin, target)
		for _, w := range gone {
			if strings.Contains(strings.ToLower(body), w) {
				t.Errorf("GET %s still shows %q", target, w)
			}
		}
	}
	entries, _ := db.AuditQuery(ctx, data.AuditFilter{Action: "person"})
	if len(entries) != 2 || entries[1].Target != pseudonym || entries[1].Actor != "cli" {
		t.Errorf("audit entries %+v, want two person.forget, the first for %s", entries, pseudonym)
	}
	var pname string
	var email any
	raw.QueryRow(`SELECT name, email FROM people WHERE id = ?`, p.ID).Scan(&pname, &email)
	if pname != pseudonym || email != nil {
		t.Errorf("person is now %q <%v>", pname, email)
	}
	var titles int
	raw.QueryRow(`SELECT COUNT(*) FROM activities WHERE title LIKE '%' || ? || '%'`, pseudonym).Scan(&titles)
	if titles == 0 {
		t.Error("titles that named the person were not kept with the pseudonym")
	}
	raw.Close()
	a.Fiber().ShutdownWithTimeout(time.Second)
	db.Close()
	file := bytes.ToLower(datatest.DiskBytes(t, db.Path()))
	for _, w := range append(gone, "zelda.q@example.org") {
		if i := bytes.Index(file, []byte(w)); i >= 0 {
			t.Errorf("the database file still holds %q: …%q…", w, file[max(0, i-40):min(len(file), i+40)])
		}
	}
}
