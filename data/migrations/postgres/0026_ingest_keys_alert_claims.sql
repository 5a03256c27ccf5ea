-- Idempotency keys of pushed batches (data/ingest_keys.go): a batch sent
-- with a key is stored once per ingest token, however often and to however
-- many replicas it is retried. The row is written in the batch's own
-- transaction, so the primary key decides between two copies committed at
-- once (the second's insert waits for the first's commit); it keeps the
-- first answer (the counts), which a retry gets again, and a digest of the
-- body, so that a key reused for another batch is refused rather than
-- silently dropping that batch. Kept for a day.
CREATE TABLE ingest_keys (
    token_id BIGINT NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    body_sha256 TEXT COLLATE "C" NOT NULL,
    accepted BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX ingest_keys_created ON ingest_keys(created_at);

-- A webhook delivery is claimed before it is posted (data.ClaimAlertNotify),
-- so that of several replicas evaluating the alerts only one posts each. A
-- claim whose holder died expires, and a later run posts the alert.
ALTER TABLE alerts ADD COLUMN notify_claim TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN notify_claimed_until BIGINT;
