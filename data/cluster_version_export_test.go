package data

import "time"

// ClusterVersionReads returns how many times db has read the shared data
// version.
func (db *DB) ClusterVersionReads() uint64 { return db.cluster.reads.Load() }

// ReadClusterVersionNow reads the shared data version now, whatever the
// interval, so that a test can say what one read finds.
func (db *DB) ReadClusterVersionNow() { db.cluster.refresh(db, time.Now(), true) }
