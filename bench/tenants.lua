-- GET /admin/api/tenants?search=...: the staff tenant table with a search term, as a super
-- admin. The terms are words from the seeded names or, when a script sets the global
-- TERMS_FROM to an environment variable before loading this one (tenant_lookup.lua), the
-- lines of the file that variable names.
local lib = dofile("bench/lib.lua")
local token = os.getenv("BENCH_ADMIN_TOKEN") or error("BENCH_ADMIN_TOKEN is not set")
local terms = TERMS_FROM and lib.lines(TERMS_FROM)
  or { "falcon", "labs", "river", "grid", "amber", "nexus", "orbit", "works", "sil", "tech" }
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
