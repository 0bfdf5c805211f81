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
PG=${EDUQ_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/eduq_bench_tr}

pages() {
  local url=$1 port=$2
  "$BIN" serve --database-url "$url" --listen 127.0.0.1:$port >"$W/serve-$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -s 127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  local c
  c=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$port" --data-urlencode "username=bench" \
    --data-urlencode "password=Bench@2026pass" 127.0.0.1:$port/login | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
  for path in "/teachers/training" "/teachers/training/claims"; do
    # Warm: the first read computes the ledger once (its uncached time is printed above).
    curl -s -o /dev/null -H "Cookie: $c" "127.0.0.1:$port$path"
    printf '%-32s ' "$path"
    wrk -t2 -c50 -d${SECONDS_EACH:-5}s --latency -H "Cookie: $c" "http://127.0.0.1:$port$path" \
      | awk '/ 50%/{p50=$2} / 99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{printf "p50 %s  p99 %s  %s req/s  non-2xx %s\n", p50, p99, rps, bad+0}'
  done
  kill -INT $pid
}

echo "== SQLite =="
"$BIN" sample training --database-url "sqlite://$W/t.db"
pages "sqlite://$W/t.db" 18191
echo "== PostgreSQL ($PG) =="
psql "${PG%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${PG##*/}" -c "CREATE DATABASE ${PG##*/}"
"$BIN" sample training --database-url "$PG"
pages "$PG" 18192
