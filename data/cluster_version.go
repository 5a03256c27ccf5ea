package data

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ClusterVersionEvery is how often, at most, a process reads the data
// version the processes on its database share (their writes advance it):
// a write on one replica changes the others' Version within about this
// long. Between two reads Version costs no query.
const ClusterVersionEvery = 250 * time.Millisecond

// clusterVersionTimeout bounds a read of the shared version: Version has
// no context, and a page must not hang on a database that does not answer
// (the page's own reads will say so).
const clusterVersionTimeout = 2 * time.Second

// DataKind names the parts of the data whose writes a cache may follow
// apart: a page that reads none of what the usage writes change keys on
// OtherData alone, so that an import or a busy ingest, committing several
// times a second, does not rebuild it each time.
type DataKind uint8

const (
	// UsageData is what the usage writes change (DB.usageTx: push ingest,
	// collected usage, imports): the usage rollups, the consumers they
	// create, the days they mark for scoring, rejected records, cursors
	// and idempotency keys.
	UsageData DataKind = 1 << iota
	// OtherData is what every other data write changes, and what a usage
	// write changes when it moves the first or last day of usage (which
	// pages that show no usage still say, data_range.go).
	OtherData
	// MemberUsageData is what of the usage writes a member's page shows:
	// the usage of the consumers members own, and which days hold calls.
	// A usage write that stores neither (consumers no member owns, on days
	// that already hold calls: an access log of anonymous clients) leaves
	// it alone (usageWrite.forMembers); every other one advances it with
	// UsageData.
	MemberUsageData
	// AllData is every kind: every data write changes it.
	AllData = UsageData | OtherData | MemberUsageData
)

// dataKinds are the kinds one by one: the counters of each kind (DB.version,
// clusterVersion's) are at its place here (kindOther…), as are the columns
// of dialect.advanceDataVersion and readDataVersion.
var dataKinds = [...]DataKind{OtherData, UsageData, MemberUsageData}

// The places of the kinds in dataKinds.
const (
	kindOther = iota
	kindUsage
	kindMemberUsage
)

// clusterVersion is what this process knows of the shared data versions
// (migrations 0025, 0038 and 0039, dialect.advanceDataVersion), one per kind.
//
// Version adds to the count of this process's own writes the number of
// reads that found the shared version past every value this process knew
// of — its own writes record the value they advanced it to — so that each
// write counts once in Version: at once for this process's writes, at the
// next read for the others'. Each kind is counted apart.
type clusterVersion struct {
	checked atomic.Int64                  // when it was last read (Unix nanoseconds)
	seen    [len(dataKinds)]atomic.Uint64 // the highest shared version known, per kind
	foreign [len(dataKinds)]atomic.Uint64 // reads that found a version past seen, per kind
	reads   atomic.Uint64                 // reads of the shared versions (tests)
	mu      sync.Mutex                    // held by the one read under way
}

// Version changes whenever data pages show changes: at once for this
// process's writes, and within about ClusterVersionEvery for the writes
// of the other processes on the database (another replica, a CLI import).
// Housekeeping writes (saving a session, the audit log, token use) leave
// it alone; ending sessions advances it (SessionStore.Delete).
// It reads the shared version at most once per ClusterVersionEvery; the
// requests in between use the value known.
func (db *DB) Version() uint64 {
	local, foreign := db.VersionParts(AllData)
	return local + foreign
}

// VersionOf is Version for the writes of some kinds of data only: it
// changes whenever a write changes one of them.
func (db *DB) VersionOf(kinds DataKind) uint64 {
	local, foreign := db.VersionParts(kinds)
	return local + foreign
}

// VersionParts is VersionOf in its two parts: the count of this process's
// own writes, and of the reads that found the other processes' writes.
// The page cache tells them apart: a page may be served while its next
// version is built only when that version comes from another process.
func (db *DB) VersionParts(kinds DataKind) (local, foreign uint64) {
	db.cluster.refresh(db, time.Now(), false)
	for i, k := range dataKinds {
		if kinds&k != 0 {
			local += db.version[i].Load()
			foreign += db.cluster.foreign[i].Load()
		}
	}
	return local, foreign
}

// refresh reads the shared version if the last read is older than
// ClusterVersionEvery (or force), unless another request is reading it now.
func (cv *clusterVersion) refresh(db *DB, now time.Time, force bool) {
	if !force && now.UnixNano()-cv.checked.Load() < int64(ClusterVersionEvery) {
		return
	}
	if !force && !cv.mu.TryLock() {
		return // another request reads it: this one uses the value known
	}
	if force {
		cv.mu.Lock()
	}
	defer cv.mu.Unlock()
	if !force && now.UnixNano()-cv.checked.Load() < int64(ClusterVersionEvery) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterVersionTimeout)
	defer cancel()
	var v [len(dataKinds)]int64
	cv.reads.Add(1)
	// Not through db.read's counter: the reads a page is held to are its
	// own questions, and this one is made for whichever request comes.
	err := db.read.DB.QueryRowContext(ctx, db.dialect.readDataVersion()).Scan(&v[0], &v[1], &v[2])
	cv.checked.Store(time.Now().UnixNano())
	if err != nil || slices.Min(v[:]) < 0 {
		// An old schema, a database that does not answer: try again after
		// the interval. The page cache's TTL still bounds what it serves.
		return
	}
	for i := range dataKinds {
		if cv.see(i, uint64(v[i])) {
			cv.foreign[i].Add(1)
		}
	}
}

// see records that the shared version of the i-th kind (dataKinds) has
// reached v, and reports whether that is news.
func (cv *clusterVersion) see(i int, v uint64) bool {
	seen := &cv.seen[i]
	for {
		old := seen.Load()
		if v <= old {
			return false
		}
		if seen.CompareAndSwap(old, v) {
			return true
		}
	}
}
