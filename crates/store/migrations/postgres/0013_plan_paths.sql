-- Plan targets as plans state them: a scope (the district, or every school), a final value or a
-- change per year from the plan's first year, and yearly milestones.
ALTER TABLE plan ADD COLUMN start_year BIGINT;
ALTER TABLE plan_target ALTER COLUMN target DROP NOT NULL;
ALTER TABLE plan_target ADD COLUMN scope TEXT NOT NULL DEFAULT 'district';
ALTER TABLE plan_target ADD COLUMN annual_change DOUBLE PRECISION;
ALTER TABLE plan_target DROP CONSTRAINT plan_target_plan_id_indicator_key;
ALTER TABLE plan_target ADD CONSTRAINT plan_target_plan_indicator_scope_key UNIQUE (plan_id, indicator, scope);
CREATE TABLE plan_milestone (
    target_id BIGINT NOT NULL REFERENCES plan_target (id),
    start_year BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (target_id, start_year)
);
