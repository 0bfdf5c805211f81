-- When a pair (account, client) last tried: rows not tried for a day and not waiting are purged,
-- so that guesses at unknown names do not grow the table without end (#24).
ALTER TABLE login_throttle ADD COLUMN last_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX login_throttle_last_idx ON login_throttle (last_at);
