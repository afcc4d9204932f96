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
