-- Each pupil's 学籍 history of compulsory grades (1-9) as one string, kept in step with enrolment by
-- row triggers, so that 巩固率 reads one row per pupil instead of one per pupil and term, whatever
-- writes the enrolment (an import, or an administrator's SQL). Entries are
-- `student:term_id:school_id:grade:status`, joined with ',' in no set order (readers sort them):
-- group_concat, not string_agg ... ORDER BY, so that an older sqlite3 shell can still open the file.
-- Carries district_id like the fact tables.
CREATE TABLE pupil_history (
    student_id BIGINT PRIMARY KEY REFERENCES student (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    history TEXT NOT NULL
);

-- One entry per compulsory-grade enrolment row.
CREATE VIEW pupil_history_entry AS
SELECT student_id, district_id, term_id,
       CAST(student_id AS TEXT) || ':' || CAST(term_id AS TEXT) || ':' || CAST(school_id AS TEXT)
       || ':' || CAST(grade AS TEXT) || ':' || status AS entry
FROM enrolment WHERE grade BETWEEN 1 AND 9;

INSERT INTO pupil_history (student_id, district_id, history)
SELECT student_id, min(district_id), group_concat(entry, ',') FROM pupil_history_entry GROUP BY student_id;

CREATE TRIGGER pupil_history_insert AFTER INSERT ON enrolment BEGIN
    DELETE FROM pupil_history WHERE student_id = NEW.student_id;
    INSERT INTO pupil_history (student_id, district_id, history)
    SELECT student_id, min(district_id), group_concat(entry, ',') FROM pupil_history_entry WHERE student_id = NEW.student_id GROUP BY student_id;
END;

CREATE TRIGGER pupil_history_update
AFTER UPDATE OF student_id, term_id, school_id, grade, status, district_id ON enrolment BEGIN
    DELETE FROM pupil_history WHERE student_id IN (OLD.student_id, NEW.student_id);
    INSERT INTO pupil_history (student_id, district_id, history)
    SELECT student_id, min(district_id), group_concat(entry, ',') FROM pupil_history_entry WHERE student_id IN (OLD.student_id, NEW.student_id) GROUP BY student_id;
END;

CREATE TRIGGER pupil_history_delete AFTER DELETE ON enrolment BEGIN
    DELETE FROM pupil_history WHERE student_id = OLD.student_id;
    INSERT INTO pupil_history (student_id, district_id, history)
    SELECT student_id, min(district_id), group_concat(entry, ',') FROM pupil_history_entry WHERE student_id = OLD.student_id GROUP BY student_id;
END;
