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
PG=${EDUQ_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/eduq_bench_sup}

pages() {
  local url=$1 port=$2
  "$BIN" serve --database-url "$url" --listen 127.0.0.1:$port >"$W/serve-$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -s 127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  local c
  c=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$port" --data-urlencode "username=bench" \
    --data-urlencode "password=Bench@2026pass" 127.0.0.1:$port/login | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
  local one
  one=$(curl -s -H "Cookie: $c" "127.0.0.1:$port/supervision?tab=register" | grep -o 'problems/[0-9]*' | head -1 | cut -d/ -f2)
  for path in "/supervision" "/supervision?tab=register" "/supervision?tab=register&page=99" \
    "/supervision?tab=register&overdue=1" "/supervision?tab=register&state=open&kind=hazard" "/supervision/problems/$one"; do
    printf '%-52s ' "$path"
    wrk -t2 -c50 -d${SECONDS_EACH:-4}s --latency -H "Cookie: $c" "http://127.0.0.1:$port$path" \
      | awk '/ 50%/{p50=$2} / 99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{printf "p50 %s  p99 %s  %s req/s  non-2xx %s\n", p50, p99, rps, bad+0}'
  done
  kill -INT $pid
}

echo "== SQLite =="
"$BIN" sample supervision --database-url "sqlite://$W/s.db"
pages "sqlite://$W/s.db" 18181
echo "== PostgreSQL ($PG) =="
psql "${PG%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${PG##*/}" -c "CREATE DATABASE ${PG##*/}"
"$BIN" sample supervision --database-url "$PG"
pages "$PG" 18182
