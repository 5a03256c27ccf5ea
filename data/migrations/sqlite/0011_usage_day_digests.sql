-- Per day: every consumer's API usage packed in one blob (usage_digest.go),
-- replacing the per consumer-day rows of 0009. The scoring window read 560k
-- of those rows at 10k members, about a second; it now decodes 56 blobs.
-- Still derived: usage_days_stale lists the days to rebuild, and readers
-- take those days from api_usage_daily. Every day is marked stale here, so
-- the first scoring after the upgrade rebuilds them (and logs how long).
DROP TABLE usage_consumer_days;
CREATE TABLE usage_day_digests (
    day INTEGER PRIMARY KEY,
    digest BLOB NOT NULL
);
INSERT OR IGNORE INTO usage_days_stale SELECT DISTINCT bucket FROM api_usage_daily;
