#!/usr/bin/env bash
# Builds the SPA into dist/ with trunk (release profile, size-optimised wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${TESSERA_TOOLS_DIR:-$HOME/.cache/tessera}/npm/node_modules/.bin:$PATH"
trunk build --release
