-- The ceiling for POST /api/activate: the statements the handler runs for a new device
-- (crates/api/src/activation.rs and redeem.rs), in the same order and transaction, as
-- logged by PostgreSQL with log_statement=all. run.sh writes one copy per bench code with
-- @CODE_HASH@, @CODE_ID@, @TENANT_ID@ and @PLAN@ filled in; pgbench picks a copy at
-- random per transaction, as the load test picks a code. Device ids are time-ordered like
-- the server's UUIDv7 ids, so the index sees the same insert pattern.
\set r random(1, 1000000000000)
BEGIN;
SELECT id, tenant_id, code_hash, prefix, label, max_uses, use_count, expires_at, revoked_at, created_by, created_at FROM activation_codes WHERE code_hash = '@CODE_HASH@' LIMIT 1;
SELECT id, slug, name, contact_email, plan, status, active_devices, project_count, created_at, updated_at FROM tenants WHERE id = '@TENANT_ID@' LIMIT 1;
SELECT id, tenant_id, code_id, fingerprint, name, platform, activated_at, last_seen_at, revoked_at, license_expires_at FROM devices WHERE code_id = '@CODE_ID@' AND fingerprint = 'pgbench-' || :run || '-' || :client_id || '-' || :r LIMIT 1;
UPDATE activation_codes SET use_count = use_count + 1 WHERE id = '@CODE_ID@' AND use_count < max_uses AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());
UPDATE tenants SET active_devices = active_devices + 1 WHERE id = '@TENANT_ID@' AND status = 'active' AND active_devices < (SELECT device_quota FROM plans WHERE plans.code = tenants.plan);
INSERT INTO devices (id, tenant_id, code_id, fingerprint, name, platform, activated_at, last_seen_at, revoked_at, license_expires_at) VALUES ((SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || substr(gen_random_uuid()::text, 14))::uuid FROM (SELECT lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') AS h) ms), '@TENANT_ID@', '@CODE_ID@', 'pgbench-' || :run || '-' || :client_id || '-' || :r, 'Bench device', 'linux', now(), NULL, NULL, now() + interval '30 days') RETURNING id, tenant_id, code_id, fingerprint, name, platform, activated_at, last_seen_at, revoked_at, license_expires_at;
SELECT code, name, monthly_price_cents, currency, project_quota, device_quota, updated_at FROM plans WHERE code = '@PLAN@' LIMIT 1;
COMMIT;
