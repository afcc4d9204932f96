//! Several replicas on one PostgreSQL database: the live feed (SSE) reaches the stream
//! clients of every replica, each event exactly once, through `LISTEN/NOTIFY`.
//!
//! "Exactly once" is checked without timing: after an event arrives, a later event from
//! a replica whose notifications are ordered after it (PostgreSQL delivers them in
//! commit order) is awaited, and a duplicate would have come in between.

use std::time::Duration;

use reqwest::Response;
use serde_json::Value;
use tessera_tests::process::{ServerProcess, TcpProxy};
use tessera_tests::*;

/// A generous deadline for one event to arrive.
const WAIT: Duration = Duration::from_secs(20);

/// An open `GET /api/events/stream` and what has been read of it.
struct Feed {
    res: Response,
    buf: String,
}

impl Feed {
    async fn open(app: &TestApp, token: &str) -> Feed {
        let res = app
            .get(&format!("/api/events/stream?access_token={token}"), None)
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Feed {
            res,
            buf: String::new(),
        }
    }

    /// The next activation event, or `None` when none arrives within `wait`.
    async fn next_activation(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if !block.lines().any(|l| l == "event: activation") {
                    continue; // keep-alives, the greeting, other kinds
                }
                let data = block
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .expect("an event has data");
                return Some(serde_json::from_str(data).expect("the data is JSON"));
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .expect("the stream stays readable")
                .expect("the stream stays open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Every activation up to and including the one for `fingerprint`.
    async fn activations_until(&mut self, fingerprint: &str) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let ev = self
                .next_activation(WAIT)
                .await
                .unwrap_or_else(|| panic!("{fingerprint} never arrived; before it: {seen:?}"));
            let last = fp(&ev) == fingerprint;
            seen.push(ev);
            if last {
                return seen;
            }
        }
    }
}

/// The activated device's fingerprint.
fn fp(ev: &Value) -> &str {
    ev["data"]["device"]["fingerprint"].as_str().unwrap_or("")
}

fn count(events: &[Value], fingerprint: &str) -> usize {
    events.iter().filter(|e| fp(e) == fingerprint).count()
}

async fn activate(app: &TestApp, code: &str, fingerprint: &str) -> Value {
    json_ok(app.activate(code, fingerprint).await, 201).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activation_on_one_replica_reaches_the_other_replicas_stream_once() {
    let Some(pg) = Backend::postgres() else {
        eprintln!("needs PostgreSQL: TESSERA_TEST_DATABASE_URL is not set");
        return;
    };
    let a = ServerProcess::start(pg).await;
    let b = a.sibling().await;
    let acme = a.app.register("acme", "ada@acme.test", "ada").await;
    let globex = a.app.register("globex", "bob@globex.test", "bob").await;
    let admin = a.app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let mut staff = Feed::open(&b.app, tok).await;
    let mut owner = Feed::open(&b.app, &acme.access_token).await;
    let mut other = Feed::open(&b.app, &globex.access_token).await;
    let acme_code = a.app.one_code(tok, "acme", 5).await;
    let globex_code = a.app.one_code(tok, "globex", 1).await;

    let made = activate(&a.app, &acme_code, "fp-a-1").await;
    let acme_id = made["device"]["tenant_id"].clone();
    let first = staff.activations_until("fp-a-1").await;
    assert_eq!(count(&first, "fp-a-1"), 1, "{first:?}");
    assert_eq!(first.last().unwrap()["tenant_id"], acme_id);
    // A later event from the same replica: a second copy of the first would come before it.
    activate(&a.app, &acme_code, "fp-a-2").await;
    let rest = staff.activations_until("fp-a-2").await;
    assert_eq!(count(&rest, "fp-a-1"), 0, "delivered twice: {rest:?}");
    assert_eq!(rest.len(), 1, "{rest:?}");

    let mine = owner.activations_until("fp-a-2").await;
    assert_eq!(count(&mine, "fp-a-1"), 1, "{mine:?}");
    assert_eq!(mine.len(), 2, "{mine:?}");

    // The other tenant's client gets its own activation, and none of acme's before it.
    activate(&a.app, &globex_code, "fp-g-1").await;
    let theirs = other.activations_until("fp-g-1").await;
    assert_eq!(
        theirs.len(),
        1,
        "another tenant saw acme's events: {theirs:?}"
    );
    assert_ne!(theirs[0]["tenant_id"], acme_id);
    let staff_sees = staff.activations_until("fp-g-1").await;
    assert_eq!(staff_sees.len(), 1, "{staff_sees:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replicas_own_clients_get_its_events_once_not_again_through_the_relay() {
    let Some(pg) = Backend::postgres() else {
        eprintln!("needs PostgreSQL: TESSERA_TEST_DATABASE_URL is not set");
        return;
    };
    let a = ServerProcess::start(pg).await;
    let b = a.sibling().await;
    a.app.register("acme", "ada@acme.test", "ada").await;
    let admin = a.app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let mut on_a = Feed::open(&a.app, tok).await;
    let mut on_b = Feed::open(&b.app, tok).await;
    let code = a.app.one_code(tok, "acme", 5).await;

    activate(&a.app, &code, "fp-1").await;
    let local = on_a.activations_until("fp-1").await;
    assert_eq!(local.len(), 1, "{local:?}");
    // B has it through PostgreSQL, so A's notification is queued ahead of the next one.
    let relayed = on_b.activations_until("fp-1").await;
    assert_eq!(relayed.len(), 1, "{relayed:?}");
    activate(&b.app, &code, "fp-2").await;
    let after = on_a.activations_until("fp-2").await;
    assert_eq!(
        count(&after, "fp-1"),
        0,
        "A's client got A's event again: {after:?}"
    );
    assert_eq!(after.len(), 1, "{after:?}");

    // The same from B's side: its own event once, then A's next one.
    let local = on_b.activations_until("fp-2").await;
    assert_eq!(local.len(), 1, "{local:?}");
    activate(&a.app, &code, "fp-3").await;
    let after = on_b.activations_until("fp-3").await;
    assert_eq!(
        count(&after, "fp-2"),
        0,
        "B's client got B's event again: {after:?}"
    );
    assert_eq!(after.len(), 1, "{after:?}");
}

/// Replica `a` with a tenant and a code, and replica `b` reaching the database through a
/// relay, with `settings` on top and a feed open on it that has seen one activation.
struct Relayed {
    a: TestApp,
    code: String,
    proxy: TcpProxy,
    b: TestApp,
    feed: Feed,
}

async fn relayed_replica(pg: Backend, settings: &[(&str, &str)]) -> Relayed {
    let a = spawn_app(pg).await;
    let tok = a.admin_tokens().await.access_token;
    a.create_tenant(&tok, "acme", "pro").await;
    let code = a.one_code(&tok, "acme", 100).await;
    let (proxy, url) = TcpProxy::in_front_of(&a.database_url).await;
    let mut all = vec![("DATABASE_URL", url.as_str())];
    all.extend_from_slice(settings);
    let b = a.replica(&all).await;
    let mut feed = Feed::open(&b, &tok).await;
    activate(&a, &code, "fp-before").await;
    feed.activations_until("fp-before").await;
    Relayed {
        a,
        code,
        proxy,
        b,
        feed,
    }
}

impl Relayed {
    /// Activates new devices on `a`, up to `tries` times, until one reaches the feed on
    /// `b`, and returns that event.
    async fn activate_until_relayed(&mut self, tries: usize) -> Option<Value> {
        for i in 0..tries {
            activate(&self.a, &self.code, &format!("fp-after-{i}")).await;
            if let Some(ev) = self.feed.next_activation(Duration::from_secs(1)).await {
                return Some(ev);
            }
        }
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_lost_its_database_connection_receives_relayed_events_again() {
    let Some(pg) = Backend::postgres() else {
        eprintln!("needs PostgreSQL: TESSERA_TEST_DATABASE_URL is not set");
        return;
    };
    let mut r = relayed_replica(pg, &[]).await;

    r.proxy.cut();
    assert_eq!(r.b.get("/api/health", None).await.status().as_u16(), 503);
    r.proxy.restore().await;
    let mut healthy = false;
    for _ in 0..100 {
        if r.b.get("/api/health", None).await.status().as_u16() == 200 {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(healthy, "health never came back");

    // Notifications sent while the listener was away are lost; it reconnects with
    // backoff, so keep activating until one comes through.
    let ev = r.activate_until_relayed(60).await;
    let ev = ev.expect("the listener never reconnected");
    assert!(fp(&ev).starts_with("fp-after-"), "{ev:?}");
}

/// A listener connection that goes silent (the database host vanished without closing
/// it) gives no error; the replica notices with its idle ping, reconnects and receives
/// the other replica's events again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_listener_connection_went_silent_reconnects_and_receives_events() {
    let Some(pg) = Backend::postgres() else {
        eprintln!("needs PostgreSQL: TESSERA_TEST_DATABASE_URL is not set");
        return;
    };
    let mut r = relayed_replica(pg, &[("TESSERA_LIVE_FEED_PING_SECS", "1")]).await;

    r.proxy.stall();
    // The ping goes unanswered for 10 seconds, then the listener connects anew; events
    // sent before that are lost, so keep activating until one comes through.
    let ev = r.activate_until_relayed(40).await;
    let ev = ev.expect("the listener never noticed its silent connection");
    assert!(fp(&ev).starts_with("fp-after-"), "{ev:?}");
}
