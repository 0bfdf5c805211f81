-- 双减 homework (#20): what each class was set per day and subject, as its teachers log it, and
-- each class-day checked against its grade's limit, kept beside the entries so that the board
-- reads one row per class-day. Both carry district and school ids (facts of pupils × days).
CREATE TABLE homework_entry (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    day TEXT NOT NULL,
    subject TEXT NOT NULL,
    written BOOLEAN NOT NULL,
    minutes BIGINT NOT NULL,
    layered BOOLEAN NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    teacher_name TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (class_id, day, subject)
);

-- One row per class and day with entries: the day's written minutes and subjects, whether it is
-- over the grade's limit, and the principal's review of an over-limit day.
CREATE TABLE homework_day (
    class_id BIGINT NOT NULL REFERENCES class (id),
    day TEXT NOT NULL,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    grade BIGINT NOT NULL,
    written_minutes BIGINT NOT NULL,
    written_subjects BIGINT NOT NULL,
    over BOOLEAN NOT NULL,
    excess BIGINT NOT NULL,
    reviewed_by TEXT,
    review_note TEXT,
    reviewed_at TEXT,
    PRIMARY KEY (class_id, day)
);
-- Covering the board's sums per school over a span of days (read without the table).
CREATE INDEX homework_day_school_idx ON homework_day (school_id, day, over, written_minutes);

-- The class-days of each school and day summed (rewritten with each class-day of it), so that the
-- district's board over a term reads one row per school and day.
CREATE TABLE homework_school_day (
    school_id BIGINT NOT NULL REFERENCES school (id),
    day TEXT NOT NULL,
    district_id BIGINT NOT NULL REFERENCES district (id),
    class_days BIGINT NOT NULL,
    over_days BIGINT NOT NULL,
    written_minutes BIGINT NOT NULL,
    PRIMARY KEY (school_id, day)
);
CREATE INDEX homework_school_day_day_idx ON homework_school_day (day, school_id, class_days, over_days, written_minutes);
