-- A synthetic province in eduq's schema on PostgreSQL, for the indicator benchmark from the store
-- (scripts/bench-province.sh). psql variables: pupils, schools. Run on a freshly migrated database.
--
-- Pupils of grades 1-7 in the first term, spread over nine-year schools at random, followed over
-- six terms (2024-2025 to 2026-2027): about 0.1 % drop out and 0.3 % transfer out at a random term,
-- about 6 % move to another school once; two classes per grade, one teacher per 15 pupils,
-- conditions per school and year. Only synthetic data.
\set ON_ERROR_STOP on
\timing on

-- Bulk load without the foreign-key checks and triggers (the rows are consistent by construction);
-- the 学籍 history of the first five terms is then rebuilt at once, and the sixth term is inserted
-- with the triggers on, as a term's import would be.
SET session_replication_role = replica;
-- The same province on every run.
SELECT setseed(0.11);

INSERT INTO district (id, code, name) VALUES (1, '990000', '合成省');
INSERT INTO term (id, start_year, term_no, start_date, end_date)
SELECT k + 1, 2024 + k / 2, k % 2 + 1,
       CASE WHEN k % 2 = 0 THEN make_date(2024 + k / 2, 9, 1) ELSE make_date(2025 + k / 2, 2, 20) END,
       CASE WHEN k % 2 = 0 THEN make_date(2025 + k / 2, 1, 20) ELSE make_date(2025 + k / 2, 7, 10) END
FROM generate_series(0, 5) k;

INSERT INTO school (id, district_id, code, name, school_type, locale, ownership)
SELECT s, 1, '99' || lpad(s::text, 8, '0'), '合成学校' || s, 'nine_year',
       (ARRAY['urban', 'town', 'rural'])[1 + s % 3], 'public'
FROM generate_series(1, :schools) s;

-- Class id = (((school - 1) * 3 + year) * 9 + grade - 1) * 2 + class_no.
INSERT INTO class (id, district_id, school_id, start_year, grade, class_no, name)
SELECT (((s - 1) * 3 + y) * 9 + g - 1) * 2 + c, 1, s, 2024 + y, g, c, g || '年级' || c || '班'
FROM generate_series(1, :schools) s, generate_series(0, 2) y, generate_series(1, 9) g, generate_series(1, 2) c;

CREATE TEMP TABLE pupil AS
SELECT id, school0, grade0, fate,
       CASE WHEN fate < 0.004 THEN floor(random() * 6)::int ELSE 99 END AS stop_k,
       CASE WHEN fate < 0.001 THEN 'dropped_out' ELSE 'transfer_out' END AS stop_status,
       CASE WHEN random() < 0.06 THEN 1 + floor(random() * 5)::int ELSE 99 END AS move_k,
       1 + floor(random() * :schools)::int AS school1
FROM (SELECT id, 1 + floor(random() * :schools)::int AS school0, 1 + floor(random() * 7)::int AS grade0,
             random() AS fate
      FROM generate_series(1, :pupils) id) x;

INSERT INTO student (id, district_id, student_no, name, sex, birth_date, ethnicity)
SELECT id, 1, 'G' || lpad(id::text, 17, '0'), '学生' || id, CASE WHEN id % 2 = 0 THEN 'M' ELSE 'F' END,
       make_date(2017 - grade0, 1 + id % 12, 1 + id % 28), '汉族'
FROM pupil;

CREATE TEMP VIEW pupil_term AS
SELECT p.id, k, p.grade0 + k / 2 AS grade,
       CASE WHEN k >= p.move_k THEN p.school1 ELSE p.school0 END AS school,
       CASE WHEN k = p.stop_k THEN p.stop_status WHEN k = p.move_k THEN 'transfer_in' ELSE 'enrolled' END AS status
FROM pupil p, generate_series(0, 5) k
WHERE p.grade0 + k / 2 <= 9 AND k <= p.stop_k;

INSERT INTO enrolment (district_id, school_id, term_id, student_id, class_id, grade, status)
SELECT 1, school, k + 1, id, (((school - 1) * 3 + k / 2) * 9 + grade - 1) * 2 + 1 + id % 2, grade, status
FROM pupil_term WHERE k < 5;

INSERT INTO teacher (id, district_id, staff_no, name, sex, birth_date, education, title, subjects, post, backbone,
                     tier, certified)
SELECT t, 1, 'T' || lpad(t::text, 9, '0'), '教师' || t, CASE WHEN t % 3 = 0 THEN 'M' ELSE 'F' END,
       make_date(1970 + t % 30, 1 + t % 12, 1),
       (ARRAY['associate', 'master', 'bachelor', 'bachelor', 'bachelor'])[1 + t % 5], 'first',
       (ARRAY['体育', '音乐', '语文', '数学', '英语', '美术', '科学', '道德与法治'])[1 + t % 8], 'full_time',
       CASE WHEN t % 8 = 0 THEN 'county' ELSE 'none' END, 'novice', t % 50 <> 0
FROM generate_series(1, :pupils / 15) t;

INSERT INTO teacher_term (district_id, school_id, term_id, teacher_id, head_teacher)
SELECT 1, 1 + t % :schools, k, t, false FROM generate_series(1, :pupils / 15) t, generate_series(1, 6) k;

INSERT INTO school_condition (district_id, school_id, start_year, land_area, building_area, teaching_area,
                              sports_outdoor_area, sports_indoor_area, equipment_value, multimedia_rooms,
                              student_computers, teacher_computers, books, bandwidth_mbps, music_rooms, music_area,
                              art_rooms, art_area)
SELECT 1, s, 2024 + y, n * 30, n * 9, n * 4.8, n * 7, n, n * 2200, n / 40, n / 6, n / 15, n * 30, 1000, 2, 200, 2, 190
FROM generate_series(1, :schools) s, generate_series(0, 2) y, (SELECT :pupils / :schools AS n) a;

SET session_replication_role = origin;
-- The history of the first five terms at once (what migration 0016 does on an existing database).
SELECT pupil_history_rebuild(ARRAY(SELECT id FROM student));
-- The sixth term as a term's import: one statement, the triggers keep each pupil's history.
INSERT INTO enrolment (district_id, school_id, term_id, student_id, class_id, grade, status)
SELECT 1, school, k + 1, id, (((school - 1) * 3 + k / 2) * 9 + grade - 1) * 2 + 1 + id % 2, grade, status
FROM pupil_term WHERE k = 5;
-- As autovacuum would have by then: the visibility map lets the fact queries read indexes alone.
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM student) AS pupils, (SELECT count(*) FROM school) AS schools,
       (SELECT count(*) FROM enrolment) AS enrolment_rows, (SELECT count(*) FROM pupil_history) AS histories,
       pg_size_pretty(pg_database_size(current_database())) AS size;
