-- The per-school facts of a term read from indexes alone (the indicator library's first request
-- after a change): pupils by school, grade and status, and the 体质健康 counts by school or class.
-- Each replaces a narrower index of the same name.
DROP INDEX enrolment_term_school_idx;
CREATE INDEX enrolment_term_school_idx ON enrolment (term_id, school_id, grade, class_id, status);
DROP INDEX fitness_result_year_school_idx;
CREATE INDEX fitness_result_year_school_idx ON fitness_result (start_year, school_id, class_id, student_id, total, level, myopia);
