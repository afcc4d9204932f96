// Optimises wasm files for size (wasm-opt -Oz, then strips the producers and
// target-features sections), many files in one process: npm's binaryen takes about two
// seconds to start, and a split SPA build has a few hundred chunks.
//
//   node scripts/wasm-opt-all.mjs BINARYEN_INDEX_JS FILE...
//
// BINARYEN_INDEX_JS is the npm binaryen package's index.js (scripts/setup.sh installs it).
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [binaryenPath, ...files] = process.argv.slice(2);
const binaryen = (await import(pathToFileURL(binaryenPath).href)).default;

// -Oz. Names are dropped because debug info stays off.
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
binaryen.setDebugInfo(false);
// What rustc's wasm32 output may use beyond what its target-features section declares
// (the same two flags cargo-leptos passes to wasm-opt).
const extra = binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt;

for (const file of files) {
  const module = binaryen.readBinary(readFileSync(file), extra);
  module.optimize();
  module.runPasses(["strip-producers", "strip-target-features"]);
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
