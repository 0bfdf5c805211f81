-- 开齐开足 (#20): each school's weekly timetable per term, replaced whole by each upload (its
-- digest tells a re-upload of the same file), and the province's curriculum table where the
-- bureau replaces the national floor (no rows: the floor of core::standards::curriculum).
CREATE TABLE timetable_slot (
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    weekday BIGINT NOT NULL,
    period BIGINT NOT NULL,
    subject TEXT NOT NULL,
    teacher TEXT NOT NULL
);
CREATE INDEX timetable_slot_school_idx ON timetable_slot (term_id, school_id);

CREATE TABLE timetable_upload (
    school_id BIGINT NOT NULL REFERENCES school (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    digest TEXT NOT NULL,
    file_name TEXT NOT NULL,
    slots BIGINT NOT NULL,
    username TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (school_id, term_id)
);

CREATE TABLE curriculum_rule (
    district_id BIGINT NOT NULL REFERENCES district (id),
    position BIGINT NOT NULL,
    subject TEXT NOT NULL,
    accepts TEXT NOT NULL,
    first_grade BIGINT NOT NULL,
    last_grade BIGINT NOT NULL,
    min_periods BIGINT NOT NULL,
    PRIMARY KEY (district_id, position)
);
