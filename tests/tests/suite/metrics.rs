//! Executive metrics against a hand-computed fixture, thresholds and alerts, and the
//! metrics job running once per period across two servers on one database.

use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, Database, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};
use tessera_domain::entity::{job_run, metric_snapshot, subscription, tenant, usage_event};
use tessera_tests::*;
use uuid::Uuid;

on_both_databases!(
    mrr_movements_churn_arpa_conversion_and_cohorts_match_the_hand_computed_fixture,
    thresholds_raise_alerts_and_bad_rules_are_refused,
    two_servers_on_one_database_run_the_job_once_per_period,
    llm_figures_are_summed_over_the_period_only,
    a_period_with_no_snapshot_is_computed_and_stored_once,
    a_newer_snapshot_stored_by_another_replica_is_shown,
    job_runs_and_failures_count_the_last_day_only,
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

/// `PUT /api/system/metrics/thresholds` with `rules`.
async fn put_thresholds(app: &TestApp, token: &str, rules: &Value) -> reqwest::Response {
    app.client
        .put(format!("{}/api/system/metrics/thresholds", app.address))
        .bearer_auth(token)
        .json(rules)
        .send()
        .await
        .unwrap()
}

/// The metrics summary of `period` (`YYYY-MM`), asserting 200.
async fn summary_of(app: &TestApp, token: &str, period: &str) -> Value {
    json_ok(
        app.get(
            &format!("/api/system/metrics/summary?period={period}"),
            Some(token),
        )
        .await,
        200,
    )
    .await
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
    // H: pro, upgraded on day 4, cancelled on day 15: an expansion (45000) and a churn
    // (49900), each booked, not one net churn of 4900.
    let h = add_tenant(&db, "h-up-then-out", d(-40)).await;
    add_sub(&db, h, "pro", "active", 4900, d(-40), Some(d(4))).await;
    add_sub(&db, h, "enterprise", "active", 49900, d(4), Some(d(15))).await;
    add_sub(&db, h, "enterprise", "canceled", 49900, d(15), None).await;
    // I: signs up paying on day 2 and cancels on day 6: new (4900) and churn (4900).
    let i = add_tenant(&db, "i-in-and-out", d(2)).await;
    add_sub(&db, i, "pro", "active", 4900, d(2), Some(d(6))).await;
    add_sub(&db, i, "pro", "canceled", 4900, d(6), None).await;

    let admin = app.admin_tokens().await;
    let period = format!("{:04}-{:02}", p0.year(), p0.month());
    let s = summary_of(&app, &admin.access_token, &period).await;
    let biz = &s["business"];
    assert_eq!(biz["period"], period);
    // Start: A, B, D, H at 4900 and C at 49900. End: A, C, E, F at 4900 and B at 49900.
    assert_eq!(biz["mrr_start_cents"], 69500);
    assert_eq!(biz["mrr_cents"], 69500);
    assert_eq!(biz["arr_cents"], 69500 * 12);
    // new E + I; expansion B + H; contraction C; churn D + H (49900) + I; reactivation F.
    // They add up: 69500 + 9800 + 90000 + 4900 - 45000 - 59700 = 69500.
    assert_eq!(
        biz["movements"],
        json!({"new_cents": 9800, "expansion_cents": 90000, "contraction_cents": 45000, "churn_cents": 59700, "reactivation_cents": 4900})
    );
    assert_eq!(biz["paying_customers"], 5);
    assert_eq!(biz["new_customers"], 2);
    // D and H paid at the start and not at the end, of 5.
    assert_eq!(biz["customer_churn_rate"], 0.4);
    let rate = |key: &str| biz[key].as_f64().unwrap();
    assert!((rate("gross_revenue_churn_rate") - 104_700.0 / 69_500.0).abs() < 1e-9);
    assert!((rate("net_revenue_churn_rate") - 9_800.0 / 69_500.0).abs() < 1e-9);
    assert_eq!(biz["arpa_cents"], 13900);
    assert_eq!(biz["trial_to_paid_conversion_rate"], 0.5);
    // E and I signed up in the fixture month; E still pays, I left.
    let cohort = s["cohorts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["month"] == period)
        .expect("the fixture cohort")
        .clone();
    assert_eq!(cohort["size"], 2);
    assert_eq!(cohort["retention"], json!([0.5, 0.5, 0.5]));
    // The other cohorts, by sign-up month: retention at the end of each month since.
    let cohort_of = |months_before: u32| -> Value {
        let m = p0 - chrono::Months::new(months_before);
        let name = format!("{:04}-{:02}", m.year(), m.month());
        s["cohorts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["month"] == name)
            .unwrap_or_else(|| panic!("no cohort {name}: {}", s["cohorts"]))
            .clone()
    };
    // G (the month before) trialed, then let the trial lapse in the fixture month.
    let g_cohort = cohort_of(1);
    assert_eq!(g_cohort["size"], 1);
    assert_eq!(g_cohort["retention"], json!([1.0, 0.0, 0.0, 0.0]));
    // A, B, C, D and H (two months before): D and H cancelled in the fixture month.
    let abcd = cohort_of(2);
    assert_eq!(abcd["size"], 5);
    assert_eq!(abcd["retention"], json!([1.0, 1.0, 0.6, 0.6, 0.6]));
    // F (three months before): cancelled 30 days before the fixture month, back in it.
    // (Whether the cancellation falls in the month before or the one before that depends
    // on the calendar, so that one month's entry is not pinned.)
    let f_cohort = cohort_of(3);
    let f_ret: Vec<f64> = f_cohort["retention"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(f_cohort["size"], 1);
    assert_eq!(
        (f_ret.len(), f_ret[0], &f_ret[2..]),
        (6, 1.0, &[0.0, 1.0, 1.0, 1.0][..])
    );
    // The month after the fixture month: nobody changed, so MRR holds and every
    // movement is zero.
    let next = p0 + chrono::Months::new(1);
    let next = format!("{:04}-{:02}", next.year(), next.month());
    let quiet = summary_of(&app, &admin.access_token, &next).await;
    assert_eq!(
        (
            &quiet["business"]["mrr_start_cents"],
            &quiet["business"]["mrr_cents"]
        ),
        (&json!(69500), &json!(69500))
    );
    assert_eq!(
        quiet["business"]["movements"],
        json!({"new_cents": 0, "expansion_cents": 0, "contraction_cents": 0, "churn_cents": 0, "reactivation_cents": 0})
    );
    assert_eq!(quiet["business"]["customer_churn_rate"], 0.0);
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
    // A closed month counts its own last days, not today's activity.
    let last_month = (Utc::now().date_naive().with_day(1).unwrap() - chrono::Days::new(1))
        .format("%Y-%m")
        .to_string();
    let past = summary_of(&app, &admin.access_token, &last_month).await;
    assert_eq!(
        (
            past["business"]["dau"].as_i64(),
            past["business"]["wau"].as_i64(),
            past["business"]["mau"].as_i64()
        ),
        (Some(0), Some(0), Some(0)),
        "{last_month}: {past}"
    );
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
    let put = put_thresholds(&app, tok, &rules).await;
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
    let res = put_thresholds(&app, tok, &bad).await;
    let p = assert_problem(res, 422, "VALIDATION_FAILED").await;
    let fields: Vec<String> = p.errors.unwrap().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["[0]", "[0].metric"]);
    // A well-formed rule on a figure that does not exist would never alert.
    let unknown = json!([
        {"metric": "mrr_cents", "operator": "lt", "value": 1, "severity": "warning"},
        {"metric": "p999_ms", "operator": "gt", "value": 1, "severity": "warning"}
    ]);
    let res = put_thresholds(&app, tok, &unknown).await;
    let p = assert_problem(res, 422, "VALIDATION_FAILED").await;
    let errors = p.errors.unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "[1].metric");
    assert!(
        errors[0].message.contains("\"p999_ms\" is unknown")
            && errors[0].message.contains("p99_ms"),
        "{errors:?}"
    );
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
    let db = Database::connect(first.database_url.as_str())
        .await
        .unwrap();
    // Wait for three finished periods (a loaded machine may skip a period; it must never
    // run one twice), with a deadline far above the three seconds that takes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let runs = loop {
        let runs: Vec<job_run::Model> = job_run::Entity::find().all(&db).await.unwrap();
        let finished = runs
            .iter()
            .filter(|r| r.slot >= 0 && r.finished_at.is_some())
            .count();
        if finished >= 3 || tokio::time::Instant::now() > deadline {
            break runs;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let scheduled: Vec<&job_run::Model> = runs.iter().filter(|r| r.slot >= 0).collect();
    let mut slots: Vec<i64> = scheduled.iter().map(|r| r.slot).collect();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), scheduled.len(), "a period ran twice");
    assert!(
        scheduled.len() >= 3,
        "expected three runs within the deadline, got {}",
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

#[allow(clippy::too_many_arguments)]
async fn add_event(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    kind: &str,
    at: DateTime<Utc>,
    duration_ms: Option<i64>,
    success: bool,
    tokens: i64,
    cost_cents: i64,
) {
    usage_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(tenant_id),
        event_id: Set(Uuid::new_v4().to_string()),
        device_id: Set(None),
        user_id: Set(None),
        kind: Set(kind.into()),
        quantity: Set(1),
        tokens: Set(tokens),
        cost_cents: Set(cost_cents),
        duration_ms: Set(duration_ms),
        success: Set(success),
        occurred_at: Set(at),
        created_at: Set(at),
    }
    .insert(db)
    .await
    .unwrap();
}

fn month_after(t: DateTime<Utc>) -> DateTime<Utc> {
    let (y, m) = if t.month() == 12 {
        (t.year() + 1, 1)
    } else {
        (t.year(), t.month() + 1)
    };
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).unwrap()
}

async fn llm_figures_are_summed_over_the_period_only(b: Backend) {
    let app = spawn_app(b).await;
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    let p0 = fixture_period();
    let end = month_after(p0);
    let t = add_tenant(&db, "llm-user", p0 - chrono::Duration::days(90)).await;
    // In the period: four calls, one without a duration, two failed.
    add_event(&db, t, "llm_call", p0, Some(100), true, 10, 3).await;
    add_event(
        &db,
        t,
        "llm_call",
        p0 + chrono::Duration::days(2),
        None,
        false,
        5,
        1,
    )
    .await;
    add_event(
        &db,
        t,
        "llm_call",
        p0 + chrono::Duration::days(3),
        Some(250),
        false,
        0,
        0,
    )
    .await;
    add_event(
        &db,
        t,
        "llm_call",
        end - chrono::Duration::seconds(1),
        Some(51),
        true,
        7,
        2,
    )
    .await;
    // Not counted: another kind, and calls just before and at the end of the period.
    add_event(
        &db,
        t,
        "api_call",
        p0 + chrono::Duration::days(1),
        Some(9000),
        false,
        99,
        99,
    )
    .await;
    add_event(
        &db,
        t,
        "llm_call",
        p0 - chrono::Duration::seconds(1),
        Some(9000),
        false,
        99,
        99,
    )
    .await;
    add_event(&db, t, "llm_call", end, Some(9000), false, 99, 99).await;

    let admin = app.admin_tokens().await;
    let period = format!("{:04}-{:02}", p0.year(), p0.month());
    let s = summary_of(&app, &admin.access_token, &period).await;
    let llm = &s["llm"];
    assert_eq!(llm["calls"], 4, "{llm}");
    let mean = llm["mean_duration_ms"].as_f64().unwrap();
    assert!((mean - 401.0 / 3.0).abs() < 1e-9, "{llm}");
    assert_eq!(llm["failure_rate"], 0.5, "{llm}");
    assert_eq!(llm["tokens"], 22, "{llm}");
    assert_eq!(llm["cost_cents"], 6, "{llm}");

    // A period without calls: zero sums, and no mean or rate.
    let empty: Value = json_ok(
        app.get(
            &format!("/api/system/metrics/summary?period={:04}-01", p0.year() - 5),
            Some(&admin.access_token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        empty["llm"],
        json!({"calls": 0, "mean_duration_ms": null, "failure_rate": null, "tokens": 0, "cost_cents": 0})
    );
}

async fn stored_for(db: &impl ConnectionTrait, period: &str) -> u64 {
    metric_snapshot::Entity::find()
        .filter(metric_snapshot::Column::Period.eq(period))
        .count(db)
        .await
        .unwrap()
}

/// A summary's snapshot part, as the job stores it.
fn snapshot_body(summary: &Value) -> Value {
    let mut body = summary.clone();
    let m = body.as_object_mut().unwrap();
    m.remove("operational");
    m.remove("alerts");
    body
}

async fn a_period_with_no_snapshot_is_computed_and_stored_once(b: Backend) {
    let app = spawn_app(b).await;
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    let admin = app.admin_tokens().await;
    let p0 = fixture_period();
    let period = format!("{:04}-{:02}", p0.year(), p0.month());
    let path = format!("/api/system/metrics/summary?period={period}");
    assert_eq!(stored_for(&db, &period).await, 0);
    // Many requests at once while nothing is stored: one computes, the others wait for it.
    let calls = (0..6).map(|_| {
        let (app, path, tok) = (app.clone(), path.clone(), admin.access_token.clone());
        tokio::spawn(async move { json_ok::<Value>(app.get(&path, Some(&tok)).await, 200).await })
    });
    let mut seen = Vec::new();
    for c in calls {
        seen.push(c.await.unwrap()["computed_at"].clone());
    }
    assert!(
        seen.iter().all(|c| *c == seen[0] && c.is_string()),
        "{seen:?}"
    );
    assert_eq!(stored_for(&db, &period).await, 1, "stored once");
    let again: Value = json_ok(app.get(&path, Some(&admin.access_token)).await, 200).await;
    assert_eq!(again["computed_at"], seen[0]);
    assert_eq!(stored_for(&db, &period).await, 1);

    // A closed month whose latest snapshot was taken before the month ended (the job's
    // last run in it) gets its final one once.
    let (y, m) = if p0.month() == 1 {
        (p0.year() - 1, 12)
    } else {
        (p0.year(), p0.month() - 1)
    };
    let before = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).unwrap();
    let early = format!("{y:04}-{m:02}");
    let partial_at = before + chrono::Duration::days(10);
    let mut partial = snapshot_body(&again);
    partial["business"]["period"] = json!(early);
    partial["business"]["mrr_cents"] = json!(777);
    partial["computed_at"] = json!(partial_at);
    metric_snapshot::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set(early.clone()),
        body: Set(partial),
        computed_at: Set(partial_at),
    }
    .insert(&db)
    .await
    .unwrap();
    let path = format!("/api/system/metrics/summary?period={early}");
    let fin: Value = json_ok(app.get(&path, Some(&admin.access_token)).await, 200).await;
    assert_eq!(fin["business"]["mrr_cents"], 0);
    let at: DateTime<Utc> = serde_json::from_value(fin["computed_at"].clone()).unwrap();
    assert!(at >= p0, "computed after the month ended: {at}");
    let again: Value = json_ok(app.get(&path, Some(&admin.access_token)).await, 200).await;
    assert_eq!(again["computed_at"], fin["computed_at"]);
    assert_eq!(stored_for(&db, &early).await, 2);
}

async fn a_newer_snapshot_stored_by_another_replica_is_shown(b: Backend) {
    let app = spawn_app(b).await;
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let first: Value = json_ok(app.get("/api/system/metrics/summary", Some(tok)).await, 200).await;
    let period = first["business"]["period"].as_str().unwrap().to_owned();
    assert!(stored_for(&db, &period).await >= 1);
    // Another replica's job stores a newer snapshot: the next request shows it.
    let later = Utc::now() + chrono::Duration::hours(1);
    let mut newer = snapshot_body(&first);
    newer["business"]["mrr_cents"] = json!(123_456);
    newer["computed_at"] = json!(later);
    metric_snapshot::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set(period),
        body: Set(newer),
        computed_at: Set(later),
    }
    .insert(&db)
    .await
    .unwrap();
    for _ in 0..2 {
        let s: Value = json_ok(app.get("/api/system/metrics/summary", Some(tok)).await, 200).await;
        assert_eq!(s["business"]["mrr_cents"], 123_456);
        assert_eq!(s["computed_at"], json!(later));
    }
}

/// Records a finished run of the metrics job that started `hours_ago`.
async fn add_run(db: &impl ConnectionTrait, slot: i64, hours_ago: i64, ok: bool) {
    let started = Utc::now() - chrono::Duration::hours(hours_ago);
    job_run::ActiveModel {
        id: Set(Uuid::now_v7()),
        job: Set(tessera_api::jobs::METRICS_JOB.into()),
        slot: Set(slot),
        started_at: Set(started),
        finished_at: Set(Some(started + chrono::Duration::seconds(2))),
        ok: Set(Some(ok)),
        error: Set((!ok).then(|| "database failed".to_owned())),
        runner: Set("pid-0".into()),
    }
    .insert(db)
    .await
    .unwrap();
}

async fn job_runs_and_failures_count_the_last_day_only(b: Backend) {
    // One period for the whole test, so the schedule adds no run of its own midway.
    let app = spawn_app_with(b, &[("TESSERA_METRICS_INTERVAL_SECS", "1000000000")]).await;
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    put_thresholds(
        &app,
        tok,
        &json!([{"metric": "job_failures", "operator": "gt", "value": 0, "severity": "critical"}]),
    )
    .await;
    let ops = |s: &Value| {
        let o = &s["operational"];
        (
            o["job_runs"].as_u64().unwrap(),
            o["job_failures"].as_u64().unwrap(),
        )
    };
    let before: Value = json_ok(app.get("/api/system/metrics/summary", Some(tok)).await, 200).await;
    let (runs, failures) = ops(&before);
    assert_eq!(failures, 0);
    assert!(before["alerts"].as_array().unwrap().is_empty(), "{before}");
    // Old history, failed or not, no longer counts; a failure an hour ago does.
    add_run(&db, -1, 49, false).await;
    add_run(&db, -2, 30, true).await;
    add_run(&db, -3, 25, false).await;
    let s: Value = json_ok(app.get("/api/system/metrics/summary", Some(tok)).await, 200).await;
    assert_eq!(ops(&s), (runs, 0), "runs older than a day were counted");
    assert!(s["alerts"].as_array().unwrap().is_empty(), "{s}");
    add_run(&db, -4, 1, false).await;
    add_run(&db, -5, 2, true).await;
    let s: Value = json_ok(app.get("/api/system/metrics/summary", Some(tok)).await, 200).await;
    assert_eq!(ops(&s), (runs + 2, 1));
    let alerted: Vec<&str> = s["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["metric"].as_str().unwrap())
        .collect();
    assert_eq!(alerted, ["job_failures"]);
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
