-- Job leases (data/leases.go): the replicas serving one database run each
-- scheduled job once per slot. A replica claims a job's slot (the
-- scheduled time of the run, Unix seconds) with an upsert that succeeds
-- only when no live lease holds the job; each claim takes the next fencing
-- token (fence), and a renewal or finish counts only with the token of the
-- current claim. A slot whose lease ran out unfinished (its replica died)
-- is taken over by another replica, with a new token. holder names the
-- replica, for people: the token is what holds the lease.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    fence INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    lease_until INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
