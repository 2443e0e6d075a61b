-- What the desk filters and counts on, in columns an index can serve, so
-- no request reads every report's JSON. Derived from the report once, like
-- kind and category; the report itself is unchanged.
ALTER TABLE reports ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
UPDATE reports SET urgent = 1 WHERE kind = 'incident' AND json_extract(body, '$.body.urgent') = 1;

-- Coverage groups every report of a scope by TPS, kind and category: read
-- from this index alone.
DROP INDEX reports_by_tps;
CREATE INDEX reports_by_tps_kind ON reports (tps, kind, category);

-- The chart counts reports per hour of arrival, and the urgent among them.
DROP INDEX reports_by_received;
CREATE INDEX reports_by_received ON reports (received_at, tps, urgent);

-- Reviews: the latest event of each report in a state.
CREATE INDEX review_events_by_state ON review_events (to_state, report_seq, version);
