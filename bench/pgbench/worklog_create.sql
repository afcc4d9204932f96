-- The ceiling for POST /api/worklogs: the one INSERT ... RETURNING the handler runs
-- (crates/api/src/routes/worklogs.rs, create_worklog), autocommitted. run.sh writes one
-- copy per benchmarked org admin with @TENANT_ID@ and @USER_ID@ filled in. Ids are
-- time-ordered like the server's UUIDv7 ids.
INSERT INTO worklogs (id, tenant_id, user_id, work_date, minutes, description, project, tags, billable, created_at, updated_at) VALUES ((SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || substr(gen_random_uuid()::text, 14))::uuid FROM (SELECT lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') AS h) ms), '@TENANT_ID@', '@USER_ID@', CURRENT_DATE, 30, 'Load test entry', 'Bench', '["bench"]', true, now(), now()) RETURNING id, tenant_id, user_id, work_date, minutes, description, project, tags, billable, created_at, updated_at;
