//! What every handler shares: the pool, the settings, the keys and the rate limiter.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::auth::tokens::TokenHasher;
use crate::config::Settings;
use crate::license::LicenseKeys;
use crate::rate_limit::RateLimiter;

/// Application state, cloned cheaply into every worker.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Settings read at start.
    pub settings: Arc<Settings>,
    /// Access-token signing keys.
    pub jwt: Arc<JwtKeys>,
    /// Keyed hashing of tokens, codes and OTPs.
    pub hasher: Arc<TokenHasher>,
    /// Per-IP attempt counters (per process; see docs/SCALING.md).
    pub limiter: Arc<RateLimiter>,
    /// The Ed25519 key that signs device licenses.
    pub license: Arc<LicenseKeys>,
    /// The server's own operational measurements.
    pub telemetry: Arc<crate::telemetry::Telemetry>,
    /// Daily activity, for DAU/WAU/MAU.
    pub activity: Arc<crate::activity::ActivityRecorder>,
    /// The live feed's fan-out.
    pub events: Arc<crate::events::EventBus>,
    /// The payment provider, when one is configured.
    pub payments: Option<Arc<crate::payments::PaymentProvider>>,
    /// The platform's own tenant, which owns what staff create for themselves (worklogs).
    pub system_tenant_id: uuid::Uuid,
    /// Usage batches writing at once, at most the pool's size (`routes/usage.rs`).
    pub usage_permits: Arc<tokio::sync::Semaphore>,
    /// The latest parsed metrics snapshots and the lock that computes one at a time.
    pub snapshots: Arc<crate::metrics::SnapshotCache>,
    /// Wakes the SMTP delivery task after a transaction that queued mail committed.
    pub mail_queued: Arc<tokio::sync::Notify>,
}
