-- API consumers identified by client address are stored as keyed hashes of
-- the address. A manager maps them by address or CIDR range: the rule is
-- kept (the range is what the manager typed, not a client's address), and
-- every scoring run maps the unmapped consumers whose hashed address falls
-- in a rule's range, so that new clients in the range follow.
CREATE TABLE consumer_address_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix TEXT NOT NULL UNIQUE,          -- canonical CIDR, e.g. 203.0.113.0/24
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
