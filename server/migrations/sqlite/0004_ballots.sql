-- Ballots imported with `pantau-server ballot import`: one row per contest,
-- its participants as the JSON of pantau-core's Ballot. A contest without a
-- row is served from the catalogue built into pantau-core.
CREATE TABLE ballots (
    contest     TEXT PRIMARY KEY,
    ballot      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
