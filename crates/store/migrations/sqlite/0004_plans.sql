-- A district's plan (三年行动计划) and its targets on the indicator library.
CREATE TABLE plan (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE plan_target (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plan (id),
    indicator TEXT NOT NULL,
    target REAL NOT NULL,
    deadline_year BIGINT NOT NULL,
    UNIQUE (plan_id, indicator)
);
