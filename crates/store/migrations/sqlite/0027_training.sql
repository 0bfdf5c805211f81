-- Teachers' training hours (#18): one row per completed course, as training platforms export them
-- and as approved; carries district and school (the school when it was recorded), a fact table
-- that grows with teachers × years. `source_key` (SHA-256 of 工号, course, day and hours) makes
-- importing the same file again add nothing.
CREATE TABLE training_record (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    teacher_id BIGINT NOT NULL REFERENCES teacher (id),
    course TEXT NOT NULL,
    level TEXT NOT NULL,
    mode TEXT NOT NULL,
    ethics BOOLEAN NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    day TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    source_key TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE UNIQUE INDEX training_record_key_idx ON training_record (district_id, source_key);
CREATE INDEX training_record_teacher_idx ON training_record (teacher_id, day);
