//! Devices activated with a code, as the API shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Fields the device lists sort by.
pub const DEVICE_SORT_FIELDS: [&str; 4] = ["activated_at", "last_seen_at", "name", "platform"];

/// Whether a device's license is honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Its license validates (until it expires).
    Active,
    /// Revoked: validation answers `DEVICE_REVOKED` and its quota slot is free again.
    Revoked,
}

/// An activated device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceView {
    /// The device's id (the license's `device_id`).
    pub id: Uuid,
    /// The tenant it belongs to.
    pub tenant_id: Uuid,
    /// That tenant's slug.
    pub tenant_slug: String,
    /// The activation code it was activated with.
    pub code_id: Uuid,
    /// The fingerprint the device sent.
    pub fingerprint: String,
    /// The name the device sent.
    pub name: String,
    /// The platform the device sent, e.g. `linux-x86_64`.
    pub platform: String,
    /// `active` or `revoked`.
    pub status: DeviceStatus,
    /// When it was first activated.
    pub activated_at: DateTime<Utc>,
    /// Its last license validation (heartbeat); `null` before the first.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When its newest license expires.
    pub license_expires_at: DateTime<Utc>,
}
