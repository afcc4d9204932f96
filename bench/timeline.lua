-- GET /api/worklogs: the first slice of the timeline (50 entries and their daily totals)
-- and, every other request, a slice deeper in (the cursor run.sh read for that user).
local lib = dofile("bench/lib.lua")
local tokens = lib.lines("BENCH_TOKENS")
local cursors = lib.lines("BENCH_CURSORS")
local n = 0
setup = lib.setup
done = lib.done

function request()
  n = n + 1
  local k = (n + id) % #tokens + 1
  local path = "/api/worklogs?limit=50"
  if n % 2 == 0 and cursors[k] ~= "-" then
    path = path .. "&cursor=" .. cursors[k]
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[k] })
end
