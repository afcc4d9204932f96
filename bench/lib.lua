-- Shared by the scenario scripts (run from the repository root by bench/run.sh): thread
-- numbering, reading the lists run.sh prepares, and the one-line result each run leaves.
local M = {}

local threads = 0

-- Gives every wrk thread its own number, `id`, so generated values never collide.
function M.setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

-- Non-empty lines of a file named by an environment variable.
function M.lines(var)
  local path = os.getenv(var) or error(var .. " is not set")
  local t = {}
  for l in io.lines(path) do
    if #l > 0 then t[#t + 1] = l end
  end
  if #t == 0 then error(path .. " is empty") end
  return t
end

-- A prefix unique to this thread and run.
function M.prefix()
  math.randomseed(os.time() * 1000 + id)
  return string.format("wrk-%d-%d-%d", os.time(), id, math.random(1, 1000000000))
end

-- Appends "rps p50_ms p99_ms requests non2xx socket_errors" to $BENCH_RESULT.
function M.done(summary, latency, requests)
  local e = summary.errors
  local out = assert(io.open(os.getenv("BENCH_RESULT"), "a"))
  out:write(string.format("%.1f %.2f %.2f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
  out:close()
end

return M
