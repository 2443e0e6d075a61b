-- The coordinators' desk. A coordinator signs in with a one-time code, as a
-- volunteer enrols, and gets a token that expires (volunteers' never do:
-- NULL). A coordinator's scope, a prefix of TPS codes, is kept in `tps`
-- (NULL: every TPS).
ALTER TABLE accounts ADD COLUMN token_expires_at TEXT;

-- What coordinators did with a report, append-only: a report's review state
-- is its latest event's `to_state` ('new' when it has none). `version` counts
-- a report's events from 1; the unique pair makes a change based on an older
-- version fail, so of two coordinators changing a report at once one wins.
CREATE TABLE review_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    report_seq     INTEGER NOT NULL REFERENCES reports (seq),
    version        INTEGER NOT NULL,
    coordinator_id INTEGER NOT NULL REFERENCES accounts (id),
    at             TEXT    NOT NULL,
    from_state     TEXT    NOT NULL,
    to_state       TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    reference      TEXT,
    UNIQUE (report_seq, version)
);
