-- Accounts, sessions and the audit log, hardened (issue 11).

-- Users: AUTOINCREMENT so that the id of a deleted account is never given
-- to a new one (a plain INTEGER PRIMARY KEY reuses the largest id after a
-- delete, and a session or a log line may still carry it), and a flag that
-- makes the user choose a new password at the next login (a reset by an
-- admin, the generated first admin password). SQLite cannot add
-- AUTOINCREMENT to a table: it is rebuilt. Nothing references users.
CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,          -- bcrypt; '' for single-sign-on accounts
    role TEXT NOT NULL,                   -- viewer, manager, admin
    created_at INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_new (id, name, password_hash, role, created_at, disabled)
    SELECT id, name, password_hash, role, created_at, disabled FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- Sessions: the account in its own indexed column, so that ending an
-- account's sessions is one DELETE instead of decoding every session.
-- Sessions stored before cannot say whose they are without decoding them:
-- they are dropped, and their users log in once more.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN user_id INTEGER;
CREATE INDEX sessions_user ON sessions(user_id);

-- Audit log: repeated identical refusals (failed logins of one name from one
-- address) are counted on one row instead of one row each.
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN last_at INTEGER;   -- the latest repeat; NULL: only at
CREATE INDEX audit_log_actor ON audit_log(actor, action, id);

-- Server secrets made once and kept across restarts (the key that signs
-- the login form's CSRF cookie). Never shown, never logged.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
