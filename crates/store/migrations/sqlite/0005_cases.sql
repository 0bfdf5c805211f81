-- 控辍保学 beyond the roll: school calendars, alerts to the class teacher and principal, and the
-- case register (台账) with every 劝返 step, evidence files and the two-person 销号.

-- Exceptions to Monday–Friday teaching: holidays and make-up days. school_id NULL = the whole district.
CREATE TABLE calendar_day (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT REFERENCES school (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE UNIQUE INDEX calendar_day_unique_idx ON calendar_day (COALESCE(school_id, 0), day);

-- A pupil crossed a warning threshold; open until someone acknowledges it or opens a case.
CREATE TABLE attendance_alert (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    raised_on TEXT NOT NULL,
    reasons TEXT NOT NULL,
    status TEXT NOT NULL,
    handled_by TEXT,
    handled_at TEXT,
    note TEXT NOT NULL DEFAULT '',
    case_id BIGINT
);
CREATE INDEX attendance_alert_school_idx ON attendance_alert (school_id, status);
CREATE INDEX attendance_alert_student_idx ON attendance_alert (student_id, term_id);

CREATE TABLE dropout_case (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT REFERENCES class (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    register TEXT NOT NULL,
    state TEXT NOT NULL,
    step BIGINT NOT NULL,
    step_started TEXT NOT NULL,
    outcome TEXT,
    outcome_date TEXT,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    close_requested_by TEXT,
    closed_by TEXT,
    closed_on TEXT
);
CREATE INDEX dropout_case_school_idx ON dropout_case (school_id, state);
CREATE INDEX dropout_case_student_idx ON dropout_case (student_id);

-- Everything that happened in a case, in order: 劝返 attempts, escalations, outcome, support
-- records after return, 销号 request and confirmation.
CREATE TABLE case_event (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES dropout_case (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    party TEXT,
    note TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX case_event_case_idx ON case_event (case_id);

CREATE TABLE case_evidence (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES dropout_case (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX case_evidence_case_idx ON case_evidence (case_id);
