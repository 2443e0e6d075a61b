-- A phone whose enrolment answer was lost (weak signal) tries again with the
-- same code and the secret it made for that code; this is the hash of the two.
-- Such a retry gets a new token instead of "code already used".
ALTER TABLE accounts ADD COLUMN enrolled_with TEXT;
CREATE INDEX accounts_by_enrolment_attempt ON accounts (enrolled_with);
