#!/usr/bin/env bash
# Runs every test: unit and integration tests (store tests on SQLite and PostgreSQL), then the
# end-to-end test in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d web-assets/node_modules/htmx.org ] || npm ci --prefix web-assets --no-audit --no-fund
export EDUQ_TEST_PG_URL="${EDUQ_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! (command -v pg_isready >/dev/null && pg_isready -q -d "$EDUQ_TEST_PG_URL"); then
  if [ -n "${EDUQ_REQUIRE_PG:-}" ]; then echo "PostgreSQL at $EDUQ_TEST_PG_URL is not reachable" >&2; exit 1; fi
  echo "warning: PostgreSQL not reachable; the PostgreSQL half of the store tests is skipped" >&2
  unset EDUQ_TEST_PG_URL
fi
cargo test --workspace
cargo build -p eduq
node tests/e2e/e2e.mjs
