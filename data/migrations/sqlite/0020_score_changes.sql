-- What moved each member's health on a day (data.Change, JSON array, worst
-- first). NULL for days scored before it existed: they read as "no change
-- recorded", and the scoring job's rescore fills them.
ALTER TABLE scores ADD COLUMN changes TEXT;

-- The plain mean of member health beside the C-weighted one (NULL for days
-- scored before it was kept).
ALTER TABLE ecosystem_scores ADD COLUMN health_mean REAL;

-- Every day scored before is scored again by the next scoring run, so its
-- health, status and reasons follow the model that reads change.
INSERT INTO rescore_days (day, seq)
    SELECT day, (SELECT COALESCE(MAX(seq), 0) + 1 FROM rescore_days) FROM ecosystem_scores WHERE true
    ON CONFLICT (day) DO UPDATE SET seq = excluded.seq;
