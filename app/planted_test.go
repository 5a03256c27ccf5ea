package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestPlantedDegradationsAreCaught is issue 13's planted-degradation test.
// Twelve weeks of a thirty-member ecosystem go through EcoPulse as an
// operator would run it: members from a members CSV, the command, the JSON
// API and the registry file; each week the gateway's rotated logs
// imported (ecopulse import accesslog --source gateway), the GitHub source
// collected against a replay of GitHub's REST API as it stood that week,
// and the scoring job run for the week's last day; consumers and people
// mapped by key patterns, the configuration, the commands and an e-mail
// domain rule. It checks that the inputs arrived whole, then measures how
// many of the ten planted degradations the health model caught, with which
// reason, and how many of the twenty controls it left alone.
func TestPlantedDegradationsAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("the planted ecosystem takes tens of seconds")
	}
	start := time.Now()
	ctx := context.Background()
	eco := newPlantedEcosystem(plantedSeed)
	community := newPlantedCommunity(eco)
	const tokenEnv = "PLANTED_GITHUB_TOKEN"
	const token = "ghp_plantedTestToken000000000000000000"
	t.Setenv(tokenEnv, token)
	gh := newPlantedGitHub(t, community, token)
	dir := t.TempDir()
	files, err := writePlantedFiles(dir, datatest.Target(t), eco, gh.api(), tokenEnv)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := writePlantedGateway(files.Logs, eco)
	if err != nil {
		t.Fatal(err)
	}
	generated := time.Since(start)
	cfg, err := config.LoadWith(files.Config, config.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	clock := plantedDay(0)
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: func() time.Time { return clock }}

	// Members: the CSV, the command, the JSON API, then the registry file
	// with the rest and the projects, which name members of all four.
	if err := Collect(ctx, env, []string{"partners-csv"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range eco.Members {
		if m.Via == "cli" {
			if err := MemberAdd(ctx, env, m.input()); err != nil {
				t.Fatalf("ecopulse member add %s: %v", m.Slug, err)
			}
		}
	}
	a, db := appOnConfig(t, cfg)
	send := managerJSON(t, a)
	for _, m := range eco.Members {
		if m.Via == "api" {
			body, _ := json.Marshal(m.input())
			if status, resp := send("POST", "/api/v1/members", string(body)); status != 201 {
				t.Fatalf("POST /api/v1/members %s: %d %s", m.Slug, status, resp)
			}
		}
	}
	out.Reset()
	if err := Collect(ctx, env, []string{"agreements"}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if ms, err := db.Members(ctx); err != nil || len(ms) != len(eco.Members) {
		t.Fatalf("members after the registry: %d, %v (want %d)", len(ms), err, len(eco.Members))
	}

	// Twelve weeks, as they come.
	var imported, rejected int64
	// The people a manager assigns by hand (the rest come from the
	// configuration and domain rules).
	var pendingPeople []AssignInput
	for _, m := range eco.Members {
		for _, p := range m.People {
			if p.Via == "cli" {
				pendingPeople = append(pendingPeople, AssignInput{Source: "github", Login: p.Login, Member: m.Slug, From: m.Joined})
			}
		}
	}
	for week := 0; week*7 < plantedDays; week++ {
		first, last := 7*week, min(7*week+6, plantedDays-1)
		clock = plantedDay(last).Add(23*time.Hour + 50*time.Minute)
		out.Reset()
		if err := ImportAccessLog(ctx, env, gw.Files[first:last+1], ImportOptions{Source: "gateway", JSON: true}); err != nil {
			t.Fatalf("week %d: import: %v", week, err)
		}
		sum := decode[struct{ Stored, Rejected int64 }](t, out.String())
		imported, rejected = imported+sum.Stored, rejected+sum.Rejected
		gh.setNow(clock)
		out.Reset()
		if err := Collect(ctx, env, []string{"community"}); err != nil {
			t.Fatalf("week %d: collect community: %v\n%s", week, err, out.String())
		}
		if week == 1 {
			plantedMapByHand(ctx, t, env, eco)
		}
		if week >= 1 {
			pendingPeople = plantedAssignPeople(ctx, t, env, pendingPeople)
		}
		if err := a.Scorer().Run(ctx, plantedDay(last), cfg.BackfillDays); err != nil {
			t.Fatalf("week %d: scoring: %v", week, err)
		}
	}
	piped := time.Since(start) - generated

	// The inputs arrived whole: every log line, every member's calls and
	// errors as the gateway answered them, every GitHub activity, each
	// member's people's on the member.
	if imported != gw.Lines || rejected != 0 {
		t.Fatalf("access logs: %d lines stored, %d rejected; the gateway logged %d", imported, rejected, gw.Lines)
	}
	for _, m := range eco.Members {
		_, body := send("GET", fmt.Sprintf("/api/v1/api-usage?from=%s&to=%s&member=%s", plantedDate(0), plantedDate(plantedDays-1), m.Slug), "")
		var got struct{ Totals domain.UsageTotals }
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("api usage of %s: %v %s", m.Slug, err, body)
		}
		want := gw.Truth[m.Slug]
		if got.Totals.Calls != want.Calls || got.Totals.Errors4xx != want.Errors4xx || got.Totals.Errors5xx != want.Errors5xx {
			t.Errorf("%s: stored %d calls, %d 4xx, %d 5xx; the gateway answered %d, %d, %d", m.Slug,
				got.Totals.Calls, got.Totals.Errors4xx, got.Totals.Errors5xx, want.Calls, want.Errors4xx, want.Errors5xx)
		}
	}
	total, byMember := community.truth()
	acts := datatest.Activities(t, db)
	if len(acts) != total {
		t.Errorf("GitHub: %d activities stored, %d happened", len(acts), total)
	}
	ms, err := db.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slugOf := map[int64]string{}
	for _, m := range ms {
		slugOf[m.ID] = m.Slug
	}
	stored := map[string]int{}
	for _, act := range acts {
		if act.MemberID != 0 && !act.Bot {
			stored[slugOf[act.MemberID]]++
		}
	}
	for _, m := range eco.Members {
		if stored[m.Slug] != byMember[m.Slug] {
			t.Errorf("%s: %d activities attributed, its people did %d", m.Slug, stored[m.Slug], byMember[m.Slug])
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// What the health model made of it.
	rec := readPlantedRecord(ctx, t, db, eco)
	// PLANTED_DUMP=slug,slug logs those members' scores day by day: what
	// to read when a member is missed or a control flagged.
	for _, slug := range strings.Split(os.Getenv("PLANTED_DUMP"), ",") {
		for d, sc := range rec.scores[slug] {
			if sc != nil && d >= plantedWarmup {
				t.Logf("%s day %d: %s %.1f dims %.0f changes %+v alert %q", slug, d, sc.Status, sc.Health, sc.Dimensions, sc.Changes, rec.alertOn(slug, d))
			}
		}
	}
	s := summarisePlanted(rec, eco)
	t.Logf("planted ecosystem (seed %d): %d log lines, %d GitHub activities, %d GitHub requests; generated in %s, collected and scored in %s\n%s",
		plantedSeed, gw.Lines, total, gh.requestCount(), generated.Round(time.Millisecond), piped.Round(time.Millisecond), s.table())
	if rec.changes == 0 {
		t.Errorf("no scored member-day records a domain.Change: the scores carry no reasons")
	}
	if s.Flagged < 9 {
		t.Errorf("%d of %d degraded members flagged within %d days of onset, want at least 9", s.Flagged, s.Degraded, plantedCatch)
	}
	if s.Right < 9 {
		t.Errorf("%d of %d degraded members flagged with the right reason, want at least 9", s.Right, s.Degraded)
	}
	if s.Clean < 18 {
		t.Errorf("%d of %d controls without an alert or at_risk from day %d, want at least 18", s.Clean, s.Controls, plantedWarmup)
	}
}

// plantedMapByHand does what a manager does once the first week shows
// consumers nobody claimed: map a consumer and a pattern with ecopulse
// consumer map.
func plantedMapByHand(ctx context.Context, tb testing.TB, env *Env, e *plantedEcosystem) {
	tb.Helper()
	for _, m := range e.Members {
		for _, c := range m.Consumers {
			if c.MapVia == "cli" && m.HandPattern == "" {
				if err := ConsumerMap(ctx, env, c.Key, "", m.Slug, false); err != nil {
					tb.Fatalf("ecopulse consumer map %s %s: %v", c.Key, m.Slug, err)
				}
			}
		}
		if m.HandPattern != "" {
			if err := ConsumerMap(ctx, env, "", m.HandPattern, m.Slug, false); err != nil {
				tb.Fatalf("ecopulse consumer map --pattern %s %s: %v", m.HandPattern, m.Slug, err)
			}
		}
	}
}

// plantedAssignPeople assigns people with ecopulse person assign, as a
// manager does each week for the logins that have shown up: a login not
// seen yet (ENOTFOUND) waits for a later week. It returns those waiting.
func plantedAssignPeople(ctx context.Context, tb testing.TB, env *Env, pending []AssignInput) []AssignInput {
	tb.Helper()
	var wait []AssignInput
	for _, in := range pending {
		err := PersonAssign(ctx, env, in)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			wait = append(wait, in)
		case err != nil:
			tb.Fatalf("ecopulse person assign github:%s %s: %v", in.Login, in.Member, err)
		}
	}
	return wait
}

// TestPlantedScorerJudgesByTheIssuesRules pins the scorer's rules on a
// record written by hand: a degraded member counts from its onset to 14
// days after, at_risk or watch with an alert open, its reason read on the
// first flagged day; a control counts from the end of the warm-up, any
// alert open or at_risk; an alert is open from the day it opened to the
// day before it closed.
func TestPlantedScorerJudgesByTheIssuesRules(t *testing.T) {
	eco := newPlantedEcosystem(plantedSeed)
	rec := &plantedRecord{scores: map[string][]*domain.MemberScore{}, alerts: map[string][]plantedAlert{}}
	for _, m := range eco.Members {
		rec.scores[m.Slug] = make([]*domain.MemberScore, plantedDays)
		for d := range plantedDays {
			rec.scores[m.Slug][d] = &domain.MemberScore{Status: domain.StatusHealthy}
		}
	}
	set := func(slug string, d int, status string, kinds ...string) {
		s := &domain.MemberScore{Status: status}
		for _, k := range kinds {
			s.Changes = append(s.Changes, domain.Change{Kind: k})
		}
		rec.scores[slug][d] = s
	}
	alert := func(slug string, from, to int) {
		a := data.Alert{Rule: "error_rate", OpenedOn: plantedDay(from), ClosedOn: plantedDay(to)}
		rec.alerts[slug] = append(rec.alerts[slug], plantedAlertSpan(a))
	}
	corvid, skyforge, helix := eco.member("corvid-systems"), eco.member("skyforge"), eco.member("helix-bio")
	// corvid: watch without an alert, then watch with one (the right reason).
	set(corvid.Slug, corvid.Onset+1, domain.StatusWatch, domain.ChangeErrors5xx)
	set(corvid.Slug, corvid.Onset+2, domain.StatusWatch, domain.ChangeErrors5xx, domain.ChangeLatency)
	alert(corvid.Slug, corvid.Onset+2, corvid.Onset+5)
	// skyforge: at risk only a day too late, and before its onset.
	set(skyforge.Slug, skyforge.Onset+plantedCatch+1, domain.StatusAtRisk, domain.ChangeUsageDrop)
	set(skyforge.Slug, skyforge.Onset-1, domain.StatusAtRisk, domain.ChangeUsageDrop)
	// helix: at risk on its onset for another reason.
	set(helix.Slug, helix.Onset, domain.StatusAtRisk, domain.ChangeErrors5xx, domain.ChangeLatency)
	// Controls: an alert that closed on the first judged day, at risk on
	// the day before it (clean); at risk on the first judged day, and an
	// alert open on the last day (not clean).
	alert("atlas-cloud", plantedWarmup-3, plantedWarmup)
	set("kestrel-robotics", plantedWarmup-1, domain.StatusAtRisk)
	set("orbital-data", plantedWarmup, domain.StatusAtRisk)
	alert("fernhill-uni", plantedDays-1, plantedDays+2)

	s := summarisePlanted(rec, eco)
	got := map[string]plantedOutcome{}
	for _, o := range s.Outcomes {
		got[o.M.Slug] = o
	}
	if o := got[corvid.Slug]; o.Flagged != corvid.Onset+2 || !o.Right || o.Reason != domain.ChangeErrors5xx || o.Alert != "error_rate" {
		t.Errorf("corvid: %+v, want flagged on day %d by watch with its alert, the right reason", o, corvid.Onset+2)
	}
	if o := got[skyforge.Slug]; o.Flagged != -1 {
		t.Errorf("skyforge flagged on day %d, outside [onset %d, onset+%d]", o.Flagged, skyforge.Onset, plantedCatch)
	}
	if o := got[helix.Slug]; o.Flagged != helix.Onset || o.Right {
		t.Errorf("helix: %+v, want flagged on its onset with a wrong reason", o)
	}
	for slug, clean := range map[string]bool{"atlas-cloud": true, "kestrel-robotics": true, "orbital-data": false, "fernhill-uni": false} {
		if (got[slug].Flagged < 0) != clean {
			t.Errorf("control %s: troubled on day %d, want clean %v", slug, got[slug].Flagged, clean)
		}
	}
	if s.Degraded != 10 || s.Flagged != 2 || s.Right != 1 || s.Controls != 20 || s.Clean != 18 {
		t.Errorf("summary: %d of %d flagged, %d right, %d of %d clean; want 2 of 10, 1, 18 of 20", s.Flagged, s.Degraded, s.Right, s.Clean, s.Controls)
	}
}
