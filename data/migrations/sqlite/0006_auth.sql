-- Accounts, sessions and the audit log.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,          -- bcrypt; '' for single-sign-on accounts
    role TEXT NOT NULL,                   -- viewer, manager, admin
    created_at INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

-- Server-side sessions (fiber.Storage on our own database).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expires_at INTEGER NOT NULL           -- 0: no expiry
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Who did what. Actor names are copied, not joined: the log outlives users.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    ok INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX audit_log_at ON audit_log(at);
