#!/usr/bin/env bash
# Benchmarks of the foundation (figures go to docs/benchmarks.md). Needs a release build and wrk.
#   1. import of 100,000 students from xlsx (validate + store) on SQLite
#   2. `eduq demo` from nothing to serving, and the server's RSS on the demo
#   3. the student list (keyset pages), the home page and the indicators under 50 concurrent clients
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/eduq
[ -x "$BIN" ] || cargo build --release -p eduq
W=$(mktemp -d)
echo "work dir: $W"

echo "== 1. import 100,000 students (xlsx) =="
$BIN gen --students 100000 --out "$W/gen" --term 2026-2027-1 >/dev/null
for k in schools classes teachers; do $BIN import $k "$W/gen/$k.xlsx" --data-dir "$W/imp" >/dev/null; done
python3 - "$W/gen/students.xlsx" <<'PY' || true
import sys, zipfile; print("students.xlsx:", round(sum(i.file_size for i in zipfile.ZipFile(sys.argv[1]).infolist())/1e6,1), "MB unpacked")
PY
/usr/bin/time -f "wall %e s, max RSS %M KB" $BIN import students "$W/gen/students.xlsx" --data-dir "$W/imp"
echo "-- the same file again (must change nothing):"
/usr/bin/time -f "wall %e s" $BIN import students "$W/gen/students.xlsx" --data-dir "$W/imp"

echo "== 2. demo from nothing to serving =="
PORT=18181
start=$(date +%s.%N)
$BIN demo --data-dir "$W/demo" --listen 127.0.0.1:$PORT >"$W/demo.log" 2>&1 &
PID=$!
until curl -sf 127.0.0.1:$PORT/healthz >/dev/null; do sleep 0.1; done
end=$(date +%s.%N)
echo "demo to serving: $(echo "$end - $start" | bc) s"

COOKIE=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$PORT" --data-urlencode "username=admin" --data-urlencode "password=Demo@2026" 127.0.0.1:$PORT/login | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
SCHOOL=$(curl -s -H "Cookie: $COOKIE" 127.0.0.1:$PORT/api/v1/schools | python3 -c 'import json,sys; s=json.load(sys.stdin)["schools"]; print(max(s,key=lambda x:x["students"])["id"])')
NEXT=$(curl -s -H "Cookie: $COOKIE" "127.0.0.1:$PORT/api/v1/students?per_page=50" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["next"]))')

STUDENT=$(curl -s -H "Cookie: $COOKIE" "127.0.0.1:$PORT/api/v1/students?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["students"][0]["id"])')
PRINCIPAL=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$PORT" --data-urlencode "username=principal" --data-urlencode "password=Demo@2026" 127.0.0.1:$PORT/login | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')

# One page under load: p50, p99, throughput and answers that were not 2xx.
load() {
  printf '%-12s %-45s ' "$1" "$3"
  wrk -t2 -c50 -d${SECONDS_EACH:-5}s --latency -H "Cookie: $2" "http://127.0.0.1:$PORT$3" \
    | awk '/ 50%/{p50=$2} / 99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{printf "p50 %s  p99 %s  %s req/s  non-2xx %s\n", p50, p99, rps, bad+0}'
}

echo "== 3. every page under 50 concurrent clients (wrk; #24: p99 <= 100 ms) =="
for path in "/" "/schools" "/schools/$SCHOOL" "/classes" "/classes/assign" "/students" "/students?school=$SCHOOL&grade=3" \
  "/students/$STUDENT" "/teachers" "/conditions" "/balance" "/balance/guarantee" "/indicators" "/indicators/ptr_primary" \
  "/plans" "/report" "/fitness" "/exams" "/exams/1" "/exams/1/pupils" "/exams/1/papers/1" "/attendance" \
  "/attendance/risk" "/attendance/consolidation" "/attendance/calendar" "/cases" "/cases?tab=alerts" "/cases?tab=ledger" \
  "/cases/1" "/imports" "/audit" "/users" "/lotteries" "/lotteries/1" \
  "/api/v1/students?after=$NEXT" "/api/v1/indicators" "/api/v1/summary" "/api/v1/balance"; do
  load admin "$COOKIE" "$path"
done
for path in "/" "/students" "/exams/1/papers/1" "/attendance/risk" "/cases"; do
  load principal "$PRINCIPAL" "$path"
done
echo "server RSS after load: $(ps -o rss= -p $PID) KB"
kill -INT $PID
