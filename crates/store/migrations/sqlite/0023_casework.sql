-- One case workflow for every subject (#17): the history and evidence tables of 控辍保学 cases
-- now hold the steps and files of 督导 problems and safety hazards too, told apart by `subject`
-- ('dropout', 'problem'); `case_id` points into the subject's own table. Existing rows are
-- 控辍保学's. SQLite cannot drop a foreign key in place, so both tables are rebuilt.
CREATE TABLE case_event_v2 (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    case_id BIGINT NOT NULL,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    party TEXT,
    note TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
INSERT INTO case_event_v2 (id, subject, case_id, district_id, school_id, kind, day, party, note, username, at)
    SELECT id, 'dropout', case_id, district_id, school_id, kind, day, party, note, username, at FROM case_event;
DROP TABLE case_event;
ALTER TABLE case_event_v2 RENAME TO case_event;
CREATE INDEX case_event_case_idx ON case_event (subject, case_id);

CREATE TABLE case_evidence_v2 (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    case_id BIGINT NOT NULL,
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
INSERT INTO case_evidence_v2
    (id, subject, case_id, district_id, school_id, filename, content_type, size, sha256, content, username, at)
    SELECT id, 'dropout', case_id, district_id, school_id, filename, content_type, size, sha256, content, username, at
    FROM case_evidence;
DROP TABLE case_evidence;
ALTER TABLE case_evidence_v2 RENAME TO case_evidence;
CREATE INDEX case_evidence_case_idx ON case_evidence (subject, case_id);

-- The schools of an inspector's (督学) 责任区: the inspector's scope.
CREATE TABLE user_school (
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    PRIMARY KEY (user_id, school_id)
);

-- 问题清单: problems found by 督导 and safety hazards (安全隐患), each rectified (整改) and closed
-- (销号) through the shared case workflow. Nothing is deleted.
CREATE TABLE problem (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    kind TEXT NOT NULL,
    inspection_id BIGINT,
    item_code TEXT NOT NULL DEFAULT '',
    domain TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    severity TEXT NOT NULL,
    responsible TEXT NOT NULL,
    indicator TEXT,
    notice_year BIGINT NOT NULL,
    notice_seq BIGINT NOT NULL,
    state TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    deadline TEXT NOT NULL,
    submitted_on TEXT,
    rectified_on TEXT,
    returns BIGINT NOT NULL DEFAULT 0,
    close_requested_by TEXT,
    closed_by TEXT,
    closed_on TEXT,
    UNIQUE (district_id, notice_year, notice_seq)
);
CREATE INDEX problem_school_idx ON problem (school_id, state);
CREATE INDEX problem_state_idx ON problem (district_id, state, deadline);
