#!/usr/bin/env bash
# One command to set up and start Tessera locally: the API on SQLite plus the built SPA,
# served together at one URL.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build-spa.sh
cargo build -p tessera-api

mkdir -p .tessera
# A local admin password, generated once and kept with the local database.
if [ ! -s .tessera/admin-password ]; then
  head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20 > .tessera/admin-password
fi
export DATABASE_URL="${DATABASE_URL:-sqlite://.tessera/tessera.db?mode=rwc}"
export TESSERA_BIND="${TESSERA_BIND:-127.0.0.1:8080}"
export TESSERA_STATIC_DIR="$PWD/dist"
export TESSERA_BOOTSTRAP_ADMIN_EMAIL="${TESSERA_BOOTSTRAP_ADMIN_EMAIL:-admin@tessera.local}"
export TESSERA_BOOTSTRAP_ADMIN_PASSWORD="${TESSERA_BOOTSTRAP_ADMIN_PASSWORD:-$(cat .tessera/admin-password)}"

cat <<MSG

  Tessera is starting at   http://$TESSERA_BIND/
  Sign in as               $TESSERA_BOOTSTRAP_ADMIN_EMAIL
  with the password        $TESSERA_BOOTSTRAP_ADMIN_PASSWORD
  API documentation        http://$TESSERA_BIND/docs/
  (the local database is .tessera/tessera.db; delete .tessera/ to start afresh)

MSG
# The binary is where cargo put it, also when CARGO_TARGET_DIR points elsewhere.
exec "${CARGO_TARGET_DIR:-target}/debug/tessera" serve
