-- Covers the yearly trend of the 体质健康 rates (grouped by what the rates need) so that it does not
-- read the wide rows (items, uploaded source) of every year.
CREATE INDEX fitness_result_stats_idx ON fitness_result (start_year, level, exempt, bmi_category, acuity_grade, myopia, total);
