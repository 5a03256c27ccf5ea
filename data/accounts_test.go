package data_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestDeletedUserIDsAreNeverReused: a session or a log line may still carry
// a deleted account's id; a new account must not inherit it (SQLite reuses
// the largest INTEGER PRIMARY KEY after a delete unless AUTOINCREMENT).
func TestDeletedUserIDsAreNeverReused(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := t.Context()
	a := &domain.User{Name: "alice", Role: domain.RoleViewer, PasswordHash: "x"}
	b := &domain.User{Name: "bob", Role: domain.RoleAdmin, PasswordHash: "x"}
	for _, u := range []*domain.User{a, b} {
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	c := &domain.User{Name: "carol", Role: domain.RoleViewer, PasswordHash: "x"}
	if err := db.CreateUser(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.ID <= b.ID {
		t.Errorf("carol got id %d, deleted bob had %d: an id was reused", c.ID, b.ID)
	}
}

func TestAuditFieldsAreBounded(t *testing.T) {
	db := datatest.MustOpenDB(t)
	huge := strings.Repeat("é", 1<<20) // 2 MB of two-byte characters
	if err := db.Audit(t.Context(), data.AuditEntry{Actor: huge, Action: "login", Target: huge, Detail: huge}); err != nil {
		t.Fatal(err)
	}
	got, err := db.AuditLog(t.Context(), 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	for name, s := range map[string]string{"actor": got[0].Actor, "target": got[0].Target, "detail": got[0].Detail} {
		if len(s) > data.AuditFieldMax || !strings.HasSuffix(s, "[cut]") || !strings.HasPrefix(s, "éé") {
			t.Errorf("%s stored with %d bytes (%.20q…): want at most %d, marked as cut", name, len(s), s, data.AuditFieldMax)
		}
		if !utf8.ValidString(s) {
			t.Errorf("%s cut inside a character", name)
		}
	}
}

func TestAuditRepeatedCountsOnOneRow(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := t.Context()
	t0 := time.Now().Add(-time.Hour)
	e := data.AuditEntry{Actor: "admin", Action: "login", Detail: "wrong name or password, from 192.0.2.9"}
	for i := range 50 {
		e.At = t0.Add(time.Duration(i) * time.Second)
		if err := db.AuditRepeated(ctx, e, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	other := e
	other.Detail = "wrong name or password, from 192.0.2.10"
	if err := db.AuditRepeated(ctx, other, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	// After a quiet window, a new row.
	e.At = t0.Add(49*time.Second + 16*time.Minute)
	if err := db.AuditRepeated(ctx, e, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := db.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d rows for 52 failures of 2 addresses, want 3: %+v", len(got), got)
	}
	if first := got[2]; first.Count != 50 || !first.LastAt.Equal(t0.Add(49*time.Second).Truncate(time.Second).UTC()) {
		t.Errorf("first row: count %d, last %v; want 50 and the 50th failure's time", first.Count, first.LastAt)
	}
}

func TestAuditQueryPages(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := t.Context()
	for range 1500 {
		if err := db.Audit(ctx, data.AuditEntry{Actor: "a", Action: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.AuditQuery(ctx, data.AuditFilter{Limit: 1 << 20})
	if err != nil || len(all) != data.AuditMaxLimit {
		t.Fatalf("an unbounded limit read %d rows (%v), want %d", len(all), err, data.AuditMaxLimit)
	}
	seen, before := 0, int64(0)
	for {
		page, err := db.AuditQuery(ctx, data.AuditFilter{Before: before})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > data.AuditDefaultLimit {
			t.Fatalf("a page of %d rows", len(page))
		}
		if len(page) == 0 {
			break
		}
		seen += len(page)
		before = page[len(page)-1].ID
	}
	if seen != 1500 {
		t.Errorf("paging saw %d entries, want 1500", seen)
	}
}

func TestSessionsEndByAccountWithoutDecoding(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := t.Context()
	s := db.Sessions()
	for id, uid := range map[string]int64{"s1": 7, "s2": 7, "s3": 8, "s4": 0} {
		if err := s.Set(id, []byte("opaque"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if uid != 0 {
			if err := s.SetOwner(ctx, id, uid); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A later save (the idle expiry sliding) keeps the owner.
	if err := s.Set("s1", []byte("opaque, again"), time.Hour); err != nil {
		t.Fatal(err)
	}
	n, err := s.EndUserSessions(ctx, 7, "s2")
	if err != nil || n != 1 {
		t.Fatalf("ended %d (%v), want 1: s1, not the kept s2", n, err)
	}
	for id, want := range map[string]bool{"s1": false, "s2": true, "s3": true, "s4": true} {
		if b, _ := s.Get(id); (b != nil) != want {
			t.Errorf("session %s alive %v, want %v", id, b != nil, want)
		}
	}
}

func TestServerSecretIsMadeOnce(t *testing.T) {
	db := datatest.MustOpenDB(t)
	k1, err := db.ServerSecret(t.Context(), "k", 32)
	if err != nil || len(k1) != 32 {
		t.Fatalf("%x %v", k1, err)
	}
	k2, err := db.ServerSecret(t.Context(), "k", 32)
	if err != nil || string(k1) != string(k2) {
		t.Errorf("the second read gave another key")
	}
}

// TestUserLanguageIsChosenOrNone: a user's interface language is one of the
// interface's or none (NULL: the browser's), read back by every look-up of
// the account; a language the interface does not speak is refused, at
// creation as at a change.
func TestUserLanguageIsChosenOrNone(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := t.Context()
	u := &domain.User{Name: "mei", Role: domain.RoleViewer, PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	nulls := func() (n int) {
		t.Helper()
		if err := datatest.RawOf(t, datatest.TargetOf(t, db)).QueryRow(`SELECT COUNT(*) FROM users WHERE language IS NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	read := func() (byName, byID, listed string) {
		t.Helper()
		a, err := db.UserByName(ctx, "mei")
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		all, err := db.Users(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("Users = %v, %v", all, err)
		}
		return a.Language, b.Language, all[0].Language
	}
	if a, b, c := read(); a != "" || b != "" || c != "" || nulls() != 1 {
		t.Errorf("a new account's language = %q/%q/%q (%d NULL), want none, stored as NULL", a, b, c, nulls())
	}
	if err := db.SetUserLanguage(ctx, "mei", "zh-CN"); err != nil {
		t.Fatal(err)
	}
	if a, b, c := read(); a != "zh-CN" || b != "zh-CN" || c != "zh-CN" {
		t.Errorf("after choosing zh-CN: %q/%q/%q", a, b, c)
	}
	for _, bad := range []string{"fr", "zh", "ZH-CN", "en-US", " en"} {
		if err := db.SetUserLanguage(ctx, "mei", bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("SetUserLanguage(%q) = %v, want EINVALID", bad, err)
		}
	}
	if a, _, _ := read(); a != "zh-CN" {
		t.Errorf("a refused language changed the stored one to %q", a)
	}
	if err := db.SetUserLanguage(ctx, "mei", ""); err != nil {
		t.Fatal(err)
	}
	if a, _, _ := read(); a != "" || nulls() != 1 {
		t.Errorf("after choosing the browser's: %q, %d NULL", a, nulls())
	}
	if err := db.SetUserLanguage(ctx, "nobody", "en"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SetUserLanguage of no account = %v, want ENOTFOUND", err)
	}
	if err := db.CreateUser(ctx, &domain.User{Name: "ana", Role: domain.RoleViewer, PasswordHash: "x", Language: "pt"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("CreateUser with language pt = %v, want EINVALID", err)
	}
	en := &domain.User{Name: "eve", Role: domain.RoleViewer, PasswordHash: "x", Language: "en"}
	if err := db.CreateUser(ctx, en); err != nil {
		t.Fatal(err)
	}
	if got, err := db.UserByID(ctx, en.ID); err != nil || got.Language != "en" {
		t.Errorf("created with en: %+v, %v", got, err)
	}
}
