#!/usr/bin/env bash
# Builds the SPA into dist/ with trunk (release profile, size-optimised wasm), then checks
# its first-load size budget (scripts/spa-size.sh; docs/BENCHMARKS.md, "SPA size").
# The wasm32 build gets `--cfg erase_components` from .cargo/config.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${TESSERA_TOOLS_DIR:-$HOME/.cache/tessera}/npm/node_modules/.bin:$PATH"
trunk build --release
scripts/spa-size.sh dist
