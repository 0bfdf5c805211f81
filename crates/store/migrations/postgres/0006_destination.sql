-- 转往学校 of a 转出, so that a transfer is followed to the receiving school (or named as outside
-- the district) instead of being taken for a dropout.
ALTER TABLE enrolment ADD COLUMN destination TEXT;
