-- 新改扩建 (#22): the bureau's building projects (a school's, or a new school's not on the roster
-- yet), the places planned and added, and their milestones with due and done dates.
CREATE TABLE building_project (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT REFERENCES school (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    planned_places BIGINT NOT NULL,
    added_places BIGINT NOT NULL DEFAULT 0,
    completed_on TEXT,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (district_id, name)
);

CREATE TABLE project_milestone (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES building_project (id),
    name TEXT NOT NULL,
    due TEXT NOT NULL,
    done TEXT,
    UNIQUE (project_id, name)
);
