-- One row per report, keyed by the id the phone generated. seq is the server's
-- arrival order and appears in the receipt.
CREATE TABLE reports (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    tps         TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    -- The report's canonical JSON: a repeat is identical when this is.
    body        TEXT    NOT NULL
);
CREATE INDEX reports_by_tps ON reports (tps);
