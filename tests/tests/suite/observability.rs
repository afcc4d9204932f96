//! The server's own measurements (`/metrics`) and the live feed (SSE).

use std::time::Duration;

use reqwest::Response;
use serde_json::Value;
use tessera_tests::*;

on_both_databases!(
    metrics_parse_as_prometheus_text_and_the_request_counter_rises,
    the_live_feed_delivers_activations_to_staff_and_the_owning_tenant_only,
    the_live_feed_needs_a_valid_token,
    alerts_reach_the_live_feed_once_per_snapshot_not_per_view,
);

/// Every sample line of a Prometheus exposition: `name{labels} value`.
fn samples(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (series, value) = l
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("not a sample line: {l}"));
            let v: f64 = value
                .parse()
                .unwrap_or_else(|_| panic!("not a number in: {l}"));
            assert!(
                series
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_'),
                "bad name in {l}"
            );
            assert_eq!(
                series.matches('{').count(),
                series.matches('}').count(),
                "unbalanced labels in {l}"
            );
            (series.to_owned(), v)
        })
        .collect()
}

async fn health_count(app: &TestApp) -> f64 {
    let res = app.get("/metrics", None).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    samples(&text)
        .into_iter()
        .find(|(s, _)| {
            s == "tessera_http_requests_total{method=\"GET\",route=\"/api/health\",status=\"200\"}"
        })
        .map_or(0.0, |(_, v)| v)
}

async fn metrics_parse_as_prometheus_text_and_the_request_counter_rises(b: Backend) {
    let app = spawn_app(b).await;
    let before = health_count(&app).await;
    for _ in 0..3 {
        app.get("/api/health", None).await;
    }
    let after = health_count(&app).await;
    assert_eq!(after - before, 3.0);
    let text = app.get("/metrics", None).await.text().await.unwrap();
    let all = samples(&text);
    assert!(
        all.iter()
            .any(|(s, v)| s == "tessera_database_up" && *v == 1.0)
    );
    assert!(
        all.iter()
            .any(|(s, _)| s.starts_with("tessera_http_request_duration_seconds_bucket"))
    );
    // Routes are labelled by pattern, never by raw path.
    app.get("/api/worklogs/01234567-89ab-cdef-0123-456789abcdef", None)
        .await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(text.contains("route=\"/api/worklogs/{id}\""));
    assert!(!text.contains("01234567-89ab"));
}

/// Reads the stream until an event of `kind` arrives, or gives up after `wait`.
async fn next_event(res: &mut Response, kind: &str, wait: Duration) -> Option<Value> {
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .ok()?
            .ok()??;
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if block.contains(&format!("event: {kind}\n")) {
                let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
                return serde_json::from_str(data).ok();
            }
        }
    }
}

async fn subscribe(app: &TestApp, token: &str) -> Response {
    let res = app
        .get(&format!("/api/events/stream?access_token={token}"), None)
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    res
}

async fn the_live_feed_delivers_activations_to_staff_and_the_owning_tenant_only(b: Backend) {
    let app = spawn_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let globex = app.register("globex", "bob@globex.test", "bob").await;
    let admin = app.admin_tokens().await;
    let mut staff = subscribe(&app, &admin.access_token).await;
    let mut owner = subscribe(&app, &acme.access_token).await;
    let mut other = subscribe(&app, &globex.access_token).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        text.contains("\ntessera_sse_clients 3\n"),
        "three clients are connected"
    );
    let code = app.one_code(&admin.access_token, "acme", 1).await;
    let res = app.activate(&code, "fp-live-1").await;
    assert_eq!(res.status().as_u16(), 201);
    let seen = next_event(&mut staff, "activation", Duration::from_secs(10))
        .await
        .expect("staff sees it");
    assert_eq!(seen["data"]["device"]["fingerprint"], "fp-live-1");
    let mine = next_event(&mut owner, "activation", Duration::from_secs(10))
        .await
        .expect("the tenant sees it");
    assert_eq!(mine["tenant_id"], seen["tenant_id"]);
    assert!(
        next_event(&mut other, "activation", Duration::from_millis(700))
            .await
            .is_none(),
        "another tenant saw it"
    );
    // Revoking a code is a live event too, for the same audiences.
    let batch = app.create_codes(&admin.access_token, "acme", 1, 1).await;
    let res = app
        .revoke_code(&admin.access_token, batch.codes[0].id)
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let revoked = next_event(&mut owner, "code_revoked", Duration::from_secs(10))
        .await
        .expect("the tenant sees the revocation");
    assert_eq!(revoked["data"]["code"]["tenant_slug"], "acme");
    assert!(revoked["data"]["code"]["revoked_at"].is_string());
    assert!(
        next_event(&mut staff, "code_revoked", Duration::from_secs(10))
            .await
            .is_some(),
        "staff see the revocation"
    );
    assert!(
        next_event(&mut other, "code_revoked", Duration::from_millis(700))
            .await
            .is_none(),
        "another tenant saw the revocation"
    );
    drop(other);
    drop(owner);
    drop(staff);
}

async fn the_live_feed_needs_a_valid_token(b: Backend) {
    let app = spawn_app(b).await;
    assert_problem(
        app.get("/api/events/stream", None).await,
        401,
        "UNAUTHENTICATED",
    )
    .await;
    assert_problem(
        app.get("/api/events/stream?access_token=nope", None).await,
        401,
        "INVALID_TOKEN",
    )
    .await;
}

async fn alerts_reach_the_live_feed_once_per_snapshot_not_per_view(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    // The schedule's first run starts with the server; let it finish before the rule exists.
    let mut first_run_done = false;
    for _ in 0..100 {
        let text = app.get("/metrics", None).await.text().await.unwrap();
        if samples(&text)
            .iter()
            .any(|(name, v)| name == "tessera_jobs_runs_total" && *v >= 1.0)
        {
            first_run_done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(first_run_done, "the scheduled metrics run never finished");
    let rule = serde_json::json!([
        {"metric": "requests_total", "operator": "gt", "value": 0, "severity": "warning"}
    ]);
    let put = app
        .client
        .put(format!("{}/api/system/metrics/thresholds", app.address))
        .bearer_auth(tok)
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let mut feed = subscribe(&app, tok).await;
    for _ in 0..2 {
        let s: Value = json_ok(app.get("/api/system/metrics/summary", Some(tok)).await, 200).await;
        assert_eq!(
            s["alerts"][0]["metric"], "requests_total",
            "the summary shows it"
        );
    }
    assert!(
        next_event(&mut feed, "alert", Duration::from_millis(700))
            .await
            .is_none(),
        "viewing the summary published an alert"
    );
    let res = app
        .post(
            "/api/system/metrics/recompute",
            &serde_json::json!({}),
            Some(tok),
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let alert = next_event(&mut feed, "alert", Duration::from_secs(10))
        .await
        .expect("the job publishes the breach");
    assert_eq!(alert["data"]["metric"], "requests_total");
    assert!(
        next_event(&mut feed, "alert", Duration::from_millis(700))
            .await
            .is_none(),
        "one breach, one alert"
    );
}
