-- 心理健康 (#21): screening rounds, one-time answer codes, responses, alerts and follow-up files.
--
-- The most sensitive data eduq holds. Individual rows are read only through the store's
-- screening functions, which allow the 心理教师 of the pupil's school, the district's 心理教研员,
-- and (for a follow-up file) the members of its team; every read is audited.

-- Instruments a bureau loads under its own licence (the shipped ones live in the code).
CREATE TABLE screening_instrument (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    key TEXT NOT NULL,
    definition TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (district_id, key)
);

-- A round: the bureau's (school_id NULL: every school) or one school's, for some grades of a term.
CREATE TABLE screening_round (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT REFERENCES school (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    instrument TEXT NOT NULL,
    name TEXT NOT NULL,
    grades TEXT NOT NULL,
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX screening_round_idx ON screening_round (district_id, school_id, closes);

-- One-time codes: only the SHA-256 of a code is kept; the code is shown once, to print.
CREATE TABLE screening_code (
    round_id BIGINT NOT NULL REFERENCES screening_round (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    code_hash TEXT NOT NULL UNIQUE,
    used_at TEXT,
    PRIMARY KEY (round_id, student_id)
);

-- One pupil's answer sheet of a round. `answers` (item scores, comma-separated) is purged after
-- the retention period; the total, band and flags stay for the file and the aggregates.
CREATE TABLE screening_response (
    id INTEGER PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES screening_round (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    grade BIGINT NOT NULL,
    sex TEXT NOT NULL,
    answers TEXT,
    total BIGINT NOT NULL,
    band BIGINT NOT NULL,
    band_label TEXT NOT NULL,
    attention INTEGER NOT NULL,
    alert INTEGER NOT NULL,
    critical TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    username TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    purged_at TEXT,
    UNIQUE (round_id, student_id)
);
CREATE INDEX screening_response_school_idx ON screening_response (district_id, school_id, round_id);
CREATE INDEX screening_response_class_idx ON screening_response (class_id, attention);

-- An alert raised at submission: a critical answer or an alert band.
CREATE TABLE psych_alert (
    id INTEGER PRIMARY KEY,
    response_id BIGINT NOT NULL UNIQUE REFERENCES screening_response (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    raised_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    acted_at TEXT,
    acted_by TEXT
);
CREATE INDEX psych_alert_open_idx ON psych_alert (school_id, acted_at);

-- 心理档案: a follow-up file of the shared case workflow (subject 'psych').
CREATE TABLE psych_case (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    response_id BIGINT REFERENCES screening_response (id),
    state TEXT NOT NULL,
    closing_requested_by TEXT,
    opened_by TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT
);
CREATE INDEX psych_case_school_idx ON psych_case (school_id, state);

-- The pupil's own follow-up team: accounts that may read this file (a 班主任, a 德育主任).
CREATE TABLE psych_case_member (
    case_id BIGINT NOT NULL REFERENCES psych_case (id),
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    PRIMARY KEY (case_id, user_id)
);
