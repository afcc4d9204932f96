-- GET /admin/api/tenants?search=<slug>: the staff tenant table searched for one tenant by
-- its whole slug, as a super admin. Tenants 1-100 have the same slugs at every scale (the
-- seed derives names from the tenant's number), so each answer holds about one row at
-- any table size: this run shows how the search's cost follows the table alone.
local lib = dofile("bench/lib.lua")
local token = os.getenv("BENCH_ADMIN_TOKEN") or error("BENCH_ADMIN_TOKEN is not set")
local slugs = lib.lines("BENCH_SLUGS")
local n = 0
setup = lib.setup
done = lib.done

function request()
  n = n + 1
  local slug = slugs[(n + id) % #slugs + 1]
  return wrk.format("GET", "/admin/api/tenants?search=" .. slug .. "&per_page=50", {
    ["Authorization"] = "Bearer " .. token,
  })
end
