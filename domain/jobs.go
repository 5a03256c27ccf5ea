package domain

import "time"

// MaxJobName bounds a job's name ("collect:" and a source's name, "score").
const MaxJobName = 100

// JobLease is the state of one job among the replicas of a database: the
// slot of its latest claimed run, who holds it and until when, and whether
// that run finished.
type JobLease struct {
	Job        string
	Holder     string // the replica that claimed it, for people
	Fence      int64  // the claim's fencing token: it, not Holder, holds the lease
	Slot       time.Time
	LeaseUntil time.Time
	Done       bool
}

// MaxJobHolder bounds the replica name stored beside a lease.
const MaxJobHolder = 64

// Bounds of a job lease's time to live: a lease shorter than a second is
// lost between two renewals; one longer than a day leaves a dead replica's
// work undone for longer than any schedule waits.
const (
	MinJobLease = time.Second
	MaxJobLease = 24 * time.Hour
)
