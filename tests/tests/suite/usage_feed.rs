//! The usage event feed: every event once, newest occurrence first, through the cursor;
//! filters by day, kind and device; one tenant's events only.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use tessera_tests::*;

on_both_databases!(
    the_feed_walks_every_event_once_newest_first,
    the_feed_filters_by_day_kind_and_device,
    staff_read_one_tenant_at_a_time_and_bad_input_is_refused,
);

/// Every item of a feed, slice by slice, `limit` at a time.
async fn walk(app: &TestApp, path: &str, token: &str, limit: u32) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut url = format!("{path}{sep}limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = json_ok(app.get(&url, Some(token)).await, 200).await;
        let slice = page["items"].as_array().cloned().unwrap_or_default();
        assert!(slice.len() <= limit as usize, "{page}");
        items.extend(slice);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
    panic!("the feed {path} never ended");
}

/// One event per time in `times`, `<prefix>-<n>`; kinds alternate, `llm_call` first.
fn events(prefix: &str, times: &[DateTime<Utc>]) -> Value {
    json!(
        times
            .iter()
            .enumerate()
            .map(|(i, at)| json!({
                "event_id": format!("{prefix}-{i}"),
                "kind": if i % 2 == 0 { "llm_call" } else { "api_call" },
                "tokens": 10, "cost_cents": 0, "success": true,
                "occurred_at": at.to_rfc3339(),
            }))
            .collect::<Vec<_>>()
    )
}

fn occurred(e: &Value) -> DateTime<Utc> {
    e["occurred_at"].as_str().unwrap().parse().unwrap()
}

async fn the_feed_walks_every_event_once_newest_first(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    // 130 events over 13 instants: ten share each instant, so the cursor must break ties.
    let now = Utc::now();
    let times: Vec<DateTime<Utc>> = (0..130).map(|i| now - Duration::minutes(i / 10)).collect();
    json_ok::<Value>(app.send_usage(tok, &events("e", &times)).await, 200).await;

    let all = walk(&app, "/api/usage/events", tok, 7).await;
    assert_eq!(all.len(), 130);
    let mut ids: Vec<&str> = all
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 130, "an event came twice");
    for pair in all.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let key = |e: &Value| (occurred(e), e["id"].as_str().unwrap().to_owned());
        assert!(key(a) > key(b), "out of order: {a} then {b}");
    }
    let first = &all[0];
    assert_eq!(
        first["tenant_id"],
        owner.user.tenant_id.unwrap().to_string()
    );
    assert_eq!(first["user_id"], owner.user.id.to_string());
    assert!(first["device_id"].is_null(), "{first}");
    assert_eq!(first["tokens"], 10);
    assert_eq!(first["currency"], "USD");
    assert!(first["received_at"].is_string(), "{first}");

    // Another tenant sees none of them.
    let other = app.register("globex", "gus@globex.test", "gus").await;
    let theirs: Value = json_ok(
        app.get("/api/usage/events", Some(&other.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(theirs, json!({"items": [], "next_cursor": null}));
}

async fn the_feed_filters_by_day_kind_and_device(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    // Four events on each of three days; two more from a licensed device today.
    let today = Utc::now().date_naive();
    let noon = |days_ago: u64| {
        (today - chrono::Days::new(days_ago))
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .min(Utc::now())
    };
    let times: Vec<DateTime<Utc>> = (0..12).map(|i| noon(i / 4)).collect();
    json_ok::<Value>(app.send_usage(tok, &events("p", &times)).await, 200).await;
    let code = app.one_code(&admin, "acme", 1).await;
    let activated: Value = json_ok(app.activate(&code, "fp-1").await, 201).await;
    let device = activated["device"]["id"].as_str().unwrap().to_owned();
    let res = app
        .client
        .post(format!("{}/api/usage", app.address))
        .header(
            "authorization",
            format!("License {}", activated["license"].as_str().unwrap()),
        )
        .json(&json!({"events": events("d", &[Utc::now(), Utc::now()])}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);

    let yesterday = (today - chrono::Days::new(1)).to_string();
    let one_day = walk(
        &app,
        &format!("/api/usage/events?from={yesterday}&to={yesterday}"),
        tok,
        50,
    )
    .await;
    assert_eq!(one_day.len(), 4, "{one_day:?}");
    assert!(
        one_day
            .iter()
            .all(|e| occurred(e).date_naive().to_string() == yesterday)
    );
    let since_yesterday = walk(
        &app,
        &format!("/api/usage/events?from={yesterday}"),
        tok,
        50,
    )
    .await;
    assert_eq!(since_yesterday.len(), 10);

    let llm = walk(&app, "/api/usage/events?kind=llm_call", tok, 50).await;
    assert_eq!(llm.len(), 7);
    assert!(llm.iter().all(|e| e["kind"] == "llm_call"));

    let from_device = walk(&app, &format!("/api/usage/events?device={device}"), tok, 50).await;
    assert_eq!(from_device.len(), 2);
    assert!(
        from_device
            .iter()
            .all(|e| e["device_id"] == device.as_str())
    );
    assert!(from_device.iter().all(|e| e["user_id"].is_null()));
}

async fn staff_read_one_tenant_at_a_time_and_bad_input_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    app.register("globex", "gus@globex.test", "gus").await;
    let times = vec![Utc::now(); 3];
    json_ok::<Value>(app.send_usage(tok, &events("s", &times)).await, 200).await;

    let acme = walk(&app, "/admin/api/usage/events?tenant=acme", &admin, 2).await;
    assert_eq!(acme.len(), 3);
    let by_id = walk(
        &app,
        &format!(
            "/admin/api/usage/events?tenant={}",
            owner.user.tenant_id.unwrap()
        ),
        &admin,
        50,
    )
    .await;
    assert_eq!(by_id, acme);
    assert!(
        walk(&app, "/admin/api/usage/events?tenant=globex", &admin, 50)
            .await
            .is_empty()
    );

    let field = |p: tessera_domain::Problem| p.errors.unwrap_or_default()[0].field.clone();
    let refused = [
        ("/admin/api/usage/events", admin.as_str(), "tenant"),
        ("/api/usage/events?tenant=globex", tok, "tenant"),
        (
            "/api/usage/events?from=2026-02-02&to=2026-02-01",
            tok,
            "from",
        ),
        ("/api/usage/events?cursor=not-ours", tok, "cursor"),
        ("/api/usage/events?limit=0", tok, "limit"),
        ("/api/usage/events?limit=201", tok, "limit"),
    ];
    for (path, token, bad) in refused {
        let p = assert_problem(app.get(path, Some(token)).await, 422, "VALIDATION_FAILED").await;
        assert_eq!(field(p), bad, "{path}");
    }
    assert_problem(
        app.get("/admin/api/usage/events?tenant=nope", Some(&admin))
            .await,
        404,
        "TENANT_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.get("/admin/api/usage/events?tenant=acme", Some(tok))
            .await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_problem(
        app.get("/api/usage/events", Some(&admin)).await,
        403,
        "FORBIDDEN",
    )
    .await;
}
