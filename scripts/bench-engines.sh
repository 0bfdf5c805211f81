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
  T "draw" $BIN lottery draw --lottery-id bench --applicants "$W/lotp/in/applicants.csv" \
    --schools "$W/lotp/in/schools.csv" --priorities "$W/lotp/in/priorities.csv" \
    --entropy beacon --entropy 0815 --out "$W/lotp/out"
  T "verify" $BIN lottery verify "$W/lotp/out"
fi
