#!/usr/bin/env bash
# The indicator library recomputed from the store for a synthetic province (#4: ≤ 5 s), on
# PostgreSQL. Loads scripts/bench/province.sql into a new database (dropped and created), then
# times `eduq sample indicators-store` (figures go to docs/benchmarks.md).
# Usage: bash scripts/bench-province.sh [PUPILS] [SCHOOLS]   (default 2000000 4000)
# Needs psql and a server that lets this user create databases (PGHOST etc. as usual; default
# postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
PUPILS=${1:-2000000}
SCHOOLS=${2:-4000}
BASE=${EDUQ_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=eduq_province_bench
BIN=target/release/eduq
cargo build --release -q -p eduq
psql -q "$BASE/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$BIN migrate --database-url "$BASE/$DB" >/dev/null
echo "== load: $PUPILS pupils, $SCHOOLS schools =="
/usr/bin/time -f "load: wall %e s" psql -q "$BASE/$DB" -v pupils="$PUPILS" -v schools="$SCHOOLS" \
  -f scripts/bench/province.sql
echo "== indicators from the store (cold) =="
/usr/bin/time -f "max RSS %M KB" $BIN sample indicators-store --database-url "$BASE/$DB"
