-- The cooperation ties of a weekly snapshot, frozen with its members
-- (data.FreezeSnapshot): a benefit allocation statement of a closed period
-- names each tie's part K_ij(C_i + C_j)/2, and must read it from frozen
-- data, never from the scores of a day that can be scored again. Slugs are
-- copies, like snapshot_members' (a < b); C of each end is in
-- snapshot_members. Snapshots taken before this migration have no rows.
CREATE TABLE snapshot_ties (
    week TEXT NOT NULL REFERENCES snapshots(week),
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    k REAL NOT NULL,
    PRIMARY KEY (week, a, b)
);
