-- Login attempts per (account, client address): failures are counted before the password is
-- checked, so parallel guesses cannot pass the limit, and a block keeps out one client, not the
-- account's owner. Account names are kept as typed (lower-cased), known or not, so that the
-- answer never tells whether an account exists. Times are Unix seconds.
CREATE TABLE login_throttle (
    account TEXT NOT NULL,
    client TEXT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    blocked_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, client)
);
