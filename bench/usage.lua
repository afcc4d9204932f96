-- POST /api/usage: batches of 1,000 new events (half LLM calls with a cost, so every batch
-- also updates rollups and appends a ledger charge), from the org admins of 16 tenants.
local lib = dofile("bench/lib.lua")
local tokens = lib.lines("BENCH_TOKENS")
local n, prefix = 0, nil
setup = lib.setup
done = lib.done

function init()
  prefix = lib.prefix()
end

function request()
  n = n + 1
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local parts = {}
  for i = 1, 1000 do
    if i % 2 == 0 then
      parts[i] = string.format(
        '{"event_id":"%s-%d-%d","kind":"llm_call","quantity":1,"tokens":1200,"cost_cents":1,"duration_ms":850,"success":true,"occurred_at":"%s"}',
        prefix, n, i, at)
    else
      parts[i] = string.format(
        '{"event_id":"%s-%d-%d","kind":"api_call","quantity":3,"tokens":0,"cost_cents":0,"duration_ms":40,"success":true,"occurred_at":"%s"}',
        prefix, n, i, at)
    end
  end
  return wrk.format("POST", "/api/usage", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(n + id) % #tokens + 1],
  }, '{"events":[' .. table.concat(parts, ",") .. "]}")
end
