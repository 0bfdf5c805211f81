-- 教师资格定期注册 (#18): the last registration (or the certificate's first), where the teacher
-- list records it; the next falls due five years on (教师〔2013〕1号).
ALTER TABLE teacher ADD COLUMN registered_on TEXT;
