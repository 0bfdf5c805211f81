-- What a 学区 or 教育集团 does together (#22): 送教, 同步课堂, teacher exchange, 联合教研, with the
-- member school that holds it, the one it goes to, the people taking part and an evidence file.
CREATE TABLE group_activity (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    group_id BIGINT NOT NULL REFERENCES school_group (id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    host_school_id BIGINT NOT NULL REFERENCES school (id),
    to_school_id BIGINT REFERENCES school (id),
    participants BIGINT NOT NULL,
    evidence_name TEXT,
    evidence BLOB,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX group_activity_group_idx ON group_activity (group_id, held_on);
