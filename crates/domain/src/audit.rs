//! The audit trail as the API shows it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One recorded admin mutation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEventView {
    /// The event's id.
    pub id: Uuid,
    /// Who did it (`null` for the system itself).
    pub actor_id: Option<Uuid>,
    /// The actor's e-mail address at the time of reading, when known.
    pub actor_email: Option<String>,
    /// Dotted verb, e.g. `user.update`.
    pub action: String,
    /// The kind of thing changed.
    pub target_type: String,
    /// Its id or slug.
    pub target_id: Option<String>,
    /// The tenant it belongs to.
    pub tenant_id: Option<Uuid>,
    /// That tenant's slug; `null` for platform events and for tenants deleted since.
    pub tenant_slug: Option<String>,
    /// State before.
    pub before: Option<serde_json::Value>,
    /// State after.
    pub after: Option<serde_json::Value>,
    /// The caller's IP address.
    pub ip: Option<String>,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}
