-- 督导 rubrics (指标体系), versioned: a new version is a new row, nothing is changed in place, so
-- that an inspection keeps the rubric it was scored on (#17).
CREATE TABLE rubric (
    id INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES district (id),
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (district_id, key, version)
);
