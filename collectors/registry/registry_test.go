package registry

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// seedMembers creates the members the sample registries name.
func seedMembers(tb testing.TB, db *data.DB) map[string]int64 {
	tb.Helper()
	ids := map[string]int64{}
	for _, slug := range []string{"acme", "beta-labs", "gamma-research"} {
		m := domain.Member{Slug: slug, Name: strings.ToUpper(slug), Kind: domain.KindPartner,
			JoinedOn: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		if err := db.CreateMember(context.Background(), &m); err != nil {
			tb.Fatal(err)
		}
		ids[slug] = m.ID
	}
	return ids
}

type run struct {
	stats collectors.Stats
	log   string
}

func collect(tb testing.TB, db *data.DB, src *Source) run {
	tb.Helper()
	var buf bytes.Buffer
	env := collectors.Env{DB: db, Name: "registry", Log: slog.New(slog.NewTextHandler(&buf, nil)), Now: time.Now}
	st, err := src.Collect(context.Background(), env)
	if err != nil {
		tb.Fatalf("collect: %v", err)
	}
	return run{st, buf.String()}
}

func newSource(tb testing.TB, path string) *Source {
	tb.Helper()
	src, err := New(Config{Path: path})
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

// window is what scoring sees of the stored projects: per member active
// projects and milestone counts, and shared projects per pair.
func window(tb testing.TB, db *data.DB) *domain.Window {
	tb.Helper()
	w, err := db.ScoringWindow(context.Background(), time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), 180)
	if err != nil {
		tb.Fatal(err)
	}
	slices.SortFunc(w.Pairs, func(a, b domain.PairWindow) int {
		if a.A != b.A {
			return int(a.A - b.A)
		}
		return int(a.B - b.B)
	})
	return w
}

func memberWindow(tb testing.TB, w *domain.Window, id int64) domain.MemberWindow {
	tb.Helper()
	for _, m := range w.Members {
		if m.ID == id {
			return m
		}
	}
	tb.Fatalf("member %d not in the window", id)
	return domain.MemberWindow{}
}

func projectsForRepo(tb testing.TB, db *data.DB, repo string) []int64 {
	tb.Helper()
	ids, err := db.ProjectsForRepo(context.Background(), repo)
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

func countProjects(tb testing.TB, db *data.DB) int {
	tb.Helper()
	n, err := db.CountProjects(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// checkSample checks what the good projects of the samples stored.
func checkSample(tb testing.TB, db *data.DB, ids map[string]int64) {
	tb.Helper()
	if got, want := countProjects(tb, db), 2; got != want {
		tb.Errorf("projects = %d, want %d", got, want)
	}
	speech := projectsForRepo(tb, db, "acme/speech-kit")
	if len(speech) != 1 || !reflect.DeepEqual(projectsForRepo(tb, db, "ACME/Speech-Kit-Models"), speech) {
		tb.Errorf("speech-kit repos link to %v and %v, want one project", speech, projectsForRepo(tb, db, "acme/speech-kit-models"))
	}
	if got := projectsForRepo(tb, db, "gamma/vision-bench"); len(got) != 1 || slices.Equal(got, speech) {
		tb.Errorf("gamma/vision-bench links to %v", got)
	}
	w := window(tb, db)
	// Window 2026-01-02 .. 2026-06-30. acme: speech-kit (m1 on time, m2
	// late, m3 due later) and vision-bench (report on time).
	acme := memberWindow(tb, w, ids["acme"])
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"acme active projects", acme.ActiveProjects, 2},
		{"acme milestones due", acme.MilestonesDue, 3},
		{"acme milestones on time", acme.MilestonesOnTime, 2},
		{"acme milestones delivered", acme.MilestonesDelivered, 3},
		{"acme milestones overdue", acme.MilestonesOverdue, 0},
		{"beta-labs active projects", memberWindow(tb, w, ids["beta-labs"]).ActiveProjects, 1},
		{"beta-labs milestones due", memberWindow(tb, w, ids["beta-labs"]).MilestonesDue, 2},
		{"gamma active projects", memberWindow(tb, w, ids["gamma-research"]).ActiveProjects, 1},
		{"gamma milestones on time", memberWindow(tb, w, ids["gamma-research"]).MilestonesOnTime, 1},
	} {
		if c.got != c.want {
			tb.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	var shared []string
	for _, p := range w.Pairs {
		if p.SharedProjects > 0 {
			shared = append(shared, pairName(ids, p))
		}
	}
	slices.Sort(shared)
	if got, want := strings.Join(shared, " "), "acme+beta-labs acme+gamma-research"; got != want {
		tb.Errorf("pairs sharing a project = %q, want %q (rejected projects must not count)", got, want)
	}
}

func pairName(ids map[string]int64, p domain.PairWindow) string {
	name := func(id int64) string {
		for s, i := range ids {
			if i == id {
				return s
			}
		}
		return "?"
	}
	a, b := name(p.A), name(p.B)
	if a > b {
		a, b = b, a
	}
	return a + "+" + b
}

func TestCollectYAML(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seedMembers(t, db)
	src := newSource(t, filepath.Join("testdata", "projects.yaml"))
	r := collect(t, db, src)
	if got, want := r.stats, (collectors.Stats{Read: 6, Stored: 2, Rejected: 4, Cursor: r.stats.Cursor}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	want := []string{
		`line 42: project ghost-partner: unknown member "nobody-inc"`,
		`line 51: project bad-dates: milestone "m1": due "2026-13-01" is not a date (YYYY-MM-DD)`,
		`line 57: project time-travel: end 2026-04-30 is before start 2026-06-01`,
		`line 68: project twice: member "acme" is listed twice (first on line 66)`,
		`line 69: project twice: unknown key "milestone" (want slug, name, scope, terms, status, start, end, repos, parties, milestones)`,
	}
	if got := src.Rejected(); !slices.Equal(got, want) {
		t.Errorf("rejected =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{`level=WARN msg="registry: rejected"`, "line=42", `reason="project ghost-partner: unknown member \"nobody-inc\""`} {
		if !strings.Contains(r.log, s) {
			t.Errorf("log lacks %s:\n%s", s, r.log)
		}
	}
	checkSample(t, db, ids)
}

func TestCollectCSV(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ids := seedMembers(t, db)
	src := newSource(t, filepath.Join("testdata", "projects.csv"))
	r := collect(t, db, src)
	if got, want := r.stats, (collectors.Stats{Read: 7, Stored: 2, Rejected: 5, Cursor: r.stats.Cursor}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	want := []string{
		`line 11: project ghost-partner: unknown member "nobody-inc"`,
		`line 13: project bad-dates: milestone "m1": due "2026-13-01" is not a date (YYYY-MM-DD)`,
		`line 14: project time-travel: end 2026-04-30 is before start 2026-06-01`,
		`line 17: project twice: member "acme" is listed twice (first on line 15)`,
		`line 19: row without a project`,
	}
	if got := src.Rejected(); !slices.Equal(got, want) {
		t.Errorf("rejected =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	checkSample(t, db, ids)
}

// TestCollectTwiceChangesNothing: a second run of the same file stores the
// same projects in place; an edited file updates them in place.
func TestCollectTwiceChangesNothing(t *testing.T) {
	for _, name := range []string{"projects.yaml", "projects.csv"} {
		t.Run(name, func(t *testing.T) {
			db := datatest.MustOpenDB(t)
			ids := seedMembers(t, db)
			path := filepath.Join(t.TempDir(), name)
			orig, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, orig, 0o644); err != nil {
				t.Fatal(err)
			}
			src := newSource(t, path)
			first := collect(t, db, src)
			w1 := window(t, db)
			speech := projectsForRepo(t, db, "acme/speech-kit")
			rejected := src.Rejected()

			second := collect(t, db, src)
			if first.stats != second.stats {
				t.Errorf("second run stats = %+v, first %+v", second.stats, first.stats)
			}
			if got := src.Rejected(); !slices.Equal(got, rejected) {
				t.Errorf("second run rejected %v, first %v", got, rejected)
			}
			if w2 := window(t, db); !reflect.DeepEqual(w1, w2) {
				t.Errorf("second run changed what scoring sees:\n%+v\n%+v", w1, w2)
			}
			if got := projectsForRepo(t, db, "acme/speech-kit"); !slices.Equal(got, speech) {
				t.Errorf("speech-kit is project %v after the second run, %v before", got, speech)
			}
			checkSample(t, db, ids)

			// m3 delivered early, and beta-labs leaves speech-kit.
			edited := strings.Replace(string(orig), "      - {member: beta-labs, role: contributor}\n", "", 1)
			edited = strings.Replace(edited, "{id: m3, title: iOS GA, due: 2026-09-30}", "{id: m3, title: iOS GA, due: 2026-09-30, done: 2026-06-01}", 1)
			if strings.HasSuffix(name, ".csv") {
				edited = strings.Replace(string(orig), "speech-kit,,,,,,,,beta-labs,contributor,,,,,\n", "", 1)
				edited = strings.Replace(edited, "m3,iOS GA,2026-09-30,,", "m3,iOS GA,2026-09-30,2026-06-01,", 1)
			}
			if edited == string(orig) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			collect(t, db, src)
			if got, want := countProjects(t, db), 2; got != want {
				t.Errorf("projects after the edit = %d, want %d", got, want)
			}
			w3 := window(t, db)
			if got, want := memberWindow(t, w3, ids["acme"]).MilestonesDelivered, 4; got != want {
				t.Errorf("acme milestones delivered after the edit = %d, want %d (m3 updated, not added)", got, want)
			}
			if got, want := memberWindow(t, w3, ids["acme"]).MilestonesDue, 3; got != want {
				t.Errorf("acme milestones due after the edit = %d, want %d", got, want)
			}
			if got, want := memberWindow(t, w3, ids["beta-labs"]).ActiveProjects, 0; got != want {
				t.Errorf("beta-labs active projects after leaving = %d, want %d", got, want)
			}
		})
	}
}

// TestRejectedProjectLaterApplies: a project rejected for an unknown member
// applies once the member exists, without editing the file.
func TestRejectedProjectLaterApplies(t *testing.T) {
	db := datatest.MustOpenDB(t)
	seedMembers(t, db)
	src := newSource(t, filepath.Join("testdata", "projects.yaml"))
	collect(t, db, src)
	m := domain.Member{Slug: "nobody-inc", Name: "Nobody Inc", Kind: domain.KindDeveloperOrg, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateMember(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	r := collect(t, db, src)
	if got, want := r.stats.Stored, int64(3); got != want {
		t.Errorf("stored = %d, want %d", got, want)
	}
	if got, want := countProjects(t, db), 3; got != want {
		t.Errorf("projects = %d, want %d", got, want)
	}
}

func TestCollectProblems(t *testing.T) {
	for _, tc := range []struct {
		name, file, body string
		want             []string
	}{
		{"yaml project errors", "p.yaml", `projects:
  - slug: Bad_Slug
    name: x
    status: active
    start: 2026-01-01
  - slug: no-start
    name: x
    status: active
    parties: {member: acme}
  - slug: odd-status
    name: x
    status: paused
    start: 2026-01-01
    start: 2026-01-02
    repos: [not-a-repo]
    milestones:
      - {title: No id, due: 2026-02-01}
      - {id: a, due: 2026-02-01}
      - {id: b, title: B}
      - {id: b, title: B again, due: 2026-02-01, done: yes}
  - just a string
  - slug: ok
    name: Fine
    status: planned
    start: 2026-01-01
  - slug: ok
    name: Fine twice
    status: planned
    start: 2026-01-01
`, []string{
			`line 2: project slug "Bad_Slug" must be lower-case letters, digits and dashes`,
			`line 6: project no-start needs a start date (YYYY-MM-DD)`,
			`line 9: project no-start: parties must be a list`,
			`line 12: project odd-status: unknown status "paused": want planned, active, completed or cancelled`,
			`line 14: project odd-status: key "start" is given twice (first on line 13)`,
			`line 15: project odd-status: repository "not-a-repo" is not owner/repo`,
			`line 17: project odd-status: a milestone needs an id`,
			`line 18: project odd-status: milestone "a" needs a title`,
			`line 19: project odd-status: milestone "b" needs a due date (YYYY-MM-DD)`,
			`line 20: project odd-status: milestone "b" is listed twice (first on line 19)`,
			`line 21: a project must be a mapping (slug: …, name: …), not a single value or list`,
			`line 26: project ok is listed twice (first on line 22)`,
		}},
		{"csv conflicting project fields", "p.csv", "project;name;status;start;member;role\n" +
			"p1;One;active;2026-01-01;acme;lead\n" +
			"p1;Uno;active;2026-01-01;;\n" +
			"p2;Two;active;2026-01-01;;reviewer\n" +
			"p3;\"Three;active;2026-01-01;;\n",
			[]string{
				`line 3: project p1: name "Uno" differs from "One" on line 2`,
				`line 4: project p2: a party needs a member`,
				// The unterminated quote swallows the rest of the row.
				`line 5: project p3 needs a status (planned, active, completed or cancelled)`,
				`line 5: project p3 needs a start date (YYYY-MM-DD)`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := datatest.MustOpenDB(t)
			seedMembers(t, db)
			path := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			src := newSource(t, path)
			r := collect(t, db, src)
			if got := src.Rejected(); !slices.Equal(got, tc.want) {
				t.Errorf("rejected =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if r.stats.Stored+r.stats.Rejected != r.stats.Read {
				t.Errorf("stats %+v do not add up", r.stats)
			}
		})
	}
}

func TestUnreadableFiles(t *testing.T) {
	db := datatest.MustOpenDB(t)
	dir := t.TempDir()
	for _, tc := range []struct{ name, body, want string }{
		{"missing.yaml", "", "unable to read"},
		{"broken.yaml", "projects: [\n  - slug: a\n", "invalid YAML"},
		{"list.yaml", "- slug: a\n", "line 1: the registry must be a mapping with a projects list"},
		{"other.yaml", "project:\n  - slug: a\n", `line 1: unknown key "project"`},
		{"noproject.csv", "slug,name\na,A\n", "line 1: the header has no project column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if tc.name != "missing.yaml" {
				if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := newSource(t, path).Collect(context.Background(), collectors.Env{DB: db, Name: "registry", Log: slog.New(slog.DiscardHandler)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("empty files apply nothing", func(t *testing.T) {
		for _, name := range []string{"empty.yaml", "empty.csv"} {
			path := filepath.Join(dir, name)
			os.WriteFile(path, nil, 0o644)
			r := collect(t, db, newSource(t, path))
			if r.stats.Read != 0 {
				t.Errorf("%s: read %d", name, r.stats.Read)
			}
		}
	})
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		cfg    Config
		format string // "" = an error
	}{
		{Config{Path: "r.yaml"}, "yaml"},
		{Config{Path: "r.YML"}, "yaml"},
		{Config{Path: "r.csv"}, "csv"},
		{Config{Path: "registry.txt", Format: "CSV"}, "csv"},
		{Config{Path: "registry.txt"}, ""},
		{Config{Path: "r.yaml", Format: "xlsx"}, ""},
		{Config{}, ""},
	} {
		src, err := New(tc.cfg)
		switch {
		case tc.format == "" && err == nil:
			t.Errorf("New(%+v) succeeded, want an error", tc.cfg)
		case tc.format == "":
			if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
				t.Errorf("New(%+v): code %q, want %q", tc.cfg, got, want)
			}
		case err != nil:
			t.Errorf("New(%+v): %v", tc.cfg, err)
		case src.format != tc.format:
			t.Errorf("New(%+v) format = %q, want %q", tc.cfg, src.format, tc.format)
		}
	}
}

// TestRunnerRecordsRejected: through the runner, the run record counts the
// rejected projects and the run succeeds.
func TestRunnerRecordsRejected(t *testing.T) {
	db := datatest.MustOpenDB(t)
	seedMembers(t, db)
	r := collectors.Runner{DB: db, Log: slog.New(slog.DiscardHandler)}
	run, err := r.Run(context.Background(), "registry", newSource(t, filepath.Join("testdata", "projects.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != domain.RunSucceeded || run.ItemsRead != 6 || run.ItemsStored != 2 || run.ItemsRejected != 4 {
		t.Errorf("run = %+v", run)
	}
}
