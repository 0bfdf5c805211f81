-- What identifies a problem across files (#17): the SHA-256 of its school, kind, domain, item,
-- description and day, so that importing the same 问题清单 again (or an export of it) adds nothing.
ALTER TABLE problem ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX problem_source_key_idx ON problem (district_id, source_key);
