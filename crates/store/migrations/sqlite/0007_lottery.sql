-- The admission lottery's life cycle in the platform: registration, freeze (roster digest and the
-- announced beacon published before the draw), draw with entropy, publication, and an append-only
-- trail whose rows are chained by SHA-256.
CREATE TABLE lottery (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (id),
    lottery_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    mechanism TEXT NOT NULL,
    bundle_policy TEXT NOT NULL,
    state TEXT NOT NULL,
    applicants_csv BLOB,
    schools_csv BLOB,
    priorities_csv BLOB,
    roster_digest TEXT,
    beacon TEXT,
    entropy TEXT,
    seed TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    frozen_at TEXT,
    drawn_at TEXT
);

-- Who is behind each pseudonymous applicant id: never published, read by the bureau only.
CREATE TABLE lottery_person (
    lottery_id BIGINT NOT NULL REFERENCES lottery (id),
    applicant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    PRIMARY KEY (lottery_id, applicant_id)
);

-- The publication of a drawn lottery, byte for byte as the verifier reads it.
CREATE TABLE lottery_file (
    lottery_id BIGINT NOT NULL REFERENCES lottery (id),
    name TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (lottery_id, name)
);

CREATE TABLE lottery_event (
    id INTEGER PRIMARY KEY,
    lottery_id BIGINT NOT NULL REFERENCES lottery (id),
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (lottery_id, seq)
);
CREATE TRIGGER lottery_event_no_update BEFORE UPDATE ON lottery_event
BEGIN SELECT RAISE(ABORT, 'lottery_event is append-only'); END;
CREATE TRIGGER lottery_event_no_delete BEFORE DELETE ON lottery_event
BEGIN SELECT RAISE(ABORT, 'lottery_event is append-only'); END;
