-- 四级培养 and 名师, 课题, 工作室 (#18).
--
-- A designation is one nomination of a teacher for a title, through panel scores, 公示 and a term
-- to annual assessments; its steps go to the shared case history (subject 'designation'), so the
-- history per teacher is every designation row with its events. `school_id` is the teacher's
-- school when nominated (the school reads it).
CREATE TABLE designation (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    teacher_id BIGINT NOT NULL REFERENCES teacher (id),
    honour TEXT NOT NULL,
    level TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    year BIGINT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    mean_score DOUBLE PRECISION,
    notice_until TEXT,
    designated_on TEXT,
    term_end TEXT,
    removed_on TEXT,
    nominated_by TEXT NOT NULL,
    nominated_on TEXT NOT NULL,
    UNIQUE (teacher_id, honour, level, year)
);
CREATE INDEX designation_school_idx ON designation (school_id, state);
CREATE INDEX designation_district_idx ON designation (district_id, state, honour);

CREATE TABLE designation_score (
    designation_id BIGINT NOT NULL REFERENCES designation (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    judge TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    PRIMARY KEY (designation_id, judge)
);

CREATE TABLE designation_assessment (
    designation_id BIGINT NOT NULL REFERENCES designation (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    year BIGINT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (designation_id, year)
);

-- 课题: a research project of a lead school, with its teachers (members may teach elsewhere),
-- through 立项 → 开题 → 中期 → 结题 (or 撤项); stage reports go to the shared evidence table
-- (subject 'research').
CREATE TABLE research_project (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    level TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    opened_on TEXT,
    midterm_on TEXT,
    concluded_on TEXT,
    ended_on TEXT,
    result TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (district_id, code)
);
CREATE INDEX research_project_school_idx ON research_project (school_id);

CREATE TABLE research_member (
    project_id BIGINT NOT NULL REFERENCES research_project (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    teacher_id BIGINT NOT NULL REFERENCES teacher (id),
    host BOOLEAN NOT NULL,
    PRIMARY KEY (project_id, teacher_id)
);
CREATE INDEX research_member_teacher_idx ON research_member (teacher_id);

-- 工作室: a 名师/名班主任/名校长 studio with its host and members, a plan per school year, its
-- activities (evidence in the shared table, subject 'studio_activity') and an annual assessment
-- scored on a rubric version of the 督导 rubric engine (marks kept as the engine reads them).
CREATE TABLE studio (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    host_teacher_id BIGINT NOT NULL REFERENCES teacher (id),
    start_day TEXT NOT NULL,
    end_day TEXT,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (district_id, name)
);

CREATE TABLE studio_member (
    studio_id BIGINT NOT NULL REFERENCES studio (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    teacher_id BIGINT NOT NULL REFERENCES teacher (id),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    PRIMARY KEY (studio_id, teacher_id)
);

CREATE TABLE studio_plan (
    studio_id BIGINT NOT NULL REFERENCES studio (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    start_year BIGINT NOT NULL,
    goals TEXT NOT NULL,
    targets TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (studio_id, start_year)
);

CREATE TABLE studio_activity (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    studio_id BIGINT NOT NULL REFERENCES studio (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    day TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    participants BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX studio_activity_idx ON studio_activity (studio_id, day);

CREATE TABLE studio_assessment (
    studio_id BIGINT NOT NULL REFERENCES studio (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    start_year BIGINT NOT NULL,
    rubric_id BIGINT NOT NULL REFERENCES rubric (id),
    marks TEXT NOT NULL,
    score DOUBLE PRECISION,
    percent DOUBLE PRECISION,
    band TEXT,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (studio_id, start_year)
);
