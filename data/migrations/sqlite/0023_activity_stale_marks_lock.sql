-- An activity write marks its day stale with an upsert that updates a mark
-- already there, not one that leaves it alone, as PostgreSQL's trigger
-- function now does (there the update locks the mark until the write
-- commits, so that a refresh of the day waits for the write; SQLite's one
-- writer already puts them in turn). The triggers say the same on both
-- backends.
DROP TRIGGER activities_insert_stale;
DROP TRIGGER activities_update_stale;
DROP TRIGGER activities_delete_stale;

CREATE TRIGGER activities_insert_stale AFTER INSERT ON activities BEGIN
    DELETE FROM activity_day_digests WHERE day = NEW.at - NEW.at % 86400;
    INSERT INTO activity_days_stale (day) VALUES (NEW.at - NEW.at % 86400)
        ON CONFLICT (day) DO UPDATE SET day = excluded.day;
END;
CREATE TRIGGER activities_update_stale AFTER UPDATE ON activities BEGIN
    DELETE FROM activity_day_digests WHERE day IN (OLD.at - OLD.at % 86400, NEW.at - NEW.at % 86400);
    INSERT INTO activity_days_stale (day) VALUES (OLD.at - OLD.at % 86400), (NEW.at - NEW.at % 86400)
        ON CONFLICT (day) DO UPDATE SET day = excluded.day;
END;
CREATE TRIGGER activities_delete_stale AFTER DELETE ON activities BEGIN
    DELETE FROM activity_day_digests WHERE day = OLD.at - OLD.at % 86400;
    INSERT INTO activity_days_stale (day) VALUES (OLD.at - OLD.at % 86400)
        ON CONFLICT (day) DO UPDATE SET day = excluded.day;
END;
