-- Denominators a district supplies because eduq holds no record of them (学龄人口 for 毛入园率 and
-- 高中阶段毛入学率), per school year, each with its source (统计部门, 公安户籍, 卫健出生登记, …).
CREATE TABLE district_input (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    start_year BIGINT NOT NULL,
    key TEXT NOT NULL,
    value REAL NOT NULL,
    source TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (district_id, start_year, key)
);
