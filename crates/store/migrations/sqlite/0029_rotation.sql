-- 交流轮岗 (#18). teacher_term.joined_school is 进本校年月 as HR systems record it (tenure at the
-- school counts from it where the per-term records begin later). A rotation is one teacher sent
-- from a school to another for a school year (交流, 轮岗 or 支教), with the planned and the actual
-- return; backbone is whether the teacher was a 骨干教师 when sent (item 11 counts it).
ALTER TABLE teacher_term ADD COLUMN joined_school TEXT;

CREATE TABLE rotation (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    to_school_id BIGINT NOT NULL REFERENCES school (id),
    teacher_id BIGINT NOT NULL REFERENCES teacher (id),
    start_year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    backbone BOOLEAN NOT NULL,
    start_day TEXT NOT NULL,
    end_day TEXT,
    returned_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (teacher_id, start_year)
);
CREATE INDEX rotation_year_idx ON rotation (start_year, school_id);
