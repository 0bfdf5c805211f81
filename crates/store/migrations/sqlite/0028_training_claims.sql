-- Teachers' own training entries (#18): an account names its teacher record, so that a teacher
-- reads and enters their own hours; a claim with its certificate (in case_evidence, subject
-- 'training') waits for the school, then the bureau; the bureau's approval writes the
-- training_record it names. The course catalogue (国培/省培/市/区/校本/网络) is what claims and
-- imports pick from.
ALTER TABLE app_user ADD COLUMN teacher_id BIGINT REFERENCES teacher (id);

CREATE TABLE training_claim (
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
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    record_id BIGINT REFERENCES training_record (id),
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX training_claim_school_idx ON training_claim (school_id, state);
CREATE INDEX training_claim_teacher_idx ON training_claim (teacher_id);

CREATE TABLE training_course (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    mode TEXT NOT NULL,
    ethics BOOLEAN NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    start_day TEXT NOT NULL,
    end_day TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (district_id, name, start_day)
);
