-- A day's cooperation edges in one blob (score_edges.go): always read whole,
-- and at 10k members 100k rows with two foreign-key checks each were most of
-- a day's save. Days scored before this migration stay in score_edges and
-- are read from there until they are scored again (which empties them).
CREATE TABLE score_edge_days (
    day TEXT PRIMARY KEY,
    edges BLOB NOT NULL
);
