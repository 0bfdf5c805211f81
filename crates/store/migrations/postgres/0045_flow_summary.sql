-- The 学籍 roll's version, bumped by every statement that writes the enrolment rows the history
-- holds or the terms they refer to, in the writing transaction (so a reader sees a version and the
-- rows of that version, or a later version). Figures derived from the whole history are kept in
-- flow_summary with the version they were computed at, and used only while it is current: the
-- indicator library then reads a few rows per school instead of following 2M pupils. Writers of
-- the roll queue on the version row until they commit: the roll is written by imports and status
-- changes, not by the daily roll calls.
CREATE TABLE roll_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO roll_version (id, version) VALUES (1, 0);

CREATE FUNCTION roll_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE roll_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER roll_version_enrolment
AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF student_id, term_id, school_id, grade, status ON enrolment
FOR EACH STATEMENT EXECUTE FUNCTION roll_version_bump();
CREATE TRIGGER roll_version_term AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON term
FOR EACH STATEMENT EXECUTE FUNCTION roll_version_bump();

-- Cohort figures (eduq_core::flows::CohortFigures as JSON) per reader scope and window end.
CREATE TABLE flow_summary (
    scope TEXT NOT NULL,
    upto TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (scope, upto)
);
