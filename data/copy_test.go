package data_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// copyTarget opens a fresh PostgreSQL store for a copy, or skips.
func copyTarget(t *testing.T) *data.DB {
	t.Helper()
	if !datatest.Postgres() {
		t.Skip("copy needs PostgreSQL: set " + datatest.PostgresEnv)
	}
	return datatest.MustOpenDB(t)
}

// sqliteSource opens a new SQLite store, whatever the backend of the run.
func sqliteSource(t *testing.T) *data.DB {
	t.Helper()
	db, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "source.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCopyKeepsRowsIdsAndTypes copies a SQLite store holding what differs
// between the backends — flags (SQLite integers, PostgreSQL booleans),
// blobs, a member merged into a later one (a reference to its own table),
// an AUTOINCREMENT id handed out and deleted — and reads it back through
// the store on PostgreSQL: the same answers, the same ids, and new rows
// take ids after every id SQLite ever gave.
func TestCopyKeepsRowsIdsAndTypes(t *testing.T) {
	dst := copyTarget(t)
	src := sqliteSource(t)
	ctx := context.Background()

	// alpha (id 1) merged into omega (id 1202): a reference to a row of a
	// later INSERT batch.
	mustMember(t, src, "alpha")
	for i := range 1200 {
		mustMember(t, src, fmt.Sprintf("m%04d", i))
	}
	mustMember(t, src, "omega")
	if _, err := src.MergeMembers(ctx, "omega", "alpha"); err != nil {
		t.Fatal(err)
	}
	// More rows than a batch, and a tail.
	rejected := make([]domain.Rejected, 2345)
	for i := range rejected {
		rejected[i] = domain.Rejected{Reason: "line " + strconv.Itoa(i+1) + ": bad", Record: strings.Repeat("x", i%100)}
	}
	if err := src.ReplaceRejectedRecords(ctx, "registry", rejected); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, err := src.AddActivities(ctx, []domain.Activity{
		{Source: "github", ExternalID: "1", Kind: domain.ActReply, At: at, Actor: "octocat", Thread: "t1", Title: "a question"},
		{Source: "github", ExternalID: "2", Kind: domain.ActReply, At: at.Add(time.Hour), Actor: "dependabot[bot]", Thread: "t1", Bot: true},
	}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []domain.User{
		{Name: "ada", Role: domain.RoleViewer, Language: "zh-CN"},
		{Name: "bob", Role: domain.RoleViewer, Disabled: true},
		{Name: "cy", Role: domain.RoleAdmin, Disabled: true, MustChangePassword: true},
		{Name: "gone", Role: domain.RoleViewer},
	} {
		u.PasswordHash, u.CreatedAt = "x", at
		if err := src.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.DeleteUser(ctx, "gone"); err != nil { // id 4, the highest: only sqlite_sequence remembers it
		t.Fatal(err)
	}
	secret, err := src.ServerSecret(ctx, "session-key", 32)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Audit(ctx, data.AuditEntry{Actor: "cli", Action: "user.add", Target: "ada", OK: false}); err != nil {
		t.Fatal(err)
	}
	// A frozen week with its reasons' facts: changes as JSON, a dimension
	// not measured (NULL).
	sunday := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	m0, err := src.MemberBySlug(ctx, "m0000")
	if err != nil {
		t.Fatal(err)
	}
	if err := src.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: sunday, R: 1, Health: 40},
		Members: []domain.MemberScore{{MemberID: m0.ID, C: 1, Phi: 1, Health: 40, Status: domain.StatusAtRisk,
			Dimensions: [4]float64{20, math.NaN(), 70, 0},
			Changes:    []domain.Change{{Kind: domain.ChangeLatency, Dimension: "api", Score: 0.3, Now: 3100, Before: 1000}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.FreezeSnapshot(ctx, "2026-W09", sunday, at); err != nil {
		t.Fatal(err)
	}

	var seen []string
	tables, err := data.Copy(ctx, src, dst, func(table string, done, total int64) {
		if done == total {
			seen = append(seen, table)
		}
	})
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	rows := map[string]int64{}
	for _, tb := range tables {
		rows[tb.Name] = tb.Rows
	}
	for table, want := range map[string]int64{"members": 1202, "rejected_records": 2345, "activities": 2, "users": 3, "server_secrets": 1, "audit_log": 1} {
		if rows[table] != want {
			t.Errorf("copied %d rows of %s, want %d", rows[table], table, want)
		}
	}
	if _, ok := rows["schema_migrations"]; ok {
		t.Error("schema_migrations was copied")
	}
	if len(seen) != len(tables) {
		t.Errorf("progress finished %d tables, the copy %d", len(seen), len(tables))
	}

	same := func(what string, read func(*data.DB) (any, error)) {
		t.Helper()
		a, err := read(src)
		if err != nil {
			t.Fatalf("%s on SQLite: %v", what, err)
		}
		b, err := read(dst)
		if err != nil {
			t.Fatalf("%s on the copy: %v", what, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs:\nSQLite %+v\ncopy   %+v", what, a, b)
		}
	}
	same("members", func(db *data.DB) (any, error) { return db.Members(ctx) })
	same("users", func(db *data.DB) (any, error) { return db.Users(ctx) })
	same("audit log", func(db *data.DB) (any, error) { return db.AuditLog(ctx, 10) })
	same("rejected records", func(db *data.DB) (any, error) { return db.RejectedRecords(ctx, "registry", 3000) })
	same("activities", func(db *data.DB) (any, error) { return datatest.Activities(t, db), nil })
	same("snapshot members", func(db *data.DB) (any, error) {
		ms, err := db.SnapshotMembers(ctx, "2026-W09")
		if len(ms) != 1 || ms[0].Facts == nil {
			return nil, fmt.Errorf("read %+v, want one member with its reason's facts (%v)", ms, err)
		}
		// As text (a dimension not measured is NaN, which DeepEqual never
		// equals), without the pointer.
		m, f := ms[0], *ms[0].Facts
		m.Facts = nil
		return fmt.Sprintf("%+v %+v", m, f), err
	})
	if m, err := dst.MemberBySlug(ctx, "alpha"); err != nil || m.MergedInto != "omega" {
		t.Errorf("alpha on the copy: %+v, %v; want merged into omega", m, err)
	}
	if got, err := dst.ServerSecret(ctx, "session-key", 32); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("the server secret on the copy is %x (%v), want %x", got, err, secret)
	}

	// New rows continue after the copied ids: a member after omega, a
	// user after the deleted id 4.
	m := mustMember(t, dst, "delta")
	if m.ID != 1203 {
		t.Errorf("a member created on the copy has id %d, want 1203", m.ID)
	}
	u := &domain.User{Name: "dee", Role: domain.RoleViewer, PasswordHash: "x", CreatedAt: at}
	if err := dst.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u.ID != 5 {
		t.Errorf("a user created on the copy has id %d, want 5 (SQLite gave ids up to 4)", u.ID)
	}

	// The target's triggers, off while the copy ran, are on again: an
	// activity added on a day of its own lists that day as stale.
	later := time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)
	if _, err := dst.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: "3", Kind: domain.ActReply, At: later, Actor: "octocat", Thread: "t2"}}); err != nil {
		t.Fatal(err)
	}
	var stale int
	if err := datatest.Raw(t, dst).QueryRowContext(ctx, `SELECT COUNT(*) FROM activity_days_stale WHERE day = ?`, later.Unix()-later.Unix()%86400).Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if stale != 1 {
		t.Errorf("an activity added after the copy listed its day %d times as stale, want once: the copy left the triggers off", stale)
	}

	// A second copy into the same database is refused: it is not empty.
	_, err = data.Copy(ctx, src, dst, nil)
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "not empty") {
		t.Errorf("a second copy: %v, want a refusal of a database that is not empty", err)
	}
}

// TestFailedCopyLeavesTheTargetEmpty: a row PostgreSQL cannot take (a NUL
// character in a text, which SQLite keeps) fails the copy, whose one
// transaction leaves the target as it was; once the row is fixed the copy
// runs again.
func TestFailedCopyLeavesTheTargetEmpty(t *testing.T) {
	dst := copyTarget(t)
	src := sqliteSource(t)
	ctx := context.Background()
	mustMember(t, src, "alpha")
	raw, err := sql.Open("sqlite", "file:"+src.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO rejected_records (source, at, reason, record) VALUES ('registry', 1, 'bad', ?)`, "a\x00b"); err != nil {
		t.Fatal(err)
	}
	if _, err := data.Copy(ctx, src, dst, nil); err == nil || !strings.Contains(err.Error(), "rejected_records") {
		t.Fatalf("copy of a text with a NUL: %v, want a failure naming the table", err)
	}
	if n, err := dst.CountMembers(ctx); err != nil || n != 0 {
		t.Fatalf("after a failed copy the target has %d members (%v), want none", n, err)
	}
	if _, err := raw.Exec(`UPDATE rejected_records SET record = 'ab'`); err != nil {
		t.Fatal(err)
	}
	if _, err := data.Copy(ctx, src, dst, nil); err != nil {
		t.Fatalf("copy after the fix: %v", err)
	}
	if n, err := dst.CountMembers(ctx); err != nil || n != 1 {
		t.Errorf("the copy has %d members (%v), want 1", n, err)
	}
}

// TestCopyRefusesWhatItCannotFill: copy goes from SQLite to PostgreSQL
// only.
func TestCopyRefusesWhatItCannotFill(t *testing.T) {
	ctx := context.Background()
	_, err := data.Copy(ctx, sqliteSource(t), sqliteSource(t), nil)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "--to must be a postgres:// URL") {
		t.Errorf("copy into SQLite: %v", err)
	}
	if datatest.Postgres() {
		pg := datatest.MustOpenDB(t)
		if _, err := data.Copy(ctx, pg, datatest.MustOpenDB(t), nil); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("copy from PostgreSQL: %v, want EINVALID", err)
		}
	}
}
