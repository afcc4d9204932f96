-- EXPLAIN (ANALYZE, BUFFERS) of the hot queries, written as the server sends them (the
-- SQL logged with log_statement=all, parameters inlined), on the seeded database.
-- Run by bench/run.sh: psql -X -f bench/explain.sql. Writes nothing: the UPDATE runs
-- inside a transaction that is rolled back.
\set ON_ERROR_STOP on
\pset pager off
SELECT u.id AS user_id, u.tenant_id AS tenant_id FROM users u WHERE u.username = 'owner00001' \gset
SELECT count(*) AS user_entries FROM worklogs WHERE tenant_id = :'tenant_id' AND user_id = :'user_id' \gset
-- A cursor three quarters of the way down the timeline (its seeded entries).
SELECT work_date AS cur_date, id AS cur_id FROM worklogs WHERE tenant_id = :'tenant_id' AND user_id = :'user_id'
  ORDER BY work_date DESC, id DESC OFFSET (:user_entries * 3 / 4) LIMIT 1 \gset
-- The days of the first slice, as the handler lists them for the daily totals.
SELECT string_agg(quote_literal(d), ', ') AS slice_days FROM (SELECT DISTINCT work_date AS d FROM (SELECT work_date FROM worklogs
  WHERE tenant_id = :'tenant_id' AND user_id = :'user_id' ORDER BY work_date DESC, id DESC LIMIT 50) s) days \gset
SELECT code_hash, id AS code_id, tenant_id AS code_tenant FROM activation_codes WHERE label = 'Benchmark (tessera seed)' ORDER BY id LIMIT 1 \gset
SELECT t.id AS big_tenant FROM tenants t ORDER BY (SELECT count(*) FROM ledger_entries l WHERE l.tenant_id = t.id) DESC LIMIT 1 \gset

\echo '### 1. Tenant list with search (GET /admin/api/tenants?search=falcon), now: the page and its total in one query (window count over the first 1,000 sorted matches; paging::fetch)'
EXPLAIN (ANALYZE, BUFFERS) SELECT *, COUNT(*) OVER () AS "total_count" FROM (SELECT "tenants"."id", "tenants"."slug", "tenants"."name", "tenants"."contact_email", "tenants"."plan", "tenants"."status", "tenants"."active_devices", "tenants"."project_count", "tenants"."created_at", "tenants"."updated_at" FROM "tenants" WHERE (LOWER(slug || ' ' || name || ' ' || COALESCE(contact_email, ''))) LIKE '%falcon%' ESCAPE E'\\' AND (LOWER("slug") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("name") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("contact_email") LIKE '%falcon%' ESCAPE E'\\') ORDER BY "tenants"."created_at" DESC NULLS LAST, "tenants"."id" DESC LIMIT 1000) AS "first_rows" ORDER BY "first_rows"."created_at" DESC NULLS LAST, "first_rows"."id" DESC LIMIT 50 OFFSET 0;
\echo '### 1a. Before: the count, then the page (the filter ran twice)'
EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) AS num_items FROM (SELECT "tenants"."id", "tenants"."slug", "tenants"."name", "tenants"."contact_email", "tenants"."plan", "tenants"."status", "tenants"."active_devices", "tenants"."project_count", "tenants"."created_at", "tenants"."updated_at" FROM "tenants" WHERE (LOWER(slug || ' ' || name || ' ' || COALESCE(contact_email, ''))) LIKE '%falcon%' ESCAPE E'\\' AND (LOWER("slug") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("name") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("contact_email") LIKE '%falcon%' ESCAPE E'\\')) AS "sub_query";
EXPLAIN (ANALYZE, BUFFERS) SELECT "tenants"."id", "tenants"."slug", "tenants"."name", "tenants"."contact_email", "tenants"."plan", "tenants"."status", "tenants"."active_devices", "tenants"."project_count", "tenants"."created_at", "tenants"."updated_at" FROM "tenants" WHERE (LOWER(slug || ' ' || name || ' ' || COALESCE(contact_email, ''))) LIKE '%falcon%' ESCAPE E'\\' AND (LOWER("slug") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("name") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("contact_email") LIKE '%falcon%' ESCAPE E'\\') ORDER BY "tenants"."created_at" DESC NULLS LAST, "tenants"."id" DESC LIMIT 50 OFFSET 0;
\echo '### 1b. Before (the per-column match alone, as the server sent it until the trigram index): the count'
EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) AS num_items FROM (SELECT "tenants"."id" FROM "tenants" WHERE LOWER("slug") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("name") LIKE '%falcon%' ESCAPE E'\\' OR LOWER("contact_email") LIKE '%falcon%' ESCAPE E'\\') AS "sub_query";

\echo '### 2. Worklog timeline (GET /api/worklogs?cursor=...), a slice three quarters deep into owner00001''s entries. Before: the keyset as work_date < d OR (work_date = d AND id < i)'
\echo :user_entries entries for this user
EXPLAIN (ANALYZE, BUFFERS) SELECT "worklogs"."id", "worklogs"."tenant_id", "worklogs"."user_id", "worklogs"."work_date", "worklogs"."minutes", "worklogs"."description", "worklogs"."project", "worklogs"."tags", "worklogs"."billable", "worklogs"."created_at", "worklogs"."updated_at" FROM "worklogs" WHERE "worklogs"."tenant_id" = :'tenant_id' AND "worklogs"."user_id" = :'user_id' AND ("worklogs"."work_date" < :'cur_date' OR ("worklogs"."work_date" = :'cur_date' AND "worklogs"."id" < :'cur_id')) ORDER BY "worklogs"."work_date" DESC, "worklogs"."id" DESC LIMIT 51;
\echo '### 2b. The same slice with the redundant bound work_date <= cursor date'
EXPLAIN (ANALYZE, BUFFERS) SELECT "worklogs"."id", "worklogs"."tenant_id", "worklogs"."user_id", "worklogs"."work_date", "worklogs"."minutes", "worklogs"."description", "worklogs"."project", "worklogs"."tags", "worklogs"."billable", "worklogs"."created_at", "worklogs"."updated_at" FROM "worklogs" WHERE "worklogs"."tenant_id" = :'tenant_id' AND "worklogs"."user_id" = :'user_id' AND "worklogs"."work_date" <= :'cur_date' AND ("worklogs"."work_date" < :'cur_date' OR ("worklogs"."work_date" = :'cur_date' AND "worklogs"."id" < :'cur_id')) ORDER BY "worklogs"."work_date" DESC, "worklogs"."id" DESC LIMIT 51;
\echo '### 2c. Now: the keyset as one row comparison (work_date, id) < (d, i), as the server sends it'
EXPLAIN (ANALYZE, BUFFERS) SELECT "worklogs"."id", "worklogs"."tenant_id", "worklogs"."user_id", "worklogs"."work_date", "worklogs"."minutes", "worklogs"."description", "worklogs"."project", "worklogs"."tags", "worklogs"."billable", "worklogs"."created_at", "worklogs"."updated_at" FROM "worklogs" WHERE "worklogs"."tenant_id" = :'tenant_id' AND "worklogs"."user_id" = :'user_id' AND ("worklogs"."work_date", "worklogs"."id") < (:'cur_date'::date, :'cur_id'::uuid) ORDER BY "worklogs"."work_date" DESC, "worklogs"."id" DESC LIMIT 51;
\echo '### 2d. The daily totals of the first slice'
EXPLAIN (ANALYZE, BUFFERS) SELECT "worklogs"."work_date", SUM("minutes") AS "minutes", COUNT("id") AS "entries" FROM "worklogs" WHERE "worklogs"."tenant_id" = :'tenant_id' AND "worklogs"."user_id" = :'user_id' AND "worklogs"."work_date" IN (:slice_days) GROUP BY "worklogs"."work_date" ORDER BY "worklogs"."work_date" DESC;

\echo '### 3. Activation code lookup (POST /api/activate)'
EXPLAIN (ANALYZE, BUFFERS) SELECT "activation_codes"."id", "activation_codes"."tenant_id", "activation_codes"."code_hash", "activation_codes"."prefix", "activation_codes"."label", "activation_codes"."max_uses", "activation_codes"."use_count", "activation_codes"."expires_at", "activation_codes"."revoked_at", "activation_codes"."created_by", "activation_codes"."created_at" FROM "activation_codes" WHERE "activation_codes"."code_hash" = :'code_hash' LIMIT 1;
\echo '### 3b. Existing device for this code and fingerprint'
EXPLAIN (ANALYZE, BUFFERS) SELECT "devices"."id" FROM "devices" WHERE "devices"."code_id" = :'code_id' AND "devices"."fingerprint" = 'no-such-fingerprint' LIMIT 1;

\echo '### 4. Device quota: the conditional counter update that replaces counting devices (rolled back)'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS) UPDATE "tenants" SET "active_devices" = "active_devices" + 1 WHERE "tenants"."id" = :'code_tenant' AND "tenants"."status" = 'active' AND "tenants"."active_devices" < (SELECT "plans"."device_quota" FROM "plans" WHERE "plans"."code" = "tenants"."plan");
ROLLBACK;
\echo '### 4b. What counting would cost instead (active devices of that tenant)'
EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM devices WHERE tenant_id = :'code_tenant' AND revoked_at IS NULL;

\echo '### 5. Ledger: latest entry (the balance) of the tenant with the longest ledger'
EXPLAIN (ANALYZE, BUFFERS) SELECT "ledger_entries"."id", "ledger_entries"."tenant_id", "ledger_entries"."account_id", "ledger_entries"."sequence", "ledger_entries"."kind", "ledger_entries"."amount_cents", "ledger_entries"."balance_after_cents", "ledger_entries"."currency", "ledger_entries"."reason", "ledger_entries"."actor_id", "ledger_entries"."reference", "ledger_entries"."created_at" FROM "ledger_entries" WHERE "ledger_entries"."tenant_id" = :'big_tenant' ORDER BY "ledger_entries"."sequence" DESC LIMIT 1;

\echo '### 6. Metrics job: LLM figures of the current month, now aggregated by the database (crates/api/src/metrics.rs, llm())'
EXPLAIN (ANALYZE, BUFFERS) SELECT CAST(COUNT(*) AS BIGINT) AS calls, CAST(COUNT(duration_ms) AS BIGINT) AS timed, CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT) AS duration_ms, CAST(COALESCE(SUM(CASE WHEN success THEN 0 ELSE 1 END), 0) AS BIGINT) AS failures, CAST(COALESCE(SUM(tokens), 0) AS BIGINT) AS tokens, CAST(COALESCE(SUM(cost_cents), 0) AS BIGINT) AS cost_cents FROM usage_events WHERE kind = 'llm_call' AND occurred_at >= date_trunc('month', now()) AND occurred_at < date_trunc('month', now()) + interval '1 month';
\echo '### 6b. Before: every llm_call row of the month sent to the server'
EXPLAIN (ANALYZE, BUFFERS) SELECT "usage_events"."duration_ms", "usage_events"."success", "usage_events"."tokens", "usage_events"."cost_cents" FROM "usage_events" WHERE "usage_events"."kind" = 'llm_call' AND "usage_events"."occurred_at" >= date_trunc('month', now()) AND "usage_events"."occurred_at" < date_trunc('month', now()) + interval '1 month';
\echo '### 6c. Not adopted: the same figures from the daily rollups (no count of timed events there, so the mean would not be exact)'
EXPLAIN (ANALYZE, BUFFERS) SELECT sum(events), sum(duration_ms), sum(failures), sum(tokens), sum(cost_cents) FROM usage_rollups WHERE kind = 'llm_call' AND day >= date_trunc('month', now())::date AND day < (date_trunc('month', now()) + interval '1 month')::date;

\echo '### Table sizes'
SELECT relname AS table, n_live_tup AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size_with_indexes
  FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 12;
