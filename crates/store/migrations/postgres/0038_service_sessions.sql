-- 课后服务 held (#20): each class's session on a school day as the school records it (pupils who
-- came, the staff on duty, the actual end), with the class's sign-ups of the term at the time so
-- that 到课率 sums both sides before dividing. A fact of classes × days: district and school ids.
CREATE TABLE service_session (
    class_id BIGINT NOT NULL REFERENCES class (id),
    day DATE NOT NULL,
    term_id BIGINT NOT NULL REFERENCES term (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    attended BIGINT NOT NULL,
    signed_up BIGINT NOT NULL,
    staff TEXT NOT NULL,
    ended_at BIGINT NOT NULL,
    username TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (class_id, day)
);
CREATE INDEX service_session_school_idx ON service_session (term_id, school_id, day);
