package data_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestUserAdministration(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	for _, u := range []*domain.User{{Name: "ann", Role: domain.RoleAdmin, PasswordHash: "x"}, {Name: "bob", Role: domain.RoleViewer, PasswordHash: "x"}} {
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetUserRole(ctx, "bob", domain.RoleManager); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserRole(ctx, "bob", "root"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown role: %v", err)
	}
	if err := db.SetUserDisabled(ctx, "nobody", true); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown user: %v", err)
	}
	if err := db.SetUserDisabled(ctx, "ann", true); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountAdmins(ctx); n != 0 {
		t.Errorf("enabled admins = %d, want 0", n)
	}
	bob, _ := db.UserByName(ctx, "bob")
	if got, want := bob.Role, domain.RoleManager; got != want {
		t.Errorf("role = %q, want %q", got, want)
	}

	// Single sign-on accounts: created, updated, never a local one.
	created, err := db.UpsertSSOUser(ctx, "sso-sam", domain.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == 0 || created.Name != "sso-sam" || created.Role != domain.RoleViewer || created.PasswordHash != "" {
		t.Errorf("created: %+v", created)
	}
	if u, err := db.UpsertSSOUser(ctx, "sso-sam", domain.RoleAdmin); err != nil || u.Role != domain.RoleAdmin || u.ID != created.ID {
		t.Errorf("update: %+v %v", u, err)
	}
	if stored, err := db.UserByName(ctx, "sso-sam"); err != nil || stored.Role != domain.RoleAdmin || stored.PasswordHash != "" {
		t.Errorf("stored after the update: %+v %v", stored, err)
	}
	if _, err := db.UpsertSSOUser(ctx, "bob", domain.RoleAdmin); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("local account taken over: %v", err)
	}
	db.SetUserDisabled(ctx, "sso-sam", true)
	if _, err := db.UpsertSSOUser(ctx, "sso-sam", domain.RoleViewer); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("disabled account: %v", err)
	}
	if sso, _ := db.SSOUserNames(ctx); !sso["sso-sam"] || sso["bob"] {
		t.Errorf("SSO users = %v", sso)
	}
}

func TestAuditQueryFiltersNewestFirst(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	for _, e := range []data.AuditEntry{
		{Actor: "ann", Action: "user.create", Target: "bob", OK: true},
		{Actor: "ann", Action: "user_x", Target: "odd", OK: true},
		{Actor: "bob", Action: "login", OK: false},
		{Actor: "ann", Action: "user.delete", Target: "bob", OK: true},
		{Actor: "100%", Action: "token.create", OK: true},
	} {
		if err := db.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got := func(f data.AuditFilter) string {
		es, err := db.AuditQuery(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, e := range es {
			s = append(s, e.Actor+":"+e.Action)
		}
		return strings.Join(s, ",")
	}
	for f, want := range map[data.AuditFilter]string{
		{Actor: "ann"}:                  "ann:user.delete,ann:user_x,ann:user.create",
		{Action: "user"}:                "ann:user.delete,ann:user.create",
		{Action: "user.create"}:         "ann:user.create",
		{Action: "user_"}:               "",
		{Actor: "%"}:                    "",
		{Actor: "100%"}:                 "100%:token.create",
		{Actor: "ann", Action: "login"}: "",
		{Limit: 2}:                      "100%:token.create,ann:user.delete",
	} {
		if g := got(f); g != want {
			t.Errorf("%+v: %q, want %q", f, g, want)
		}
	}
}

// TestForgetPerson checks what forgetting changes at the store: names,
// e-mail, logins, actors, titles and threads, and what it keeps: person
// links, member attribution, distinct actors.
func TestForgetPerson(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	m := mustMember(t, db, "acme")
	p := &domain.Person{Name: "Zed Quux", Email: "Zed@Example.org"}
	if err := db.CreatePerson(ctx, p, domain.Identity{Source: "github", Login: "zq"}, domain.Identity{Source: "github", Login: "zq-old"}, domain.Identity{Source: "forum", Login: "zedq"}); err != nil {
		t.Fatal(err)
	}
	twin := &domain.Person{Name: "Other Zed"}
	if err := db.CreatePerson(ctx, twin, domain.Identity{Source: "forum", Login: "zq"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: p.ID, MemberID: m.ID, From: day(t, "2026-01-01")}); err != nil {
		t.Fatal(err)
	}
	at := day(t, "2026-03-01")
	acts := []domain.Activity{
		{Source: "github", ExternalID: "1", Kind: domain.ActThreadOpened, At: at, Actor: "zq", Thread: "github:zq/tools#1", Title: "Bug found by zq"},
		{Source: "github", ExternalID: "2", Kind: domain.ActReply, At: at.Add(time.Hour), Actor: "zq-old", Thread: "github:zq/tools#1"},
		{Source: "forum", ExternalID: "3", Kind: domain.ActReply, At: at.Add(2 * time.Hour), Actor: "ZedQ", Thread: "forum:7", Title: "mail Zed@example.org"},
		{Source: "forum", ExternalID: "4", Kind: domain.ActReply, At: at.Add(3 * time.Hour), Actor: "zq", Thread: "forum:7", Title: "the twin"},
	}
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ForgetPerson(ctx, "zq"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a login of two people: %v, want ECONFLICT", err)
	}
	f, err := db.ForgetPerson(ctx, "GitHub:ZQ")
	if err != nil {
		t.Fatal(err)
	}
	want := "forgotten-" + strconv.FormatInt(p.ID, 10)
	if f.PersonID != p.ID || f.Pseudonym != want || f.Identities != 3 || f.Activities != 3 || !f.Checkpointed {
		t.Errorf("forgotten: %+v", f)
	}
	// The twin's activity on the forum is untouched; the person's are not.
	for _, c := range []struct {
		source, login string
		person        int64
	}{{"github", want, p.ID}, {"github", want + "-2", p.ID}, {"forum", want + "-3", p.ID}, {"forum", "zq", twin.ID}} {
		got, err := db.PersonByIdentity(ctx, c.source, c.login)
		if err != nil || got.ID != c.person {
			t.Errorf("%s/%s: %+v %v, want person %d", c.source, c.login, got, err, c.person)
		}
	}
	got, _ := db.PersonByIdentity(ctx, "github", want)
	if got.Name != want || got.Email != "" {
		t.Errorf("person is %q <%s>", got.Name, got.Email)
	}
	for _, old := range []string{"zq-old", "zedq"} {
		if _, err := db.PersonByIdentity(ctx, "forum", old); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("login %s survives: %v", old, err)
		}
	}
	// Attribution stays through re-resolution.
	if n, err := db.ReresolveActivities(ctx); err != nil || n != 0 {
		t.Errorf("re-resolving changed %d activities (%v)", n, err)
	}
	if _, err := db.ForgetPerson(ctx, "nobody@example.org"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown e-mail: %v", err)
	}
}

// TestForgetPersonOutlastsAnOlderSnapshot forgets a person while another
// session of the database holds a snapshot taken before (as an autovacuum
// worker's ANALYZE does): on PostgreSQL a VACUUM FULL run then would copy
// the old row versions into the rewritten tables. Forgetting waits for the
// snapshot to end, so the files no longer hold the login; held past the
// wait, forgetting says the old copies may remain.
func TestForgetPersonOutlastsAnOlderSnapshot(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("PostgreSQL only: SQLite's old copies are the write-ahead log's (TestForgetPerson)")
	}
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	target := datatest.TargetOf(t, db)
	forgetWhile := func(login string, release bool) *data.Forgotten {
		t.Helper()
		if err := db.CreatePerson(ctx, &domain.Person{Name: login + " Quuxley"}, domain.Identity{Source: "github", Login: login}); err != nil {
			t.Fatal(err)
		}
		old, err := datatest.RawOf(t, target).Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer old.Close()
		var pid int
		if err := old.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		tx, err := old.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members`).Scan(&n); err != nil { // takes the snapshot
			t.Fatal(err)
		}
		type result struct {
			f   *data.Forgotten
			err error
		}
		done := make(chan result, 1)
		go func() {
			f, err := db.ForgetPerson(ctx, login)
			done <- result{f, err}
		}()
		if release {
			// End the old snapshot once forgetting has committed and waits.
			watch := datatest.RawOf(t, target)
			for {
				var waiting int
				if err := watch.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
					AND pid NOT IN (pg_backend_pid(), ?) AND query LIKE '%age($1::xid)%'`, pid).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
				if waiting > 0 {
					break
				}
				select {
				case r := <-done:
					t.Fatalf("forgetting ended before the older snapshot did: %+v %v", r.f, r.err)
				case <-time.After(10 * time.Millisecond):
				}
			}
			tx.Rollback()
		}
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.f
	}

	data.SetOldSnapshotWait(t, 200*time.Millisecond)
	if f := forgetWhile("zquux-held", false); f.Checkpointed {
		t.Errorf("a snapshot held past the wait: %+v, want Checkpointed false", f)
	}
	data.SetOldSnapshotWait(t, time.Minute)
	if f := forgetWhile("zquux-ended", true); !f.Checkpointed {
		t.Errorf("the older snapshot ended: %+v, want Checkpointed", f)
	}
	db.Close()
	if datatest.Holds(t, target, "zquux-ended") {
		t.Error("the files still hold the login forgotten after the older snapshot ended")
	}
}
