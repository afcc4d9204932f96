//! The live feed: activations, revocations and ledger changes fan out to Server-Sent
//! Events subscribers of this process. Tenant users only receive their tenant's events.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Events kept for slow subscribers before they skip ahead.
const CAPACITY: usize = 1024;

/// One event on the feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveEvent {
    /// `activation`, `device_revoked`, `ledger_entry`, `alert`, ...
    pub kind: String,
    /// The tenant it concerns (`null` for platform-wide events).
    pub tenant_id: Option<Uuid>,
    /// Details for the dashboard.
    pub data: serde_json::Value,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// The fan-out point.
pub struct EventBus {
    tx: broadcast::Sender<LiveEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

impl EventBus {
    /// Publishes an event (after the change it describes has committed). Nobody listening
    /// is fine.
    pub fn publish(&self, kind: &str, tenant_id: Option<Uuid>, data: serde_json::Value) {
        let _ = self.tx.send(LiveEvent {
            kind: kind.to_owned(),
            tenant_id,
            data,
            at: Utc::now(),
        });
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }
}
