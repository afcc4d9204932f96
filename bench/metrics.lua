-- GET /api/system/metrics/summary as a super admin (the stored snapshot plus live
-- operational figures and threshold checks).
local lib = dofile("bench/lib.lua")
local token = os.getenv("BENCH_ADMIN_TOKEN") or error("BENCH_ADMIN_TOKEN is not set")
setup = lib.setup
done = lib.done

function request()
  return wrk.format("GET", "/api/system/metrics/summary", { ["Authorization"] = "Bearer " .. token })
end
