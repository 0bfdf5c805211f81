-- eduq foundation schema (SQLite). Keep in step with postgres/0001_foundation.sql.
-- Fact tables that grow with pupils x time carry district_id and school_id so that a province
-- deployment can distribute them by district (Citus) without a redesign.

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE district (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE term (
    id INTEGER PRIMARY KEY,
    start_year BIGINT NOT NULL,
    term_no BIGINT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    UNIQUE (start_year, term_no)
);

CREATE TABLE school (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    school_type TEXT NOT NULL,
    locale TEXT NOT NULL,
    ownership TEXT NOT NULL,
    inclusive INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE school_group (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    UNIQUE (district_id, name)
);

CREATE TABLE school_group_member (
    group_id BIGINT NOT NULL REFERENCES school_group (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    PRIMARY KEY (group_id, school_id)
);

CREATE TABLE campus (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES school (id),
    name TEXT NOT NULL,
    UNIQUE (school_id, name)
);

CREATE TABLE class (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    campus_id BIGINT REFERENCES campus (id),
    start_year BIGINT NOT NULL,
    grade BIGINT NOT NULL,
    class_no BIGINT NOT NULL,
    name TEXT NOT NULL,
    head_teacher_no TEXT,
    UNIQUE (school_id, start_year, grade, class_no)
);

CREATE TABLE student (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    student_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    id_card TEXT,
    disability INTEGER NOT NULL DEFAULT 0,
    poverty INTEGER NOT NULL DEFAULT 0,
    left_behind INTEGER NOT NULL DEFAULT 0,
    migrant INTEGER NOT NULL DEFAULT 0,
    single_parent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX student_name_idx ON student (name);

CREATE TABLE enrolment (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    grade BIGINT NOT NULL,
    status TEXT NOT NULL,
    status_date TEXT,
    UNIQUE (student_id, term_id)
);
CREATE INDEX enrolment_term_school_idx ON enrolment (term_id, school_id, grade, class_id);
CREATE INDEX enrolment_class_idx ON enrolment (class_id);

CREATE TABLE teacher (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    staff_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    education TEXT NOT NULL,
    title TEXT NOT NULL,
    subjects TEXT NOT NULL,
    post TEXT NOT NULL,
    backbone TEXT NOT NULL,
    tier TEXT NOT NULL,
    certified INTEGER NOT NULL
);

CREATE TABLE teacher_term (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    teacher_id BIGINT NOT NULL REFERENCES teacher (id),
    head_teacher INTEGER NOT NULL,
    UNIQUE (teacher_id, term_id)
);
CREATE INDEX teacher_term_school_idx ON teacher_term (term_id, school_id);

CREATE TABLE school_condition (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    start_year BIGINT NOT NULL,
    land_area REAL NOT NULL,
    building_area REAL NOT NULL,
    teaching_area REAL NOT NULL,
    sports_outdoor_area REAL NOT NULL,
    sports_indoor_area REAL NOT NULL,
    equipment_value REAL NOT NULL,
    multimedia_rooms BIGINT NOT NULL,
    student_computers BIGINT NOT NULL,
    teacher_computers BIGINT NOT NULL,
    books BIGINT NOT NULL,
    bandwidth_mbps REAL NOT NULL,
    music_rooms BIGINT NOT NULL,
    music_area REAL NOT NULL,
    art_rooms BIGINT NOT NULL,
    art_area REAL NOT NULL,
    UNIQUE (school_id, start_year)
);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    school_id BIGINT REFERENCES school (id),
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE user_class (
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    PRIMARY KEY (user_id, class_id)
);

CREATE TABLE guardian (
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    PRIMARY KEY (user_id, student_id)
);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE TABLE import_batch (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    rows_total BIGINT NOT NULL,
    inserted BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL
);
