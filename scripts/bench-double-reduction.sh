#!/usr/bin/env bash
# 双减 at county size (#20): about 200 schools (220,000 pupils' classes), 2,500 classes × 200
# school days of homework logs (500,000 class-days, 1,500,000 entries, shuffled), every school's
# timetable; times the district board cold (a new span each run, no memo), one school's board and
# the 200-school timetable check in the store, then the pages under 50 clients (wrk). Figures go to
# docs/benchmarks.md. Needs a release build and wrk; PostgreSQL from EDUQ_BENCH_PG_URL (a database
# that may be emptied, default postgres://postgres@127.0.0.1:5432/eduq_bench_dr).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${EDUQ_BIN:-target/release/eduq}
[ -x "$BIN" ] || cargo build --release -p eduq
W=$(mktemp -d)
. scripts/bench/pages.sh
PG=${EDUQ_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/eduq_bench_dr}

pages() {
  serve "$1" "$2"
  for path in "/homework" "/timetables" "/wuxiang" "/after-school"; do
    curl -s -o /dev/null -H "Cookie: $COOKIE" "127.0.0.1:$2$path"
    timed "$2" "$path" ${SECONDS_EACH:-4} 16
  done
  kill -INT $SERVE_PID
}

echo "== SQLite =="
"$BIN" sample double-reduction --database-url "sqlite://$W/d.db"
pages "sqlite://$W/d.db" 18201
echo "== PostgreSQL ($PG) =="
fresh_pg "$PG"
"$BIN" sample double-reduction --database-url "$PG"
pages "$PG" 18202
