-- A class's roster in a term read from the index alone: the roll desk checks ~200 classes' rosters
-- in one statement at the 8:00 peak (the class index alone fetched every term's rows of each class).
CREATE INDEX enrolment_class_term_idx ON enrolment (class_id, term_id, status, student_id);
