//! Faults: a server killed with SIGKILL under write load, and a database that goes away
//! and comes back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tessera_tests::process::{ServerProcess, TcpProxy};
use tessera_tests::*;

on_both_databases!(
    acknowledged_writes_survive_a_kill_9_and_the_ledger_still_sums,
    two_server_processes_never_over_redeem_or_double_write,
);

/// Writers that record what the server acknowledged, until told to stop.
async fn write_until_stopped(
    app: Arc<TestApp>,
    admin: String,
    owner: String,
    entries: Arc<Mutex<Vec<String>>>,
    worklogs: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    writer: usize,
) {
    let mut i = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        i += 1;
        let key = format!("w{writer}-{i}");
        let res = app
            .client
            .post(format!(
                "{}/api/billing/admin/accounts/acme/adjustments",
                app.address
            ))
            .bearer_auth(&admin)
            .header("Idempotency-Key", &key)
            .json(&json!({"amount_cents": 100 + i, "reason": key}))
            .send()
            .await;
        // Only an answer the client received counts as acknowledged.
        if let Ok(r) = res
            && r.status().as_u16() == 201
            && let Ok(v) = r.json::<Value>().await
        {
            entries
                .lock()
                .unwrap()
                .push(v["id"].as_str().unwrap().to_owned());
        }
        let res = app
            .client
            .post(format!("{}/api/worklogs", app.address))
            .bearer_auth(&owner)
            .json(&json!({"work_date": "2026-11-02", "minutes": 15,
                          "description": format!("entry {key}")}))
            .send()
            .await;
        if let Ok(r) = res
            && r.status().as_u16() == 201
            && let Ok(v) = r.json::<Value>().await
        {
            worklogs
                .lock()
                .unwrap()
                .push(v["id"].as_str().unwrap().to_owned());
        }
    }
}

async fn acknowledged_writes_survive_a_kill_9_and_the_ledger_still_sums(b: Backend) {
    let mut server = ServerProcess::start(b).await;
    let owner = server.app.register("acme", "ada@acme.test", "ada").await;
    let admin = server.app.admin_tokens().await;
    let app = Arc::new(server.app.clone());
    let entries = Arc::new(Mutex::new(Vec::new()));
    let worklogs = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            tokio::spawn(write_until_stopped(
                app.clone(),
                admin.access_token.clone(),
                owner.access_token.clone(),
                entries.clone(),
                worklogs.clone(),
                stop.clone(),
                w,
            ))
        })
        .collect();
    // Kill once real work has been acknowledged, while the writers keep going.
    for _ in 0..200 {
        if entries.lock().unwrap().len() >= 20 && worklogs.lock().unwrap().len() >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    server.kill9();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let entries = entries.lock().unwrap().clone();
    let worklogs = worklogs.lock().unwrap().clone();
    assert!(
        entries.len() >= 20,
        "the load acknowledged {} entries",
        entries.len()
    );

    server.restart().await;
    let admin = server.app.admin_tokens().await;
    let ledger = server.app.whole_ledger(&admin.access_token, "acme").await;
    let ids: Vec<&str> = ledger.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for id in &entries {
        assert!(
            ids.contains(&id.as_str()),
            "acknowledged entry {id} was lost"
        );
    }
    // Nothing half-written: the chain is unbroken and every balance is the running sum.
    let mut balance = 0;
    for (n, e) in ledger.iter().enumerate() {
        assert_eq!(e["sequence"].as_i64(), Some(n as i64 + 1), "gap at {n}");
        balance += e["amount_cents"].as_i64().unwrap();
        assert_eq!(
            e["balance_after_cents"].as_i64(),
            Some(balance),
            "entry {n}"
        );
    }
    for id in &worklogs {
        let res = server
            .app
            .get(&format!("/api/worklogs/{id}"), Some(&owner.access_token))
            .await;
        assert_eq!(
            res.status().as_u16(),
            200,
            "acknowledged worklog {id} was lost"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_is_503_problem_json_and_the_server_recovers_without_restart() {
    let Some(b) = Backend::postgres() else {
        eprintln!("needs PostgreSQL: TESSERA_TEST_DATABASE_URL is not set");
        return;
    };
    let direct = spawn_app(b).await;
    let owner = direct.register("acme", "ada@acme.test", "ada").await;
    let (proxy, url) = TcpProxy::in_front_of(&direct.database_url).await;
    let app = direct.replica(&[("DATABASE_URL", url.as_str())]).await;
    let tok = owner.access_token.as_str();
    assert_eq!(app.get("/api/health", None).await.status().as_u16(), 200);
    assert_eq!(app.worklogs(tok, "").await.status().as_u16(), 200);

    proxy.cut();
    let health = app.get("/api/health", None).await;
    assert_eq!(health.status().as_u16(), 503);
    let p = assert_problem(app.worklogs(tok, "").await, 503, "DATABASE_UNAVAILABLE").await;
    assert!(p.detail.contains("try again"), "{}", p.detail);
    let refused = app
        .post(
            "/api/worklogs",
            &json!({"work_date": "2026-11-02", "minutes": 5, "description": "while down"}),
            Some(tok),
        )
        .await;
    assert_eq!(refused.status().as_u16(), 503);
    assert!(refused.headers().contains_key("retry-after"));

    proxy.restore().await;
    let mut healthy = false;
    for _ in 0..100 {
        if app.get("/api/health", None).await.status().as_u16() == 200 {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(healthy, "health never came back");
    let list: Value = json_ok(app.worklogs(tok, "").await, 200).await;
    assert_eq!(
        list["items"],
        json!([]),
        "the refused write left nothing behind"
    );
}

async fn two_server_processes_never_over_redeem_or_double_write(b: Backend) {
    let every_second = [("TESSERA_METRICS_INTERVAL_SECS", "1")];
    let one = ServerProcess::start_with(b, &every_second).await;
    let two = one.sibling().await;
    let started = std::time::Instant::now();
    one.app.register("acme", "ada@acme.test", "ada").await;
    let admin = one.app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let code = one.app.one_code(tok, "acme", 3).await;
    let servers = [&one.app, &two.app];

    let attempts = (0..40).map(|i| {
        let (app, code) = (servers[i % 2], code.clone());
        async move {
            app.activate(&code, &format!("fp-{i}"))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(attempts).await;
    let made = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(made, 3, "a 3-use code redeemed {made} times: {statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );

    let repeats = (0..10).map(|i| {
        let app = servers[i % 2];
        async move {
            app.client
                .post(format!(
                    "{}/api/billing/admin/accounts/acme/adjustments",
                    app.address
                ))
                .bearer_auth(tok)
                .header("Idempotency-Key", "once-across-replicas")
                .json(&json!({"amount_cents": 700, "reason": "credit"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(repeats).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let ledger = two.app.whole_ledger(tok, "acme").await;
    assert_eq!(ledger.len(), 1, "one key, one entry: {ledger:?}");
    assert_eq!(ledger[0]["balance_after_cents"], 700);

    // Both processes schedule the metrics job every second; each period runs once.
    if let Some(rest) = std::time::Duration::from_millis(3500).checked_sub(started.elapsed()) {
        tokio::time::sleep(rest).await;
    }
    let db = sea_orm::Database::connect(one.app.database_url.as_str())
        .await
        .unwrap();
    let runs = tessera_domain::entity::job_run::Entity::find()
        .filter(tessera_domain::entity::job_run::Column::Slot.gte(0))
        .all(&db)
        .await
        .unwrap();
    let mut slots: Vec<(String, i64)> = runs.iter().map(|r| (r.job.clone(), r.slot)).collect();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), runs.len(), "a period ran twice: {runs:?}");
    assert!(
        runs.len() >= 3,
        "one run per second expected, got {}",
        runs.len()
    );
}
