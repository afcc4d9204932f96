//! Executive metrics against a hand-computed fixture, thresholds and alerts, and the
//! metrics job running once per period across two servers on one database.

use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, EntityTrait};
use serde_json::{Value, json};
use tessera_domain::entity::{job_run, subscription, tenant};
use tessera_tests::*;
use uuid::Uuid;

on_both_databases!(
    mrr_movements_churn_arpa_conversion_and_cohorts_match_the_hand_computed_fixture,
    thresholds_raise_alerts_and_bad_rules_are_refused,
    two_servers_on_one_database_run_the_job_once_per_period,
);

/// The first instant of the month two months before now: a whole month in the past.
fn fixture_period() -> DateTime<Utc> {
    let now = Utc::now();
    let (mut y, mut m) = (now.year(), now.month() as i32 - 2);
    if m <= 0 {
        m += 12;
        y -= 1;
    }
    Utc.with_ymd_and_hms(y, m as u32, 1, 0, 0, 0).unwrap()
}

async fn add_tenant(db: &impl ConnectionTrait, slug: &str, created: DateTime<Utc>) -> Uuid {
    let id = Uuid::new_v4();
    tenant::ActiveModel {
        id: Set(id),
        slug: Set(slug.into()),
        name: Set(slug.into()),
        contact_email: Set(None),
        plan: Set("pro".into()),
        status: Set("active".into()),
        active_devices: Set(0),
        project_count: Set(0),
        created_at: Set(created),
        updated_at: Set(created),
    }
    .insert(db)
    .await
    .unwrap();
    id
}

/// One subscription row; `None` end means it is the current one.
async fn add_sub(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    plan: &str,
    status: &str,
    price: i64,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
) {
    subscription::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(tenant_id),
        plan: Set(plan.into()),
        status: Set(status.into()),
        monthly_price_cents: Set(price),
        started_at: Set(from),
        ended_at: Set(to),
    }
    .insert(db)
    .await
    .unwrap();
}

async fn mrr_movements_churn_arpa_conversion_and_cohorts_match_the_hand_computed_fixture(
    b: Backend,
) {
    let app = spawn_app(b).await;
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    let p0 = fixture_period();
    let d = |days: i64| p0 + chrono::Duration::days(days);
    // A: steady pro.
    let a = add_tenant(&db, "a-steady", d(-40)).await;
    add_sub(&db, a, "pro", "active", 4900, d(-40), None).await;
    // B: pro, upgraded to enterprise on day 5 (expansion 45000).
    let b2 = add_tenant(&db, "b-upgrade", d(-40)).await;
    add_sub(&db, b2, "pro", "active", 4900, d(-40), Some(d(5))).await;
    add_sub(&db, b2, "enterprise", "active", 49900, d(5), None).await;
    // C: enterprise, downgraded to pro on day 3 (contraction 45000).
    let c = add_tenant(&db, "c-downgrade", d(-40)).await;
    add_sub(&db, c, "enterprise", "active", 49900, d(-40), Some(d(3))).await;
    add_sub(&db, c, "pro", "active", 4900, d(3), None).await;
    // D: pro, cancelled on day 10 (churn 4900).
    let dd = add_tenant(&db, "d-churn", d(-40)).await;
    add_sub(&db, dd, "pro", "active", 4900, d(-40), Some(d(10))).await;
    add_sub(&db, dd, "pro", "canceled", 4900, d(10), None).await;
    // E: signs up on day 1 with a trial, converts to pro on day 8 (new 4900; a converted trial).
    let e = add_tenant(&db, "e-new", d(1)).await;
    add_sub(&db, e, "free", "trialing", 0, d(1), Some(d(8))).await;
    add_sub(&db, e, "pro", "active", 4900, d(8), None).await;
    // F: paid before, cancelled before the period, back on day 12 (reactivation 4900).
    let f = add_tenant(&db, "f-back", d(-70)).await;
    add_sub(&db, f, "pro", "active", 4900, d(-70), Some(d(-30))).await;
    add_sub(&db, f, "pro", "canceled", 4900, d(-30), Some(d(12))).await;
    add_sub(&db, f, "pro", "active", 4900, d(12), None).await;
    // G: a trial that ends on day 9 without paying (a trial that did not convert).
    let g = add_tenant(&db, "g-trial", d(-5)).await;
    add_sub(&db, g, "free", "trialing", 0, d(-5), Some(d(9))).await;
    add_sub(&db, g, "free", "canceled", 0, d(9), None).await;

    let admin = app.admin_tokens().await;
    let period = format!("{:04}-{:02}", p0.year(), p0.month());
    let s: Value = json_ok(
        app.get(
            &format!("/api/system/metrics/summary?period={period}"),
            Some(&admin.access_token),
        )
        .await,
        200,
    )
    .await;
    let biz = &s["business"];
    assert_eq!(biz["period"], period);
    assert_eq!(biz["mrr_start_cents"], 64600);
    assert_eq!(biz["mrr_cents"], 69500);
    assert_eq!(biz["arr_cents"], 69500 * 12);
    assert_eq!(
        biz["movements"],
        json!({"new_cents": 4900, "expansion_cents": 45000, "contraction_cents": 45000, "churn_cents": 4900, "reactivation_cents": 4900})
    );
    assert_eq!(biz["paying_customers"], 5);
    assert_eq!(biz["new_customers"], 1);
    assert_eq!(biz["customer_churn_rate"], 0.25);
    assert!((biz["gross_revenue_churn_rate"].as_f64().unwrap() - 49900.0 / 64600.0).abs() < 1e-9);
    assert_eq!(biz["net_revenue_churn_rate"], 0.0);
    assert_eq!(biz["arpa_cents"], 13900);
    assert_eq!(biz["trial_to_paid_conversion_rate"], 0.5);
    // E is the only sign-up of the fixture month, and it still pays.
    let cohort = s["cohorts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["month"] == period)
        .expect("the fixture cohort")
        .clone();
    assert_eq!(cohort["size"], 1);
    assert_eq!(cohort["retention"], json!([1.0, 1.0, 1.0]));
    // G's cohort (the month before) lost its only member in the fixture month.
    // A month with no paying start has nulls with reasons, not zeros.
    let empty: Value = json_ok(
        app.get(
            &format!("/api/system/metrics/summary?period={:04}-01", p0.year() - 5),
            Some(&admin.access_token),
        )
        .await,
        200,
    )
    .await;
    assert!(empty["business"]["customer_churn_rate"].is_null());
    assert!(empty["business"]["unavailable"]["customer_churn_rate"].is_string());
    assert_problem(
        app.get(
            "/api/system/metrics/summary?period=2999-01",
            Some(&admin.access_token),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    // DAU counts people with authenticated requests today.
    let mut dau = 0;
    for _ in 0..50 {
        let snap: Value = json_ok(
            app.post(
                "/api/system/metrics/recompute",
                &json!({}),
                Some(&admin.access_token),
            )
            .await,
            200,
        )
        .await;
        dau = snap["business"]["dau"].as_i64().unwrap();
        if dau >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dau, 1);
    let org = app.register("acme", "ada@acme.test", "ada").await;
    assert_problem(
        app.get("/api/system/metrics/summary", Some(&org.access_token))
            .await,
        403,
        "FORBIDDEN",
    )
    .await;
}

async fn thresholds_raise_alerts_and_bad_rules_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let rules = json!([
        {"metric": "requests_total", "operator": "gt", "value": 0, "severity": "warning"},
        {"metric": "mrr_cents", "operator": "lt", "value": 100, "severity": "critical"},
        {"metric": "error_rate", "operator": "gt", "value": 0.5, "severity": "critical"}
    ]);
    let put = app
        .client
        .put(format!("{}/api/system/metrics/thresholds", app.address))
        .bearer_auth(tok)
        .json(&rules)
        .send()
        .await
        .unwrap();
    let saved: Vec<Value> = json_ok(put, 200).await;
    assert_eq!(saved.len(), 3);
    let s: Value = json_ok(app.get("/api/system/metrics/summary", Some(tok)).await, 200).await;
    let mut alerted: Vec<&str> = s["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["metric"].as_str().unwrap())
        .collect();
    alerted.sort();
    assert_eq!(alerted, ["mrr_cents", "requests_total"]);
    assert!(s["operational"]["requests_total"].as_u64().unwrap() > 0);
    assert!(s["operational"]["queue_depth"].is_null());
    let bad = json!([{"metric": "x", "operator": "eq", "value": 1, "severity": "loud"}]);
    let res = app
        .client
        .put(format!("{}/api/system/metrics/thresholds", app.address))
        .bearer_auth(tok)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "VALIDATION_FAILED").await;
    let still: Vec<Value> = json_ok(
        app.get("/api/system/metrics/thresholds", Some(tok)).await,
        200,
    )
    .await;
    assert_eq!(still.len(), 3, "a refused update changes nothing");
}

async fn two_servers_on_one_database_run_the_job_once_per_period(b: Backend) {
    let every = [("TESSERA_METRICS_INTERVAL_SECS", "1")];
    let first = spawn_app_with(b, &every).await;
    let second = first.replica(&every).await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let db = Database::connect(first.database_url.as_str())
        .await
        .unwrap();
    let runs: Vec<job_run::Model> = job_run::Entity::find().all(&db).await.unwrap();
    let scheduled: Vec<&job_run::Model> = runs.iter().filter(|r| r.slot >= 0).collect();
    let mut slots: Vec<i64> = scheduled.iter().map(|r| r.slot).collect();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), scheduled.len(), "a period ran twice");
    assert!(
        (3..=5).contains(&scheduled.len()),
        "expected one run per second, got {}",
        scheduled.len()
    );
    assert!(
        scheduled
            .iter()
            .all(|r| r.ok == Some(true) || r.finished_at.is_none()),
        "a run failed: {runs:?}"
    );
    // Both servers answer, and both report the same stored history.
    let admin = second.admin_tokens().await;
    let s: Value = json_ok(
        second
            .get("/api/system/metrics/summary", Some(&admin.access_token))
            .await,
        200,
    )
    .await;
    assert!(s["operational"]["job_runs"].as_u64().unwrap() >= 3);
    drop(first);
}

on_both_databases!(analytics_count_activations_usage_plans_and_revenue_from_the_database);

async fn analytics_count_activations_usage_plans_and_revenue_from_the_database(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    app.register("globex", "bob@globex.test", "bob").await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let code = app.one_code(tok, "acme", 5).await;
    for fp in ["fp-1", "fp-2"] {
        assert_eq!(app.activate(&code, fp).await.status().as_u16(), 201);
    }
    let now = Utc::now().to_rfc3339();
    let events = json!({"events": [
        {"event_id": "u1", "kind": "llm_call", "cost_cents": 5, "occurred_at": now},
        {"event_id": "u2", "kind": "api_call", "occurred_at": now}]});
    json_ok::<Value>(
        app.post("/api/usage", &events, Some(&owner.access_token))
            .await,
        200,
    )
    .await;
    let a: Value = json_ok(app.get("/admin/api/analytics", Some(tok)).await, 200).await;
    let days = a["activations_per_day"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days.last().unwrap()["count"], 2);
    assert_eq!(
        days.iter()
            .map(|d| d["count"].as_i64().unwrap())
            .sum::<i64>(),
        2
    );
    assert_eq!(a["top_tenants"][0]["tenant_slug"], "acme");
    assert_eq!(a["top_tenants"][0]["events"], 2);
    assert_eq!(
        a["plan_distribution"],
        json!([{"plan": "free", "tenants": 2}])
    );
    assert_eq!(a["totals"]["tenants"], 2);
    assert_eq!(a["totals"]["devices"], 2);
    assert_eq!(a["totals"]["revenue_cents"], 0);
    assert!(a["totals"]["codes"].as_i64().unwrap() >= 1);
    assert_problem(
        app.get(
            "/admin/api/analytics?from=2026-02-01&to=2026-01-01",
            Some(tok),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.get("/admin/api/analytics", Some(&owner.access_token))
            .await,
        403,
        "FORBIDDEN",
    )
    .await;
}
