//! The live feed: activations, revocations and ledger changes fan out to Server-Sent
//! Events subscribers. Tenant users only receive their tenant's events.
//!
//! Every process delivers its own events to its own subscribers through a
//! `tokio::sync::broadcast` channel. On PostgreSQL a [`Relay`] also carries them to the
//! other replicas on the same database with `LISTEN/NOTIFY`: [`EventBus::publish`] queues
//! the event for a background task that runs `pg_notify`, and one listener task per
//! process feeds the notifications of *other* processes into the local channel (each
//! event carries its bus's origin id, and the listener skips its own), so every
//! subscriber of every replica sees each event exactly once. SQLite (one process) keeps
//! the local channel only.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

/// Events kept for slow subscribers before they skip ahead.
const CAPACITY: usize = 1024;
/// The PostgreSQL notification channel the replicas share.
pub const CHANNEL: &str = "tessera_events";
/// PostgreSQL refuses a `NOTIFY` payload of 8000 bytes or more (the default build).
pub const NOTIFY_PAYLOAD_LIMIT: usize = 8000;
/// Events waiting for `pg_notify`; beyond this, other replicas miss events (the local
/// subscribers still get them) rather than the queue growing without bound.
const RELAY_QUEUE: usize = 4096;
/// Notifications sent per round trip at most.
const RELAY_BATCH: usize = 64;
/// How long connecting and `LISTEN` may take before the attempt counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause before reconnecting the listener, doubled after each failed attempt up to the max.
const MIN_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// One event on the feed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveEvent {
    /// `activation`, `device_revoked`, `code_revoked`, `ledger_entry`, `alert`, ...
    pub kind: String,
    /// The tenant it concerns (`null` for platform-wide events).
    pub tenant_id: Option<Uuid>,
    /// Details for the dashboard. An event relayed from another replica whose JSON did
    /// not fit a PostgreSQL notification carries `{"trimmed": true}` instead.
    pub data: serde_json::Value,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// What travels in a notification: the event and the bus that published it.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The publishing process's [`EventBus`]; its own listener skips the notification.
    origin: Uuid,
    /// Numbers the origin's notifications, so two identical events sent in one
    /// transaction stay two (PostgreSQL folds identical payloads of one transaction).
    seq: u64,
    event: LiveEvent,
}

/// The fan-out point.
pub struct EventBus {
    tx: broadcast::Sender<LiveEvent>,
    /// This process's identity in relayed notifications.
    origin: Uuid,
    /// Set once the PostgreSQL relay runs: events for `pg_notify`.
    relay: OnceLock<mpsc::Sender<LiveEvent>>,
    /// True while the relay queue is full (logged once per episode).
    overflowing: AtomicBool,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
            origin: Uuid::new_v4(),
            relay: OnceLock::new(),
            overflowing: AtomicBool::new(false),
        }
    }
}

impl EventBus {
    /// Publishes an event (after the change it describes has committed): to this
    /// process's subscribers at once, and to the other replicas through the relay when one
    /// runs. Never waits on the database. Nobody listening is fine.
    pub fn publish(&self, kind: &str, tenant_id: Option<Uuid>, data: serde_json::Value) {
        let event = LiveEvent {
            kind: kind.to_owned(),
            tenant_id,
            data,
            at: Utc::now(),
        };
        if let Some(relay) = self.relay.get() {
            match relay.try_send(event.clone()) {
                Ok(()) => {
                    self.overflowing.store(false, Ordering::Relaxed);
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    if !self.overflowing.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            "live feed relay queue is full: other replicas miss events until it drains"
                        );
                    }
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        let _ = self.tx.send(event);
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    /// Hands a notification's payload to the local subscribers, unless this bus sent it
    /// (they had it at publish time) or it is not an event.
    fn receive(&self, payload: &str) {
        match serde_json::from_str::<Envelope>(payload) {
            Ok(env) if env.origin == self.origin => {}
            Ok(env) => {
                let _ = self.tx.send(env.event);
            }
            Err(e) => tracing::warn!(error = %e, "ignoring a malformed live feed notification"),
        }
    }
}

/// The notification text for an event: its JSON when it fits PostgreSQL's payload limit,
/// otherwise the event with its `data` replaced by `{"trimmed": true}` (kind, tenant and
/// time still reach the other replicas' dashboards, which can reload the details; this
/// process's own subscribers got the full event). `None` when even that does not fit,
/// which no event kind comes near.
fn notification(origin: Uuid, seq: u64, event: LiveEvent) -> Option<String> {
    let mut env = Envelope { origin, seq, event };
    let text = serde_json::to_string(&env).ok()?;
    if text.len() < NOTIFY_PAYLOAD_LIMIT {
        return Some(text);
    }
    env.event.data = serde_json::json!({"trimmed": true});
    let text = serde_json::to_string(&env).ok()?;
    (text.len() < NOTIFY_PAYLOAD_LIMIT).then_some(text)
}

/// The PostgreSQL relay between replicas, connected but not yet running.
pub struct Relay {
    bus: std::sync::Arc<EventBus>,
    pool: PgPool,
    url: String,
    listener: Option<PgListener>,
    ping_after: Duration,
}

impl Relay {
    /// Opens the listener's own connection (outside the pool) and `LISTEN`s, so that a
    /// replica that answers its health check already receives the others' events. A
    /// failure is logged and retried by the running relay; it never stops the start.
    /// After `ping_after` without a notification the listener checks its connection.
    pub async fn connect(
        bus: std::sync::Arc<EventBus>,
        pool: PgPool,
        database_url: &str,
        ping_after: Duration,
    ) -> Relay {
        let listener = match listen(database_url).await {
            Ok(l) => Some(l),
            Err(e) => {
                tracing::warn!(error = %e, "live feed listener not connected yet; retrying");
                None
            }
        };
        Relay {
            bus,
            pool,
            url: database_url.to_owned(),
            listener,
            ping_after,
        }
    }

    /// Starts the two background tasks: `pg_notify` for this process's events, and the
    /// listener for the other replicas' events.
    pub fn spawn(self) {
        let (tx, rx) = mpsc::channel(RELAY_QUEUE);
        if self.bus.relay.set(tx).is_err() {
            return; // already relayed
        }
        tokio::spawn(notify_loop(self.pool, self.bus.origin, rx));
        tokio::spawn(listen_loop(
            self.bus,
            self.url,
            self.listener,
            self.ping_after,
        ));
    }
}

/// A listener on its own connection, subscribed to [`CHANNEL`].
async fn listen(url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let attempt = async {
        let mut l = PgListener::connect(url).await?;
        // A lost connection returns to `listen_loop`, which reconnects with backoff.
        l.eager_reconnect(false);
        l.listen(CHANNEL).await?;
        Ok(l)
    };
    tokio::time::timeout(CONNECT_TIMEOUT, attempt)
        .await
        .unwrap_or(Err(sea_orm::sqlx::Error::PoolTimedOut))
}

/// Receives the other replicas' events for as long as the process runs, reconnecting
/// with backoff when the connection drops. Notifications sent while it is down are lost.
///
/// A connection can also die silently: a database host that vanished, a failover, a
/// firewall that forgot the connection. Nothing then arrives, not even an error, and sqlx
/// sets no TCP keepalive. So after `ping_after` without a notification the listener sends
/// `SELECT 1`; no answer within [`CONNECT_TIMEOUT`] counts as a lost connection.
async fn listen_loop(
    bus: std::sync::Arc<EventBus>,
    url: String,
    mut listener: Option<PgListener>,
    ping_after: Duration,
) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let mut l = match listener.take() {
            Some(l) => l,
            None => {
                tokio::time::sleep(backoff).await;
                match listen(&url).await {
                    Ok(l) => {
                        tracing::info!("live feed listener reconnected");
                        backoff = MIN_BACKOFF;
                        l
                    }
                    Err(e) => {
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        tracing::warn!(error = %e, retry_in = ?backoff, "live feed listener cannot connect");
                        continue;
                    }
                }
            }
        };
        loop {
            // try_recv is cancel-safe (sqlx reads whole messages or nothing), so timing it
            // out loses no notification.
            let Ok(received) = tokio::time::timeout(ping_after, l.try_recv()).await else {
                let ping = sea_orm::sqlx::query("SELECT 1").execute(&mut l);
                if let Ok(Ok(_)) = tokio::time::timeout(CONNECT_TIMEOUT, ping).await {
                    continue;
                }
                tracing::warn!("live feed listener got no answer to a ping; reconnecting");
                break;
            };
            match received {
                Ok(Some(n)) => bus.receive(n.payload()),
                Ok(None) => {
                    tracing::warn!("live feed listener lost its connection; reconnecting");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live feed listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}

/// Sends this process's events as notifications, in order, batching what has queued up.
/// A failed send is logged and those events do not reach the other replicas.
async fn notify_loop(pool: PgPool, origin: Uuid, mut rx: mpsc::Receiver<LiveEvent>) {
    let mut seq = 0u64;
    let mut events = Vec::with_capacity(RELAY_BATCH);
    while rx.recv_many(&mut events, RELAY_BATCH).await > 0 {
        let payloads: Vec<String> = events
            .drain(..)
            .filter_map(|e| {
                seq += 1;
                let kind = e.kind.clone();
                let text = notification(origin, seq, e);
                if text.is_none() {
                    tracing::warn!(%kind, "live feed event too large to relay");
                }
                text
            })
            .collect();
        if payloads.is_empty() {
            continue;
        }
        // One statement, so one transaction: delivered together, in array order.
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
            .bind(CHANNEL)
            .bind(&payloads)
            .execute(&pool)
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, events = payloads.len(), "live feed events not relayed to other replicas");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: serde_json::Value) -> LiveEvent {
        LiveEvent {
            kind: "activation".into(),
            tenant_id: Some(Uuid::new_v4()),
            data,
            at: Utc::now(),
        }
    }

    #[test]
    fn a_notification_round_trips_and_fits_the_limit() {
        let ev = event(serde_json::json!({"device": {"fingerprint": "fp"}}));
        let text = notification(Uuid::nil(), 1, ev.clone()).unwrap();
        assert!(text.len() < NOTIFY_PAYLOAD_LIMIT);
        let env: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(env.event.data, ev.data);
        assert_eq!(env.event.tenant_id, ev.tenant_id);
        assert_eq!(env.event.at, ev.at);
    }

    #[test]
    fn a_large_event_is_relayed_trimmed() {
        let ev = event(serde_json::json!({"reason": "x".repeat(NOTIFY_PAYLOAD_LIMIT)}));
        let text = notification(Uuid::nil(), 1, ev.clone()).unwrap();
        assert!(text.len() < NOTIFY_PAYLOAD_LIMIT);
        let env: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(env.event.data, serde_json::json!({"trimmed": true}));
        assert_eq!(env.event.kind, ev.kind);
        assert_eq!(env.event.tenant_id, ev.tenant_id);
    }

    #[tokio::test]
    async fn a_bus_skips_its_own_notifications_and_delivers_the_others() {
        let bus = EventBus::default();
        let mut rx = bus.subscribe();
        let own = notification(bus.origin, 1, event(serde_json::json!({"n": 1}))).unwrap();
        let other = notification(Uuid::new_v4(), 1, event(serde_json::json!({"n": 2}))).unwrap();
        bus.receive(&own);
        bus.receive("not json");
        bus.receive(&other);
        assert_eq!(rx.recv().await.unwrap().data["n"], 2);
        assert!(rx.try_recv().is_err(), "only the other bus's event");
    }
}
