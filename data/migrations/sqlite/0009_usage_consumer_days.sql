-- Per consumer and day: API usage with the latency histogram packed in one
-- blob. The scoring window reads 56 days of every consumer's traffic; summing
-- 40 histogram columns over api_usage_daily's (endpoint, status class) rows
-- cost about 2 s at 10k members, decoding one blob per consumer-day a tenth.
-- A derived table: the days whose rollups changed since it was last built are
-- listed in usage_days_stale (in the same transaction as the change), and
-- readers take those days from api_usage_daily, so it is never wrong, only
-- sometimes not yet useful.
CREATE TABLE usage_consumer_days (
    day INTEGER NOT NULL,
    consumer_id INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    errors_4xx INTEGER NOT NULL,
    errors_5xx INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    latency BLOB,
    PRIMARY KEY (day, consumer_id)
) WITHOUT ROWID;

CREATE TABLE usage_days_stale (day INTEGER PRIMARY KEY);
INSERT INTO usage_days_stale SELECT DISTINCT bucket FROM api_usage_daily;
