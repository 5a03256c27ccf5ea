-- API tokens (ingest). Only a SHA-256 of the token is stored: tokens are 256
-- random bits, so a fast hash is enough and the plaintext is shown once.
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    allow TEXT NOT NULL DEFAULT '', -- comma-separated CIDRs; empty = any address
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
