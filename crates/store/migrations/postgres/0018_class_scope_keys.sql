-- Attendance records and roll calls check their class with one key over (district_id, school_id,
-- class_id) instead of three keys: each foreign key is a check per inserted row, and the 8:00
-- burst's inserts spent most of their time in them (400 records: 6.7-9.8 ms with four keys, 4.8-6.0
-- ms with two). The one key also keeps the district and school ids these fact tables carry (for
-- partitioning by district) consistent with the class.
CREATE UNIQUE INDEX class_scope_idx ON class (district_id, school_id, id);
ALTER TABLE attendance
    DROP CONSTRAINT attendance_district_id_fkey,
    DROP CONSTRAINT attendance_school_id_fkey,
    DROP CONSTRAINT attendance_class_id_fkey,
    ADD CONSTRAINT attendance_class_scope_fkey
        FOREIGN KEY (district_id, school_id, class_id) REFERENCES class (district_id, school_id, id);
ALTER TABLE roll_call
    DROP CONSTRAINT roll_call_district_id_fkey,
    DROP CONSTRAINT roll_call_school_id_fkey,
    DROP CONSTRAINT roll_call_class_id_fkey,
    ADD CONSTRAINT roll_call_class_scope_fkey
        FOREIGN KEY (district_id, school_id, class_id) REFERENCES class (district_id, school_id, id);
