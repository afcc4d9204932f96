-- POST /api/worklogs: org admins of the largest tenants log time (tokens from run.sh).
local lib = dofile("bench/lib.lua")
local tokens = lib.lines("BENCH_TOKENS")
local n = 0
setup = lib.setup
done = lib.done

function request()
  n = n + 1
  local body = string.format(
    '{"work_date":"%s","minutes":%d,"description":"Load test entry %d","project":"Bench","tags":["bench"],"billable":true}',
    os.date("!%Y-%m-%d"), 15 + n % 60, n)
  return wrk.format("POST", "/api/worklogs", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(n + id) % #tokens + 1],
  }, body)
end
