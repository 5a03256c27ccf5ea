-- Alerts raised by the rules in configuration (app/alerts.go). A row is one
-- occurrence of a condition: it is open while the condition holds and
-- resolved when it clears; if the condition comes back, a new row opens.
-- subject names what the condition is about within its rule (a member slug,
-- member/project, a source name): at most one open row per (rule, subject).
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    member TEXT NOT NULL DEFAULT '', -- member slug; '' when not about a member
    message TEXT NOT NULL,
    state TEXT NOT NULL,             -- open or resolved
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    resolved_at INTEGER,
    notified_at INTEGER,             -- when the webhook accepted it; NULL: not (yet) notified
    notify_attempts INTEGER NOT NULL DEFAULT 0,
    notify_error TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX alerts_open ON alerts(rule, subject) WHERE state = 'open';
CREATE INDEX alerts_member ON alerts(member, state);
CREATE INDEX alerts_state ON alerts(state, last_seen);
