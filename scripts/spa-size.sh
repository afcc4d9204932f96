#!/usr/bin/env bash
# The SPA's first-load budget: the `gzip -9` size of everything the first page load
# fetches from dist/ (index.html, the CSS, JS and wasm it links, and the modules that JS
# imports), summed. The page chunks split off by scripts/split-wasm.sh load only when
# their page opens, so they are listed apart and not counted.
# Fails when the sum is above the budget. See docs/BENCHMARKS.md, "SPA size".
#
#   scripts/spa-size.sh [DIST_DIR]      (default: dist)
#
# The goal is 400 KB (issue 8); the budget is the goal. SPA_BUDGET_BYTES overrides it
# for an experiment.
set -euo pipefail
cd "$(dirname "$0")/.."

GOAL_BYTES=400000
BUDGET_BYTES="${SPA_BUDGET_BYTES:-$GOAL_BYTES}"
dist="${1:-dist}"

if [ ! -f "$dist/index.html" ]; then
    echo "spa-size: no $dist/index.html; build the SPA first (scripts/build-spa.sh)" >&2
    exit 2
fi

gz_size() { gzip -9 -c "$1" | wc -c; }

# index.html, what it names by absolute path, then the static imports of each JS module.
first=(index.html)
mapfile -t queue < <(grep -oE '/[A-Za-z0-9_.-]+\.(css|js|wasm)' "$dist/index.html" | sed 's#^/##' | sort -u)
while [ "${#queue[@]}" -gt 0 ]; do
  file="${queue[0]}"
  queue=("${queue[@]:1}")
  case " ${first[*]} " in *" $file "*) continue ;; esac
  first+=("$file")
  if [[ "$file" == *.js ]]; then
    # Relative imports, as paths under dist/ (the chunk loader sits in split-<hash>/).
    mapfile -t -O "${#queue[@]}" queue < <(grep -oE 'from "\.\.?/[^"]+\.js"' "$dist/$file" |
      cut -d'"' -f2 | sort -u | while IFS= read -r imp; do
        realpath -m --relative-to="$dist" "$dist/$(dirname "$file")/$imp"
      done)
  fi
done

total=0
printf '%10s %10s  %s\n' "raw" "gzip -9" "file"
for file in "${first[@]}"; do
  raw=$(wc -c <"$dist/$file")
  gz=$(gz_size "$dist/$file")
  total=$((total + gz))
  printf '%10d %10d  %s\n' "$raw" "$gz" "$file"
done
printf '%10s %10d  %s\n' "" "$total" "first load, gzip -9 (bytes)"

lazy=0 lazy_count=0
while IFS= read -r -d '' file; do
  case " ${first[*]} " in *" ${file#"$dist"/} "*) continue ;; esac
  lazy=$((lazy + $(gz_size "$file")))
  lazy_count=$((lazy_count + 1))
done < <(find "$dist" -type f -name '*.wasm' -print0)
printf '%10s %10d  %s\n' "" "$lazy" "$lazy_count page chunks loaded on demand, gzip -9 (bytes), not counted"

echo "spa-size: ${total} B gzipped on first load; budget ${BUDGET_BYTES} B"
if [ "$total" -gt "$BUDGET_BYTES" ]; then
    echo "spa-size: FAIL: the first load is over its budget by $((total - BUDGET_BYTES)) B" >&2
    exit 1
fi
