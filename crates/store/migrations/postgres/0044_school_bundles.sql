-- 捆绑评价 (#22): a 村小 or 教学点 evaluated together with its 中心校, as one school, on the indicator
-- pages and the 优质均衡 board. One level only: a 中心校 is not itself bundled.
CREATE TABLE school_bundle (
    school_id BIGINT PRIMARY KEY REFERENCES school (id),
    center_school_id BIGINT NOT NULL REFERENCES school (id),
    username TEXT NOT NULL
);
CREATE INDEX school_bundle_center_idx ON school_bundle (center_school_id);
