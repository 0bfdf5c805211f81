-- Lists page by keyset (issue #24): the student list in class order reads the page from this
-- index instead of sorting the term's every enrolment; the name order reads (name, id).
CREATE INDEX enrolment_term_list_idx ON enrolment (term_id, school_id, grade, class_id, student_id);
CREATE INDEX student_name_id_idx ON student (name, id);
