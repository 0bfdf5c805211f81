-- 读物进校园 (#20, 《中小学生课外读物进校园管理办法》): each book a school brings in, with its
-- review (审核) record: who reviewed it when, and the verdict.
CREATE TABLE reading_book (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    school_id BIGINT NOT NULL REFERENCES school (id),
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    publisher TEXT NOT NULL,
    grades TEXT NOT NULL,
    reviewed_on TEXT NOT NULL,
    reviewers TEXT NOT NULL,
    approved BOOLEAN NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (school_id, title, publisher)
);
