-- Inspections (#17): a school assessed on one rubric version by itself (自评) and by an inspector
-- (督学评定). Marks are one row per item and side, replaced while the inspection is open; the
-- closed outcome is kept with the inspection. History and photos go to the shared case tables
-- (subject 'inspection').
CREATE TABLE inspection (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    rubric_id BIGINT NOT NULL REFERENCES rubric (id),
    inspector TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    state TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    score DOUBLE PRECISION,
    percent DOUBLE PRECISION,
    band TEXT,
    vetoed BOOLEAN,
    closed_on TEXT,
    created_by TEXT NOT NULL
);
CREATE INDEX inspection_school_idx ON inspection (school_id, planned_on);
CREATE INDEX inspection_inspector_idx ON inspection (district_id, inspector, planned_on);

CREATE TABLE inspection_mark (
    inspection_id BIGINT NOT NULL REFERENCES inspection (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    side TEXT NOT NULL,
    item_code TEXT NOT NULL,
    mark TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    auto BOOLEAN NOT NULL DEFAULT FALSE,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (inspection_id, side, item_code)
);
