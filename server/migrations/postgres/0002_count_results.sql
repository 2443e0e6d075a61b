-- The tally reads a scope's count results TPS by TPS, each TPS's in arrival
-- order, a page at a time after the last (tps, seq) read: each page is a
-- range of this index, in its order.
CREATE INDEX reports_count_results ON reports (tps, seq) WHERE kind = 'count_result';
