-- What the replicas on one database share.
--
-- data_version: advanced by every committed data write (DB.writeTx), so
-- that each replica's page cache sees another's writes. A sequence, not a
-- row: nextval never waits for another transaction, so concurrent writers
-- do not queue on it. nextval is not transactional (its value shows before
-- the write commits), so the store calls it after the commit. SQLite keeps
-- a one-row table of the same name instead.
CREATE SEQUENCE data_version;

-- login_failures: failed logins, per keyed hash of (account, address) and
-- of the address alone (app/throttle.go says the rules). A row is
-- forgotten at forget_at: its count starts over, and a later failure
-- deletes it on the way.
CREATE TABLE login_failures (
    key TEXT COLLATE "C" PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    forget_at BIGINT NOT NULL
);
CREATE INDEX login_failures_forget ON login_failures (forget_at);
CREATE INDEX login_failures_last ON login_failures (last_at);

-- rate_counts: requests counted per key in its current fixed window (the
-- ingest budget per token, app/ratelimit.go). A row whose window has ended
-- is deleted on the way.
CREATE TABLE rate_counts (
    key TEXT COLLATE "C" PRIMARY KEY,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    n BIGINT NOT NULL
);
CREATE INDEX rate_counts_end ON rate_counts (window_end);
