-- Volunteers and coordinators. A volunteer is created with a one-time
-- enrolment code and receives a bearer token when the code is exchanged;
-- a coordinator receives a token at creation. Only hashes are stored.
CREATE TABLE accounts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    role                TEXT    NOT NULL CHECK (role IN ('volunteer', 'coordinator')),
    name                TEXT    NOT NULL,
    tps                 TEXT,
    created_at          TEXT    NOT NULL,
    enrolment_code_hash TEXT    UNIQUE,
    token_hash          TEXT    UNIQUE,
    enrolled_at         TEXT,
    revoked_at          TEXT
);

-- Each report belongs to the volunteer who filed it. Reports stored before
-- accounts existed have none.
ALTER TABLE reports ADD COLUMN volunteer_id INTEGER REFERENCES accounts (id);
-- For coordinators' filters (incident reports carry a category).
ALTER TABLE reports ADD COLUMN category TEXT;
CREATE INDEX reports_by_volunteer ON reports (volunteer_id);
CREATE INDEX reports_by_kind ON reports (kind, category);
