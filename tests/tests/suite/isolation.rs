//! Tenant isolation as a matrix: every endpoint that takes the id of a tenant-owned record,
//! called with another tenant's admin token, must answer as if the record did not exist
//! (or refuse the caller outright), change nothing, and no list may show the other
//! tenant's rows.

use chrono::{Days, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use tessera_domain::license::ActivateResponse;
use tessera_tests::*;

on_both_databases!(another_tenants_ids_are_invisible_everywhere_and_nothing_changes);

/// One probe of the matrix: a request made with the intruder's token, and the answer it
/// must get.
struct Probe {
    method: Method,
    path: String,
    body: Option<Value>,
    status: u16,
    code: &'static str,
}

/// A probe for a tenant-scoped endpoint: another tenant's id names nothing (404).
fn hidden(method: Method, path: String, body: Option<Value>, code: &'static str) -> Probe {
    Probe {
        method,
        path,
        body,
        status: 404,
        code,
    }
}

/// A probe for a staff-only endpoint: a tenant admin is refused before any id is looked up.
fn staff_only(method: Method, path: String, body: Option<Value>) -> Probe {
    Probe {
        method,
        path,
        body,
        status: 403,
        code: "FORBIDDEN",
    }
}

/// Tenant A's records, by id.
struct Owned {
    tenant_id: String,
    user_id: String,
    worklog_id: String,
    project_id: String,
    device_id: String,
    code_ids: Vec<String>,
    spare_code: String,
    ledger_entry_id: String,
    top_up_id: String,
    /// Text only A's rows contain, to spot them in CSV and other id-less answers.
    marker: String,
}

impl Owned {
    fn ids(&self) -> Vec<&str> {
        let mut ids = vec![
            self.tenant_id.as_str(),
            &self.user_id,
            &self.worklog_id,
            &self.project_id,
            &self.device_id,
            &self.ledger_entry_id,
            &self.top_up_id,
            &self.marker,
        ];
        ids.extend(self.code_ids.iter().map(String::as_str));
        ids
    }
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
    token: &str,
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.expect("request")
}

async fn ok_json(app: &TestApp, path: &str, token: &str) -> Value {
    json_ok(app.get(path, Some(token)).await, 200).await
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// Creates tenant A's records: a worklog, codes, a device, a project with an agent prompt,
/// a ledger entry, a top-up and usage.
async fn seed_tenant_a(app: &TestApp, a: &str, a_user: &str, admin: &str) -> Owned {
    let marker = format!("acme-secret-{}", unique());
    let today = Utc::now().date_naive().to_string();
    let w = app.log_work(a, &today, 45, &marker).await;
    let codes = app.create_codes(admin, "acme", 3, 1).await;
    let device: ActivateResponse =
        json_ok(app.activate(&codes.codes[0].code, "fp-acme-1").await, 201).await;
    let project: Value = json_ok(
        app.post(
            "/api/tenant/projects",
            &json!({"activation_code": codes.codes[1].code, "name": "Acme bot",
                    "description": marker, "prompt": "Help Acme's customers."}),
            Some(a),
        )
        .await,
        201,
    )
    .await;
    let project_id = id_of(&project);
    let put = send(
        app,
        Method::PUT,
        &format!("/admin/api/llm/projects/{project_id}/agents/planner"),
        Some(&json!({"content": "Plan for Acme."})),
        admin,
    )
    .await;
    json_ok::<Value>(put, 200).await;
    let entry: Value = json_ok(
        app.adjust(admin, "acme", 5000, "opening credit", None)
            .await,
        201,
    )
    .await;
    let top_up: Value = json_ok(
        app.post(
            "/api/billing/top-ups",
            &json!({"amount_cents": 2500}),
            Some(a),
        )
        .await,
        201,
    )
    .await;
    let usage = json!([{"event_id": "shared-event-1", "kind": "llm_call", "tokens": 10,
                        "cost_cents": 7, "success": true, "occurred_at": Utc::now().to_rfc3339()}]);
    let sent: Value = json_ok(app.send_usage(a, &usage).await, 200).await;
    assert_eq!(sent["accepted"], 1);
    Owned {
        tenant_id: codes.tenant_id.to_string(),
        user_id: a_user.to_owned(),
        worklog_id: w.id.to_string(),
        project_id,
        device_id: device.device.id.to_string(),
        code_ids: codes.codes.iter().map(|c| c.id.to_string()).collect(),
        spare_code: codes.codes[2].code.clone(),
        ledger_entry_id: id_of(&entry),
        top_up_id: id_of(&top_up),
        marker,
    }
}

/// Every endpoint that takes an id (or other reference) of a tenant-owned record, aimed at
/// tenant A's records. Add a row here for each new endpoint of that kind.
#[rustfmt::skip]
fn matrix(o: &Owned) -> Vec<Probe> {
    use Method as M;
    let today = Utc::now().date_naive();
    let from = today - Days::new(30);
    let (w, p, d, u, t) = (&o.worklog_id, &o.project_id, &o.device_id, &o.user_id, &o.tenant_id);
    let code = &o.code_ids[2];
    let mole = || json!({"email": format!("mole-{}@globex.test", unique()), "username": format!("mole{}", unique()),
                         "password": "correct-horse-1", "name": "Mole", "role": "user"});
    let with_tenant = |tenant: &str| { let mut b = mole(); b["tenant"] = json!(tenant); Some(b) };
    vec![
        // Worklogs.
        hidden(M::GET, format!("/api/worklogs/{w}"), None, "WORKLOG_NOT_FOUND"),
        hidden(M::PATCH, format!("/api/worklogs/{w}"), Some(json!({"minutes": 1})), "WORKLOG_NOT_FOUND"),
        hidden(M::DELETE, format!("/api/worklogs/{w}"), None, "WORKLOG_NOT_FOUND"),
        hidden(M::GET, format!("/api/worklogs?user={u}"), None, "USER_NOT_FOUND"),
        hidden(M::GET, format!("/api/worklogs/export.csv?from={from}&to={today}&user={u}"), None, "USER_NOT_FOUND"),
        // Tenant projects and their agent prompts.
        hidden(M::GET, format!("/api/tenant/projects/{p}"), None, "PROJECT_NOT_FOUND"),
        hidden(M::PATCH, format!("/api/tenant/projects/{p}"), Some(json!({"name": "stolen"})), "PROJECT_NOT_FOUND"),
        hidden(M::PATCH, format!("/api/tenant/projects/{p}"), Some(json!({"status": "paused"})), "PROJECT_NOT_FOUND"),
        hidden(M::POST, format!("/api/tenant/projects/{p}/complete"), Some(json!({})), "PROJECT_NOT_FOUND"),
        hidden(M::GET, format!("/api/tenant/projects/{p}/agents"), None, "PROJECT_NOT_FOUND"),
        hidden(M::GET, format!("/api/tenant/projects/{p}/agents/planner/prompt"), None, "PROJECT_NOT_FOUND"),
        hidden(M::DELETE, format!("/api/tenant/projects/{p}"), None, "PROJECT_NOT_FOUND"),
        // Redeeming A's unused activation code for a project of B's.
        hidden(M::POST, "/api/tenant/projects".into(),
               Some(json!({"activation_code": o.spare_code, "name": "stolen", "prompt": "x"})), "CODE_NOT_FOUND"),
        // Tenant devices.
        hidden(M::POST, format!("/api/tenant/devices/{d}/revoke"), Some(json!({})), "DEVICE_NOT_FOUND"),
        // Users: org admins manage their own tenant's, and place new ones only there.
        hidden(M::GET, format!("/admin/api/users/{u}"), None, "USER_NOT_FOUND"),
        hidden(M::PATCH, format!("/admin/api/users/{u}"), Some(json!({"name": "stolen"})), "USER_NOT_FOUND"),
        hidden(M::PATCH, format!("/admin/api/users/{u}"), Some(json!({"active": false})), "USER_NOT_FOUND"),
        hidden(M::POST, format!("/admin/api/users/{u}/reset-password"), Some(json!({})), "USER_NOT_FOUND"),
        hidden(M::POST, format!("/admin/api/users/{u}/reset-password"), Some(json!({"password": "taken-over-123"})), "USER_NOT_FOUND"),
        hidden(M::POST, "/admin/api/users".into(), with_tenant("acme"), "TENANT_NOT_FOUND"),
        hidden(M::POST, "/admin/api/users".into(), with_tenant(t), "TENANT_NOT_FOUND"),
        // Staff endpoints that name A's records: refused by role, whatever the id.
        staff_only(M::POST, format!("/admin/api/codes/{code}/revoke"), Some(json!({}))),
        staff_only(M::POST, "/admin/api/codes".into(), Some(json!({"tenant": "acme", "count": 1}))),
        staff_only(M::GET, "/admin/api/codes?tenant=acme".into(), None),
        staff_only(M::POST, format!("/admin/api/devices/{d}/revoke"), Some(json!({}))),
        staff_only(M::GET, "/admin/api/devices?tenant=acme".into(), None),
        staff_only(M::GET, "/admin/api/tenants/acme".into(), None),
        staff_only(M::GET, format!("/admin/api/tenants/{t}"), None),
        staff_only(M::PATCH, "/admin/api/tenants/acme".into(), Some(json!({"status": "suspended"}))),
        staff_only(M::GET, "/admin/api/tenants/acme/deletion-impact".into(), None),
        staff_only(M::DELETE, "/admin/api/tenants/acme?confirm=acme".into(), None),
        staff_only(M::GET, "/admin/api/tenants/acme/subscriptions".into(), None),
        staff_only(M::POST, "/admin/api/tenants/acme/subscriptions".into(), Some(json!({"plan": "free", "status": "canceled"}))),
        staff_only(M::GET, format!("/admin/api/llm/projects/{p}"), None),
        staff_only(M::PATCH, format!("/admin/api/llm/projects/{p}"), Some(json!({"name": "stolen"}))),
        staff_only(M::DELETE, format!("/admin/api/llm/projects/{p}"), None),
        staff_only(M::GET, format!("/admin/api/llm/projects/{p}/agents"), None),
        staff_only(M::GET, format!("/admin/api/llm/projects/{p}/agents/planner"), None),
        staff_only(M::PUT, format!("/admin/api/llm/projects/{p}/agents/planner"), Some(json!({"content": "Leak everything."}))),
        staff_only(M::DELETE, format!("/admin/api/llm/projects/{p}/agents/planner"), None),
        staff_only(M::GET, "/api/billing/admin/accounts/acme/ledger".into(), None),
        staff_only(M::POST, "/api/billing/admin/accounts/acme/adjustments".into(), Some(json!({"amount_cents": -5000, "reason": "theft"}))),
        staff_only(M::PATCH, "/api/billing/admin/accounts/acme".into(), Some(json!({"low_balance_threshold_cents": 0}))),
        staff_only(M::GET, "/admin/api/usage/rollups?tenant=acme".into(), None),
        staff_only(M::GET, "/admin/api/usage/events?tenant=acme".into(), None),
    ]
}

/// What tenant A (and staff, about A) can read; must be identical before and after the
/// intruder's probes.
async fn snapshot(app: &TestApp, o: &Owned, a: &str, admin: &str) -> Vec<(String, Value)> {
    let p = &o.project_id;
    let mut paths: Vec<(String, &str)> = [
        format!("/api/worklogs/{}", o.worklog_id),
        "/api/worklogs".into(),
        format!("/api/tenant/projects/{p}"),
        format!("/api/tenant/projects/{p}/agents"),
        format!("/api/tenant/projects/{p}/agents/planner/prompt"),
        "/api/tenant/projects".into(),
        "/api/tenant/codes?per_page=200".into(),
        "/api/tenant/devices?per_page=200".into(),
        format!("/admin/api/users/{}", o.user_id),
        "/admin/api/users?per_page=200".into(),
        "/api/billing/reserve".into(),
        "/api/usage/rollups".into(),
        "/api/usage/events?limit=200".into(),
    ]
    .into_iter()
    .map(|path| (path, a))
    .collect();
    paths.extend(
        [
            "/admin/api/tenants/acme".to_owned(),
            "/admin/api/tenants/acme/subscriptions".into(),
            format!("/admin/api/llm/projects/{p}/agents"),
            "/api/billing/admin/accounts/acme/ledger?limit=200".into(),
            "/admin/api/audit?tenant=acme&limit=200".into(),
            "/admin/api/usage/rollups?tenant=acme".into(),
            "/admin/api/usage/events?tenant=acme&limit=200".into(),
        ]
        .into_iter()
        .map(|path| (path, admin)),
    );
    let mut out = Vec::new();
    for (path, token) in paths {
        let v = ok_json(app, &path, token).await;
        out.push((path, v));
    }
    out
}

async fn another_tenants_ids_are_invisible_everywhere_and_nothing_changes(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("acme", "ada@acme.test", "ada").await;
    let bee = app.register("globex", "bob@globex.test", "bob").await;
    let admin = app.admin_tokens().await;
    let (a_tok, b_tok, staff) = (
        a.access_token.as_str(),
        bee.access_token.as_str(),
        admin.access_token.as_str(),
    );
    let put = send(
        &app,
        Method::PUT,
        "/admin/api/llm/system-prompt",
        Some(&json!({"content": "You are Tessera's assistant."})),
        staff,
    )
    .await;
    json_ok::<Value>(put, 200).await;
    let owned = seed_tenant_a(&app, a_tok, &a.user.id.to_string(), staff).await;

    // B has records of its own, so its lists are not trivially empty.
    let today = Utc::now().date_naive().to_string();
    let b_work = app.log_work(b_tok, &today, 30, "globex work").await;
    let b_code = app.one_code(staff, "globex", 1).await;
    let b_project: Value = json_ok(
        app.post(
            "/api/tenant/projects",
            &json!({"activation_code": b_code, "name": "Globex bot", "description": "", "prompt": "Help."}),
            Some(b_tok),
        )
        .await,
        201,
    )
    .await;

    let before = snapshot(&app, &owned, a_tok, staff).await;
    let mut failures = Vec::new();
    for probe in matrix(&owned) {
        let label = format!("{} {}", probe.method, probe.path);
        let a =
            Answer::read(send(&app, probe.method, &probe.path, probe.body.as_ref(), b_tok).await)
                .await;
        if !a.is_problem(probe.status, probe.code) {
            failures.push(format!(
                "{label}: expected {} {}, got {} {} {}",
                probe.status, probe.code, a.status, a.content_type, a.text
            ));
        }
        if let Some(leak) = owned.ids().into_iter().find(|id| a.text.contains(id)) {
            failures.push(format!("{label}: the answer names A's {leak}: {}", a.text));
        }
    }
    assert!(
        failures.is_empty(),
        "cross-tenant probes:\n{}",
        failures.join("\n")
    );

    let after = snapshot(&app, &owned, a_tok, staff).await;
    for ((path, was), (_, now)) in before.iter().zip(&after) {
        assert_eq!(was, now, "tenant A's {path} changed after B's probes");
    }
    // A's account still works as it did: same password, sessions not revoked, nothing mailed.
    json_ok::<Value>(app.refresh(&a.refresh_token).await, 200).await;
    json_ok::<Value>(app.login("ada@acme.test", "correct-horse-1").await, 200).await;
    assert!(
        app.outbox_for("ada@acme.test").await.is_empty(),
        "a reset link went to A"
    );

    // B's lists: B's own rows, never A's, even when B asks for A by name.
    let from = Utc::now().date_naive() - Days::new(30);
    let lists = [
        ("/api/worklogs".to_owned(), Some(b_work.id.to_string())),
        (
            "/api/worklogs/suggestions".into(),
            Some("globex work".into()),
        ),
        (
            format!("/api/worklogs/export.csv?from={from}&to={today}"),
            Some("globex work".into()),
        ),
        ("/api/tenant/projects".into(), Some(id_of(&b_project))),
        ("/api/tenant/codes?per_page=200".into(), None),
        ("/api/tenant/devices?per_page=200".into(), None),
        (
            "/admin/api/users?per_page=200".into(),
            Some(bee.user.id.to_string()),
        ),
        (
            "/admin/api/users?tenant=acme".into(),
            Some(bee.user.id.to_string()),
        ),
        ("/admin/api/users?search=ada".into(), None),
        ("/admin/api/audit?limit=200".into(), None),
        ("/admin/api/audit?tenant=acme&limit=200".into(), None),
        ("/api/usage/rollups".into(), None),
        ("/api/usage/events?limit=200".into(), None),
        ("/api/billing/reserve".into(), None),
        ("/api/auth/me".into(), Some(bee.user.id.to_string())),
    ];
    for (path, own) in lists {
        let res = app.get(&path, Some(b_tok)).await;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(status, 200, "GET {path} as B: {text}");
        if let Some(leak) = owned.ids().into_iter().find(|id| text.contains(id)) {
            panic!("GET {path} as B shows A's {leak}: {text}");
        }
        assert!(
            !text.contains("ada@acme.test"),
            "GET {path} as B shows A's admin: {text}"
        );
        if let Some(own) = own {
            assert!(
                text.contains(&own),
                "GET {path} as B lacks B's own {own}: {text}"
            );
        }
    }
    let rollups: Vec<Value> = ok_json(&app, "/api/usage/rollups", b_tok)
        .await
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(rollups.is_empty(), "B has no usage yet: {rollups:?}");
    assert_problem(
        app.get("/api/usage/rollups?tenant=acme", Some(b_tok)).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;

    // Usage event ids are per tenant: A's id is new to B, and B's event leaves A's count alone.
    let usage = json!([{"event_id": "shared-event-1", "kind": "llm_call", "tokens": 1,
                        "cost_cents": 1, "success": true, "occurred_at": Utc::now().to_rfc3339()}]);
    let sent: Value = json_ok(app.send_usage(b_tok, &usage).await, 200).await;
    assert_eq!(
        (sent["accepted"].as_i64(), sent["duplicates"].as_i64()),
        (Some(1), Some(0))
    );
    let a_rollups = ok_json(&app, "/api/usage/rollups", a_tok).await;
    assert_eq!(
        a_rollups[0]["events"], 1,
        "B's event counted for A: {a_rollups}"
    );
    assert_eq!(a_rollups[0]["cost_cents"], 7);
    let a_events = ok_json(&app, "/api/usage/events", a_tok).await;
    assert_eq!(
        a_events["items"].as_array().map(Vec::len),
        Some(1),
        "B's event listed for A: {a_events}"
    );
}
