#!/usr/bin/env bash
# Installs what building and testing Tessera needs, skipping whatever is already there.
# Usage: scripts/setup.sh [--browser]   (--browser also installs Chromium and ChromeDriver)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_SPLIT_VERSION=0.2.4
BINARYEN_VERSION=132.0.0
TOOLS_DIR="${TESSERA_TOOLS_DIR:-$HOME/.cache/tessera}"
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must match the crate version in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (a few minutes, once per machine)"
  cargo install "trunk@$TRUNK_VERSION" --locked --debug
fi

WB_VERSION="$(wasm_bindgen_version)"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WB_VERSION"; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  # Not --locked: its lock file names a webpki-roots release the registry lacks.
  cargo install "wasm-bindgen-cli@$WB_VERSION" --debug
fi

# Cuts the SPA's wasm into lazily loaded page chunks (scripts/split-wasm.sh).
if ! cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION"
  cargo install "wasm_split_cli_support@$WASM_SPLIT_VERSION" --features build-binary --locked --debug
fi

# wasm-opt from npm's binaryen: Debian's older binaryen produces wasm that Chromium rejects.
if [ ! -x "$TOOLS_DIR/npm/node_modules/.bin/wasm-opt" ]; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  mkdir -p "$TOOLS_DIR/npm"
  (cd "$TOOLS_DIR/npm" && npm install --silent --no-audit --no-fund "binaryen@$BINARYEN_VERSION")
fi

if ! command -v cargo-nextest >/dev/null; then
  say "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

if [ "${1:-}" = "--browser" ] && ! { command -v chromium && command -v chromedriver; } >/dev/null; then
  say "installing Chromium and ChromeDriver from Debian"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# trunk builds offline (it must never try to download tools), so fetch crates first.
cargo fetch --quiet
