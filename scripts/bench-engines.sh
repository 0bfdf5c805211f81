#!/usr/bin/env bash
# Benchmarks of the batch engines on synthetic data (figures go to docs/benchmarks.md).
# Usage: bash scripts/bench-engines.sh [lottery|attendance|classes|items|fitness ...] (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/eduq
cargo build --release -q -p eduq
W=$(mktemp -d)
echo "work dir: $W"
T() { /usr/bin/time -f "  $1: wall %e s, max RSS %M KB" "${@:2}" >/dev/null; }
ARGS=("$@")
has() { [ ${#ARGS[@]} -eq 0 ] && return 0; for a in "${ARGS[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }

if has lottery; then
  echo "== lottery: 100,000 applicants, 300 schools (draw = read + DA + publish; verify = recompute all) =="
  $BIN sample lottery --applicants 100000 --schools 300 --out "$W/lot/in" >/dev/null
  for i in 1 2 3; do
    rm -rf "$W/lot/out"
    T "draw #$i" $BIN lottery draw --lottery-id bench --applicants "$W/lot/in/applicants.csv" \
      --schools "$W/lot/in/schools.csv" --priorities "$W/lot/in/priorities.csv" \
      --entropy beacon --entropy 0815 --out "$W/lot/out"
    T "verify #$i" $BIN lottery verify "$W/lot/out"
  done
fi

if has lottery-province; then
  echo "== lottery, province size: 1,000,000 applicants, 3,000 schools =="
  $BIN sample lottery --applicants 1000000 --schools 3000 --out "$W/lotp/in" >/dev/null
  for i in 1 2 3; do
    rm -rf "$W/lotp/out"
    /usr/bin/time -f "  draw #$i: wall %e s, max RSS %M KB" $BIN lottery draw --lottery-id bench \
      --applicants "$W/lotp/in/applicants.csv" --schools "$W/lotp/in/schools.csv" \
      --priorities "$W/lotp/in/priorities.csv" --entropy beacon --entropy 0815 --out "$W/lotp/out" | grep 用时
  done
  T "verify" $BIN lottery verify "$W/lotp/out"
fi

if has attendance; then
  echo "== attendance scan: 50,000 pupils x 200 school days = 10,000,000 rows, shuffled, 学籍号-like ids (csv in -> csv out) =="
  $BIN sample attendance --pupils 50000 --days 200 --out "$W/att.csv" >/dev/null
  for i in 1 2 3 4 5; do
    /usr/bin/time -f "  run #$i: wall %e s, max RSS %M KB" $BIN attendance scan --in "$W/att.csv" --out "$W/att_out.csv"
  done
  echo "-- the same pupils with ids of one 40-character prefix and 8 digits (a hash table's worst case)"
  $BIN sample attendance --pupils 50000 --days 200 --id-prefix "G$(printf '3%.0s' $(seq 39))" --out "$W/att_adv.csv" >/dev/null
  for i in 1 2 3; do
    /usr/bin/time -f "  adversarial #$i: wall %e s, max RSS %M KB" $BIN attendance scan --in "$W/att_adv.csv" --out "$W/att_adv_out.csv"
  done
  # The same counts in DuckDB (scripts/bench/attendance_duckdb.py), in a scratch venv outside the repository.
  V=${PANDAS_VENV:-$W/venv}
  [ -x "$V/bin/python" ] || python3 -m venv "$V"
  "$V/bin/python" -c "import duckdb" 2>/dev/null || "$V/bin/pip" install -q duckdb
  for i in 1 2; do
    /usr/bin/time -f "  duckdb #$i: wall %e s, max RSS %M KB" "$V/bin/python" scripts/bench/attendance_duckdb.py "$W/att.csv" "$W/att_duck.csv"
  done
  rm -f "$W/att_adv.csv"
fi

if has attendance-province; then
  echo "== attendance scan, province size: 500,000 pupils x 200 days = 100,000,000 rows (3.7 GB csv) =="
  $BIN sample attendance --pupils 500000 --days 200 --out "$W/attp.csv" >/dev/null
  /usr/bin/time -f "  wall %e s, max RSS %M KB" $BIN attendance scan --in "$W/attp.csv" --out "$W/attp_out.csv"
  rm -f "$W/attp.csv"
fi

if has roll-peak; then
  echo "== roll-call peak: the demo district, 200 class teachers saving at once, three mornings =="
  RP=$(mktemp -d)
  $BIN sample roll-peak --database-url "sqlite://$RP/e.db" --classes 200
  $BIN sample roll-peak --database-url "sqlite://$RP/one.db" --classes 1 | tail -1
  rm -rf "$RP"
fi

if has items; then
  echo "== exam items: 10,000 pupils x 50 items (district) and 200,000 x 50 (province) =="
  $BIN sample items --pupils 10000 --items 50 --out "$W/items.csv" >/dev/null
  $BIN sample items --pupils 200000 --items 50 --out "$W/items_p.csv" >/dev/null
  for i in 1 2 3; do T "district #$i" $BIN exam items --in "$W/items.csv" --out "$W/items.json"; done
  T "province" $BIN exam items --in "$W/items_p.csv" --out "$W/items_p.json"
  echo "== exam items: 1,000,000 pupils x 40 items (#5: <= 2 s) =="
  $BIN sample items --pupils 1000000 --items 40 --out "$W/items_m.csv" >/dev/null
  for i in 1 2 3; do T "million #$i" $BIN exam items --in "$W/items_m.csv" --out "$W/items_m.json"; done
  rm -f "$W/items_m.csv"
  echo "== full analysis of a district exam: 100,000 pupils x 6 subjects x 40 items (#5: <= 3 s) =="
  for i in 1 2 3; do $BIN sample exam-analysis; done
fi

if has fitness; then
  echo "== fitness score: 1,000,000 pupils, national layout with vision, csv in -> csv out =="
  $BIN sample fitness --pupils 1000000 --out "$W/fit.csv" >/dev/null
  for i in 1 2 3 4 5; do T "eduq #$i" $BIN fitness score --in "$W/fit.csv" --out "$W/fit_out.csv" || true; done
  # The same rules in pandas (scripts/bench/fitness_pandas.py), in a scratch venv outside the repository.
  V=${PANDAS_VENV:-$W/venv}
  [ -x "$V/bin/python" ] || python3 -m venv "$V"
  "$V/bin/python" -c "import pandas" 2>/dev/null || "$V/bin/pip" install -q pandas numpy
  /usr/bin/time -f "  pandas: wall %e s, max RSS %M KB" "$V/bin/python" scripts/bench/fitness_pandas.py "$W/fit.csv" "$W/fit_pd.csv"
fi

if has classes; then
  echo "== classes assign: 1,000 pupils into 20 classes (district intake), 5,000 into 100 (one run; an intake is per school, so this is the stress case) =="
  $BIN sample intake --pupils 1000 --out "$W/intake.csv" >/dev/null
  for i in 1 2 3; do T "1000 -> 20 #$i" $BIN classes assign --in "$W/intake.csv" --classes 20 --seed 0249c0de --out "$W/intake_out.csv"; done
  $BIN classes assign --in "$W/intake.csv" --classes 20 --seed 0249c0de --out "$W/intake_out.csv" | tail -5
  $BIN sample intake --pupils 5000 --out "$W/intake5k.csv" >/dev/null
  T "5000 -> 100" $BIN classes assign --in "$W/intake5k.csv" --classes 100 --seed 0249c0de --out "$W/intake5k_out.csv"
  python3 scripts/bench/classes_balance.py "$W/intake5k_out.csv"
fi

if has balance; then
  echo "== balance evaluate: 40 schools (county) and 4,000 schools (#4: evaluation <= 20 ms) =="
  $BIN sample balance --schools 40 --out "$W/bal40.csv" >/dev/null
  $BIN sample balance --schools 4000 --out "$W/bal4000.csv" >/dev/null
  $BIN balance evaluate --in "$W/bal40.csv" --stage primary --out "$W/bal40.json" | tail -1
  for i in 1 2 3; do $BIN balance evaluate --in "$W/bal4000.csv" --stage primary --out "$W/bal4000.json" | tail -1; done
  T "4000 schools, whole command" $BIN balance evaluate --in "$W/bal4000.csv" --stage primary --out "$W/bal4000.json"
fi

if has va; then
  echo "== va fit: 1,000,000 pupils in 5,000 schools, random intercept, REML (#5: <= 2 s) =="
  $BIN sample va --pupils 1000000 --schools 5000 --out "$W/va.csv" >/dev/null
  for i in 1 2 3; do
    /usr/bin/time -f "  run #$i: wall %e s, max RSS %M KB" $BIN va fit --in "$W/va.csv" --outcome 出口成绩 --prior 入口成绩 --group 学校 --out "$W/va_out" | tail -1
  done
  V=${PANDAS_VENV:-$W/venv}
  [ -x "$V/bin/python" ] || python3 -m venv "$V"
  "$V/bin/python" -c "import statsmodels" 2>/dev/null || "$V/bin/pip" install -q pandas statsmodels
  timeout 1800 "$V/bin/python" scripts/bench/va_statsmodels.py "$W/va.csv" || echo "  statsmodels did not finish within 30 minutes"
fi

if has fitness-stats; then
  echo "== per-school 体质健康 statistics over 1,000,000 scored pupils in memory (#3: <= 15 ms) =="
  $BIN sample fitness-stats --pupils 1000000 --schools 1000
fi
