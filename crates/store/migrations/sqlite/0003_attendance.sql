-- Daily attendance (控辍保学). Only days a pupil was not simply present are stored; the roll call of
-- a class on a day marks it as a school day for all its pupils. District and school ids allow a
-- province deployment to partition by district.
CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    UNIQUE (student_id, day)
);
CREATE INDEX attendance_class_day_idx ON attendance (class_id, day);
CREATE TABLE roll_call (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    day TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (class_id, day)
);
CREATE INDEX roll_call_day_idx ON roll_call (day, school_id);
