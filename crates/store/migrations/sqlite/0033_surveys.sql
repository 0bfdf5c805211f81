-- 问卷调查 (#19): surveys run on an XLSForm workbook the bureau uploaded; one anonymous link per
-- school and one for the district's other respondents (部门, 人大代表, 政协委员, 群众); quotas per
-- link and respondent type; single-use tokens; the responses, which name no one.

CREATE TABLE survey (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    title TEXT NOT NULL,
    -- The workbook's sheets as JSON (core::questionnaire::SheetRows), Excel row numbers kept.
    form TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- Counts towards 社会认可度 (第九条 of 教督〔2017〕6号).
    recognition INTEGER NOT NULL,
    -- Single-use tokens (1), or open links with one response per browser (0).
    tokens INTEGER NOT NULL,
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX survey_district_idx ON survey (district_id, closes);

-- An anonymous link: `slug` is random and long enough not to be guessed.
CREATE TABLE survey_link (
    slug TEXT PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES survey (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    -- NULL: the district's link.
    school_id BIGINT REFERENCES school (id)
);
CREATE INDEX survey_link_idx ON survey_link (survey_id, school_id);

-- How many responses of a respondent type a link should gather ('' when the form has no type).
CREATE TABLE survey_quota (
    slug TEXT NOT NULL REFERENCES survey_link (slug),
    respondent TEXT NOT NULL,
    quota BIGINT NOT NULL,
    PRIMARY KEY (slug, respondent)
);

-- Single-use tokens: only the SHA-256 is kept; the token is shown once, to print.
CREATE TABLE survey_token (
    token_hash TEXT PRIMARY KEY,
    slug TEXT NOT NULL REFERENCES survey_link (slug),
    used_at TEXT
);

CREATE TABLE survey_response (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES survey (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT REFERENCES school (id),
    slug TEXT NOT NULL REFERENCES survey_link (slug),
    respondent TEXT NOT NULL,
    -- One entry per question of the form, in form order (null: not answered), as JSON.
    answers TEXT NOT NULL,
    -- SHA-256 of the token, or of the browser's survey cookie: one response each.
    guard TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    UNIQUE (survey_id, guard)
);
CREATE INDEX survey_response_idx ON survey_response (survey_id, school_id);
