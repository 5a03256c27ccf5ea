package affiliation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// seed creates the members of the test configurations.
func seed(tb testing.TB, db *data.DB) map[string]int64 {
	tb.Helper()
	ids := map[string]int64{"": 0}
	for _, slug := range []string{"acme", "beta-labs", "bigco"} {
		m := domain.Member{Slug: slug, Name: slug, Kind: domain.KindPartner, JoinedOn: date("2020-01-01")}
		if err := db.CreateMember(context.Background(), &m); err != nil {
			tb.Fatal(err)
		}
		ids[slug] = m.ID
	}
	return ids
}

func date(s string) time.Time {
	t, err := domain.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return t
}

func loadConfig(tb testing.TB, name string) Config {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return cfg
}

func apply(tb testing.TB, db *data.DB, cfg Config) Report {
	tb.Helper()
	rep, err := Apply(context.Background(), db, cfg)
	if err != nil {
		tb.Fatalf("apply: %v", err)
	}
	return rep
}

func counts(rep Report) string {
	return fmt.Sprintf("people %d, identities %d, affiliations %d", rep.People, rep.Identities, rep.Affiliations)
}

// resolution is who a login resolves to on a day, as the store resolves
// the actors of activities.
type resolution struct {
	source, login, day string
	member             string // slug, "" = none
	known              bool   // a person has the login
}

func checkResolutions(tb testing.TB, db *data.DB, ids map[string]int64, want []resolution) {
	tb.Helper()
	for _, w := range want {
		pid, mid, err := db.ResolveActor(context.Background(), w.source, w.login, date(w.day).Add(15*time.Hour))
		if err != nil {
			tb.Fatal(err)
		}
		if got := pid != 0; got != w.known {
			tb.Errorf("%s/%s: known = %v, want %v", w.source, w.login, got, w.known)
		}
		if mid != ids[w.member] {
			tb.Errorf("%s/%s on %s resolves to member %d, want %s (%d)", w.source, w.login, w.day, mid, w.member, ids[w.member])
		}
	}
}

// sampleResolutions are what testdata/people.yaml implies.
var sampleResolutions = []resolution{
	// Ada: explicit spans, moving from acme to beta-labs on 2026-03-01.
	{"github", "ada", "2025-06-01", "acme", true},
	{"github", "ADA", "2026-02-28", "acme", true},
	{"github", "ada", "2026-03-01", "beta-labs", true},
	{"discourse", "ada_l", "2026-04-10", "beta-labs", true},
	{"github", "ada", "2024-12-31", "", true},
	// Bob: only the domain rules: acme until bigco bought it on 2026-01-01.
	{"github", "bob", "2023-12-31", "", true},
	{"github", "bob", "2024-01-01", "acme", true},
	{"github", "bob", "2025-12-31", "acme", true},
	{"github", "bob", "2026-01-01", "bigco", true},
	// Carol: an acme.example address, on loan to beta-labs for a while:
	// the explicit span wins, the domain rule fills the rest.
	{"github", "carol", "2025-02-28", "acme", true},
	{"github", "carol", "2025-03-01", "beta-labs", true},
	{"github", "carol", "2025-08-31", "beta-labs", true},
	{"github", "carol", "2025-09-01", "acme", true},
	{"github", "carol", "2026-02-01", "bigco", true},
	// Dan: another domain, no affiliation: known, unaffiliated.
	{"github", "dan", "2026-02-01", "", true},
	// Erin: a subdomain of a rule's domain does not match.
	{"gitlab", "erin", "2025-06-01", "", true},
	// Nobody configured.
	{"github", "octocat", "2026-02-01", "", false},
}

func TestApplySample(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seed(t, db)
	rep := apply(t, db, loadConfig(t, "people.yaml"))
	if got := rep.Problems; len(got) > 0 {
		t.Errorf("problems: %q", got)
	}
	// Ada 2 explicit; Bob 2 from rules; Carol 1 explicit + 3 rule pieces.
	if got, want := counts(rep), "people 5, identities 6, affiliations 8"; got != want {
		t.Errorf("report: %s, want %s", got, want)
	}
	checkResolutions(t, db, ids, sampleResolutions)
}

func TestApplyTwiceChangesNothing(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seed(t, db)
	cfg := loadConfig(t, "people.yaml")
	apply(t, db, cfg)
	rep := apply(t, db, cfg)
	if got, want := counts(rep), "people 0, identities 0, affiliations 0"; got != want {
		t.Errorf("second run: %s, want %s", got, want)
	}
	if len(rep.Problems) > 0 || rep.Reresolved != 0 {
		t.Errorf("second run: problems %q, re-resolved %d", rep.Problems, rep.Reresolved)
	}
	checkResolutions(t, db, ids, sampleResolutions)
}

// TestActivitiesFollowTheMove: activities stored after Apply count for the
// member of their day: before and after a move, different members.
func TestActivitiesFollowTheMove(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seed(t, db)
	apply(t, db, loadConfig(t, "people.yaml"))
	ctx := context.Background()
	var acts []domain.Activity
	for i, at := range []string{"2026-02-10", "2026-02-27", "2026-03-02", "2026-04-10", "2026-04-11"} {
		login := "ada"
		if i == 4 {
			login = "octocat"
		}
		acts = append(acts, domain.Activity{Source: "github", ExternalID: fmt.Sprint(i), Kind: domain.ActReply,
			At: date(at).Add(10 * time.Hour), Actor: login, Thread: "t1"})
	}
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	w, err := db.ScoringWindow(ctx, date("2026-04-30"), 90)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range w.Members {
		for slug, id := range ids {
			if id == m.ID && m.Contributions > 0 {
				got[slug] = m.Contributions
			}
		}
	}
	if got["acme"] != 2 || got["beta-labs"] != 2 || len(got) != 2 {
		t.Errorf("contributions per member = %v, want acme 2 and beta-labs 2 (octocat counts for none)", got)
	}
}

func TestApplyReportsProblems(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seed(t, db)
	rep := apply(t, db, loadConfig(t, "problems.yaml"))
	want := []string{
		`domain rule 1 (acme.example): unknown member "acme-corp"`,
		`domain rule 2 (@beta.example): to 2020-01-01 is not after from 2025-01-01`,
		`domain rule 3 (not a domain): "not a domain" is not an e-mail domain`,
		`domain rule 5 (beta.example): overlaps the rule for beta.example to beta-labs from 2024-01-01; skipped`,
		`person "Ada Lovelace", affiliation 1 (acme): from "2025-02-30" is not a date (YYYY-MM-DD)`,
		`person "Ada Lovelace", affiliation 3 (nobody): unknown member "nobody"`,
		`person "Ada Lovelace", affiliation 4 (bigco): overlaps the affiliation with beta-labs from 2025-06-01; skipped`,
		`person "Ada Lovelace", affiliation 5 (acme): needs a from date (YYYY-MM-DD)`,
		`person 2: needs a name`,
		`person "Ghost": has no login, so no activity can be theirs; skipped`,
		`person "Copycat": github login "ada" is already person "Ada Lovelace"'s; ignored`,
		`person "Eve": the e-mail is not an address; ignored`,
	}
	if got := rep.Problems; !slices.Equal(got, want) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// What was right still applied.
	checkResolutions(t, db, ids, []resolution{
		{"github", "ada", "2025-07-01", "beta-labs", true},
		{"github", "ada", "2025-01-01", "", true},
		{"discourse", "copycat", "2025-07-01", "beta-labs", true}, // the later beta.example rule was skipped
		{"github", "eve", "2025-07-01", "", true},
	})
}

func TestSubtract(t *testing.T) {
	span := func(f, t string) domain.Affiliation {
		a := domain.Affiliation{From: date(f)}
		if t != "" {
			a.To = date(t)
		}
		return a
	}
	str := func(ps [][2]time.Time) string {
		var s []string
		for _, p := range ps {
			s = append(s, day(p[0])+".."+day(p[1]))
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		from, to string
		spans    []domain.Affiliation
		want     string
	}{
		{"2024-01-01", "", nil, "2024-01-01..(open)"},
		{"2024-01-01", "2025-01-01", []domain.Affiliation{span("2024-03-01", "2024-04-01")}, "2024-01-01..2024-03-01 2024-04-01..2025-01-01"},
		{"2024-01-01", "", []domain.Affiliation{span("2024-06-01", ""), span("2023-01-01", "2024-02-01")}, "2024-02-01..2024-06-01"},
		{"2024-01-01", "2024-02-01", []domain.Affiliation{span("2023-01-01", "")}, ""},
		{"2024-01-01", "2024-02-01", []domain.Affiliation{span("2025-01-01", "")}, "2024-01-01..2024-02-01"},
	} {
		var to time.Time
		if tc.to != "" {
			to = date(tc.to)
		}
		if got := str(subtract(date(tc.from), to, tc.spans)); got != tc.want {
			t.Errorf("subtract(%s..%s, %v) = %q, want %q", tc.from, tc.to, tc.spans, got, tc.want)
		}
	}
}

// TestMoveAfterTheFact: a person first configured at acme, then recorded as
// having moved to beta-labs, resolves to each on their days.
func TestMoveAfterTheFact(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seed(t, db)
	ada := Person{Name: "Ada", Logins: map[string]string{"github": "ada"},
		Affiliations: []Span{{Member: "acme", From: "2025-01-01"}}}
	apply(t, db, Config{People: []Person{ada}})
	ada.Affiliations = []Span{{Member: "acme", From: "2025-01-01", To: "2026-03-01"}, {Member: "beta-labs", From: "2026-03-01"}}
	rep := apply(t, db, Config{People: []Person{ada}})
	if got := rep.Problems; len(got) > 0 {
		t.Errorf("problems: %q", got)
	}
	checkResolutions(t, db, ids, []resolution{
		{"github", "ada", "2025-01-01", "acme", true},
		{"github", "ada", "2026-02-28", "acme", true},
		{"github", "ada", "2026-03-01", "beta-labs", true},
	})
	if got, want := counts(rep), "people 0, identities 0, affiliations 2"; got != want {
		t.Errorf("report of the move: %s, want %s (acme ended, beta-labs added)", got, want)
	}
	if rep := apply(t, db, Config{People: []Person{ada}}); counts(rep) != "people 0, identities 0, affiliations 0" {
		t.Errorf("third run: %s", counts(rep))
	}
}

// TestChangesApplyExactly: spans that end, or go, are gone from the store,
// not only outranked; what the store cannot update is reported.
func TestChangesApplyExactly(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seed(t, db)
	ada := Person{Name: "Ada", Email: "ada@old.example", Logins: map[string]string{"github": "ada"},
		Affiliations: []Span{{Member: "acme", From: "2025-01-01"}}}
	apply(t, db, Config{People: []Person{ada}})

	// acme now ends, with nobody after; a new login, a new name.
	ada.Affiliations[0].To = "2026-03-01"
	ada.Logins["discourse"] = "ada_l"
	ada.Name = "Ada King"
	rep := apply(t, db, Config{People: []Person{ada}})
	if got, want := counts(rep), "people 0, identities 0, affiliations 1"; got != want {
		t.Errorf("report: %s, want %s", got, want)
	}
	want := []string{
		`person "Ada King": logins discourse/ada_l not added: the store cannot add logins to a stored person (wanted: data.DB.UpdatePerson)`,
		`person "Ada King": the stored name or e-mail differs and was not updated: the store cannot update a person (wanted: data.DB.UpdatePerson)`,
	}
	if !slices.Equal(rep.Problems, want) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(rep.Problems, "\n"), strings.Join(want, "\n"))
	}
	checkResolutions(t, db, ids, []resolution{
		{"github", "ada", "2026-02-28", "acme", true},
		{"github", "ada", "2026-03-01", "", true},
	})

	// No affiliation at all any more.
	ada.Affiliations = nil
	apply(t, db, Config{People: []Person{ada}})
	checkResolutions(t, db, ids, []resolution{{"github", "ada", "2026-02-28", "", true}})
}

// TestStoredActivitiesFollow: activities stored before their people and
// affiliations were known count for the right member after Apply, and the
// actors no member counts are listed.
func TestStoredActivitiesFollow(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seed(t, db)
	ctx := context.Background()
	var acts []domain.Activity
	for i, a := range []struct{ login, at string }{
		{"ada", "2026-02-10"}, {"ada", "2026-03-10"}, {"dan", "2026-03-11"}, {"dan", "2026-03-12"},
		{"octocat", "2026-03-12"}, {"octocat", "2026-03-13"}, {"OctoCat", "2026-03-14"},
	} {
		acts = append(acts, domain.Activity{Source: "github", ExternalID: fmt.Sprint(i), Kind: domain.ActReply,
			At: date(a.at).Add(9 * time.Hour), Actor: a.login, Thread: "t"})
	}
	acts = append(acts, domain.Activity{Source: "github", ExternalID: "bot", Kind: domain.ActReply,
		At: date("2026-03-01"), Actor: "dependabot[bot]", Bot: true})
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	rep := apply(t, db, loadConfig(t, "people.yaml"))
	if got, want := rep.Reresolved, int64(4); got != want {
		t.Errorf("re-resolved = %d, want %d (Ada's two get a person and a member, Dan's two a person)", got, want)
	}
	w, err := db.ScoringWindow(ctx, date("2026-03-31"), 60)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range w.Members {
		want := map[int64]int{ids["acme"]: 1, ids["beta-labs"]: 1}[m.ID]
		if m.Contributions != want {
			t.Errorf("member %d contributions = %d, want %d", m.ID, m.Contributions, want)
		}
	}
	actors, err := Unaffiliated(ctx, db, date("2026-01-01"), date("2026-04-01"))
	if err != nil {
		t.Fatal(err)
	}
	dan, _, err := db.ResolveActor(ctx, "github", "dan", date("2026-03-11"))
	if err != nil || dan == 0 {
		t.Fatalf("dan: %d, %v", dan, err)
	}
	var got []string
	for _, a := range actors {
		got = append(got, fmt.Sprintf("%s/%s person=%v %d", a.Source, a.Login, a.PersonID != 0, a.Activities))
	}
	// Actors are counted as the source wrote them (octocat, OctoCat).
	if want := []string{"github/dan person=true 2", "github/octocat person=false 2", "github/OctoCat person=false 1"}; !slices.Equal(got, want) {
		t.Errorf("unaffiliated = %q, want %q", got, want)
	}
	if rep := apply(t, db, loadConfig(t, "people.yaml")); rep.Reresolved != 0 || counts(rep) != "people 0, identities 0, affiliations 0" {
		t.Errorf("again: %s, re-resolved %d", counts(rep), rep.Reresolved)
	}
	if _, err := Unaffiliated(ctx, db, date("2026-02-01"), date("2026-02-01")); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Unaffiliated over an empty range: %v", err)
	}
}
