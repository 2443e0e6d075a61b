-- The desk's chart counts reports per hour of arrival over the last day.
CREATE INDEX reports_by_received ON reports (received_at);
