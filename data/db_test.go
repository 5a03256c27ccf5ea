package data_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func day(tb testing.TB, s string) time.Time {
	tb.Helper()
	d, err := domain.ParseDay(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustMember(tb testing.TB, db *data.DB, slug string) *domain.Member {
	tb.Helper()
	m := &domain.Member{Slug: slug, Name: strings.ToUpper(slug), Kind: domain.KindPartner, Segment: "NLP", JoinedOn: day(tb, "2026-01-01")}
	if err := db.CreateMember(context.Background(), m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestMigrationsApplyOnceAndAreRecorded(t *testing.T) {
	ctx := context.Background()
	target := datatest.Target(t)
	db, err := data.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	migs, err := data.Migrations(db.Backend())
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v, migs[len(migs)-1].Version; got != want {
		t.Errorf("schema version = %d, want %d", got, want)
	}
	db.Close()

	db, err = data.OpenNoMigrate(target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", applied)
	}
}

// TestPragmasReachEveryConnection: SQLite enforces foreign keys only on
// connections that ask (a pragma); PostgreSQL always does. Either way an
// affiliation to a missing member must fail, whichever pooled connection
// runs it.
func TestPragmasReachEveryConnection(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	p := &domain.Person{Name: "Ada"}
	if err := db.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: p.ID, MemberID: 999, From: day(t, "2026-01-01")})
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
			t.Fatalf("affiliation to a missing member: err = %v, want a foreign key failure", err)
		}
	}
	if got, err := db.IntegrityCheck(ctx); err != nil || got != "ok" {
		t.Errorf("integrity_check = %q, %v", got, err)
	}
}

// TestConcurrentWritersAndReadersNeverLock runs writers and readers at once:
// the single-connection writer queues writes in Go, and WAL keeps readers
// going, so no call may fail with "database is locked".
func TestConcurrentWritersAndReadersNeverLock(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	c := &domain.APIConsumer{Key: "k1"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				r := domain.UsageRollup{Bucket: start.Add(time.Duration(i) * time.Hour), ConsumerID: c.ID, Endpoint: fmt.Sprintf("/e%d", w), StatusClass: 2, Calls: 1}
				if err := db.AddUsage(ctx, []domain.UsageRollup{r}); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				if _, err := db.UsageTotals(ctx, start, start.AddDate(0, 0, 3), 0); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent access failed: %v", err)
	}
	tot, err := db.UsageTotals(ctx, start, start.AddDate(0, 0, 3), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tot.Calls, int64(6*40); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	datatest.SkipOnPostgres(t, "backup copies SQLite databases (TestBackupOfPostgresSaysHow)")
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	mustMember(t, db, "alpha")
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	cp, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if got, err := cp.IntegrityCheck(ctx); err != nil || got != "ok" {
		t.Errorf("backup integrity_check = %q, %v", got, err)
	}
	if _, err := cp.MemberBySlug(ctx, "alpha"); err != nil {
		t.Errorf("backup lost a member: %v", err)
	}
}

// TestBackupOfPostgresSaysHow: a PostgreSQL store is not copied by
// Backup, which says what does it instead, and writes no file.
func TestBackupOfPostgresSaysHow(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("a PostgreSQL store's backup: set " + datatest.PostgresEnv)
	}
	db := datatest.MustOpenDB(t)
	path := filepath.Join(t.TempDir(), "backup.db")
	err := db.Backup(context.Background(), path)
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("backup of a PostgreSQL store: %v, want EINVALID", err)
	}
	for _, want := range []string{"pg_dump", "PITR"} {
		if !strings.Contains(domain.ErrorMessage(err), want) {
			t.Errorf("the refusal %q does not name %s", domain.ErrorMessage(err), want)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("backup of a PostgreSQL store left %s (%v)", path, err)
	}
}

func TestMemberValidationAndConflict(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	mustMember(t, db, "alpha")
	err := db.CreateMember(ctx, &domain.Member{Slug: "alpha", Name: "Again", Kind: domain.KindResearch, JoinedOn: day(t, "2026-01-01")})
	if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
		t.Errorf("duplicate slug: code = %q, want %q (err %v)", got, want, err)
	}
	for _, m := range []domain.Member{
		{Slug: "Bad Slug", Name: "x", Kind: domain.KindPartner, JoinedOn: day(t, "2026-01-01")},
		{Slug: "ok", Name: " ", Kind: domain.KindPartner, JoinedOn: day(t, "2026-01-01")},
		{Slug: "ok", Name: "x", Kind: "alien", JoinedOn: day(t, "2026-01-01")},
		{Slug: "ok", Name: "x", Kind: domain.KindPartner},
	} {
		err := db.CreateMember(ctx, &m)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Errorf("CreateMember(%+v): code = %q, want %q", m, got, want)
		}
	}
	_, err = db.MemberBySlug(ctx, "nobody")
	if got, want := domain.ErrorCode(err), domain.ENOTFOUND; got != want {
		t.Errorf("missing member: code = %q, want %q", got, want)
	}
}

func TestErrorMessagesHideInternals(t *testing.T) {
	err := fmt.Errorf("store: unable to x: %w", errors.New("SQL logic error near SELECT"))
	if got, want := domain.ErrorMessage(err), "internal error"; got != want {
		t.Errorf("ErrorMessage = %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("outer: %w", domain.Errorf(domain.EINVALID, "bad date"))
	if got, want := domain.ErrorMessage(wrapped), "bad date"; got != want {
		t.Errorf("ErrorMessage = %q, want %q", got, want)
	}
}

// TestOpenCurrentSchemaNeedsNoWriteLock opens a migrated database while
// another connection holds the lock migrations take (on SQLite the write
// lock: an import in another process; on PostgreSQL the migration lock:
// another replica starting): with nothing to migrate, opening must not
// wait for the lock.
func TestOpenCurrentSchemaNeedsNoWriteLock(t *testing.T) {
	target := datatest.Target(t)
	datatest.Open(t, target).Close()
	ctx := context.Background()
	other := datatest.RawOf(t, target)
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if datatest.Postgres() {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, data.MigrationLock); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(?)`, data.MigrationLock)
	} else {
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "ROLLBACK")
	}

	// SQLite would wait busy_timeout and fail with "database is locked";
	// PostgreSQL would wait for as long as the lock is held (the deadline
	// stands for that).
	opening, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	again, err := data.Open(opening, target)
	if err != nil {
		t.Fatalf("opening a current database while another connection writes: %v", err)
	}
	defer again.Close()
	if got, err := again.IntegrityCheck(ctx); err != nil || got != "ok" {
		t.Errorf("integrity check = %q, %v", got, err)
	}
}

// TestSchemaCurrentFollowsTheMigrations: a store is current once every
// migration of this build is applied, not before.
func TestSchemaCurrentFollowsTheMigrations(t *testing.T) {
	ctx := context.Background()
	db, err := data.OpenNoMigrate(datatest.UnmigratedTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ok, err := db.SchemaCurrent(ctx); ok {
		t.Errorf("an unmigrated store is current (%v)", err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.SchemaCurrent(ctx); !ok || err != nil {
		t.Errorf("a migrated store is not current: %v, %v", ok, err)
	}
}
