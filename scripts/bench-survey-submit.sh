#!/usr/bin/env bash
# Questionnaires (#19): respondents submitting through a survey link of the real server, 500 at
# the same moment (a parents' meeting scanning the QR code), each from a new connection and
# browser, in twenty peaks; on SQLite and PostgreSQL, on the demo district's 社会认可度 survey. The
# responses kept are counted afterwards. Figures go to docs/benchmarks.md. Needs a release build;
# PostgreSQL from EDUQ_BENCH_PG_URL (a database that may be emptied, default
# postgres://postgres@127.0.0.1:5432/eduq_bench_survey).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/eduq
[ -x "$BIN" ] || cargo build --release -p eduq
W=$(mktemp -d)
. scripts/bench/pages.sh
PG=${EDUQ_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/eduq_bench_survey}
LINK_SQL="SELECT k.slug FROM survey_link k JOIN survey v ON v.id = k.survey_id WHERE v.recognition AND k.school_id IS NULL"

load() {
  local url=$1 port=$2 query=$3 count=$4
  "$BIN" demo --no-serve --students 3000 --database-url "$url" --data-dir "$W/data-$port" >/dev/null
  local link
  link=$(eval "$query")
  "$BIN" serve --database-url "$url" --listen 127.0.0.1:$port >"$W/serve-$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -s 127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  echo "before: $(eval "$count") responses"
  "$BIN" sample survey-burst --url http://127.0.0.1:$port --link "$link" --respondents "${RESPONDENTS:-10000}" --at-once 500 --pause-ms 500
  kill -INT $pid; wait $pid 2>/dev/null || true
  echo "after: $(eval "$count") responses"
}

echo "== SQLite =="
load "sqlite://$W/s.db" 18301 "sqlite3 $W/s.db \"$LINK_SQL\"" "sqlite3 $W/s.db 'SELECT COUNT(*) FROM survey_response'"
echo "== PostgreSQL ($PG) =="
fresh_pg "$PG"
load "$PG" 18302 "psql $PG -Atc \"$LINK_SQL\"" "psql $PG -Atc 'SELECT COUNT(*) FROM survey_response'"
rm -rf "$W"
