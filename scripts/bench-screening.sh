#!/usr/bin/env bash
# 心理筛查 (#21). Scoring: `eduq screening score` on 1,000,000 shuffled PHQ-9 sheets (学籍号-like
# ids, one in a thousand with a bad answer). Submissions: a district of about 30,000 pupils in
# grades 6–12 with one-time codes, pupils submitting through the real server with 300 at once (wrk
# -c300, each request a code of its own, one in ten raising an alert), on SQLite and PostgreSQL;
# the responses and alerts kept are counted afterwards. Figures go to docs/benchmarks.md. Needs a
# release build and wrk; PostgreSQL from EDUQ_BENCH_PG_URL (a database that may be emptied,
# default postgres://postgres@127.0.0.1:5432/eduq_bench_psy).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/eduq
[ -x "$BIN" ] || cargo build --release -p eduq
W=$(mktemp -d)
. scripts/bench/pages.sh
PG=${EDUQ_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/eduq_bench_psy}
STUDENTS=${STUDENTS:-52000}

echo "== scoring 1,000,000 sheets =="
"$BIN" sample screening --pupils 1000000 --out "$W/phq.csv" >/dev/null
for run in 1 2 3; do
  /usr/bin/time -f "run $run: %e s wall, %M KB max RSS" "$BIN" screening score --instrument phq9 \
    --in "$W/phq.csv" --out "$W/phq-out.csv" >/dev/null 2>"$W/time.txt" || true
  tail -1 "$W/time.txt"
done

load() {
  local url=$1 port=$2 count=$3
  "$BIN" sample screening-codes --database-url "$url" --students "$STUDENTS" --out "$W/codes-$port.txt"
  "$BIN" serve --database-url "$url" --listen 127.0.0.1:$port >"$W/serve-$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -s 127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  # Peaks: 300 pupils press 提交 at the same moment, each on a new connection, every code once.
  "$BIN" sample screening-burst --url http://127.0.0.1:$port --codes "$W/codes-$port.txt" --at-once 300 --pause-ms 500
  echo "kept: $(eval "$count")"
  # Stress: the same again with fresh codes, 300 connections submitting back to back until every
  # code is used (a sustained peak, far beyond 30,000 an hour).
  "$BIN" sample screening-codes --database-url "$url" --students "$STUDENTS" --out "$W/codes2-$port.txt"
  CODES="$W/codes2-$port.txt" THREADS=2 wrk -t2 -c300 -d${SECONDS_LOAD:-30}s --latency \
    -s scripts/bench/screening_submit.lua "http://127.0.0.1:$port/answer/submit" \
    | awk '/ 50%/{p50=$2} / 90%/{p90=$2} / 99%/{p99=$2} /requests in/{n=$1} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF}
           END{printf "sustained, 300 connections back to back: %s submissions, p50 %s  p90 %s  p99 %s  %s req/s  non-2xx %s\n", n, p50, p90, p99, rps, bad+0}'
  kill -INT $pid; wait $pid 2>/dev/null || true
  echo "kept: $(eval "$count")"
}

echo "== SQLite =="
load "sqlite://$W/s.db" 18201 "sqlite3 $W/s.db 'SELECT COUNT(*) || \" responses, \" || (SELECT COUNT(*) FROM psych_alert) || \" alerts\" FROM screening_response'"
echo "== PostgreSQL ($PG) =="
fresh_pg "$PG"
load "$PG" 18202 "psql $PG -Atc \"SELECT COUNT(*) || ' responses, ' || (SELECT COUNT(*) FROM psych_alert) || ' alerts' FROM screening_response\""
