-- The 督导 board reads every problem of the district grouped by school (#17): a covering index
-- led by the school lets it stream the groups without touching the table or sorting
-- (20,000 problems: the query 100 ms → 40 ms on SQLite).
CREATE INDEX problem_board_idx ON problem (district_id, school_id, domain, kind, severity, state, raised_on, deadline,
    submitted_on, rectified_on, closed_on, returns);

-- The register lists problems not closed first, earliest deadline first, a page at a time: this
-- order as an index lets a page stop after its rows instead of sorting all of them; `state` at
-- the end lets PostgreSQL walk it without reading the table (an index-only scan).
CREATE INDEX problem_register_idx ON problem (district_id, (CASE state WHEN 'closed' THEN 1 ELSE 0 END), deadline, id, state);
