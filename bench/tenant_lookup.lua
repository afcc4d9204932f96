-- GET /admin/api/tenants?search=<slug>: the staff tenant table searched for one tenant by
-- its whole slug, as a super admin. Tenants 1-100 have the same slugs at every scale (the
-- seed derives names from the tenant's number), so each answer holds about one row at
-- any table size: this run shows how the search's cost follows the table alone.
TERMS_FROM = "BENCH_SLUGS"
dofile("bench/tenants.lua")
