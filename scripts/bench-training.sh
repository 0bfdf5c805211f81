#!/usr/bin/env bash
# 教师培训学时 at county size (#18): about 2,300 teachers and five years of a training platform's
# completion export (≈ 100,000 shuffled rows, 工号 that differ by a digit), imported as csv (new
# rows) and again as xlsx (every row already held), the ledger computed uncached, then the district
# completion page under 50 concurrent clients (wrk). On SQLite and PostgreSQL; figures go to
# docs/benchmarks.md. Needs a release build and wrk; PostgreSQL from EDUQ_BENCH_PG_URL (a database
# that may be emptied, default postgres://postgres@127.0.0.1:5432/eduq_bench_tr).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/eduq
[ -x "$BIN" ] || cargo build --release -p eduq
W=$(mktemp -d)
. scripts/bench/pages.sh
PG=${EDUQ_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/eduq_bench_tr}

pages() {
  local port=$2
  serve "$1" "$port"
  local c=$COOKIE
  for path in "/teachers/training" "/teachers/training/claims"; do
    # Warm: the first read computes the ledger once (its uncached time is printed above).
    curl -s -o /dev/null -H "Cookie: $c" "127.0.0.1:$port$path"
    timed "$port" "$path" ${SECONDS_EACH:-5} 32
  done
  kill -INT $SERVE_PID
}

echo "== SQLite =="
"$BIN" sample training --database-url "sqlite://$W/t.db"
pages "sqlite://$W/t.db" 18191
echo "== PostgreSQL ($PG) =="
fresh_pg "$PG"
"$BIN" sample training --database-url "$PG"
pages "$PG" 18192
