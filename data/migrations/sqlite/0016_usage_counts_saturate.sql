-- Usage counts that an older EcoPulse let overflow are repaired: an integer
-- + past int64's maximum left a REAL in a count column (no reader can scan
-- it as a count), and sums wrapped in Go left negative counts. A REAL becomes
-- the integer it rounds to (CAST saturates at the maximum), a negative count
-- 0, as every reader now counts it. The days touched are marked stale so
-- that their digests and hour totals are rebuilt from the repaired rows.

INSERT OR IGNORE INTO usage_days_stale (day) SELECT DISTINCT bucket - bucket % 86400 FROM api_usage_hourly
    WHERE typeof(calls) <> 'integer' OR calls < 0 OR
      typeof(bytes) <> 'integer' OR bytes < 0 OR
      typeof(h00) <> 'integer' OR h00 < 0 OR
      typeof(h01) <> 'integer' OR h01 < 0 OR
      typeof(h02) <> 'integer' OR h02 < 0 OR
      typeof(h03) <> 'integer' OR h03 < 0 OR
      typeof(h04) <> 'integer' OR h04 < 0 OR
      typeof(h05) <> 'integer' OR h05 < 0 OR
      typeof(h06) <> 'integer' OR h06 < 0 OR
      typeof(h07) <> 'integer' OR h07 < 0 OR
      typeof(h08) <> 'integer' OR h08 < 0 OR
      typeof(h09) <> 'integer' OR h09 < 0 OR
      typeof(h10) <> 'integer' OR h10 < 0 OR
      typeof(h11) <> 'integer' OR h11 < 0 OR
      typeof(h12) <> 'integer' OR h12 < 0 OR
      typeof(h13) <> 'integer' OR h13 < 0 OR
      typeof(h14) <> 'integer' OR h14 < 0 OR
      typeof(h15) <> 'integer' OR h15 < 0 OR
      typeof(h16) <> 'integer' OR h16 < 0 OR
      typeof(h17) <> 'integer' OR h17 < 0 OR
      typeof(h18) <> 'integer' OR h18 < 0 OR
      typeof(h19) <> 'integer' OR h19 < 0 OR
      typeof(h20) <> 'integer' OR h20 < 0 OR
      typeof(h21) <> 'integer' OR h21 < 0 OR
      typeof(h22) <> 'integer' OR h22 < 0 OR
      typeof(h23) <> 'integer' OR h23 < 0 OR
      typeof(h24) <> 'integer' OR h24 < 0 OR
      typeof(h25) <> 'integer' OR h25 < 0 OR
      typeof(h26) <> 'integer' OR h26 < 0 OR
      typeof(h27) <> 'integer' OR h27 < 0 OR
      typeof(h28) <> 'integer' OR h28 < 0 OR
      typeof(h29) <> 'integer' OR h29 < 0 OR
      typeof(h30) <> 'integer' OR h30 < 0 OR
      typeof(h31) <> 'integer' OR h31 < 0 OR
      typeof(h32) <> 'integer' OR h32 < 0 OR
      typeof(h33) <> 'integer' OR h33 < 0 OR
      typeof(h34) <> 'integer' OR h34 < 0 OR
      typeof(h35) <> 'integer' OR h35 < 0 OR
      typeof(h36) <> 'integer' OR h36 < 0 OR
      typeof(h37) <> 'integer' OR h37 < 0 OR
      typeof(h38) <> 'integer' OR h38 < 0 OR
      typeof(h39) <> 'integer' OR h39 < 0;

UPDATE api_usage_hourly SET
    calls = MAX(0, CAST(calls AS INTEGER)),
    bytes = MAX(0, CAST(bytes AS INTEGER)),
    h00 = MAX(0, CAST(h00 AS INTEGER)),
    h01 = MAX(0, CAST(h01 AS INTEGER)),
    h02 = MAX(0, CAST(h02 AS INTEGER)),
    h03 = MAX(0, CAST(h03 AS INTEGER)),
    h04 = MAX(0, CAST(h04 AS INTEGER)),
    h05 = MAX(0, CAST(h05 AS INTEGER)),
    h06 = MAX(0, CAST(h06 AS INTEGER)),
    h07 = MAX(0, CAST(h07 AS INTEGER)),
    h08 = MAX(0, CAST(h08 AS INTEGER)),
    h09 = MAX(0, CAST(h09 AS INTEGER)),
    h10 = MAX(0, CAST(h10 AS INTEGER)),
    h11 = MAX(0, CAST(h11 AS INTEGER)),
    h12 = MAX(0, CAST(h12 AS INTEGER)),
    h13 = MAX(0, CAST(h13 AS INTEGER)),
    h14 = MAX(0, CAST(h14 AS INTEGER)),
    h15 = MAX(0, CAST(h15 AS INTEGER)),
    h16 = MAX(0, CAST(h16 AS INTEGER)),
    h17 = MAX(0, CAST(h17 AS INTEGER)),
    h18 = MAX(0, CAST(h18 AS INTEGER)),
    h19 = MAX(0, CAST(h19 AS INTEGER)),
    h20 = MAX(0, CAST(h20 AS INTEGER)),
    h21 = MAX(0, CAST(h21 AS INTEGER)),
    h22 = MAX(0, CAST(h22 AS INTEGER)),
    h23 = MAX(0, CAST(h23 AS INTEGER)),
    h24 = MAX(0, CAST(h24 AS INTEGER)),
    h25 = MAX(0, CAST(h25 AS INTEGER)),
    h26 = MAX(0, CAST(h26 AS INTEGER)),
    h27 = MAX(0, CAST(h27 AS INTEGER)),
    h28 = MAX(0, CAST(h28 AS INTEGER)),
    h29 = MAX(0, CAST(h29 AS INTEGER)),
    h30 = MAX(0, CAST(h30 AS INTEGER)),
    h31 = MAX(0, CAST(h31 AS INTEGER)),
    h32 = MAX(0, CAST(h32 AS INTEGER)),
    h33 = MAX(0, CAST(h33 AS INTEGER)),
    h34 = MAX(0, CAST(h34 AS INTEGER)),
    h35 = MAX(0, CAST(h35 AS INTEGER)),
    h36 = MAX(0, CAST(h36 AS INTEGER)),
    h37 = MAX(0, CAST(h37 AS INTEGER)),
    h38 = MAX(0, CAST(h38 AS INTEGER)),
    h39 = MAX(0, CAST(h39 AS INTEGER))
    WHERE typeof(calls) <> 'integer' OR calls < 0 OR
      typeof(bytes) <> 'integer' OR bytes < 0 OR
      typeof(h00) <> 'integer' OR h00 < 0 OR
      typeof(h01) <> 'integer' OR h01 < 0 OR
      typeof(h02) <> 'integer' OR h02 < 0 OR
      typeof(h03) <> 'integer' OR h03 < 0 OR
      typeof(h04) <> 'integer' OR h04 < 0 OR
      typeof(h05) <> 'integer' OR h05 < 0 OR
      typeof(h06) <> 'integer' OR h06 < 0 OR
      typeof(h07) <> 'integer' OR h07 < 0 OR
      typeof(h08) <> 'integer' OR h08 < 0 OR
      typeof(h09) <> 'integer' OR h09 < 0 OR
      typeof(h10) <> 'integer' OR h10 < 0 OR
      typeof(h11) <> 'integer' OR h11 < 0 OR
      typeof(h12) <> 'integer' OR h12 < 0 OR
      typeof(h13) <> 'integer' OR h13 < 0 OR
      typeof(h14) <> 'integer' OR h14 < 0 OR
      typeof(h15) <> 'integer' OR h15 < 0 OR
      typeof(h16) <> 'integer' OR h16 < 0 OR
      typeof(h17) <> 'integer' OR h17 < 0 OR
      typeof(h18) <> 'integer' OR h18 < 0 OR
      typeof(h19) <> 'integer' OR h19 < 0 OR
      typeof(h20) <> 'integer' OR h20 < 0 OR
      typeof(h21) <> 'integer' OR h21 < 0 OR
      typeof(h22) <> 'integer' OR h22 < 0 OR
      typeof(h23) <> 'integer' OR h23 < 0 OR
      typeof(h24) <> 'integer' OR h24 < 0 OR
      typeof(h25) <> 'integer' OR h25 < 0 OR
      typeof(h26) <> 'integer' OR h26 < 0 OR
      typeof(h27) <> 'integer' OR h27 < 0 OR
      typeof(h28) <> 'integer' OR h28 < 0 OR
      typeof(h29) <> 'integer' OR h29 < 0 OR
      typeof(h30) <> 'integer' OR h30 < 0 OR
      typeof(h31) <> 'integer' OR h31 < 0 OR
      typeof(h32) <> 'integer' OR h32 < 0 OR
      typeof(h33) <> 'integer' OR h33 < 0 OR
      typeof(h34) <> 'integer' OR h34 < 0 OR
      typeof(h35) <> 'integer' OR h35 < 0 OR
      typeof(h36) <> 'integer' OR h36 < 0 OR
      typeof(h37) <> 'integer' OR h37 < 0 OR
      typeof(h38) <> 'integer' OR h38 < 0 OR
      typeof(h39) <> 'integer' OR h39 < 0;

INSERT OR IGNORE INTO usage_days_stale (day) SELECT DISTINCT bucket FROM api_usage_daily
    WHERE typeof(calls) <> 'integer' OR calls < 0 OR
      typeof(bytes) <> 'integer' OR bytes < 0 OR
      typeof(h00) <> 'integer' OR h00 < 0 OR
      typeof(h01) <> 'integer' OR h01 < 0 OR
      typeof(h02) <> 'integer' OR h02 < 0 OR
      typeof(h03) <> 'integer' OR h03 < 0 OR
      typeof(h04) <> 'integer' OR h04 < 0 OR
      typeof(h05) <> 'integer' OR h05 < 0 OR
      typeof(h06) <> 'integer' OR h06 < 0 OR
      typeof(h07) <> 'integer' OR h07 < 0 OR
      typeof(h08) <> 'integer' OR h08 < 0 OR
      typeof(h09) <> 'integer' OR h09 < 0 OR
      typeof(h10) <> 'integer' OR h10 < 0 OR
      typeof(h11) <> 'integer' OR h11 < 0 OR
      typeof(h12) <> 'integer' OR h12 < 0 OR
      typeof(h13) <> 'integer' OR h13 < 0 OR
      typeof(h14) <> 'integer' OR h14 < 0 OR
      typeof(h15) <> 'integer' OR h15 < 0 OR
      typeof(h16) <> 'integer' OR h16 < 0 OR
      typeof(h17) <> 'integer' OR h17 < 0 OR
      typeof(h18) <> 'integer' OR h18 < 0 OR
      typeof(h19) <> 'integer' OR h19 < 0 OR
      typeof(h20) <> 'integer' OR h20 < 0 OR
      typeof(h21) <> 'integer' OR h21 < 0 OR
      typeof(h22) <> 'integer' OR h22 < 0 OR
      typeof(h23) <> 'integer' OR h23 < 0 OR
      typeof(h24) <> 'integer' OR h24 < 0 OR
      typeof(h25) <> 'integer' OR h25 < 0 OR
      typeof(h26) <> 'integer' OR h26 < 0 OR
      typeof(h27) <> 'integer' OR h27 < 0 OR
      typeof(h28) <> 'integer' OR h28 < 0 OR
      typeof(h29) <> 'integer' OR h29 < 0 OR
      typeof(h30) <> 'integer' OR h30 < 0 OR
      typeof(h31) <> 'integer' OR h31 < 0 OR
      typeof(h32) <> 'integer' OR h32 < 0 OR
      typeof(h33) <> 'integer' OR h33 < 0 OR
      typeof(h34) <> 'integer' OR h34 < 0 OR
      typeof(h35) <> 'integer' OR h35 < 0 OR
      typeof(h36) <> 'integer' OR h36 < 0 OR
      typeof(h37) <> 'integer' OR h37 < 0 OR
      typeof(h38) <> 'integer' OR h38 < 0 OR
      typeof(h39) <> 'integer' OR h39 < 0;

UPDATE api_usage_daily SET
    calls = MAX(0, CAST(calls AS INTEGER)),
    bytes = MAX(0, CAST(bytes AS INTEGER)),
    h00 = MAX(0, CAST(h00 AS INTEGER)),
    h01 = MAX(0, CAST(h01 AS INTEGER)),
    h02 = MAX(0, CAST(h02 AS INTEGER)),
    h03 = MAX(0, CAST(h03 AS INTEGER)),
    h04 = MAX(0, CAST(h04 AS INTEGER)),
    h05 = MAX(0, CAST(h05 AS INTEGER)),
    h06 = MAX(0, CAST(h06 AS INTEGER)),
    h07 = MAX(0, CAST(h07 AS INTEGER)),
    h08 = MAX(0, CAST(h08 AS INTEGER)),
    h09 = MAX(0, CAST(h09 AS INTEGER)),
    h10 = MAX(0, CAST(h10 AS INTEGER)),
    h11 = MAX(0, CAST(h11 AS INTEGER)),
    h12 = MAX(0, CAST(h12 AS INTEGER)),
    h13 = MAX(0, CAST(h13 AS INTEGER)),
    h14 = MAX(0, CAST(h14 AS INTEGER)),
    h15 = MAX(0, CAST(h15 AS INTEGER)),
    h16 = MAX(0, CAST(h16 AS INTEGER)),
    h17 = MAX(0, CAST(h17 AS INTEGER)),
    h18 = MAX(0, CAST(h18 AS INTEGER)),
    h19 = MAX(0, CAST(h19 AS INTEGER)),
    h20 = MAX(0, CAST(h20 AS INTEGER)),
    h21 = MAX(0, CAST(h21 AS INTEGER)),
    h22 = MAX(0, CAST(h22 AS INTEGER)),
    h23 = MAX(0, CAST(h23 AS INTEGER)),
    h24 = MAX(0, CAST(h24 AS INTEGER)),
    h25 = MAX(0, CAST(h25 AS INTEGER)),
    h26 = MAX(0, CAST(h26 AS INTEGER)),
    h27 = MAX(0, CAST(h27 AS INTEGER)),
    h28 = MAX(0, CAST(h28 AS INTEGER)),
    h29 = MAX(0, CAST(h29 AS INTEGER)),
    h30 = MAX(0, CAST(h30 AS INTEGER)),
    h31 = MAX(0, CAST(h31 AS INTEGER)),
    h32 = MAX(0, CAST(h32 AS INTEGER)),
    h33 = MAX(0, CAST(h33 AS INTEGER)),
    h34 = MAX(0, CAST(h34 AS INTEGER)),
    h35 = MAX(0, CAST(h35 AS INTEGER)),
    h36 = MAX(0, CAST(h36 AS INTEGER)),
    h37 = MAX(0, CAST(h37 AS INTEGER)),
    h38 = MAX(0, CAST(h38 AS INTEGER)),
    h39 = MAX(0, CAST(h39 AS INTEGER))
    WHERE typeof(calls) <> 'integer' OR calls < 0 OR
      typeof(bytes) <> 'integer' OR bytes < 0 OR
      typeof(h00) <> 'integer' OR h00 < 0 OR
      typeof(h01) <> 'integer' OR h01 < 0 OR
      typeof(h02) <> 'integer' OR h02 < 0 OR
      typeof(h03) <> 'integer' OR h03 < 0 OR
      typeof(h04) <> 'integer' OR h04 < 0 OR
      typeof(h05) <> 'integer' OR h05 < 0 OR
      typeof(h06) <> 'integer' OR h06 < 0 OR
      typeof(h07) <> 'integer' OR h07 < 0 OR
      typeof(h08) <> 'integer' OR h08 < 0 OR
      typeof(h09) <> 'integer' OR h09 < 0 OR
      typeof(h10) <> 'integer' OR h10 < 0 OR
      typeof(h11) <> 'integer' OR h11 < 0 OR
      typeof(h12) <> 'integer' OR h12 < 0 OR
      typeof(h13) <> 'integer' OR h13 < 0 OR
      typeof(h14) <> 'integer' OR h14 < 0 OR
      typeof(h15) <> 'integer' OR h15 < 0 OR
      typeof(h16) <> 'integer' OR h16 < 0 OR
      typeof(h17) <> 'integer' OR h17 < 0 OR
      typeof(h18) <> 'integer' OR h18 < 0 OR
      typeof(h19) <> 'integer' OR h19 < 0 OR
      typeof(h20) <> 'integer' OR h20 < 0 OR
      typeof(h21) <> 'integer' OR h21 < 0 OR
      typeof(h22) <> 'integer' OR h22 < 0 OR
      typeof(h23) <> 'integer' OR h23 < 0 OR
      typeof(h24) <> 'integer' OR h24 < 0 OR
      typeof(h25) <> 'integer' OR h25 < 0 OR
      typeof(h26) <> 'integer' OR h26 < 0 OR
      typeof(h27) <> 'integer' OR h27 < 0 OR
      typeof(h28) <> 'integer' OR h28 < 0 OR
      typeof(h29) <> 'integer' OR h29 < 0 OR
      typeof(h30) <> 'integer' OR h30 < 0 OR
      typeof(h31) <> 'integer' OR h31 < 0 OR
      typeof(h32) <> 'integer' OR h32 < 0 OR
      typeof(h33) <> 'integer' OR h33 < 0 OR
      typeof(h34) <> 'integer' OR h34 < 0 OR
      typeof(h35) <> 'integer' OR h35 < 0 OR
      typeof(h36) <> 'integer' OR h36 < 0 OR
      typeof(h37) <> 'integer' OR h37 < 0 OR
      typeof(h38) <> 'integer' OR h38 < 0 OR
      typeof(h39) <> 'integer' OR h39 < 0;

-- Who created each API consumer, and when: push ingest may create at most
-- ingest.max_new_consumers_per_day consumers per token and day (one push of
-- 50k made-up consumers slowed every usage page tenfold). Consumers from
-- before, from access logs and from the configuration have no token.
ALTER TABLE api_consumers ADD COLUMN created_by_token INTEGER;
ALTER TABLE api_consumers ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX api_consumers_by_token ON api_consumers (created_by_token, created_at) WHERE created_by_token IS NOT NULL;
