-- Alerts have a history and an inbox (data/alerts_history.go,
-- data/alerts_inbox.go). A row stays one episode of a condition; the
-- scoring job derives the episodes of member rules day by day over the
-- scored days, so history that is imported or rescored has alerts too.

-- The scored day an episode opened, and the scored day its condition was
-- found cleared (NULL while it holds). Sources' alerts use the day of the
-- evaluation that saw them.
ALTER TABLE alerts ADD COLUMN opened_on TEXT;
ALTER TABLE alerts ADD COLUMN closed_on TEXT;
-- What people did about it. resolved_by is who resolved it by hand ('' when
-- its condition cleared by itself); snoozed_until hides it until that day.
ALTER TABLE alerts ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN snoozed_until TEXT;
ALTER TABLE alerts ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';

UPDATE alerts SET opened_on = date(first_seen, 'unixepoch'),
    closed_on = CASE WHEN state = 'resolved' THEN date(COALESCE(resolved_at, last_seen), 'unixepoch') END;

CREATE INDEX alerts_history ON alerts(rule, subject, opened_on);

-- Comments people left on an alert (resolving one takes one).
CREATE TABLE alert_comments (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX alert_comments_alert ON alert_comments(alert_id, id);

-- Scored days whose scores were saved since member alerts last followed
-- them: every save of a day's scores, whatever path made it (the scoring
-- job, `ecopulse score`, a collection), lists the day here in the same
-- transaction, and the next evaluation re-derives member alerts from the
-- earliest one on. seq tells a mark made during an evaluation from the
-- ones that evaluation answered.
CREATE TABLE alert_days_stale (
    day TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
-- The marks' sequence: it only grows, so an evaluation never clears a mark
-- made after it read them, even once the table was emptied.
CREATE TABLE alert_days_seq (n INTEGER NOT NULL);
INSERT INTO alert_days_seq (n) VALUES (1);
CREATE TRIGGER ecosystem_scores_alert_days AFTER INSERT ON ecosystem_scores BEGIN
    UPDATE alert_days_seq SET n = n + 1;
    INSERT OR REPLACE INTO alert_days_stale (day, seq) VALUES (NEW.day, (SELECT n FROM alert_days_seq));
END;

-- History scored before alerts had one gets it at the next evaluation.
INSERT INTO alert_days_stale (day, seq) SELECT day, 1 FROM ecosystem_scores ORDER BY day LIMIT 1;
