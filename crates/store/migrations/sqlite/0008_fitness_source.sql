-- The uploaded row of each 体质健康 result (column → cell, JSON), so that the round can be exported
-- again in the national upload layout exactly as it was tested, corrections included.
ALTER TABLE fitness_result ADD COLUMN source TEXT;
