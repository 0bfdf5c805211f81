-- Plan targets as plans state them: a scope (the district, or every school), a final value or a
-- change per year from the plan's first year, and yearly milestones. SQLite cannot drop NOT NULL,
-- so plan_target is rebuilt (nothing references it yet).
ALTER TABLE plan ADD COLUMN start_year BIGINT;
CREATE TABLE plan_target_v2 (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plan (id),
    indicator TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT 'district',
    target REAL,
    annual_change REAL,
    deadline_year BIGINT NOT NULL,
    UNIQUE (plan_id, indicator, scope)
);
INSERT INTO plan_target_v2 (id, plan_id, indicator, target, deadline_year)
    SELECT id, plan_id, indicator, target, deadline_year FROM plan_target;
DROP TABLE plan_target;
ALTER TABLE plan_target_v2 RENAME TO plan_target;
CREATE TABLE plan_milestone (
    target_id BIGINT NOT NULL REFERENCES plan_target (id),
    start_year BIGINT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (target_id, start_year)
);
