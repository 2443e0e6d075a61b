-- The TPS coordinators expect reports from, imported with `pantau-server tps
-- import` (code, and where it is), so a TPS nobody watches shows as silent.
CREATE TABLE tps (
    code    TEXT PRIMARY KEY,
    address TEXT
);
