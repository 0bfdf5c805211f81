-- 年级组长 (#20): the teacher account a principal appoints to lead a grade of a school year. The
-- account then reads (and is alerted about) every class of that grade, as a leader does.
CREATE TABLE grade_leader (
    school_id BIGINT NOT NULL REFERENCES school (id),
    start_year BIGINT NOT NULL,
    grade BIGINT NOT NULL,
    district_id BIGINT NOT NULL REFERENCES district (id),
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    PRIMARY KEY (school_id, start_year, grade)
);
CREATE INDEX grade_leader_user_idx ON grade_leader (user_id);
