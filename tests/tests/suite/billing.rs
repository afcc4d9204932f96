//! Reserves: the ledger under concurrency, idempotency, webhooks, usage and status.

use chrono::Utc;
use serde_json::{Value, json};
use tessera_tests::billing::{FakeProvider, WEBHOOK_SECRET, stripe_signature};
use tessera_tests::*;

on_both_databases!(
    concurrent_adjustments_keep_an_unbroken_chain_that_sums,
    one_idempotency_key_five_times_makes_one_entry,
    a_reused_key_with_another_body_is_409,
    bad_or_stale_webhooks_credit_nothing_and_good_ones_credit_once,
    a_usage_batch_sent_twice_counts_once_and_charges_the_reserve,
    overlapping_usage_batches_at_once_on_a_small_pool_count_each_event_once,
    status_follows_balance_and_thresholds_in_the_accounts_table,
    members_see_their_reserve_and_open_top_ups,
    bad_billing_input_is_refused_and_changes_nothing,
    a_configured_provider_opens_one_checkout_per_top_up,
    a_failing_provider_records_no_top_up,
    members_page_through_their_own_top_ups_only,
);

async fn billing_app(b: Backend) -> TestApp {
    spawn_app_with(b, &[("TESSERA_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)]).await
}

async fn concurrent_adjustments_keep_an_unbroken_chain_that_sums(b: Backend) {
    let app = billing_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let amounts: Vec<i64> = (1..=100)
        .map(|i| if i % 3 == 0 { -i } else { i * 10 })
        .collect();
    let calls = amounts
        .iter()
        .map(|a| app.adjust(tok, "acme", *a, "race", None));
    let results = futures_util::future::join_all(calls).await;
    assert!(
        results.iter().all(|r| r.status().as_u16() == 201),
        "{:?}",
        results.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    let ledger = app.whole_ledger(tok, "acme").await;
    assert_eq!(ledger.len(), 100, "an entry was lost");
    let mut balance = 0;
    for (i, e) in ledger.iter().enumerate() {
        assert_eq!(e["sequence"], i as i64 + 1, "gap in the sequence");
        balance += e["amount_cents"].as_i64().unwrap();
        assert_eq!(
            e["balance_after_cents"].as_i64().unwrap(),
            balance,
            "broken chain at {i}"
        );
    }
    assert_eq!(balance, amounts.iter().sum::<i64>());
    let rows: Value = json_ok(
        app.get("/api/billing/admin/accounts?sort=tenant", Some(tok))
            .await,
        200,
    )
    .await;
    let acme = rows["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tenant_slug"] == "acme")
        .unwrap()
        .clone();
    assert_eq!(acme["balance_cents"].as_i64().unwrap(), balance);
}

async fn one_idempotency_key_five_times_makes_one_entry(b: Backend) {
    let app = billing_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let e: Value = json_ok(
            app.adjust(tok, "acme", 500, "goodwill", Some("key-1"))
                .await,
            201,
        )
        .await;
        ids.push(e["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every repeat returns the first entry");
    // Concurrent repeats too.
    let calls = (0..5).map(|_| app.adjust(tok, "acme", 700, "goodwill", Some("key-2")));
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.status().as_u16() == 201));
    let ledger = app.whole_ledger(tok, "acme").await;
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[1]["balance_after_cents"], 1200);
}

async fn a_reused_key_with_another_body_is_409(b: Backend) {
    let app = billing_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    json_ok::<Value>(
        app.adjust(tok, "acme", 500, "goodwill", Some("key-1"))
            .await,
        201,
    )
    .await;
    assert_problem(
        app.adjust(tok, "acme", 900, "goodwill", Some("key-1"))
            .await,
        409,
        "IDEMPOTENCY_KEY_REUSED",
    )
    .await;
    assert_eq!(app.whole_ledger(tok, "acme").await.len(), 1);
}

async fn bad_or_stale_webhooks_credit_nothing_and_good_ones_credit_once(b: Backend) {
    let app = billing_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let top_up: Value = json_ok(
        app.post(
            "/api/billing/top-ups",
            &json!({"amount_cents": 2500}),
            Some(&owner.access_token),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(top_up["status"], "pending");
    assert_eq!(top_up["checkout_url"], Value::Null);
    let payload = json!({"id": "evt_1", "type": "checkout.session.completed",
        "data": {"object": {"metadata": {"top_up_id": top_up["id"]}}}})
    .to_string();
    let now = Utc::now().timestamp();
    let wrong = app
        .webhook(&payload, &stripe_signature("not-the-secret", now, &payload))
        .await;
    assert_problem(wrong, 400, "INVALID_SIGNATURE").await;
    let stale = app
        .webhook(
            &payload,
            &stripe_signature(WEBHOOK_SECRET, now - 600, &payload),
        )
        .await;
    assert_problem(stale, 400, "INVALID_SIGNATURE").await;
    let admin = app.admin_tokens().await;
    assert!(
        app.whole_ledger(&admin.access_token, "acme")
            .await
            .is_empty(),
        "a refused webhook credited"
    );
    let good = stripe_signature(WEBHOOK_SECRET, now, &payload);
    let first: Value = json_ok(app.webhook(&payload, &good).await, 200).await;
    assert_eq!(first["credited_top_up"], top_up["id"]);
    let again: Value = json_ok(app.webhook(&payload, &good).await, 200).await;
    assert_eq!(again["duplicate"], true);
    // A different event naming the same top-up credits nothing more either.
    let other = payload.replace("evt_1", "evt_2");
    let third: Value = json_ok(
        app.webhook(&other, &stripe_signature(WEBHOOK_SECRET, now, &other))
            .await,
        200,
    )
    .await;
    assert_eq!(third["credited_top_up"], Value::Null);
    let ledger = app.whole_ledger(&admin.access_token, "acme").await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["kind"], "top_up");
    assert_eq!(ledger[0]["amount_cents"], 2500);
    let reserve: Value = json_ok(
        app.get("/api/billing/reserve", Some(&owner.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(reserve["balance_cents"], 2500);
}

async fn a_usage_batch_sent_twice_counts_once_and_charges_the_reserve(b: Backend) {
    let app = billing_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    let now = Utc::now().to_rfc3339();
    let events: Vec<Value> = (0..10)
        .map(|i| json!({"event_id": format!("e{i}"), "kind": if i % 2 == 0 { "llm_call" } else { "api_call" },
                        "tokens": 100, "cost_cents": 3, "duration_ms": 20, "success": i != 4, "occurred_at": now}))
        .collect();
    let mut with_repeat = events.clone();
    with_repeat.push(events[0].clone());
    let first: Value = json_ok(app.send_usage(tok, &json!(with_repeat)).await, 200).await;
    assert_eq!(
        (first["accepted"].as_i64(), first["duplicates"].as_i64()),
        (Some(10), Some(1))
    );
    assert_eq!(first["charged_cents"], 30);
    let second: Value = json_ok(app.send_usage(tok, &json!(events)).await, 200).await;
    assert_eq!(
        (second["accepted"].as_i64(), second["duplicates"].as_i64()),
        (Some(0), Some(10))
    );
    let rollups: Vec<Value> = json_ok(app.get("/api/usage/rollups", Some(tok)).await, 200).await;
    let llm = rollups.iter().find(|r| r["kind"] == "llm_call").unwrap();
    assert_eq!(
        (
            llm["events"].as_i64(),
            llm["tokens"].as_i64(),
            llm["cost_cents"].as_i64()
        ),
        (Some(5), Some(500), Some(15))
    );
    assert_eq!(llm["failures"], 1);
    let total: i64 = rollups.iter().map(|r| r["events"].as_i64().unwrap()).sum();
    assert_eq!(total, 10);
    let reserve: Value = json_ok(app.get("/api/billing/reserve", Some(tok)).await, 200).await;
    assert_eq!(reserve["balance_cents"], -30);
    assert_eq!(reserve["status"], "delinquent");
    let admin = app.admin_tokens().await;
    let all: Vec<Value> = json_ok(
        app.get(
            "/admin/api/usage/rollups?tenant=acme",
            Some(&admin.access_token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(all.len(), 2);
    let bad = json!([{"event_id": "", "kind": "LLM", "occurred_at": now}]);
    let p = assert_problem(app.send_usage(tok, &bad).await, 422, "VALIDATION_FAILED").await;
    assert_eq!(p.errors.unwrap()[0].field, "events[0].event_id");
    assert_problem(
        app.send_usage(&admin.access_token, &json!(events)).await,
        403,
        "FORBIDDEN",
    )
    .await;
    let res = app
        .client
        .post(format!("{}/api/usage", app.address))
        .header("authorization", "License nope")
        .json(&json!({"events": events}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "INVALID_LICENSE").await;
}

/// More batches at once than the pool has connections (and so than batches are written at
/// once), each sharing half its event ids with the next: every batch is answered, and every
/// event is counted and charged once.
async fn overlapping_usage_batches_at_once_on_a_small_pool_count_each_event_once(b: Backend) {
    let app = spawn_app_with(b, &[("TESSERA_DB_MAX_CONNECTIONS", "2")]).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    let now = Utc::now().to_rfc3339();
    let batches: Vec<Value> = (0..12)
        .map(|k| {
            json!((k * 25..k * 25 + 50)
                .map(|i| json!({"event_id": format!("e{i}"), "kind": "api_call", "tokens": 2,
                                "cost_cents": 1, "duration_ms": 5, "success": true, "occurred_at": now}))
                .collect::<Vec<_>>())
        })
        .collect();
    let unique = 11 * 25 + 50;
    let answers =
        futures_util::future::join_all(batches.iter().map(|batch| app.send_usage(tok, batch)))
            .await;
    let (mut accepted, mut duplicates, mut charged) = (0, 0, 0);
    for res in answers {
        let r: Value = json_ok(res, 200).await;
        accepted += r["accepted"].as_i64().unwrap();
        duplicates += r["duplicates"].as_i64().unwrap();
        charged += r["charged_cents"].as_i64().unwrap();
    }
    assert_eq!(
        (accepted, duplicates, charged),
        (unique, 12 * 50 - unique, unique)
    );
    let rollups: Vec<Value> = json_ok(app.get("/api/usage/rollups", Some(tok)).await, 200).await;
    let sums = rollups.iter().fold((0, 0, 0, 0), |(e, t, c, d), r| {
        (
            e + r["events"].as_i64().unwrap(),
            t + r["tokens"].as_i64().unwrap(),
            c + r["cost_cents"].as_i64().unwrap(),
            d + r["duration_ms"].as_i64().unwrap(),
        )
    });
    assert_eq!(sums, (unique, 2 * unique, unique, 5 * unique));
    let reserve: Value = json_ok(app.get("/api/billing/reserve", Some(tok)).await, 200).await;
    assert_eq!(reserve["balance_cents"], -unique);
}

async fn status_follows_balance_and_thresholds_in_the_accounts_table(b: Backend) {
    let app = billing_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    app.register("globex", "bob@globex.test", "bob").await;
    app.register("initech", "cy@initech.test", "cyd").await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    json_ok::<Value>(app.adjust(tok, "acme", 5000, "seed", None).await, 201).await;
    json_ok::<Value>(app.adjust(tok, "globex", 500, "seed", None).await, 201).await;
    json_ok::<Value>(app.adjust(tok, "initech", -100, "seed", None).await, 201).await;
    let status_of = |rows: &Value, slug: &str| {
        rows["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["tenant_slug"] == slug)
            .map(|r| r["status"].clone())
            .unwrap()
    };
    let rows: Value = json_ok(app.get("/api/billing/admin/accounts", Some(tok)).await, 200).await;
    assert_eq!(status_of(&rows, "acme"), "active");
    assert_eq!(status_of(&rows, "globex"), "low_balance");
    assert_eq!(status_of(&rows, "initech"), "delinquent");
    let delinquent: Value = json_ok(
        app.get("/api/billing/admin/accounts?status=delinquent", Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(delinquent["total"], 1);
    let sorted: Value = json_ok(
        app.get(
            "/api/billing/admin/accounts?sort=-balance&per_page=1",
            Some(tok),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(sorted["items"][0]["tenant_slug"], "acme");
    assert_eq!(
        sorted["total"], 4,
        "every tenant has a reserve, the system one included"
    );
    // A per-account threshold overrides the global default.
    let patched: Value = json_ok(
        app.patch(
            "/api/billing/admin/accounts/acme",
            &json!({"low_balance_threshold_cents": 10000}),
            tok,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["status"], "low_balance");
    let summary: Value = json_ok(
        app.get("/api/billing/admin/reserve/summary", Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(summary["total_accounts"], 4);
    assert_eq!(summary["total_reserves_cents"], 5400);
    assert_eq!(
        summary["low_balance_count"], 3,
        "acme, globex and the empty system reserve"
    );
    assert_eq!(summary["delinquent_count"], 1);
    let csv = app
        .get("/api/billing/admin/accounts/export.csv", Some(tok))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 5);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("initech,") && l.contains(",-100,"))
    );
    let trail = app.audit(tok, "action=billing").await;
    let items = trail["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    // Each event names its tenant by slug as well as by id.
    assert!(
        items.iter().all(|e| e["tenant_slug"].is_string()),
        "{items:?}"
    );
}

async fn members_see_their_reserve_and_open_top_ups(b: Backend) {
    let app = billing_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let reserve: Value = json_ok(
        app.get("/api/billing/reserve", Some(&owner.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(reserve["balance_cents"], 0);
    assert_eq!(reserve["status"], "low_balance");
    assert_eq!(reserve["online_payment"], false);
    let admin = app.admin_tokens().await;
    assert_problem(
        app.get("/api/billing/reserve", Some(&admin.access_token))
            .await,
        404,
        "RESERVE_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.get("/api/billing/admin/accounts", Some(&owner.access_token))
            .await,
        403,
        "FORBIDDEN",
    )
    .await;
    let a = app
        .client
        .post(format!("{}/api/billing/top-ups", app.address))
        .bearer_auth(&owner.access_token)
        .header("Idempotency-Key", "t1")
        .json(&json!({"amount_cents": 1000}))
        .send()
        .await
        .unwrap();
    let a: Value = json_ok(a, 201).await;
    let b2 = app
        .client
        .post(format!("{}/api/billing/top-ups", app.address))
        .bearer_auth(&owner.access_token)
        .header("Idempotency-Key", "t1")
        .json(&json!({"amount_cents": 1000}))
        .send()
        .await
        .unwrap();
    let b2: Value = json_ok(b2, 201).await;
    assert_eq!(a["id"], b2["id"]);
}

async fn bad_billing_input_is_refused_and_changes_nothing(b: Backend) {
    let app = billing_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    assert_problem(
        app.adjust(tok, "acme", 0, "nothing", None).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.adjust(tok, "acme", 100, " ", None).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.adjust(tok, "nowhere", 100, "x", None).await,
        404,
        "TENANT_NOT_FOUND",
    )
    .await;
    let neg = app
        .post(
            "/api/billing/top-ups",
            &json!({"amount_cents": -5}),
            Some(&owner.access_token),
        )
        .await;
    assert_problem(neg, 422, "VALIDATION_FAILED").await;
    assert_problem(
        app.get("/api/billing/admin/accounts?sort=secret", Some(tok))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.get("/api/billing/admin/accounts?status=rich", Some(tok))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let bad = app
        .patch(
            "/api/billing/admin/accounts/acme",
            &json!({"low_balance_threshold_cents": -1}),
            tok,
        )
        .await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
    assert!(app.whole_ledger(tok, "acme").await.is_empty());
    let unsigned = app.webhook("{}", "").await;
    assert_problem(unsigned, 400, "INVALID_SIGNATURE").await;
}

async fn provider_app(b: Backend, provider: &FakeProvider) -> TestApp {
    spawn_app_with(
        b,
        &[
            ("TESSERA_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("TESSERA_STRIPE_SECRET_KEY", "sk_test_tessera"),
            ("TESSERA_STRIPE_API_BASE", provider.url.as_str()),
            ("TESSERA_PUBLIC_URL", "https://app.tessera.test"),
        ],
    )
    .await
}

/// `POST /api/billing/top-ups` with an optional Idempotency-Key.
async fn top_up(app: &TestApp, token: &str, cents: i64, key: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/api/billing/top-ups", app.address))
        .bearer_auth(token)
        .json(&json!({"amount_cents": cents}));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    req.send().await.unwrap()
}

async fn a_configured_provider_opens_one_checkout_per_top_up(b: Backend) {
    let provider = FakeProvider::start(200).await;
    let app = provider_app(b, &provider).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    let reserve: Value = json_ok(app.get("/api/billing/reserve", Some(tok)).await, 200).await;
    assert_eq!(reserve["online_payment"], true);

    let first: Value = json_ok(top_up(&app, tok, 2500, Some("k-1")).await, 201).await;
    assert_eq!(first["checkout_url"], "https://checkout.test/pay/cs_test_1");
    let calls = provider.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.path, "/v1/checkout/sessions");
    assert_eq!(call.header("authorization"), Some("Bearer sk_test_tessera"));
    assert!(
        call.header("idempotency-key")
            .is_some_and(|k| k.len() == 64)
    );
    assert_eq!(call.field("mode"), Some("payment"));
    assert_eq!(
        call.field("line_items[0][price_data][unit_amount]"),
        Some("2500")
    );
    assert_eq!(
        call.field("line_items[0][price_data][currency]"),
        Some("usd")
    );
    let id = first["id"].as_str().unwrap();
    assert_eq!(call.field("metadata[top_up_id]"), Some(id));
    assert!(
        call.field("success_url")
            .is_some_and(|u| u.starts_with("https://app.tessera.test/org/billing?top_up="))
    );

    // A repeat is answered from the first result without a second provider call.
    let again: Value = json_ok(top_up(&app, tok, 2500, Some("k-1")).await, 201).await;
    assert_eq!(again, first);
    assert_eq!(provider.calls().len(), 1);

    // The provider's webhook credits it and the list shows it completed.
    let payload = json!({"id": "evt_1", "type": "checkout.session.completed",
        "data": {"object": {"metadata": {"top_up_id": id}}}})
    .to_string();
    let sig = stripe_signature(WEBHOOK_SECRET, Utc::now().timestamp(), &payload);
    json_ok::<Value>(app.webhook(&payload, &sig).await, 200).await;
    let list: Value = json_ok(app.get("/api/billing/top-ups", Some(tok)).await, 200).await;
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["status"], "completed");
    assert!(list["items"][0]["completed_at"].is_string());
    let reserve: Value = json_ok(app.get("/api/billing/reserve", Some(tok)).await, 200).await;
    assert_eq!(reserve["balance_cents"], 2500);
}

async fn a_failing_provider_records_no_top_up(b: Backend) {
    let provider = FakeProvider::start(500).await;
    let app = provider_app(b, &provider).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    let p = assert_problem(
        top_up(&app, tok, 1000, Some("k-1")).await,
        502,
        "PAYMENT_PROVIDER_FAILED",
    )
    .await;
    assert!(
        !p.detail.contains("provider down"),
        "the provider's words stay in the log"
    );
    assert_eq!(provider.calls().len(), 1);
    let list: Value = json_ok(app.get("/api/billing/top-ups", Some(tok)).await, 200).await;
    assert_eq!(list["items"], json!([]));
    // The key was not spent: a retry reaches the provider again.
    assert_problem(
        top_up(&app, tok, 1000, Some("k-1")).await,
        502,
        "PAYMENT_PROVIDER_FAILED",
    )
    .await;
    assert_eq!(provider.calls().len(), 2);
}

async fn members_page_through_their_own_top_ups_only(b: Backend) {
    let app = billing_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let globex = app.register("globex", "hank@globex.test", "hank").await;
    let mut made = Vec::new();
    for cents in [100, 200, 300, 400, 500] {
        let t: Value = json_ok(top_up(&app, &acme.access_token, cents, None).await, 201).await;
        assert_eq!(t["checkout_url"], Value::Null);
        made.push(t["id"].as_str().unwrap().to_owned());
    }
    json_ok::<Value>(top_up(&app, &globex.access_token, 999, None).await, 201).await;

    let mut seen = Vec::new();
    let mut path = "/api/billing/top-ups?limit=2".to_owned();
    loop {
        let page: Value = json_ok(app.get(&path, Some(&acme.access_token)).await, 200).await;
        for t in page["items"].as_array().unwrap() {
            seen.push(t["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/billing/top-ups?limit=2&cursor={c}"),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "each once, newest first, none of globex's");

    let pending: Value = json_ok(
        app.get(
            "/api/billing/top-ups?status=completed",
            Some(&acme.access_token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(pending["items"], json!([]));
    assert_problem(
        app.get("/api/billing/top-ups?status=paid", Some(&acme.access_token))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.get(
            "/api/billing/top-ups?cursor=garbage",
            Some(&acme.access_token),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
}
