-- POST /api/activate: every request a new device (fresh fingerprint) on one of the seeded
-- bench codes (max_uses 1,000,000), spread evenly over the codes.
local lib = dofile("bench/lib.lua")
local codes = lib.lines("BENCH_CODES")
local n, prefix = 0, nil
setup = lib.setup
done = lib.done

function init()
  prefix = lib.prefix()
end

function request()
  n = n + 1
  local code = codes[(n * 2 + id) % #codes + 1]
  local body = string.format(
    '{"code":"%s","fingerprint":"%s-%d","name":"Bench device %d","platform":"linux"}',
    code, prefix, n, n)
  return wrk.format("POST", "/api/activate", { ["Content-Type"] = "application/json" }, body)
end
