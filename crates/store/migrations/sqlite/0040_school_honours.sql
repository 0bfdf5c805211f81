-- The register of designations and honours (#22): what a school (or someone of it) was designated
-- or honoured as, by whom (level), in which year and until when, with its evidence file.
CREATE TABLE school_honour (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    person TEXT NOT NULL DEFAULT '',
    year BIGINT NOT NULL,
    valid_until TEXT,
    evidence_name TEXT,
    evidence BLOB,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX school_honour_school_idx ON school_honour (school_id, kind);
