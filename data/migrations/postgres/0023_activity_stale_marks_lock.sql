-- An activity write marks its day stale with an upsert that updates a mark
-- already there, not one that leaves it alone: the update locks the mark
-- until the write commits, so a refresh of the day, which deletes the mark
-- before it reads the activities, waits for the write and then reads it.
-- A mark left alone took no lock: a refresh running beside the write could
-- delete it, read the day without the write's rows and store that digest
-- as current for good (markStale does the same for the usage days).
CREATE OR REPLACE FUNCTION activities_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM activity_day_digests WHERE day = OLD.at - OLD.at % 86400;
        INSERT INTO activity_days_stale (day) VALUES (OLD.at - OLD.at % 86400)
            ON CONFLICT (day) DO UPDATE SET day = excluded.day;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        DELETE FROM activity_day_digests WHERE day = NEW.at - NEW.at % 86400;
        INSERT INTO activity_days_stale (day) VALUES (NEW.at - NEW.at % 86400)
            ON CONFLICT (day) DO UPDATE SET day = excluded.day;
    END IF;
    RETURN NULL;
END $$;
