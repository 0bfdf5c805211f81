#!/usr/bin/env bash
# Questionnaires (#19): `eduq survey tally` on 100,000 responses to a 40-question form (a survey
# platform's export: its own id and time columns, about 2 % of responses breaking a rule). Figures
# go to docs/benchmarks.md. Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/eduq
[ -x "$BIN" ] || cargo build --release -p eduq
W=$(mktemp -d)
N=${RESPONSES:-100000}
"$BIN" sample survey --responses "$N" --form "$W/form.xlsx" --out "$W/responses.csv"
ls -l "$W/responses.csv" | awk '{printf "responses file: %.1f MB\n", $5 / 1048576}'
for run in 1 2 3 4 5; do
  /usr/bin/time -f "run $run: %e s wall, %M KB max RSS" "$BIN" survey tally --form "$W/form.xlsx" \
    --responses "$W/responses.csv" --out "$W/tally.json" >/dev/null 2>"$W/time.txt" || cat "$W/time.txt"
  tail -1 "$W/time.txt"
done
"$BIN" survey tally --form "$W/form.xlsx" --responses "$W/responses.csv" --out "$W/tally.json" 2>/dev/null
rm -rf "$W"
