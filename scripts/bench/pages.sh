# Shared by the page benchmarks (sourced): serve a store, sign in as the `bench` account that
# `eduq sample` creates, time pages under 50 concurrent clients, recreate a PostgreSQL database.
# Needs BIN (the release binary) and W (a scratch directory) set by the caller.

# serve URL PORT: starts `eduq serve` on the store; sets SERVE_PID and COOKIE.
serve() {
  local url=$1 port=$2
  "$BIN" serve --database-url "$url" --listen 127.0.0.1:$port >"$W/serve-$port.log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 1 50); do curl -s 127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  COOKIE=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$port" --data-urlencode "username=bench" \
    --data-urlencode "password=Bench@2026pass" 127.0.0.1:$port/login | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
}

# timed PORT PATH SECONDS WIDTH: one page under wrk -c50, one line of p50, p99, req/s, non-2xx.
timed() {
  local port=$1 path=$2 secs=$3 width=$4
  printf "%-${width}s " "$path"
  wrk -t2 -c50 -d${secs}s --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$port$path" \
    | awk '/ 50%/{p50=$2} / 99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{printf "p50 %s  p99 %s  %s req/s  non-2xx %s\n", p50, p99, rps, bad+0}'
}

# fresh_pg URL: drops and recreates the database the URL names.
fresh_pg() {
  psql "${1%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${1##*/}" -c "CREATE DATABASE ${1##*/}"
}
