-- The 学籍 roll's version, bumped by every write of the enrolment rows the history holds or the
-- terms they refer to, in the writing transaction. Figures derived from the whole history are kept
-- in flow_summary with the version they were computed at, and used only while it is current.
CREATE TABLE roll_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO roll_version (id, version) VALUES (1, 0);

CREATE TRIGGER roll_version_enrolment_insert AFTER INSERT ON enrolment BEGIN
    UPDATE roll_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER roll_version_enrolment_update
AFTER UPDATE OF student_id, term_id, school_id, grade, status ON enrolment BEGIN
    UPDATE roll_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER roll_version_enrolment_delete AFTER DELETE ON enrolment BEGIN
    UPDATE roll_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER roll_version_term_insert AFTER INSERT ON term BEGIN
    UPDATE roll_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER roll_version_term_update AFTER UPDATE ON term BEGIN
    UPDATE roll_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER roll_version_term_delete AFTER DELETE ON term BEGIN
    UPDATE roll_version SET version = version + 1 WHERE id = 1;
END;

-- Cohort figures (eduq_core::flows::CohortFigures as JSON) per reader scope and window end.
CREATE TABLE flow_summary (
    scope TEXT NOT NULL,
    upto TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (scope, upto)
);
