-- Photos, each stored once by its content: the SHA-256 names its file in the
-- photo folder. A row is written only after its file is on disk.
CREATE TABLE photos (
    sha256    TEXT    PRIMARY KEY,
    bytes     INTEGER NOT NULL,
    stored_at TEXT    NOT NULL
) WITHOUT ROWID;

-- Who uploaded which photo. A volunteer may name in a report, and read back,
-- only photos they uploaded themselves; the bytes count against their day.
CREATE TABLE photo_uploads (
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    sha256      TEXT    NOT NULL REFERENCES photos (sha256),
    bytes       INTEGER NOT NULL,
    uploaded_at TEXT    NOT NULL,
    PRIMARY KEY (account_id, sha256)
) WITHOUT ROWID;
CREATE INDEX photo_uploads_by_day ON photo_uploads (account_id, uploaded_at);

-- Which stored reports show which photo: coordinators read a photo through a
-- report in their scope. Written with the report, in the same transaction.
CREATE TABLE report_photos (
    sha256     TEXT    NOT NULL,
    report_seq INTEGER NOT NULL REFERENCES reports (seq),
    PRIMARY KEY (sha256, report_seq)
) WITHOUT ROWID;
