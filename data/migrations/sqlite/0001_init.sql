-- EcoPulse schema, version 1.
-- Portable SQL on purpose (INTEGER/TEXT/REAL, no SQLite-only functions in
-- queries) so that a PostgreSQL store can implement the same methods.
-- Times are INTEGER Unix seconds (UTC); calendar dates are TEXT YYYY-MM-DD.

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    tier TEXT NOT NULL DEFAULT '',
    segment TEXT NOT NULL DEFAULT '',
    joined_on TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    created_at INTEGER NOT NULL
);

-- A person's login on one source (github, discourse…).
CREATE TABLE identities (
    source TEXT NOT NULL,
    login TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (source, login)
);
CREATE INDEX identities_person ON identities(person_id);

CREATE TABLE affiliations (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    from_date TEXT NOT NULL,
    to_date TEXT
);
CREATE INDEX affiliations_person ON affiliations(person_id, from_date);

CREATE TABLE api_consumers (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL
);
CREATE INDEX api_consumers_member ON api_consumers(member_id);

-- API usage rolled up per (hour, consumer, endpoint, status class); h00..h39
-- are the fixed log-scale latency buckets of data.Histogram, summable in SQL.
CREATE TABLE api_usage_hourly (
    bucket INTEGER NOT NULL,
    consumer_id INTEGER NOT NULL REFERENCES api_consumers(id),
    endpoint TEXT NOT NULL,
    status_class INTEGER NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    latency_ms_sum REAL NOT NULL DEFAULT 0,
    h00 INTEGER NOT NULL DEFAULT 0,
    h01 INTEGER NOT NULL DEFAULT 0,
    h02 INTEGER NOT NULL DEFAULT 0,
    h03 INTEGER NOT NULL DEFAULT 0,
    h04 INTEGER NOT NULL DEFAULT 0,
    h05 INTEGER NOT NULL DEFAULT 0,
    h06 INTEGER NOT NULL DEFAULT 0,
    h07 INTEGER NOT NULL DEFAULT 0,
    h08 INTEGER NOT NULL DEFAULT 0,
    h09 INTEGER NOT NULL DEFAULT 0,
    h10 INTEGER NOT NULL DEFAULT 0,
    h11 INTEGER NOT NULL DEFAULT 0,
    h12 INTEGER NOT NULL DEFAULT 0,
    h13 INTEGER NOT NULL DEFAULT 0,
    h14 INTEGER NOT NULL DEFAULT 0,
    h15 INTEGER NOT NULL DEFAULT 0,
    h16 INTEGER NOT NULL DEFAULT 0,
    h17 INTEGER NOT NULL DEFAULT 0,
    h18 INTEGER NOT NULL DEFAULT 0,
    h19 INTEGER NOT NULL DEFAULT 0,
    h20 INTEGER NOT NULL DEFAULT 0,
    h21 INTEGER NOT NULL DEFAULT 0,
    h22 INTEGER NOT NULL DEFAULT 0,
    h23 INTEGER NOT NULL DEFAULT 0,
    h24 INTEGER NOT NULL DEFAULT 0,
    h25 INTEGER NOT NULL DEFAULT 0,
    h26 INTEGER NOT NULL DEFAULT 0,
    h27 INTEGER NOT NULL DEFAULT 0,
    h28 INTEGER NOT NULL DEFAULT 0,
    h29 INTEGER NOT NULL DEFAULT 0,
    h30 INTEGER NOT NULL DEFAULT 0,
    h31 INTEGER NOT NULL DEFAULT 0,
    h32 INTEGER NOT NULL DEFAULT 0,
    h33 INTEGER NOT NULL DEFAULT 0,
    h34 INTEGER NOT NULL DEFAULT 0,
    h35 INTEGER NOT NULL DEFAULT 0,
    h36 INTEGER NOT NULL DEFAULT 0,
    h37 INTEGER NOT NULL DEFAULT 0,
    h38 INTEGER NOT NULL DEFAULT 0,
    h39 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, consumer_id, endpoint, status_class)
);

-- The same rollup per UTC day: pages and scoring read this one.
CREATE TABLE api_usage_daily (
    bucket INTEGER NOT NULL,
    consumer_id INTEGER NOT NULL REFERENCES api_consumers(id),
    endpoint TEXT NOT NULL,
    status_class INTEGER NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    latency_ms_sum REAL NOT NULL DEFAULT 0,
    h00 INTEGER NOT NULL DEFAULT 0,
    h01 INTEGER NOT NULL DEFAULT 0,
    h02 INTEGER NOT NULL DEFAULT 0,
    h03 INTEGER NOT NULL DEFAULT 0,
    h04 INTEGER NOT NULL DEFAULT 0,
    h05 INTEGER NOT NULL DEFAULT 0,
    h06 INTEGER NOT NULL DEFAULT 0,
    h07 INTEGER NOT NULL DEFAULT 0,
    h08 INTEGER NOT NULL DEFAULT 0,
    h09 INTEGER NOT NULL DEFAULT 0,
    h10 INTEGER NOT NULL DEFAULT 0,
    h11 INTEGER NOT NULL DEFAULT 0,
    h12 INTEGER NOT NULL DEFAULT 0,
    h13 INTEGER NOT NULL DEFAULT 0,
    h14 INTEGER NOT NULL DEFAULT 0,
    h15 INTEGER NOT NULL DEFAULT 0,
    h16 INTEGER NOT NULL DEFAULT 0,
    h17 INTEGER NOT NULL DEFAULT 0,
    h18 INTEGER NOT NULL DEFAULT 0,
    h19 INTEGER NOT NULL DEFAULT 0,
    h20 INTEGER NOT NULL DEFAULT 0,
    h21 INTEGER NOT NULL DEFAULT 0,
    h22 INTEGER NOT NULL DEFAULT 0,
    h23 INTEGER NOT NULL DEFAULT 0,
    h24 INTEGER NOT NULL DEFAULT 0,
    h25 INTEGER NOT NULL DEFAULT 0,
    h26 INTEGER NOT NULL DEFAULT 0,
    h27 INTEGER NOT NULL DEFAULT 0,
    h28 INTEGER NOT NULL DEFAULT 0,
    h29 INTEGER NOT NULL DEFAULT 0,
    h30 INTEGER NOT NULL DEFAULT 0,
    h31 INTEGER NOT NULL DEFAULT 0,
    h32 INTEGER NOT NULL DEFAULT 0,
    h33 INTEGER NOT NULL DEFAULT 0,
    h34 INTEGER NOT NULL DEFAULT 0,
    h35 INTEGER NOT NULL DEFAULT 0,
    h36 INTEGER NOT NULL DEFAULT 0,
    h37 INTEGER NOT NULL DEFAULT 0,
    h38 INTEGER NOT NULL DEFAULT 0,
    h39 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, consumer_id, endpoint, status_class)
);
CREATE INDEX api_usage_daily_consumer ON api_usage_daily(consumer_id, bucket);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    terms TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    start_on TEXT NOT NULL,
    end_on TEXT,
    source TEXT NOT NULL DEFAULT 'ui',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE project_parties (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, member_id)
);
CREATE INDEX project_parties_member ON project_parties(member_id);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT,
    UNIQUE (project_id, external_id)
);

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    thread TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    bot INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, external_id)
);
CREATE INDEX activities_at ON activities(at);
CREATE INDEX activities_thread ON activities(thread, at);
CREATE INDEX activities_member ON activities(member_id, at);

CREATE TABLE scores (
    day TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    t REAL NOT NULL,
    i REAL NOT NULL,
    m REAL NOT NULL,
    c REAL NOT NULL,
    k REAL NOT NULL,
    phi REAL NOT NULL,
    health REAL NOT NULL,
    health_api REAL,
    health_projects REAL,
    health_community REAL,
    health_cooperation REAL,
    status TEXT NOT NULL,
    PRIMARY KEY (day, member_id)
);
CREATE INDEX scores_member ON scores(member_id, day);

CREATE TABLE score_edges (
    day TEXT NOT NULL,
    a INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    k REAL NOT NULL,
    PRIMARY KEY (day, a, b)
);

CREATE TABLE ecosystem_scores (
    day TEXT PRIMARY KEY,
    r REAL NOT NULL,
    health REAL NOT NULL,
    active_members INTEGER NOT NULL,
    api_consumers INTEGER NOT NULL,
    contributors INTEGER NOT NULL,
    computed_at INTEGER NOT NULL
);

-- Weekly snapshots are frozen copies: names are copied, never joined, so a
-- renamed or deleted member does not rewrite history.
CREATE TABLE snapshots (
    week TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    r REAL NOT NULL,
    health REAL NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE snapshot_members (
    week TEXT NOT NULL REFERENCES snapshots(week),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    segment TEXT NOT NULL,
    tier TEXT NOT NULL,
    t REAL NOT NULL,
    i REAL NOT NULL,
    m REAL NOT NULL,
    c REAL NOT NULL,
    k REAL NOT NULL,
    phi REAL NOT NULL,
    health REAL NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (week, slug)
);

CREATE TABLE collector_runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    status TEXT NOT NULL,
    items_read INTEGER NOT NULL DEFAULT 0,
    items_stored INTEGER NOT NULL DEFAULT 0,
    items_rejected INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    cursor TEXT NOT NULL DEFAULT ''
);
CREATE INDEX collector_runs_source ON collector_runs(source, started_at);

-- Where each source's next run starts reading. Written in the same
-- transaction as the rows a run stored.
CREATE TABLE collector_cursors (
    source TEXT PRIMARY KEY,
    cursor TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Records a collector could not accept, with the reason.
CREATE TABLE rejected_records (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX rejected_records_source ON rejected_records(source, id);
