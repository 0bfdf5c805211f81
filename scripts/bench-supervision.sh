#!/usr/bin/env bash
# 督导 at county size (#17): 200 schools, five years, 20,000 problems (shuffled, every stage of the
# 整改 loop), on SQLite and PostgreSQL. Times the register and the board in the store (cold: the
# board computed every time), then the pages under 50 concurrent clients (wrk). Figures go to
# docs/benchmarks.md. Needs a release build and wrk; PostgreSQL from EDUQ_BENCH_PG_URL (a database
# that may be emptied, default postgres://postgres@127.0.0.1:5432/eduq_bench_sup).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/eduq
[ -x "$BIN" ] || cargo build --release -p eduq
W=$(mktemp -d)
. scripts/bench/pages.sh
PG=${EDUQ_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/eduq_bench_sup}

pages() {
  local port=$2
  serve "$1" "$port"
  local c=$COOKIE
  local one
  one=$(curl -s -H "Cookie: $c" "127.0.0.1:$port/supervision?tab=register" | grep -o 'problems/[0-9]*' | head -1 | cut -d/ -f2)
  for path in "/supervision" "/supervision?tab=register" "/supervision?tab=register&page=99" \
    "/supervision?tab=register&overdue=1" "/supervision?tab=register&state=open&kind=hazard" "/supervision/problems/$one"; do
    timed "$port" "$path" ${SECONDS_EACH:-4} 52
  done
  kill -INT $SERVE_PID
}

echo "== SQLite =="
"$BIN" sample supervision --database-url "sqlite://$W/s.db"
pages "sqlite://$W/s.db" 18181
echo "== PostgreSQL ($PG) =="
fresh_pg "$PG"
"$BIN" sample supervision --database-url "$PG"
pages "$PG" 18182
