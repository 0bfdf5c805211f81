-- Each pupil's 学籍 history of compulsory grades (1-9) as one string, kept in step with enrolment by
-- statement triggers, so that 巩固率 reads one row per pupil instead of one per pupil and term, whatever
-- writes the enrolment (an import, or an administrator's SQL). Entries are
-- `student:term_id:school_id:grade:status`, joined with ',' in term order. Carries district_id like
-- the fact tables, so that a province deployment distributes it with them.
CREATE TABLE pupil_history (
    student_id BIGINT PRIMARY KEY REFERENCES student (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    history TEXT NOT NULL
);

-- One entry per compulsory-grade enrolment row.
CREATE VIEW pupil_history_entry AS
SELECT student_id, district_id, term_id,
       student_id::text || ':' || term_id::text || ':' || school_id::text || ':' || grade::text || ':' || status AS entry
FROM enrolment WHERE grade BETWEEN 1 AND 9;

-- Rebuilds the history of the given pupils.
CREATE FUNCTION pupil_history_rebuild(ids BIGINT[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM pupil_history h USING unnest(ids) AS c(student_id) WHERE h.student_id = c.student_id;
    INSERT INTO pupil_history (student_id, district_id, history)
    SELECT v.student_id, min(v.district_id), string_agg(v.entry, ',' ORDER BY v.term_id)
    FROM pupil_history_entry v JOIN (SELECT DISTINCT x FROM unnest(ids) AS x) c ON c.x = v.student_id
    GROUP BY v.student_id;
$$;

CREATE FUNCTION pupil_history_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pupil_history_rebuild(ARRAY(SELECT student_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pupil_history_rebuild(ARRAY(SELECT student_id FROM old_rows));
    ELSE
        PERFORM pupil_history_rebuild(ARRAY(SELECT student_id FROM new_rows UNION ALL SELECT student_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER pupil_history_insert AFTER INSERT ON enrolment REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil_history_refresh();
CREATE TRIGGER pupil_history_update AFTER UPDATE ON enrolment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil_history_refresh();
CREATE TRIGGER pupil_history_delete AFTER DELETE ON enrolment REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil_history_refresh();

SELECT pupil_history_rebuild(ARRAY(SELECT student_id FROM enrolment));
