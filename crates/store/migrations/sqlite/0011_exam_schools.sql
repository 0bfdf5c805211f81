-- The schools that sit an exam (a 联考 of some schools); none listed = every school with the grade.
CREATE TABLE exam_school (
    exam_id BIGINT NOT NULL REFERENCES exam (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    PRIMARY KEY (exam_id, school_id)
);
