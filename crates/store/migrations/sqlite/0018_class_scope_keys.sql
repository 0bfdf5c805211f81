-- Attendance records and roll calls check their class with one key over (district_id, school_id,
-- class_id) instead of three keys: on PostgreSQL each foreign key is a check per inserted row, and
-- the 8:00 burst's inserts spent most of their time in them. The one key also keeps the district and
-- school ids these fact tables carry (for partitioning by district) consistent with the class.
-- SQLite cannot alter a foreign key: both tables are rebuilt (nothing references them).
CREATE UNIQUE INDEX class_scope_idx ON class (district_id, school_id, id);

CREATE TABLE attendance_v2 (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL,
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL REFERENCES student (id),
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    UNIQUE (student_id, day),
    FOREIGN KEY (district_id, school_id, class_id) REFERENCES class (district_id, school_id, id)
);
INSERT INTO attendance_v2 (id, district_id, school_id, class_id, student_id, day, status, note)
    SELECT id, district_id, school_id, class_id, student_id, day, status, note FROM attendance;
DROP TABLE attendance;
ALTER TABLE attendance_v2 RENAME TO attendance;
CREATE INDEX attendance_class_day_idx ON attendance (class_id, day);

CREATE TABLE roll_call_v2 (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL,
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (class_id, day),
    FOREIGN KEY (district_id, school_id, class_id) REFERENCES class (district_id, school_id, id)
);
INSERT INTO roll_call_v2 (id, district_id, school_id, class_id, day, username, at)
    SELECT id, district_id, school_id, class_id, day, username, at FROM roll_call;
DROP TABLE roll_call;
ALTER TABLE roll_call_v2 RENAME TO roll_call;
CREATE INDEX roll_call_day_idx ON roll_call (day, school_id);
