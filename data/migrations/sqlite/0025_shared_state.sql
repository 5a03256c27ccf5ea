-- What the replicas (several processes) on one database share.
--
-- data_version: advanced by every committed data write (DB.writeTx), so
-- that each process's page cache sees another's writes. SQLite has one
-- writer at a time, so one row does: the write transaction updates it and
-- readers see the new value when, and only when, the write commits.
-- PostgreSQL uses a sequence instead (no row that concurrent writers
-- would queue on). It is a counter, not data: ecopulse copy leaves it.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

-- login_failures: failed logins, per keyed hash of (account, address) and
-- of the address alone (app/throttle.go says the rules). A row is
-- forgotten at forget_at: its count starts over, and a later failure
-- deletes it on the way.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    forget_at INTEGER NOT NULL
);
CREATE INDEX login_failures_forget ON login_failures (forget_at);
CREATE INDEX login_failures_last ON login_failures (last_at);

-- rate_counts: requests counted per key in its current fixed window (the
-- ingest budget per token, app/ratelimit.go). A row whose window has ended
-- is deleted on the way.
CREATE TABLE rate_counts (
    key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    window_end INTEGER NOT NULL,
    n INTEGER NOT NULL
);
CREATE INDEX rate_counts_end ON rate_counts (window_end);
