-- Per day: its non-bot activities packed in one blob (activity_digest.go).
-- The scoring window read 280k activity rows at 10k members, about 0.6 s;
-- it now decodes 56 blobs. Derived data: any write to an activity deletes
-- its day's digest and lists the day as stale, in the same statement's
-- transaction, so no path that changes activities (collectors, re-resolving
-- affiliations, pseudonymising a login) can leave a digest behind. Every
-- day is stale here; the first scoring after the upgrade digests them.
CREATE TABLE activity_day_digests (
    day INTEGER PRIMARY KEY,
    digest BLOB NOT NULL
);
CREATE TABLE activity_days_stale (day INTEGER PRIMARY KEY);
INSERT INTO activity_days_stale SELECT DISTINCT at - at % 86400 FROM activities;

CREATE TRIGGER activities_insert_stale AFTER INSERT ON activities BEGIN
    DELETE FROM activity_day_digests WHERE day = NEW.at - NEW.at % 86400;
    INSERT OR IGNORE INTO activity_days_stale (day) VALUES (NEW.at - NEW.at % 86400);
END;
CREATE TRIGGER activities_update_stale AFTER UPDATE ON activities BEGIN
    DELETE FROM activity_day_digests WHERE day IN (OLD.at - OLD.at % 86400, NEW.at - NEW.at % 86400);
    INSERT OR IGNORE INTO activity_days_stale (day) VALUES (OLD.at - OLD.at % 86400), (NEW.at - NEW.at % 86400);
END;
CREATE TRIGGER activities_delete_stale AFTER DELETE ON activities BEGIN
    DELETE FROM activity_day_digests WHERE day = OLD.at - OLD.at % 86400;
    INSERT OR IGNORE INTO activity_days_stale (day) VALUES (OLD.at - OLD.at % 86400);
END;
