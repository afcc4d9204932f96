#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): cuts the SPA's wasm into the first-load module and
# one chunk per lazily loaded page (the `split_route!`s in crates/web-leptos/src/app.rs),
# so a visitor downloads a page's code only when they open it.
#
# Trunk has already built the wasm, run wasm-bindgen on it and staged the result under
# names with a content hash. This replaces those two files, keeping their names, with
# the split main module, and adds `__wasm_split.js` (the loader) and the chunks in a
# directory beside them. Leptos's `#[lazy]` code imports the loader on every wasm32 build, so this runs
# for `trunk serve` (debug) as well as `trunk build --release`.
#
# Tools: wasm-split-cli and wasm-bindgen-cli (scripts/setup.sh), wasm-opt from npm's
# binaryen (release only). The wasm must be linked with `--emit-relocs` (.cargo/config.toml).
set -euo pipefail
staging="${TRUNK_STAGING_DIR:?scripts/split-wasm.sh runs as a trunk post_build hook}"
cd "$(dirname "$0")/.."

case "${TRUNK_PROFILE:-debug}" in
  release) profile_dir=wasm-release ;; # index.html: data-cargo-profile-release
  *) profile_dir=debug ;;
esac
target_dir="$(cargo metadata --format-version 1 --no-deps --offline |
  grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)"
raw="$target_dir/wasm32-unknown-unknown/$profile_dir/tessera-web.wasm"

shopt -s nullglob
glue=("$staging"/tessera-web-*.js)
if [ "${#glue[@]}" -ne 1 ]; then
  echo "split-wasm: expected one tessera-web-*.js in $staging, found ${#glue[@]}" >&2
  exit 1
fi
name="$(basename "${glue[0]}" .js)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
wasm-split-cli "$raw" "$work/split" --out-name "$name" --target web >/dev/null
# The split modules share the main module's memory and function table through the
# exports that lld would otherwise drop, hence --keep-lld-exports.
wasm-bindgen --target web --keep-lld-exports --no-demangle \
  --out-name "$name" --out-dir "$work/bindgen" "$work/split/$name.wasm"

# The loader and the chunks keep the same names from build to build, so they go into a
# directory named by trunk's hash of the unsplit module (which decides every split file):
# `split-<hash>/`. Browsers may keep such a directory for good (crates/api/src/caching.rs),
# and where a deploy keeps the previous build's files beside the new ones, a tab still
# running the old build loads its own chunks instead of linking a new chunk against its
# old main module.
split_dir="split-${name##*-}"
mkdir "$staging/$split_dir"
sed "s#from \"./$name.js\"#from \"../$name.js\"#" "$work/split/__wasm_split.js" \
  >"$staging/$split_dir/__wasm_split.js"
# Only the JS imports move: the import object's keys are module names inside the wasm.
sed 's#from "./__wasm_split.js"#from "./'"$split_dir"'/__wasm_split.js"#g' "$work/bindgen/$name.js" \
  >"$staging/$name.js"
if ! grep -q "from \"../$name.js\"" "$staging/$split_dir/__wasm_split.js" ||
  grep -q 'from "./__wasm_split.js"' "$staging/$name.js"; then
  echo "split-wasm: the loader's imports are not where this script expects them" >&2
  exit 1
fi
cp "$work/bindgen/${name}_bg.wasm" "$staging/${name}_bg.wasm"
rm "$work/split/$name.wasm"
cp "$work/split"/*.wasm "$staging/$split_dir/"

if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  # What trunk's wasm-opt would do (index.html asks it for nothing, as it would only see
  # the unsplit module): -Oz, then strip producers and target features. The main module
  # goes through the wasm-opt command; the chunks through one node process, as starting
  # npm's wasm-opt once per chunk would cost minutes.
  opt=(--enable-bulk-memory --enable-nontrapping-float-to-int --strip-producers --strip-target-features)
  main="$staging/${name}_bg.wasm"
  wasm-opt -Oz "${opt[@]}" "$main" -o "$main" &
  binaryen="$(dirname "$(readlink -f "$(command -v wasm-opt)")")/../index.js"
  # binaryen warns once per chunk about the name subsection wasm-split writes; it is dropped.
  node scripts/wasm-opt-all.mjs "$binaryen" "$staging/$split_dir"/*.wasm 2>&1 |
    { grep -v 'unknown name subsection' || true; }
  wait $!
fi
