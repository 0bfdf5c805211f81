-- 集团化办学 and 学区 (#22): a group's type of running (紧密型, 松散型, 托管, 教研共同体), its core
-- school, and its urban–rural pairs (结对).
ALTER TABLE school_group ADD COLUMN mode TEXT NOT NULL DEFAULT '';
ALTER TABLE school_group ADD COLUMN core_school_id BIGINT REFERENCES school (id);

CREATE TABLE group_pair (
    group_id BIGINT NOT NULL REFERENCES school_group (id),
    urban_school_id BIGINT NOT NULL REFERENCES school (id),
    rural_school_id BIGINT NOT NULL REFERENCES school (id),
    PRIMARY KEY (group_id, urban_school_id, rural_school_id)
);
