-- Whole-ecosystem traffic per hour and status class, the latency histogram
-- packed in one blob: the API-usage page's hour × weekday heatmap summed 40
-- histogram columns over every hourly rollup row of its range (about 2.5 s
-- for 180 days of the 500-member demo). Derived like usage_consumer_days
-- and rebuilt with it for the days listed in usage_days_stale; readers take
-- stale days from api_usage_hourly.
CREATE TABLE usage_hour_totals (
    bucket INTEGER NOT NULL,
    status_class INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    latency BLOB,
    PRIMARY KEY (bucket, status_class)
) WITHOUT ROWID;

INSERT OR IGNORE INTO usage_days_stale SELECT DISTINCT bucket FROM api_usage_daily;
