package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileDBPasswordIsRefused: a postgres:// db in the configuration file
// may name the server, the user and the database, never a password; the
// refusal says where the password goes and does not repeat it. The same
// URL from the environment is accepted.
func TestFileDBPasswordIsRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(db string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte("db: "+db+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, db := range []string{
		"postgres://ecopulse:Hunter2Secret@db.internal:5432/ecopulse",
		"postgresql://ecopulse@db.internal/ecopulse?sslmode=require&password=Hunter2Secret",
		"postgres://ecopulse:Hunter2Secret@db.internal:notaport/ecopulse",
	} {
		_, err := LoadWith(write(db), Overrides{})
		if err == nil {
			t.Errorf("db: %s in the file was accepted", db)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "Hunter2Secret") {
			t.Errorf("the refusal repeats the password: %s", msg)
		}
		if !strings.Contains(msg, "c.yaml") || !strings.Contains(msg, "db:") {
			t.Errorf("the refusal does not name the file and the setting: %s", msg)
		}
		if strings.Contains(db, "notaport") {
			continue // unreadable: refused as such
		}
		if !strings.Contains(msg, "$ECOPULSE_DB") || !strings.Contains(msg, "$PGPASSWORD") {
			t.Errorf("the refusal does not say where the password goes: %s", msg)
		}
	}

	// Without a password the file may name a PostgreSQL database.
	c, err := LoadWith(write("postgres://ecopulse@db.internal/ecopulse?sslmode=require"), Overrides{})
	if err != nil || c.DB != "postgres://ecopulse@db.internal/ecopulse?sslmode=require" {
		t.Errorf("db without a password: %q, %v", c.DB, err)
	}
	// The environment may carry one, over the file's URL.
	withPass := "postgres://ecopulse:Hunter2Secret@db.internal/ecopulse"
	c, err = LoadWith(write("postgres://ecopulse@db.internal/ecopulse"), Overrides{Environ: []string{"ECOPULSE_DB=" + withPass}})
	if err != nil || c.DB != withPass {
		t.Errorf("db from $ECOPULSE_DB: %q, %v", c.DB, err)
	}
}

// TestWrittenConfigMasksTheDBPassword: `ecopulse config` shows where the
// database is, never its password, also when the URL does not parse.
func TestWrittenConfigMasksTheDBPassword(t *testing.T) {
	for _, db := range []string{
		"postgres://ecopulse:Hunter2Secret@db.internal:5432/ecopulse",
		"postgres://ecopulse@db.internal/ecopulse?password=Hunter2Secret",
		"postgres://ecopulse:Hunter2Secret@db.internal:notaport/ecopulse",
	} {
		c := Default()
		c.DB = db
		var b bytes.Buffer
		if err := Write(&b, c); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.Contains(out, "Hunter2Secret") {
			t.Errorf("db %s printed with its password:\n%s", db, out)
		}
		if !strings.Contains(out, "\ndb: \"postgres://") && !strings.Contains(out, "\ndb: postgres://") {
			t.Errorf("db %s: the printed setting does not show a PostgreSQL URL:\n%s", db, out)
		}
	}
}
