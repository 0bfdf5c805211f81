-- 课后服务 and the school day (#20): each school's plan for a term (first lesson, days and end of
-- 课后服务, activities) and the pupils of each class signed up for the service that term.
CREATE TABLE school_schedule (
    school_id BIGINT NOT NULL REFERENCES school (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    morning_start BIGINT NOT NULL,
    service_days BIGINT NOT NULL,
    service_end BIGINT,
    activities TEXT NOT NULL,
    username TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (school_id, term_id)
);

CREATE TABLE service_signup (
    class_id BIGINT NOT NULL REFERENCES class (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    pupils BIGINT NOT NULL,
    PRIMARY KEY (class_id, term_id)
);
CREATE INDEX service_signup_school_idx ON service_signup (term_id, school_id);
