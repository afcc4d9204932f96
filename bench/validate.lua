-- POST /api/license/validate with the licenses run.sh obtained (signature check, heartbeat
-- update, device and tenant read).
local lib = dofile("bench/lib.lua")
local licenses = lib.lines("BENCH_LICENSES")
local n = 0
setup = lib.setup
done = lib.done

function request()
  n = n + 1
  local body = '{"license":"' .. licenses[(n + id) % #licenses + 1] .. '"}'
  return wrk.format("POST", "/api/license/validate", { ["Content-Type"] = "application/json" }, body)
end
