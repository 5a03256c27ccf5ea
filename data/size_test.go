package data_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestSizeGrowsWithTheData: the store's size (GET /metrics) is positive on
// an empty store and grows by at least what is written — on SQLite, the
// file and its write-ahead log; on PostgreSQL, the server's count.
func TestSizeGrowsWithTheData(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	before, err := db.Size(ctx)
	if err != nil || before <= 0 {
		t.Fatalf("size of an empty store = %d, %v", before, err)
	}
	// 2,000 records of 4 KiB of random hex: text no compression shrinks.
	rs := make([]domain.Rejected, 2000)
	buf := make([]byte, domain.MaxRejectedRecordBytes/2)
	for i := range rs {
		rand.Read(buf)
		rs[i] = domain.Rejected{Reason: "test", Record: hex.EncodeToString(buf)}
	}
	if err := db.ReplaceRejectedRecords(ctx, "registry", rs); err != nil {
		t.Fatal(err)
	}
	after, err := db.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if written := int64(len(rs) * domain.MaxRejectedRecordBytes); after-before < written {
		t.Errorf("size grew from %d to %d after %d bytes were written", before, after, written)
	}
	if !datatest.Postgres() {
		// On SQLite it is what the files take: the database and its log.
		var files int64
		for _, p := range []string{db.Path(), db.Path() + "-wal"} {
			if fi, err := os.Stat(p); err == nil {
				files += fi.Size()
			}
		}
		if after != files {
			t.Errorf("size = %d, the files take %d", after, files)
		}
	}
}
