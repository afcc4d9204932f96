#!/usr/bin/env bash
# One command to set up and run every test: unit tests, black-box API tests on SQLite and
# (when a server answers) PostgreSQL, the OpenAPI drift check and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --browser
scripts/build-spa.sh

if [ -z "${TESSERA_TEST_DATABASE_URL:-}" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  export TESSERA_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
fi
if [ -n "${TESSERA_TEST_DATABASE_URL:-}" ]; then
  echo "==> tests run on SQLite and on PostgreSQL ($TESSERA_TEST_DATABASE_URL)"
else
  echo "==> tests run on SQLite only (set TESSERA_TEST_DATABASE_URL for PostgreSQL)"
fi
# The fault tests start and kill the server binary as its own process.
cargo build -p tessera-api --bin tessera
# --workspace includes the SPA crate, whose unit tests (pure view logic) run natively.
cargo nextest run --workspace --no-fail-fast "$@"

# Contract fuzzing against the committed openapi.yaml, on SQLite and (when available)
# on a fresh PostgreSQL database; skipped when arguments select some tests.
[ $# -gt 0 ] && exit 0
scripts/fuzz.sh
if [ -n "${TESSERA_TEST_DATABASE_URL:-}" ]; then
  FUZZ_DB="fuzz_$(date +%s)_$$"
  psql -q "$TESSERA_TEST_DATABASE_URL" -c "CREATE DATABASE $FUZZ_DB"
  trap 'psql -q "$TESSERA_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $FUZZ_DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  FUZZ_DATABASE_URL="${TESSERA_TEST_DATABASE_URL%/*}/$FUZZ_DB" scripts/fuzz.sh
fi
