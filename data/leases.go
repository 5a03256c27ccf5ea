package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Job leases: the replicas serving one database run each scheduled job once
// per slot (the scheduled time of a run, Unix seconds). A replica claims a
// slot with one upsert, never a read then a write, so that of two replicas
// claiming together exactly one wins; the claim takes the job's next
// fencing token. The holder renews its lease while the job runs and marks
// the slot done at the end, both only with the token of the current claim:
// a replica whose lease ran out and was taken over can neither renew nor
// finish what is no longer its run. Slots whose lease ran out unfinished
// (ExpiredJobs) are claimed again — the same slot, a new token — by a
// replica that takes the work over.
//
// Every instant is the caller's clock, passed in: the replicas' clocks
// must agree to well under a lease's time to live. Leases are housekeeping
// (no page shows them): claiming and renewing leave Version alone.

// claimUpsert inserts a job's first lease, or updates its row when the
// WHERE that follows allows; RETURNING gives the claim's token (and slot).
const claimUpsert = `INSERT INTO job_leases (job, holder, fence, slot, lease_until, done) VALUES (?, ?, 1, ?, ?, FALSE)
	ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, fence = job_leases.fence + 1, `

// ClaimJob claims slot of job for holder until now+ttl, and returns the
// claim's fencing token. It succeeds (ok) when the job has no row yet; or
// when slot is later than the job's last slot and that slot finished or
// its lease ran out; or when slot is the job's last slot, unfinished, and
// its lease ran out (a takeover). Otherwise (a live lease holds the job,
// or slot was run already) ok is false and nothing changes.
func (db *DB) ClaimJob(ctx context.Context, job, holder string, slot, now time.Time, ttl time.Duration) (fence int64, ok bool, err error) {
	if err := checkClaim(job, holder, ttl); err != nil {
		return 0, false, err
	}
	err = db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, claimUpsert+`slot = excluded.slot, lease_until = excluded.lease_until, done = FALSE
			WHERE (excluded.slot > job_leases.slot AND (job_leases.done OR job_leases.lease_until <= ?))
				OR (excluded.slot = job_leases.slot AND NOT job_leases.done AND job_leases.lease_until <= ?)
			RETURNING fence`,
			job, holder, slot.Unix(), now.Add(ttl).Unix(), now.Unix(), now.Unix()).Scan(&fence)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: unable to claim job %s: %w", job, err)
	}
	return fence, ok, nil
}

// ClaimJobNow claims a run of job started off the schedule (by hand, after
// an edit) at now, whatever slot the job is at, unless a live lease holds
// it. The run's slot is now's second, or the second after the job's last
// slot when that is not earlier (two runs started within one second, or a
// clock behind another's): slots only grow, so a scheduled slot already
// covered by this run is not run again.
func (db *DB) ClaimJobNow(ctx context.Context, job, holder string, now time.Time, ttl time.Duration) (fence int64, slot time.Time, ok bool, err error) {
	if err := checkClaim(job, holder, ttl); err != nil {
		return 0, time.Time{}, false, err
	}
	var s int64
	err = db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, claimUpsert+`slot = CASE WHEN excluded.slot > job_leases.slot THEN excluded.slot ELSE job_leases.slot + 1 END,
				lease_until = excluded.lease_until, done = FALSE
			WHERE job_leases.done OR job_leases.lease_until <= ?
			RETURNING fence, slot`,
			job, holder, now.Unix(), now.Add(ttl).Unix(), now.Unix()).Scan(&fence, &s)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("store: unable to claim job %s: %w", job, err)
	}
	if !ok {
		return 0, time.Time{}, false, nil
	}
	return fence, time.Unix(s, 0), true, nil
}

// RenewJob extends the lease of the claim with token fence to now+ttl. It
// reports false, changing nothing, when that claim no longer holds the job
// (taken over: a later token) or has finished.
func (db *DB) RenewJob(ctx context.Context, job string, fence int64, now time.Time, ttl time.Duration) (bool, error) {
	if err := checkClaim(job, "", ttl); err != nil {
		return false, err
	}
	ok, err := db.leaseUpdate(ctx, `UPDATE job_leases SET lease_until = ? WHERE job = ? AND fence = ? AND NOT done`,
		now.Add(ttl).Unix(), job, fence)
	if err != nil {
		return false, fmt.Errorf("store: unable to renew the lease of job %s: %w", job, err)
	}
	return ok, nil
}

// FinishJob marks the slot of the claim with token fence done: the job is
// free for its next slot. It reports false, changing nothing, when that
// claim no longer holds the job.
func (db *DB) FinishJob(ctx context.Context, job string, fence int64, now time.Time) (bool, error) {
	ok, err := db.leaseUpdate(ctx, `UPDATE job_leases SET done = TRUE, lease_until = ? WHERE job = ? AND fence = ? AND NOT done`,
		now.Unix(), job, fence)
	if err != nil {
		return false, fmt.Errorf("store: unable to finish job %s: %w", job, err)
	}
	return ok, nil
}

// ReleaseJob ends the lease of the claim with token fence at now, leaving
// its slot unfinished: a run stopped before its end (its process shuts
// down) is taken over at once, by another replica or the same process
// restarted, rather than once its lease has run out. It reports false when
// that claim no longer holds the job.
func (db *DB) ReleaseJob(ctx context.Context, job string, fence int64, now time.Time) (bool, error) {
	ok, err := db.leaseUpdate(ctx, `UPDATE job_leases SET lease_until = ? WHERE job = ? AND fence = ? AND NOT done`,
		now.Unix(), job, fence)
	if err != nil {
		return false, fmt.Errorf("store: unable to release the lease of job %s: %w", job, err)
	}
	return ok, nil
}

func (db *DB) leaseUpdate(ctx context.Context, query string, args ...any) (bool, error) {
	var ok bool
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// maxExpiredJobs bounds one listing of expired leases (there is one row
// per job name: a few per source).
const maxExpiredJobs = 1000

// ExpiredJobs lists the unfinished slots whose lease ran out at now: the
// runs of replicas that died (or stalled) mid-run, to take over.
func (db *DB) ExpiredJobs(ctx context.Context, now time.Time) ([]domain.JobLease, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT job, holder, fence, slot, lease_until, done FROM job_leases
		WHERE NOT done AND lease_until <= ? ORDER BY job LIMIT ?`, now.Unix(), maxExpiredJobs)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list expired job leases: %w", err)
	}
	defer rows.Close()
	var out []domain.JobLease
	for rows.Next() {
		l, err := scanJobLease(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to list expired job leases: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list expired job leases: %w", err)
	}
	return out, nil
}

// JobLease returns the lease of job, or ENOTFOUND when it never ran.
func (db *DB) JobLease(ctx context.Context, job string) (*domain.JobLease, error) {
	row := db.read.QueryRowContext(ctx, `SELECT job, holder, fence, slot, lease_until, done FROM job_leases WHERE job = ?`, job)
	l, err := scanJobLease(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "job %s has not run", job)
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read the lease of job %s: %w", job, err)
	}
	return &l, nil
}

func scanJobLease(row interface{ Scan(...any) error }) (domain.JobLease, error) {
	var l domain.JobLease
	var slot, until int64
	if err := row.Scan(&l.Job, &l.Holder, &l.Fence, &slot, &until, &l.Done); err != nil {
		return l, err
	}
	l.Slot, l.LeaseUntil = time.Unix(slot, 0), time.Unix(until, 0)
	return l, nil
}

// checkClaim bounds a claim's fields.
func checkClaim(job, holder string, ttl time.Duration) error {
	if job == "" || len(job) > domain.MaxJobName {
		return domain.Errorf(domain.EINVALID, "a job's name must have 1 to %d bytes", domain.MaxJobName)
	}
	if len(holder) > domain.MaxJobHolder {
		return domain.Errorf(domain.EINVALID, "a job's holder must have at most %d bytes", domain.MaxJobHolder)
	}
	if ttl < domain.MinJobLease || ttl > domain.MaxJobLease {
		return domain.Errorf(domain.EINVALID, "a job lease lasts %s to %s, not %s", domain.MinJobLease, domain.MaxJobLease, ttl)
	}
	return nil
}
