package app

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// meAs returns the status and body of GET /api/v1/me with session s, and how
// many reads the store began for it (the route itself reads nothing: what
// it reads is the gate's).
func meAs(t *testing.T, a *App, s testSession) (int, string, uint64) {
	t.Helper()
	before := a.db.Reads()
	r := sendAs(t, a, s, httptest.NewRequest("GET", "/api/v1/me", nil))
	return r.status, r.body, a.db.Reads() - before
}

// TestARepeatedRequestReadsNeitherSessionNorAccount: the first request of
// a session reads its session and its account; the next ones read nothing
// while nothing has been written.
func TestARepeatedRequestReadsNeitherSessionNorAccount(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	s := loginAs(t, a, domain.RoleViewer)
	if status, _, reads := meAs(t, a, s); status != http.StatusOK || reads == 0 {
		t.Fatalf("first request: %d with %d reads, want 200 with the session's and the account's", status, reads)
	}
	for i := range 3 {
		if status, body, reads := meAs(t, a, s); status != http.StatusOK || reads != 0 || !strings.Contains(body, `"role":"viewer"`) {
			t.Errorf("request %d after the first: %d %s with %d reads, want 200 as the viewer with none", i+2, status, body, reads)
		}
	}
	// Usage writes (an import, ingest) change no session and no account.
	b := domain.NewUsageBatch("gateway")
	b.Add(domain.UsageRecord{Time: time.Now(), Consumer: "key-1", Endpoint: "/v1/chat", Status: 200}, "")
	for i := range 2 { // the first moves the usage's last day (a page may say it), the second not
		if err := a.db.CommitCollectedUsage(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		if _, _, reads := meAs(t, a, s); i == 1 && reads != 0 {
			t.Errorf("after a usage write within the days held: %d reads, want none", reads)
		}
	}
	// A state-changing request reads the stored session (its CSRF token).
	before := a.db.Reads()
	if r := sendAs(t, a, s, httptest.NewRequest("POST", "/logout", nil)); r.status >= 400 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if a.db.Reads() == before {
		t.Error("a POST read no session: its CSRF token was not checked against the store")
	}
	if status, _, _ := meAs(t, a, s); status != http.StatusUnauthorized {
		t.Errorf("after logging out: %d, want 401", status)
	}
}

// TestAccountChangesReachARememberedSessionAtOnce: a change of role, a
// disabled account and a session's end apply to the very next request of
// a session the gate remembers.
func TestAccountChangesReachARememberedSessionAtOnce(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	ctx := t.Context()
	s := loginAs(t, a, domain.RoleViewer)
	meAs(t, a, s)
	if _, _, reads := meAs(t, a, s); reads != 0 {
		t.Fatalf("the session is not remembered (%d reads): this test would prove nothing", reads)
	}
	if err := a.db.SetUserRole(ctx, domain.RoleViewer, domain.RoleManager); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := meAs(t, a, s); !strings.Contains(body, `"role":"manager"`) {
		t.Errorf("after the change of role: %s, want the manager", body)
	}
	if status, _, _ := getAs(t, a, s, "/allocation"); status != http.StatusOK {
		t.Errorf("a manager's page after the change of role: %d", status)
	}
	if err := a.db.SetUserDisabled(ctx, domain.RoleViewer, true); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := meAs(t, a, s); status != http.StatusUnauthorized {
		t.Errorf("a disabled account's remembered session: %d, want 401", status)
	}

	m := loginAs(t, a, domain.RoleManager)
	meAs(t, a, m)
	uid := managerID(t, a)
	if _, err := a.db.Sessions().EndUserSessions(ctx, uid, ""); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := meAs(t, a, m); status != http.StatusUnauthorized {
		t.Errorf("an ended session the gate remembered: %d, want 401", status)
	}
}

func managerID(t *testing.T, a *App) int64 {
	t.Helper()
	u, err := a.db.UserByName(t.Context(), domain.RoleManager)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestAccountChangesOnAnotherReplicaReachARememberedSession: B remembers
// a session; a logout through A, and an account disabled through A, are
// refused by B within 2 s (README's bound for another replica's writes).
func TestAccountChangesOnAnotherReplicaReachARememberedSession(t *testing.T) {
	a, b := twoReplicas(t, datatest.Target(t), config.Default())
	refusedOnB := func(s testSession, what string) {
		t.Helper()
		since := time.Now()
		for {
			status, _, _ := meAs(t, b, s)
			if status == http.StatusUnauthorized {
				return
			}
			if time.Since(since) > 2*time.Second {
				t.Errorf("%s: B still lets the session in 2 s later (%d)", what, status)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	remembered := func(s testSession) {
		t.Helper()
		meAs(t, b, s)
		if _, _, reads := meAs(t, b, s); reads != 0 {
			t.Fatalf("B does not remember the session (%d reads): this test would prove nothing", reads)
		}
	}

	s := loginAs(t, b, domain.RoleViewer)
	remembered(s)
	if r := sendAs(t, a, s, httptest.NewRequest("POST", "/logout", nil)); r.status >= 400 {
		t.Fatalf("logout through A: %d %s", r.status, r.body)
	}
	refusedOnB(s, "logged out through A")

	s = loginAs(t, b, domain.RoleViewer)
	remembered(s)
	if err := a.db.SetUserDisabled(t.Context(), domain.RoleViewer, true); err != nil {
		t.Fatal(err)
	}
	refusedOnB(s, "account disabled through A")
}

// TestViewerCacheIsBounded: sessions past viewerCacheMax do not grow the
// cache; the one just remembered is found.
func TestViewerCacheIsBounded(t *testing.T) {
	var vc viewerCache
	now := time.Now()
	var last [sha256.Size]byte
	for i := range viewerCacheMax + 10 {
		last = [sha256.Size]byte{byte(i), byte(i >> 8), byte(i >> 16)}
		vc.put(last, viewerEntry{v: viewer{ID: int64(i)}, touched: now, loginAt: now, version: 7})
		if len(vc.m) > viewerCacheMax {
			t.Fatalf("%d sessions remembered, more than %d", len(vc.m), viewerCacheMax)
		}
	}
	if e, ok := vc.get(last, 7, now, time.Minute); !ok || e.v.ID != int64(viewerCacheMax+9) {
		t.Errorf("the session remembered last: %v %v", e.v, ok)
	}
	if _, ok := vc.get(last, 8, now, time.Minute); ok {
		t.Error("an entry of another data version was found")
	}
}
