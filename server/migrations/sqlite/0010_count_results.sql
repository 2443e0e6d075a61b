-- The tally reads a scope's count results TPS by TPS, each TPS's in arrival
-- order, a page at a time after the last (tps, seq) read: served from here
-- without a sort, at any depth.
CREATE INDEX reports_count_results ON reports (tps, seq) WHERE kind = 'count_result';
