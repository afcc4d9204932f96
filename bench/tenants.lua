-- GET /admin/api/tenants?search=...: the staff tenant table with a search term (a word
-- from the seeded names), as a super admin.
local lib = dofile("bench/lib.lua")
local token = os.getenv("BENCH_ADMIN_TOKEN") or error("BENCH_ADMIN_TOKEN is not set")
local terms = { "falcon", "labs", "river", "grid", "amber", "nexus", "orbit", "works", "sil", "tech" }
local n = 0
setup = lib.setup
done = lib.done

function request()
  n = n + 1
  local term = terms[(n + id) % #terms + 1]
  return wrk.format("GET", "/admin/api/tenants?search=" .. term .. "&per_page=50", {
    ["Authorization"] = "Bearer " .. token,
  })
end
