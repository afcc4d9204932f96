//! SMTP delivery of the outbox: sent after commit, retried after an outage, and without
//! SMTP the outbox alone, as before.

use serde_json::Value;
use tessera_tests::smtp::{SinkTls, SmtpSink, TestCa, unfold, wait_until};
use tessera_tests::*;

on_both_databases!(
    otp_mail_is_delivered_over_smtp_and_marked_sent,
    mail_is_retried_until_the_smtp_server_is_back,
    without_smtp_mail_stays_in_the_outbox,
    mail_older_than_a_day_is_not_sent,
);

const ADA: &str = "ada@acme.test";

/// The newest outbox item to `to` once `done` holds for it (waiting up to 30 s).
async fn outbox_item_when(app: &TestApp, to: &str, done: impl Fn(&Value) -> bool) -> Value {
    let done = &done;
    let item = wait_until(|| async move {
        app.outbox_for(to)
            .await
            .into_iter()
            .next()
            .filter(|i| done(i))
    })
    .await;
    match item {
        Some(item) => item,
        None => panic!(
            "the outbox item never got there: {:?}",
            app.outbox_for(to).await
        ),
    }
}

async fn otp_mail_is_delivered_over_smtp_and_marked_sent(b: Backend) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(b, &[("TESSERA_SMTP_URL", &url)]).await;
    app.register("acme", ADA, "ada").await;
    assert_eq!(app.otp_request("acme", ADA).await.status().as_u16(), 202);
    let code = app.latest_otp(ADA).await;
    let mail = sink
        .wait_for(&code)
        .await
        .unwrap_or_else(|| panic!("no mail with {code}; got {:?}", sink.messages()));
    assert!(mail.contains(&format!("To: {ADA}")), "{mail}");
    assert!(
        mail.contains("Subject: Your Tessera sign-in code"),
        "{mail}"
    );
    assert!(mail.contains("no-reply@tessera.local"), "{mail}");
    let item = outbox_item_when(&app, ADA, |i| i["status"] == "sent").await;
    assert!(item["sent_at"].is_string(), "{item}");
    assert_eq!(item["attempts"], 0, "{item}");
    assert!(item["last_error"].is_null(), "{item}");
    // The code still signs in: delivery does not change the outbox's role for tests.
    assert_eq!(
        app.otp_verify("acme", ADA, &code).await.status().as_u16(),
        200
    );
}

async fn mail_is_retried_until_the_smtp_server_is_back(b: Backend) {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(
        b,
        &[("TESSERA_SMTP_URL", &url), ("TESSERA_MAIL_RETRY_SECS", "1")],
    )
    .await;
    app.register("acme", ADA, "ada").await;
    app.otp_request("acme", ADA).await;
    let code = app.latest_otp(ADA).await;
    let failed = outbox_item_when(&app, ADA, |i| {
        i["attempts"].as_i64().unwrap_or(0) >= 1 && i["last_error"].is_string()
    })
    .await;
    assert_eq!(failed["status"], "queued", "{failed}");
    assert!(failed["sent_at"].is_null(), "{failed}");
    // The operational figures count it as queued, in the summary and in /metrics.
    let admin = app.admin_tokens().await.access_token;
    assert!(queue_depth(&app, &admin).await >= 1);
    let prom = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        prom.lines().any(
            |l| l.starts_with("tessera_mail_queue_depth ") && l != "tessera_mail_queue_depth 0"
        ),
        "{prom}"
    );

    let sink = SmtpSink::start_on(port).await;
    sink.wait_for(&code)
        .await
        .unwrap_or_else(|| panic!("no mail with {code} after the outage"));
    let item = outbox_item_when(&app, ADA, |i| i["status"] == "sent").await;
    assert!(item["attempts"].as_i64().unwrap_or(0) >= 1, "{item}");
    let (app, admin) = (&app, &admin);
    let empty = wait_until(|| async move { (queue_depth(app, admin).await == 0).then_some(()) });
    assert!(empty.await.is_some(), "the queue never emptied");
}

/// The operational figures' mail queue depth (`null` counts as -1).
async fn queue_depth(app: &TestApp, admin: &str) -> i64 {
    let s: Value = json_ok(
        app.get("/api/system/metrics/summary", Some(admin)).await,
        200,
    )
    .await;
    s["operational"]["queue_depth"].as_i64().unwrap_or(-1)
}

async fn without_smtp_mail_stays_in_the_outbox(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", ADA, "ada").await;
    assert_eq!(app.otp_request("acme", ADA).await.status().as_u16(), 202);
    let code = app.latest_otp(ADA).await;
    let items = app.outbox_for(ADA).await;
    let item = &items[0];
    assert_eq!(item["status"], "outbox_only", "{item}");
    assert_eq!(item["attempts"], 0, "{item}");
    assert!(
        item["sent_at"].is_null() && item["last_error"].is_null(),
        "{item}"
    );
    assert_eq!(
        app.otp_verify("acme", ADA, &code).await.status().as_u16(),
        200
    );
    // Without SMTP nothing queues for delivery: the depth is null, not a made-up 0.
    let admin = app.admin_tokens().await.access_token;
    assert_eq!(queue_depth(&app, &admin).await, -1);
}

async fn mail_older_than_a_day_is_not_sent(b: Backend) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, Database};
    use tessera_domain::entity::mail_outbox;

    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(b, &[("TESSERA_SMTP_URL", &url)]).await;
    // Mail queued two days ago (say, while SMTP was off): its code would be stale.
    let db = Database::connect(app.database_url.as_str()).await.unwrap();
    let two_days_ago = chrono::Utc::now() - chrono::TimeDelta::days(2);
    mail_outbox::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        tenant_id: Set(None),
        to_addr: Set("old@acme.test".into()),
        subject: Set("Your Tessera sign-in code".into()),
        body: Set("stale code 000000".into()),
        created_at: Set(two_days_ago),
        sent_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(Some(two_days_ago)),
    }
    .insert(&db)
    .await
    .unwrap();
    // A fresh message goes out; the old one, due just as long, does not.
    app.register("acme", ADA, "ada").await;
    app.otp_request("acme", ADA).await;
    let code = app.latest_otp(ADA).await;
    sink.wait_for(&code)
        .await
        .unwrap_or_else(|| panic!("no mail with {code}; got {:?}", sink.messages()));
    outbox_item_when(&app, ADA, |i| i["status"] == "sent").await;
    assert!(
        sink.messages().iter().all(|m| !m.contains("stale code")),
        "a day-old message was sent: {:?}",
        sink.messages()
    );
    let old = &app.outbox_for("old@acme.test").await[0];
    assert_eq!(old["status"], "expired", "{old}");
    assert!(old["sent_at"].is_null(), "{old}");
}

// TLS is the same code on either database: these run on SQLite only.

/// The sign-in code mailed through `sink` by a server started with `env`, and the outbox
/// item once it is marked sent.
async fn otp_mail_through(sink: &SmtpSink, env: &[(&str, &str)]) -> Value {
    let app = spawn_app_with(Backend::Sqlite, env).await;
    app.register("acme", ADA, "ada").await;
    assert_eq!(app.otp_request("acme", ADA).await.status().as_u16(), 202);
    let code = app.latest_otp(ADA).await;
    sink.wait_for(&code)
        .await
        .unwrap_or_else(|| panic!("no mail with {code}; got {:?}", sink.messages()));
    outbox_item_when(&app, ADA, |i| i["status"] == "sent").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_starttls_to_a_relay_certified_by_a_private_ca() {
    let ca = TestCa::new();
    let sink = SmtpSink::start_tls(SinkTls::StartTls(ca.acceptor())).await;
    // The sink refuses MAIL before STARTTLS, as a submission port does.
    let url = format!("smtp://127.0.0.1:{}?tls=required", sink.port);
    let item = otp_mail_through(
        &sink,
        &[
            ("TESSERA_SMTP_URL", &url),
            ("TESSERA_SMTP_CA_FILE", ca.ca_path()),
        ],
    )
    .await;
    assert_eq!(sink.tls_and_plain(), (1, 0));
    assert!(item["last_error"].is_null(), "{item}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_smtps_to_a_relay_certified_by_a_private_ca() {
    let ca = TestCa::new();
    let sink = SmtpSink::start_tls(SinkTls::Wrapper(ca.acceptor())).await;
    let url = format!("smtps://127.0.0.1:{}", sink.port);
    otp_mail_through(
        &sink,
        &[
            ("TESSERA_SMTP_URL", &url),
            ("TESSERA_SMTP_CA_FILE", ca.ca_path()),
        ],
    )
    .await;
    assert_eq!(sink.tls_and_plain(), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_whose_certificate_is_not_trusted_gets_no_mail() {
    let ca = TestCa::new();
    let sink = SmtpSink::start_tls(SinkTls::StartTls(ca.acceptor())).await;
    // No TESSERA_SMTP_CA_FILE: the system's roots do not know this CA.
    let url = format!("smtp://127.0.0.1:{}?tls=required", sink.port);
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("TESSERA_SMTP_URL", &url), ("TESSERA_MAIL_RETRY_SECS", "1")],
    )
    .await;
    app.register("acme", ADA, "ada").await;
    app.otp_request("acme", ADA).await;
    let failed = outbox_item_when(&app, ADA, |i| {
        i["attempts"].as_i64().unwrap_or(0) >= 1 && i["last_error"].is_string()
    })
    .await;
    assert_eq!(failed["status"], "queued", "{failed}");
    assert!(failed["sent_at"].is_null(), "{failed}");
    assert!(sink.messages().is_empty(), "{:?}", sink.messages());
}

/// The code in a sign-in mail's body (headers such as `Message-ID` may hold digits too).
fn otp_in(text: &str) -> String {
    let at = text.find("sign-in code for").expect("a sign-in mail");
    text[at..]
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a six-digit code")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_deliver_each_message_once() {
    let Some(pg) = Backend::postgres() else {
        eprintln!("needs PostgreSQL: TESSERA_TEST_DATABASE_URL is not set");
        return;
    };
    let sink = SmtpSink::start().await;
    let url = sink.url();
    // Both replicas look at the outbox every second, besides being woken by their own
    // requests: both race for every row.
    let env = [
        ("TESSERA_SMTP_URL", url.as_str()),
        ("TESSERA_MAIL_RETRY_SECS", "1"),
    ];
    let a = spawn_app_with(pg, &env).await;
    let b = a.replica(&env).await;
    a.register("acme", ADA, "ada").await;
    const MAILS: usize = 30;
    let requests = (0..MAILS).map(|i| if i % 2 == 0 { &a } else { &b }.otp_request("acme", ADA));
    for res in futures_util::future::join_all(requests).await {
        assert_eq!(res.status().as_u16(), 202);
    }
    let (a, sink) = (&a, &sink);
    let all_sent = wait_until(|| async move {
        let items = a.outbox_for(ADA).await;
        (items.len() == MAILS && items.iter().all(|i| i["status"] == "sent")).then_some(items)
    })
    .await;
    let Some(sent) = all_sent else {
        panic!("not every message was sent: {:?}", a.outbox_for(ADA).await);
    };
    let mut queued: Vec<String> = sent
        .iter()
        .map(|i| otp_in(i["body"].as_str().unwrap()))
        .collect();
    let mut delivered: Vec<String> = sink.messages().iter().map(|m| otp_in(&unfold(m))).collect();
    queued.sort_unstable();
    delivered.sort_unstable();
    assert_eq!(
        delivered, queued,
        "a message was sent twice, or one not at all"
    );
    assert!(sent.iter().all(|i| i["attempts"] == 0), "{sent:?}");
}
