-- Exams (学业质量监测): an exam for one grade in a term, its papers (one per subject) with their item
-- structure, and each pupil's sitting of a paper. Item scores are kept as one text per pupil and paper
-- (comma-separated, structure order), so the fact table grows with pupils × papers, not × items; it
-- carries district and school ids for partitioning like the other fact tables.
CREATE TABLE exam (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    term_id BIGINT NOT NULL REFERENCES term (id),
    name TEXT NOT NULL,
    grade BIGINT NOT NULL,
    kind TEXT NOT NULL,
    organiser TEXT NOT NULL,
    -- The school that holds it alone; NULL = every school with the grade.
    school_id BIGINT REFERENCES school (id),
    held_on TEXT NOT NULL,
    warnings TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (district_id, name)
);
CREATE TABLE exam_paper (
    id INTEGER PRIMARY KEY,
    exam_id BIGINT NOT NULL REFERENCES exam (id),
    subject TEXT NOT NULL,
    full_score DOUBLE PRECISION NOT NULL,
    UNIQUE (exam_id, subject)
);
CREATE TABLE exam_item (
    id INTEGER PRIMARY KEY,
    paper_id BIGINT NOT NULL REFERENCES exam_paper (id),
    pos BIGINT NOT NULL,
    label TEXT NOT NULL,
    objective BOOLEAN NOT NULL,
    max_score DOUBLE PRECISION NOT NULL,
    answer_key TEXT,
    knowledge TEXT NOT NULL,
    ability TEXT NOT NULL,
    UNIQUE (paper_id, pos)
);
CREATE TABLE exam_score (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    class_id BIGINT NOT NULL REFERENCES class (id),
    paper_id BIGINT NOT NULL REFERENCES exam_paper (id),
    student_id BIGINT NOT NULL REFERENCES student (id),
    sitting TEXT NOT NULL,
    total DOUBLE PRECISION,
    items TEXT NOT NULL,
    answers TEXT NOT NULL,
    UNIQUE (paper_id, student_id)
);
CREATE INDEX exam_score_school_idx ON exam_score (paper_id, school_id, class_id);
