-- 体质健康 test results: one row per pupil per school year (the national test is yearly).
-- Carries district and school ids so that a province deployment can partition by district.
CREATE TABLE fitness_result (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    start_year BIGINT NOT NULL,
    student_id BIGINT NOT NULL REFERENCES student (id),
    class_id BIGINT REFERENCES class (id),
    grade BIGINT NOT NULL,
    sex TEXT NOT NULL,
    height REAL,
    weight REAL,
    bmi REAL,
    bmi_category TEXT,
    items TEXT NOT NULL,
    standard REAL,
    bonus BIGINT NOT NULL,
    total REAL,
    level TEXT,
    exempt BIGINT NOT NULL,
    missing TEXT NOT NULL,
    acuity_left REAL,
    acuity_right REAL,
    acuity_grade TEXT,
    myopia TEXT,
    UNIQUE (student_id, start_year)
);
CREATE INDEX fitness_result_year_school_idx ON fitness_result (start_year, school_id, class_id);
