-- Members are managed data (pages, JSON, commands, the registry file):
-- identity hints the other sources use, archiving instead of deleting, and
-- merging one member into another.
ALTER TABLE members ADD COLUMN domains TEXT NOT NULL DEFAULT '';      -- e-mail/web domains, one per line
ALTER TABLE members ADD COLUMN github_orgs TEXT NOT NULL DEFAULT '';  -- GitHub organisations, one per line
ALTER TABLE members ADD COLUMN key_patterns TEXT NOT NULL DEFAULT ''; -- API-key / consumer patterns (* wildcard), one per line
ALTER TABLE members ADD COLUMN archived_on TEXT;                      -- scored up to the day before; NULL: active
ALTER TABLE members ADD COLUMN merged_into INTEGER REFERENCES members(id) ON DELETE SET NULL;
ALTER TABLE members ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- Scored days whose inputs changed after they were scored (a member archived,
-- restored or merged; history re-attributed): the scoring job scores them
-- again and deletes the row. seq tells a mark made while the day was being
-- rescored from the one that run has answered.
CREATE TABLE rescore_days (
    day TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
