-- E-mail-domain rules added on /community, by the API or by `ecopulse person
-- domain add` (the configuration's `affiliation.domains` stay in the file and
-- are applied at start as before). A stored rule affiliates the people whose
-- e-mail is in the domain over [from_date, to_date), on the days no explicit
-- affiliation (configured, or assigned by hand) covers.
CREATE TABLE affiliation_domains (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    from_date TEXT NOT NULL,
    to_date TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX affiliation_domains_domain ON affiliation_domains(domain, from_date);

-- The stored rule an affiliation comes from; NULL for explicit ones. Deleting
-- a rule deletes the affiliations it made.
ALTER TABLE affiliations ADD COLUMN rule_id INTEGER REFERENCES affiliation_domains(id) ON DELETE CASCADE;
CREATE INDEX affiliations_rule ON affiliations(rule_id);
