package data_test

// Two writers meeting on one database: each test opens two stores on the
// same database, as two processes would (on PostgreSQL they run at once;
// on SQLite the file's one writer puts them in turn, and the tests still
// guard the outcome). The first write is held open before its commit
// (the …Held seams of races_export_test.go) while the second runs into its
// uncommitted rows; then the first commits, and the test checks that both
// outcomes are the ones a serial run would give.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// twoProcesses opens two stores on one fresh database.
func twoProcesses(t *testing.T) (*data.DB, *data.DB) {
	t.Helper()
	target := datatest.Target(t)
	open := func() *data.DB {
		db, err := data.Open(context.Background(), target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	return open(), open()
}

// meet starts op, the second process's write, and returns once op has
// finished or waits for a lock (on PostgreSQL: the held write's, since
// nothing else runs on the test's database). On SQLite it returns at once:
// op waits for the file's write lock, which the held write has. outcome
// waits for op and returns its error.
func meet(t *testing.T, db *data.DB, op func() error) (outcome func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- op() }()
	outcome = func() error { return <-done }
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			return func() error { return err }
		default:
		}
		n, known, err := db.LockWaiters(context.Background())
		if err != nil {
			t.Errorf("counting lock waits: %v", err)
			return outcome
		}
		if !known || n > 0 {
			return outcome
		}
		if time.Now().After(deadline) {
			t.Errorf("the second write neither finished nor waited for a lock")
			return outcome
		}
		time.Sleep(time.Millisecond) // polling a condition, not timing one
	}
}

// TestRaceCreatingTheSameNameTwice: two creations of the same name (user,
// member, project, token, a week's snapshot) meeting give one success and
// one ECONFLICT with the message a serial second creation gets, not a
// unique-key failure, and one row.
func TestRaceCreatingTheSameNameTwice(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		first  func(db *data.DB, held func()) error
		second func(db *data.DB) error
		want   string // the conflict's message
		count  func(db *data.DB) (int, error)
	}{
		{"user",
			func(db *data.DB, held func()) error {
				return db.CreateUserHeld(ctx, &domain.User{Name: "ann", Role: domain.RoleAdmin, PasswordHash: "x"}, held)
			},
			func(db *data.DB) error {
				return db.CreateUser(ctx, &domain.User{Name: "ann", Role: domain.RoleViewer, PasswordHash: "y"})
			},
			`a user named "ann" already exists`,
			func(db *data.DB) (int, error) { return db.CountUsers(ctx) }},
		{"member",
			func(db *data.DB, held func()) error {
				return db.CreateMemberHeld(ctx, &domain.Member{Slug: "alpha", Name: "Alpha", Kind: domain.KindPartner, JoinedOn: start}, held)
			},
			func(db *data.DB) error {
				return db.CreateMember(ctx, &domain.Member{Slug: "alpha", Name: "Alpha 2", Kind: domain.KindPartner, JoinedOn: start})
			},
			`slug: a member with slug "alpha" already exists`,
			func(db *data.DB) (int, error) { return db.CountMembers(ctx) }},
		{"project",
			func(db *data.DB, held func()) error {
				return db.CreateProjectHeld(ctx, &domain.Project{Slug: "pilot", Name: "Pilot", Status: domain.ProjectActive, StartOn: start}, held)
			},
			func(db *data.DB) error {
				return db.CreateProject(ctx, &domain.Project{Slug: "pilot", Name: "Pilot 2", Status: domain.ProjectActive, StartOn: start})
			},
			`a project with slug "pilot" already exists`,
			func(db *data.DB) (int, error) { return db.CountProjects(ctx) }},
		{"token",
			func(db *data.DB, held func()) error {
				return db.CreateTokenHeld(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest}, held)
			},
			func(db *data.DB) error {
				_, err := db.CreateToken(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest})
				return err
			},
			`a token named "gateway" already exists`,
			func(db *data.DB) (int, error) { ts, err := db.Tokens(ctx); return len(ts), err }},
		{"snapshot",
			func(db *data.DB, held func()) error {
				sunday := day(t, "2026-03-15")
				a := mustMember(t, db, "alpha")
				if err := db.SaveDayScores(ctx, dayScores(sunday, 0.2, a.ID)); err != nil {
					return err
				}
				return db.FreezeSnapshotHeld(ctx, "2026-W11", sunday, time.Date(2026, 3, 16, 1, 0, 0, 0, time.UTC), held)
			},
			func(db *data.DB) error {
				_, err := db.FreezeSnapshot(ctx, "2026-W11", day(t, "2026-03-15"), time.Date(2026, 3, 16, 2, 0, 0, 0, time.UTC))
				return err
			},
			`snapshot of 2026-W11 exists (taken 2026-03-16T01:00:00Z); snapshots are never rewritten`,
			func(db *data.DB) (int, error) { ss, err := db.Snapshots(ctx); return len(ss), err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db1, db2 := twoProcesses(t)
			var second func() error
			if err := c.first(db1, func() { second = meet(t, db2, func() error { return c.second(db2) }) }); err != nil {
				t.Fatalf("first creation: %v", err)
			}
			err := second()
			if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("second creation: %v; want ECONFLICT %q", err, c.want)
			}
			if msg := domain.ErrorMessage(err); msg != c.want {
				t.Errorf("second creation's message = %q, want %q", msg, c.want)
			}
			if n, err := c.count(db1); err != nil || n != 1 {
				t.Errorf("rows after both = %d (%v), want 1", n, err)
			}
			// And the serial case says the same.
			if err := c.second(db1); domain.ErrorMessage(err) != c.want {
				t.Errorf("serial second creation: %v; want %q", err, c.want)
			}
		})
	}
}

// TestRaceSingleSignOnTwice: two single-sign-on logins of a new name
// meeting make one account between them, the second's role last; one
// meeting the creation of a local account of the name is refused as a
// serial one is, with the local account's ECONFLICT, and takes nothing over.
func TestRaceSingleSignOnTwice(t *testing.T) {
	ctx := context.Background()
	t.Run("two logins", func(t *testing.T) {
		db1, db2 := twoProcesses(t)
		var second func() error
		var other *domain.User
		first, err := db1.UpsertSSOUserHeld(ctx, "sso-sam", domain.RoleAdmin, func() {
			second = meet(t, db2, func() (err error) {
				other, err = db2.UpsertSSOUser(ctx, "sso-sam", domain.RoleViewer)
				return err
			})
		})
		if err != nil {
			t.Fatalf("first login: %v", err)
		}
		if err := second(); err != nil {
			t.Fatalf("second login: %v", err)
		}
		if other.ID != first.ID || !other.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("second login's account = %d created %v, want the first's %d created %v", other.ID, other.CreatedAt, first.ID, first.CreatedAt)
		}
		u, err := db1.UserByName(ctx, "sso-sam")
		if err != nil || u.ID != first.ID || u.Role != domain.RoleViewer || u.PasswordHash != "" || u.Disabled {
			t.Errorf("account = %+v (%v), want %d, the second's role, no password, enabled", u, err, first.ID)
		}
		if n, err := db1.CountUsers(ctx); err != nil || n != 1 {
			t.Errorf("users = %d (%v), want 1", n, err)
		}
	})
	t.Run("a local account", func(t *testing.T) {
		db1, db2 := twoProcesses(t)
		const want = `a local account named "bob" exists: single sign-on does not take it over`
		var second func() error
		err := db1.CreateUserHeld(ctx, &domain.User{Name: "bob", Role: domain.RoleViewer, PasswordHash: "x"}, func() {
			second = meet(t, db2, func() error { _, err := db2.UpsertSSOUser(ctx, "bob", domain.RoleAdmin); return err })
		})
		if err != nil {
			t.Fatalf("creating the local account: %v", err)
		}
		if err := second(); domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != want {
			t.Fatalf("single sign-on: %v; want ECONFLICT %q", err, want)
		}
		if u, err := db1.UserByName(ctx, "bob"); err != nil || u.Role != domain.RoleViewer || u.PasswordHash != "x" {
			t.Errorf("local account = %+v (%v), want it as created", u, err)
		}
		if _, err := db1.UpsertSSOUser(ctx, "bob", domain.RoleAdmin); domain.ErrorMessage(err) != want {
			t.Errorf("serial single sign-on: %v; want %q", err, want)
		}
	})
}

// TestRaceAssigningTheSameNewLoginTwice: two assignments of a login nobody
// has yet meeting find or make one person between them (the part of
// AssignPerson that creates the login's person).
func TestRaceAssigningTheSameNewLoginTwice(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	m := mustMember(t, db1, "alpha")
	if _, err := db1.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: "1", Kind: domain.ActReply,
		At: day(t, "2026-03-02"), Actor: "Erin"}}); err != nil {
		t.Fatal(err)
	}
	as := data.Assignment{Source: "github", Login: "erin", Member: m.Slug}
	var second func() error
	var other int64
	first, err := db1.AssigneeHeld(ctx, as, func() {
		second = meet(t, db2, func() (err error) {
			other, err = db2.AssigneeHeld(ctx, as, func() {})
			return err
		})
	})
	if err != nil {
		t.Fatalf("first assignment: %v", err)
	}
	if err := second(); err != nil {
		t.Fatalf("second assignment: %v", err)
	}
	if other != first {
		t.Errorf("second assignment's person = %d, want the first's %d", other, first)
	}
	p, err := db1.PersonByIdentity(ctx, "github", "erin")
	if err != nil || p.ID != first {
		t.Errorf("person of github:erin = %+v (%v), want %d", p, err, first)
	}
	if n, err := db1.CountPeople(ctx); err != nil || n != 1 {
		t.Errorf("people = %d (%v), want 1: the second's own person left behind", n, err)
	}
}

// TestRaceAddingDomainRules: two rules of one domain added at once are
// checked against each other as if one came after the other: an
// overlapping second is refused with the ECONFLICT a serial one gets, one
// beside it is stored, and the domain's people follow both.
func TestRaceAddingDomainRules(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		from, to string // the second rule's span ("": open)
		refused  bool
	}{
		{"overlapping", "2026-02-01", "", true},
		{"beside", "2025-01-01", "2026-01-01", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db1, db2 := twoProcesses(t)
			alpha, beta := mustMember(t, db1, "alpha"), mustMember(t, db1, "beta")
			slugs := map[int64]string{alpha.ID: "alpha", beta.ID: "beta"}
			fay := &domain.Person{Name: "Fay", Email: "fay@acme.example"}
			if err := db1.CreatePerson(ctx, fay, domain.Identity{Source: "github", Login: "fay"}); err != nil {
				t.Fatal(err)
			}
			if _, err := db1.AddActivities(ctx, []domain.Activity{
				{Source: "github", ExternalID: "1", Kind: domain.ActReply, At: at(t, "2025-06-10 10:00"), Actor: "fay", Thread: "t"},
				{Source: "github", ExternalID: "2", Kind: domain.ActReply, At: at(t, "2026-03-10 10:00"), Actor: "fay", Thread: "t"},
			}); err != nil {
				t.Fatal(err)
			}
			first := &data.DomainRule{Domain: "acme.example", Member: "alpha", From: day(t, "2026-01-01")}
			second := func(db *data.DB) error {
				r := &data.DomainRule{Domain: "acme.example", Member: "beta", From: day(t, c.from)}
				if c.to != "" {
					r.To = day(t, c.to)
				}
				_, err := db.AddDomainRule(ctx, r)
				return err
			}
			var outcome func() error
			if err := db1.AddDomainRuleHeld(ctx, first, func() { outcome = meet(t, db2, func() error { return second(db2) }) }); err != nil {
				t.Fatalf("first rule: %v", err)
			}
			err := outcome()
			want := map[string]string{"2025-06-10": "", "2026-03-10": "alpha"}
			rules := 1
			if c.refused {
				msg := fmt.Sprintf("domain: overlaps rule %d (acme.example to alpha from 2026-01-01); delete it first", first.ID)
				if domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != msg {
					t.Fatalf("second rule: %v; want ECONFLICT %q", err, msg)
				}
				if err := second(db1); domain.ErrorMessage(err) != msg {
					t.Errorf("serial second rule: %v; want %q", err, msg)
				}
			} else {
				if err != nil {
					t.Fatalf("second rule: %v", err)
				}
				want["2025-06-10"] = "beta"
				rules = 2
			}
			if rs, err := db1.DomainRules(ctx); err != nil || len(rs) != rules {
				t.Errorf("rules = %+v (%v), want %d", rs, err, rules)
			}
			for on, w := range want {
				if got := memberOf(t, db1, "fay", on, slugs); got != w {
					t.Errorf("on %s fay is %q, want %q", on, got, w)
				}
			}
		})
	}
}

// TestRaceReplacingAffiliations: two replacements of a person's explicit
// affiliations meeting (the configuration applied by two processes
// starting) leave the second's, with the rule-made ones around them, as if
// one ran after the other, not both writers' rows.
func TestRaceReplacingAffiliations(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	alpha := mustMember(t, db1, "alpha")
	mustMember(t, db1, "beta")
	fay := &domain.Person{Name: "Fay", Email: "fay@acme.example"}
	if err := db1.CreatePerson(ctx, fay, domain.Identity{Source: "github", Login: "fay"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db1.AddDomainRule(ctx, &data.DomainRule{Domain: "acme.example", Member: "beta", From: day(t, "2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	spans := func(to string) []domain.Affiliation {
		return []domain.Affiliation{{MemberID: alpha.ID, From: day(t, "2026-01-01"), To: day(t, to)}}
	}
	var second func() error
	err := db1.ReplaceAffiliationsHeld(ctx, fay.ID, spans("2026-03-01"), func() {
		second = meet(t, db2, func() error { return db2.ReplaceAffiliations(ctx, fay.ID, spans("2026-04-01")) })
	})
	if err != nil {
		t.Fatalf("first replacement: %v", err)
	}
	if err := second(); err != nil {
		t.Fatalf("second replacement: %v", err)
	}
	got, err := db1.Affiliations(ctx, fay.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The second alone, applied again, gives the serial outcome.
	if err := db1.ReplaceAffiliations(ctx, fay.ID, spans("2026-04-01")); err != nil {
		t.Fatal(err)
	}
	want, err := db1.Affiliations(ctx, fay.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("affiliations after both = %q, want the second's %q", got, want)
	}
	if len(want) != 3 {
		t.Fatalf("affiliations = %q, want alpha's span between two of the rule's", want)
	}
}

// TestRaceMergingMembers: a merge meeting another merge of one of its
// members is refused as it would be after it: a member merged away can be
// neither merged again nor merged into, so two members never end merged
// into each other.
func TestRaceMergingMembers(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, keep, drop string
		code, msg        string
	}{
		{"into each other", "beta", "alpha", domain.EINVALID, `into: member "beta" was merged into "alpha": merge into that one`},
		{"one member twice", "gamma", "beta", domain.ECONFLICT, `member "beta" was already merged into "alpha"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db1, db2 := twoProcesses(t)
			alpha, beta := mustMember(t, db1, "alpha"), mustMember(t, db1, "beta")
			mustMember(t, db1, "gamma")
			mustConsumer(t, db1, "key-a", alpha.ID)
			mustConsumer(t, db1, "key-b", beta.ID)
			var second func() error
			err := db1.MergeMembersHeld(ctx, "alpha", "beta", func() {
				second = meet(t, db2, func() error { _, err := db2.MergeMembers(ctx, c.keep, c.drop); return err })
			})
			if err != nil {
				t.Fatalf("first merge: %v", err)
			}
			if err := second(); domain.ErrorCode(err) != c.code || domain.ErrorMessage(err) != c.msg {
				t.Fatalf("second merge: %v; want %s %q", err, c.code, c.msg)
			}
			if _, err := db1.MergeMembers(ctx, c.keep, c.drop); domain.ErrorMessage(err) != c.msg {
				t.Errorf("serial second merge: %v; want %q", err, c.msg)
			}
			a, err := db1.MemberBySlug(ctx, "alpha")
			if err != nil || a.MergedInto != "" || !a.ArchivedOn.IsZero() {
				t.Errorf("alpha = %+v (%v), want it kept", a, err)
			}
			cs, err := db1.Consumers(ctx)
			if err != nil || len(cs) != 2 || cs[0].MemberID != alpha.ID || cs[1].MemberID != alpha.ID {
				t.Errorf("consumers = %+v (%v), want both alpha's", cs, err)
			}
		})
	}
}

// TestRaceChangingAMember: a change to a member meeting another change to
// it checks the member as the other left it, as one after the other would:
// an edit undoing an uncommitted edit is applied, not taken for no change;
// a member being merged away cannot be archived from another day.
func TestRaceChangingAMember(t *testing.T) {
	ctx := context.Background()
	t.Run("an edit undone", func(t *testing.T) {
		db1, db2 := twoProcesses(t)
		a := mustMember(t, db1, "alpha")
		edit := func(joined string) *domain.Member {
			m := *a
			m.JoinedOn = day(t, joined)
			return &m
		}
		var second func() error
		err := db1.UpdateMemberHeld(ctx, edit("2026-02-01"), func() {
			second = meet(t, db2, func() error {
				changed, err := db2.UpdateMember(ctx, edit("2026-01-01"))
				if err == nil && !changed {
					return fmt.Errorf("the edit back was taken for no change")
				}
				return err
			})
		})
		if err != nil {
			t.Fatalf("first edit: %v", err)
		}
		if err := second(); err != nil {
			t.Fatalf("second edit: %v", err)
		}
		if m, err := db1.MemberBySlug(ctx, "alpha"); err != nil || dateOf(m.JoinedOn) != "2026-01-01" {
			t.Fatalf("alpha = %+v (%v), want the second edit's joined date 2026-01-01", m, err)
		}
	})
	t.Run("archiving a member merged away", func(t *testing.T) {
		db1, db2 := twoProcesses(t)
		mustMember(t, db1, "alpha")
		mustMember(t, db1, "beta")
		const want = `member "beta" is already archived (since 2026-01-01)`
		var second func() error
		err := db1.MergeMembersHeld(ctx, "alpha", "beta", func() {
			second = meet(t, db2, func() error { return db2.ArchiveMember(ctx, "beta", day(t, "2026-06-01")) })
		})
		if err != nil {
			t.Fatalf("merge: %v", err)
		}
		if err := second(); domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != want {
			t.Fatalf("archive: %v; want ECONFLICT %q", err, want)
		}
		if m, err := db1.MemberBySlug(ctx, "beta"); err != nil || m.MergedInto != "alpha" || dateOf(m.ArchivedOn) != "2026-01-01" {
			t.Fatalf("beta = %+v (%v), want merged into alpha, archived from the day it joined", m, err)
		}
	})
}

// usageBatch holds one call at `at` for each of keys, added in their order;
// the first half of them with latency, the rest without, so that batches
// with the keys in opposite orders also split them differently between the
// upserts with and without histograms.
func usageBatch(source string, at time.Time, keys []string) *domain.UsageBatch {
	b := domain.NewUsageBatch(source)
	for i, k := range keys {
		lat := -1.0
		if i < len(keys)/2 {
			lat = 40
		}
		b.Add(domain.UsageRecord{Time: at, Consumer: k, Endpoint: "/v1/chat", Status: 200, Bytes: 10, LatencyMS: lat}, "")
	}
	return b
}

// consumerCallsOn returns each consumer's calls on the day of at, by key.
func consumerCallsOn(t *testing.T, db *data.DB, at time.Time) map[string]int64 {
	t.Helper()
	calls, err := db.ConsumerCallsOn(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

func reversed(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[len(keys)-1-i] = k
	}
	return out
}

// TestRaceUsageCommitsCreatingTheSameConsumers: two usage commits that
// create the same new consumers, in opposite orders, both succeed and the
// sums are exact: once with the first held open while the second runs
// into its new keys, then many times at once.
func TestRaceUsageCommitsCreatingTheSameConsumers(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	keys := []string{"key-a", "key-b", "key-c", "key-d", "key-e", "key-f"}

	var second func() error
	err := db1.CommitUsageHeld(ctx, usageBatch("gw-1", at, keys), func() {
		second = meet(t, db2, func() error { return db2.CommitUsage(ctx, usageBatch("gw-2", at, reversed(keys))) })
	})
	if err != nil {
		t.Fatalf("first commit: %v", err)
	}
	if err := second(); err != nil {
		t.Fatalf("second commit: %v", err)
	}
	cs, err := db1.Consumers(ctx)
	if err != nil || len(cs) != len(keys) {
		t.Fatalf("consumers = %d (%v), want %d", len(cs), err, len(keys))
	}
	want := map[string]int64{}
	for _, k := range keys {
		want[k] = 2
	}
	if got := consumerCallsOn(t, db1, at); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("calls by consumer = %v, want %v", got, want)
	}

	// Then many at once, each store committing its batches with the keys
	// in the opposite order of the other's: new keys every other round,
	// the existing ones in between (their rollup rows then meet, split
	// differently between the upserts with and without histograms).
	const rounds = 20
	roundKeys := func(r int) []string {
		if r%2 == 1 {
			return keys
		}
		ks := make([]string, 8)
		for i := range ks {
			ks[i] = fmt.Sprintf("round-%02d-%d", r, i)
		}
		return ks
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	for _, side := range []struct {
		db      *data.DB
		reverse bool
	}{{db1, false}, {db2, true}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				ks := roundKeys(r)
				if side.reverse {
					ks = reversed(ks)
				}
				if err := side.db.CommitUsage(ctx, usageBatch(fmt.Sprintf("gw-%v", side.reverse), at, ks)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent commit: %v", err)
	}
	for r := 0; r < rounds; r++ {
		for _, k := range roundKeys(r) {
			want[k] += 2
		}
	}
	if got := consumerCallsOn(t, db1, at); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("calls by consumer after the concurrent commits = %v, want %v", got, want)
	}
}

// TestRaceNewConsumerAllowance: two commits of one token meeting share its
// daily allowance of new consumers, as they would one after the other: the
// second, whose new keys would take the token over it, is refused whole
// once the first has committed; the second naming the first's new keys
// creates nothing and is stored.
func TestRaceNewConsumerAllowance(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	const allowance = 4
	first := []string{"key-a", "key-b", "key-c"}
	for _, c := range []struct {
		name    string
		second  []string
		refused bool
	}{
		{"other new keys", []string{"key-d", "key-e", "key-f"}, true},
		{"the same new keys", reversed(first), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db1, db2 := twoProcesses(t)
			tok := &domain.Token{Name: "gateway", Scope: domain.ScopeIngest}
			if _, err := db1.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			batch := func(source string, keys []string) *domain.UsageBatch {
				b := usageBatch(source, at, keys)
				b.Token, b.MaxNewConsumers = tok.ID, allowance
				return b
			}
			var second func() error
			err := db1.CommitUsageHeld(ctx, batch("gw-1", first), func() {
				second = meet(t, db2, func() error { return db2.CommitUsage(ctx, batch("gw-2", c.second)) })
			})
			if err != nil {
				t.Fatalf("first commit: %v", err)
			}
			err = second()
			want := map[string]int64{}
			for _, k := range first {
				want[k] = 1
			}
			if c.refused {
				const msg = "the batch names 3 new API consumers; a token may create at most 4 a day (ingest.max_new_consumers_per_day) and this one has created 3 today: nothing of the batch was stored"
				if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorMessage(err) != msg {
					t.Fatalf("second commit: %v; want EINVALID %q", err, msg)
				}
			} else {
				if err != nil {
					t.Fatalf("second commit: %v", err)
				}
				for _, k := range c.second {
					want[k]++
				}
			}
			if cs, err := db1.Consumers(ctx); err != nil || len(cs) != len(first) {
				t.Errorf("consumers = %d (%v), want the first's %d: the token went over its allowance", len(cs), err, len(first))
			}
			if got := consumerCallsOn(t, db1, at); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("calls by consumer = %v, want %v", got, want)
			}
		})
	}
}

// TestRaceUsageCommitAndDigestRefresh: a usage commit and the refresh of
// its day's digest meeting, in both orders, leave the day either stale or
// with a digest that holds the commit: the window read from the digests
// equals the one read from the source rows, and counts every call.
func TestRaceUsageCommitAndDigestRefresh(t *testing.T) {
	ctx := context.Background()
	d := day(t, "2026-03-10")
	setup := func(t *testing.T) (db1, db2 *data.DB, memberID int64) {
		db1, db2 = twoProcesses(t)
		m := mustMember(t, db1, "alpha")
		mustConsumer(t, db1, "key-a", m.ID)
		// The day has usage and is stale: not refreshed since.
		if err := db1.CommitUsage(ctx, usageBatch("gw", d.Add(time.Hour), []string{"key-a", "key-a", "key-a"})); err != nil {
			t.Fatal(err)
		}
		return db1, db2, m.ID
	}
	commit := func(db *data.DB) *domain.UsageBatch {
		return usageBatch("gw", d.Add(2*time.Hour), []string{"key-a", "key-a"})
	}
	check := func(t *testing.T, db *data.DB, memberID int64) {
		t.Helper()
		derived, source := windows(t, db, d)
		if got, want := show(derived), show(source); got != want {
			t.Fatalf("window from the digests differs from the source rows' (a digest stored without the commit, its day not stale):\n%s", firstDiff(got, want))
		}
		if got := memberWindowOf(t, derived, memberID).Calls; got != 5 {
			t.Fatalf("calls in the window = %d, want 5", got)
		}
	}

	t.Run("commit held open", func(t *testing.T) {
		db1, db2, memberID := setup(t)
		var refresh func() error
		err := db1.CommitUsageHeld(ctx, commit(db1), func() {
			refresh = meet(t, db2, func() error { _, err := db2.RefreshUsageDays(ctx); return err })
		})
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		if err := refresh(); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		check(t, db1, memberID)
		refreshDigests(t, db1)
		check(t, db1, memberID)
	})
	t.Run("refresh held open", func(t *testing.T) {
		db1, db2, memberID := setup(t)
		var second func() error
		err := db1.RefreshUsageDayHeld(ctx, d, func() {
			second = meet(t, db2, func() error { return db2.CommitUsage(ctx, commit(db2)) })
		})
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if err := second(); err != nil {
			t.Fatalf("commit: %v", err)
		}
		check(t, db1, memberID)
		refreshDigests(t, db1)
		check(t, db1, memberID)
	})
}

// TestRaceActivityCommitAndDigestRefresh: an activity commit and the
// refresh of its day's digest meeting, in both orders, leave the day either
// stale or with a digest that holds the commit: the window read from the
// digests equals the one read from the source rows, and counts every
// activity.
func TestRaceActivityCommitAndDigestRefresh(t *testing.T) {
	ctx := context.Background()
	d := day(t, "2026-03-10")
	reply := func(id string, memberID int64, at time.Time) []domain.Activity {
		return []domain.Activity{{Source: "github", ExternalID: id, Kind: domain.ActReply, At: at, Actor: "ann", MemberID: memberID, Thread: "t1"}}
	}
	setup := func(t *testing.T) (db1, db2 *data.DB, memberID int64) {
		db1, db2 = twoProcesses(t)
		m := mustMember(t, db1, "alpha")
		// The day has activity and is stale: not refreshed since.
		if _, err := db1.AddActivities(ctx, reply("a1", m.ID, d.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		return db1, db2, m.ID
	}
	commit := func(memberID int64) []domain.Activity { return reply("a2", memberID, d.Add(2*time.Hour)) }
	check := func(t *testing.T, db *data.DB, memberID int64) {
		t.Helper()
		derived, source := windows(t, db, d)
		if got, want := show(derived), show(source); got != want {
			t.Fatalf("window from the digests differs from the source rows' (a digest stored without the commit, its day not stale):\n%s", firstDiff(got, want))
		}
		if got := memberWindowOf(t, derived, memberID).Contributions; got != 2 {
			t.Fatalf("contributions in the window = %d, want 2", got)
		}
	}

	t.Run("commit held open", func(t *testing.T) {
		db1, db2, memberID := setup(t)
		var refresh func() error
		err := db1.AddActivitiesHeld(ctx, commit(memberID), func() {
			refresh = meet(t, db2, func() error { _, err := db2.RefreshActivityDays(ctx); return err })
		})
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		if err := refresh(); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		check(t, db1, memberID)
		refreshDigests(t, db1)
		check(t, db1, memberID)
	})
	t.Run("refresh held open", func(t *testing.T) {
		db1, db2, memberID := setup(t)
		var second func() error
		err := db1.RefreshActivityDayHeld(ctx, d, func() {
			second = meet(t, db2, func() error { _, err := db2.AddActivities(ctx, commit(memberID)); return err })
		})
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if err := second(); err != nil {
			t.Fatalf("commit: %v", err)
		}
		check(t, db1, memberID)
		refreshDigests(t, db1)
		check(t, db1, memberID)
	})
}

// TestRaceRecordingAlerts: two evaluations of the same alerts meeting (the
// alert jobs of two processes) record what one after the other would: one
// alert per condition, the second evaluation moving it on, never a second
// copy of an episode.
func TestRaceRecordingAlerts(t *testing.T) {
	ctx := context.Background()
	t.Run("source alerts", func(t *testing.T) {
		db1, db2 := twoProcesses(t)
		rules, conds := []string{"stale_source"}, []data.AlertCondition{{Rule: "stale_source", Subject: "github", Message: "github is stale"}}
		at := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)
		var second func() error
		err := db1.SyncAlertsHeld(ctx, rules, conds, at, func() {
			second = meet(t, db2, func() error { _, err := db2.SyncAlerts(ctx, rules, conds, at.Add(time.Minute)); return err })
		})
		if err != nil {
			t.Fatalf("first evaluation: %v", err)
		}
		if err := second(); err != nil {
			t.Fatalf("second evaluation: %v", err)
		}
		all, err := db1.Alerts(ctx, data.AlertFilter{Rule: "stale_source"})
		if err != nil || len(all) != 1 || all[0].State != data.AlertOpen || !all[0].LastSeen.Equal(at.Add(time.Minute)) {
			t.Fatalf("alerts = %+v (%v), want one open, last seen by the second evaluation", all, err)
		}
	})
	for _, c := range []struct {
		name  string
		conds []bool // by day: whether the condition opens
		want  string
	}{
		{"a closed episode", []bool{false, true, false, false}, "06-02→06-03"},
		{"an open episode", []bool{false, false, true, true}, "06-03→…"},
	} {
		t.Run("history with "+c.name, func(t *testing.T) {
			db1, db2 := twoProcesses(t)
			mustMember(t, db1, "alpha")
			d := historyDays(t)[:len(c.conds)]
			saveDays(t, db1, d...)
			var days []data.AlertDay
			for i, opens := range c.conds {
				ad := data.AlertDay{Day: d[i]}
				if opens {
					ad.Conds = []data.AlertCondition{cond("usage_drop", "alpha", false)}
				}
				days = append(days, ad)
			}
			at := d[len(d)-1].Add(20 * time.Hour)
			var second func() error
			err := db1.RecordAlertHistoryHeld(ctx, historyRules, days, at, func() {
				second = meet(t, db2, func() error {
					_, err := db2.RecordAlertHistory(ctx, historyRules, days, data.AlertMark{}, at.Add(time.Minute))
					return err
				})
			})
			if err != nil {
				t.Fatalf("first recording: %v", err)
			}
			if err := second(); err != nil {
				t.Fatalf("second recording: %v", err)
			}
			if spans, _ := episodesOf(t, db1, "usage_drop"); strings.Join(spans, " ") != c.want {
				t.Errorf("episodes = %v, want [%s]", spans, c.want)
			}
		})
	}
}

// TestRaceMarkingDaysForRescoring: two changes marking a scored day for
// scoring again, the scorer listing the marks between their commits and
// clearing them once it has scored the day: the second change's mark,
// which the scorer did not see, stays.
func TestRaceMarkingDaysForRescoring(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	d := day(t, "2026-03-10")
	a := mustMember(t, db1, "alpha")
	if err := db1.SaveDayScores(ctx, dayScores(d, 0.2, a.ID)); err != nil {
		t.Fatal(err)
	}
	if marks, err := db1.RescoreDays(ctx); err != nil || len(marks) != 0 {
		t.Fatalf("marks before = %v (%v), want none", marks, err)
	}
	var second, cleared func() error
	err := db1.MarkRescoreFromHeld(ctx, d, func() {
		second = meet(t, db2, func() error {
			return db2.MarkRescoreFromHeld(ctx, d, func() { cleared = scorerMeeting(t, db1, 1) })
		})
	})
	if err != nil {
		t.Fatalf("first change: %v", err)
	}
	if err := second(); err != nil {
		t.Fatalf("second change: %v", err)
	}
	if cleared == nil {
		t.Fatal("the scorer did not run")
	}
	if err := cleared(); err != nil {
		t.Fatalf("clearing the marks: %v", err)
	}
	marks, err := db1.RescoreDays(ctx)
	if err != nil || len(marks) != 1 || !marks[0].Day.Equal(d) {
		t.Fatalf("marks after = %v (%v), want %s still marked: the second change was not scored", marks, err, dateOf(d))
	}
}

// scorerMeeting stands for the scoring job running while a second change
// is held open, after the first committed: it lists the marks for scoring
// again (want of them: the first change's), scores their days without the
// second change and clears the marks it listed, which may wait for the
// second change. It returns the clearing's outcome.
func scorerMeeting(t *testing.T, db *data.DB, want int) (cleared func() error) {
	ctx := context.Background()
	marks, err := db.RescoreDays(ctx)
	if err != nil || len(marks) != want {
		t.Errorf("marks the scorer lists = %v (%v), want %d", marks, err, want)
	}
	return meet(t, db, func() error { return db.RescoreDone(ctx, marks) })
}

// TestRaceProjectChangesMarkTheDaysTheyChange: a change to a project
// meeting another change to it marks the days it changes as they were
// left by the other, so that the scorer running between their commits,
// which saw only the other's marks, leaves the days to score again: a
// start moved back undoes a start moved earlier, and the days between are
// scored again without the project.
func TestRaceProjectChangesMarkTheDaysTheyChange(t *testing.T) {
	ctx := context.Background()
	for _, save := range []struct {
		name string
		held func(db *data.DB, p *domain.Project, held func()) error
	}{
		{"registry", func(db *data.DB, p *domain.Project, held func()) error { return db.UpsertProjectHeld(ctx, p, held) }},
		{"agreement", func(db *data.DB, p *domain.Project, held func()) error { return db.SaveAgreementHeld(ctx, p, held) }},
	} {
		t.Run(save.name, func(t *testing.T) {
			db1, db2 := twoProcesses(t)
			a := mustMember(t, db1, "alpha")
			p := &domain.Project{Slug: "pilot", Name: "Pilot", Status: domain.ProjectActive, StartOn: day(t, "2026-03-01"),
				Parties: []domain.ProjectParty{{MemberID: a.ID}}}
			if err := db1.CreateProject(ctx, p); err != nil {
				t.Fatal(err)
			}
			feb := day(t, "2026-02-10")
			if err := db1.SaveDayScores(ctx, dayScores(feb, 0.2, a.ID)); err != nil {
				t.Fatal(err)
			}
			if marks, err := db1.RescoreDays(ctx); err != nil || len(marks) != 0 {
				t.Fatalf("marks before = %v (%v), want none", marks, err)
			}
			starting := func(on string) *domain.Project {
				q := *p
				q.StartOn = day(t, on)
				return &q
			}
			var second, cleared func() error
			err := save.held(db1, starting("2026-01-01"), func() {
				second = meet(t, db2, func() error {
					return save.held(db2, starting("2026-03-01"), func() { cleared = scorerMeeting(t, db1, 1) })
				})
			})
			if err != nil {
				t.Fatalf("first change: %v", err)
			}
			if err := second(); err != nil {
				t.Fatalf("second change: %v", err)
			}
			if cleared == nil {
				t.Fatal("the scorer did not run")
			}
			if err := cleared(); err != nil {
				t.Fatalf("clearing the marks: %v", err)
			}
			marks, err := db1.RescoreDays(ctx)
			if err != nil || len(marks) != 1 || !marks[0].Day.Equal(feb) {
				t.Fatalf("marks after = %v (%v), want %s still marked: scored with the project the second change took back", marks, err, dateOf(feb))
			}
		})
	}
}

func dateOf(d time.Time) string { return d.Format(domain.DateLayout) }

// TestRaceScoringWindowIsOneSnapshot: a scoring window read while another
// process commits usage and activity between its queries equals the window
// read before the commit, not a mix of before and after, though the commit
// changes the window read after it.
func TestRaceScoringWindowIsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	d := day(t, "2026-03-10")
	m := mustMember(t, db1, "alpha")
	mustConsumer(t, db1, "key-a", m.ID)
	for i := 0; i < 5; i++ {
		at := d.AddDate(0, 0, -i).Add(9 * time.Hour)
		if err := db1.CommitUsage(ctx, usageBatch("gw", at, []string{"key-a", "key-a"})); err != nil {
			t.Fatal(err)
		}
		if _, err := db1.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: fmt.Sprint("a", i), Kind: domain.ActReply,
			At: at, Actor: "ann", MemberID: m.ID, Thread: "t1"}}); err != nil {
			t.Fatal(err)
		}
	}
	refreshDigests(t, db1)
	before, err := db1.ScoringWindow(ctx, d, 28)
	if err != nil {
		t.Fatal(err)
	}
	var commitErr error
	during, err := db1.ScoringWindowWithCommit(ctx, d, 28, func() {
		at := d.Add(10 * time.Hour)
		if commitErr = db2.CommitUsage(ctx, usageBatch("gw", at, []string{"key-a", "key-b"})); commitErr != nil {
			return
		}
		_, commitErr = db2.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: "late", Kind: domain.ActReply,
			At: at, Actor: "ann", MemberID: m.ID, Thread: "t2"}})
	})
	if err != nil || commitErr != nil {
		t.Fatalf("window: %v; commit between its queries: %v", err, commitErr)
	}
	after, err := db1.ScoringWindow(ctx, d, 28)
	if err != nil {
		t.Fatal(err)
	}
	if show(after) == show(before) {
		t.Fatal("the commit did not change the window: the test would see nothing")
	}
	if got, want := show(during), show(before); got != want {
		t.Fatalf("window read across the commit differs from the one before it:\n%s", firstDiff(got, want))
	}
}

// dayScores scores the members of ids on d, each with phi, one tie
// between the first two.
func dayScores(d time.Time, phi float64, ids ...int64) *domain.DayScores {
	s := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: d, R: phi, Health: 10 * phi, Members: len(ids)}}
	for _, id := range ids {
		s.Members = append(s.Members, domain.MemberScore{MemberID: id, T: phi, I: phi, M: phi, C: phi, K: phi, Phi: phi, Health: 10 * phi,
			Dimensions: [4]float64{phi, phi, phi, phi}, Status: "ok"})
	}
	if len(ids) > 1 {
		s.Edges = []domain.Edge{{A: min(ids[0], ids[1]), B: max(ids[0], ids[1]), K: phi}}
	}
	return s
}

// TestRaceTwoSavesOfADay: two saves of one day's scores meeting — the
// day's first save, and a day scored before — both succeed, and the day
// is the second's whole: its members (one the first scored is gone), its
// ecosystem score and its ties.
func TestRaceTwoSavesOfADay(t *testing.T) {
	ctx := context.Background()
	for _, scoredBefore := range []bool{false, true} {
		t.Run(fmt.Sprintf("scored before %v", scoredBefore), func(t *testing.T) {
			db1, db2 := twoProcesses(t)
			a, b, c := mustMember(t, db1, "alpha"), mustMember(t, db1, "beta"), mustMember(t, db1, "gamma")
			d := day(t, "2026-03-10")
			if scoredBefore {
				if err := db1.SaveDayScores(ctx, dayScores(d, 0.1, a.ID, c.ID)); err != nil {
					t.Fatal(err)
				}
			}
			var second func() error
			err := db1.SaveDayScoresHeld(ctx, dayScores(d, 0.2, a.ID, b.ID, c.ID), func() {
				second = meet(t, db2, func() error { return db2.SaveDayScores(ctx, dayScores(d, 0.3, b.ID, a.ID)) })
			})
			if err != nil {
				t.Fatalf("first save: %v", err)
			}
			if err := second(); err != nil {
				t.Fatalf("second save: %v", err)
			}
			scores, err := db1.ScoresOn(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range scores {
				got = append(got, fmt.Sprintf("%s=%.1f", s.Slug, s.Score.Phi))
			}
			if fmt.Sprint(got) != "[alpha=0.3 beta=0.3]" {
				t.Errorf("scores of the day = %v, want the second save's [alpha=0.3 beta=0.3]", got)
			}
			e, err := db1.EcosystemScoreOn(ctx, d)
			if err != nil || e.R != 0.3 || e.Members != 2 {
				t.Errorf("ecosystem score = %+v (%v), want the second save's", e, err)
			}
			edges, err := db1.EdgesOn(ctx, d)
			if err != nil || fmt.Sprint(edges) != fmt.Sprint([]domain.Edge{{A: a.ID, B: b.ID, K: 0.3}}) {
				t.Errorf("edges = %v (%v), want the second save's", edges, err)
			}
		})
	}
}
