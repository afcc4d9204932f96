//! The staff dashboard's key figures.

use serde::{Deserialize, Serialize};

/// Counts computed by the database when asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardView {
    /// Customer tenants (the platform's own `system` tenant is not counted).
    pub tenants: u64,
    /// Activation codes that can still be redeemed.
    pub active_codes: u64,
    /// Devices that are activated and not revoked.
    pub devices: u64,
    /// Devices first activated since midnight UTC.
    pub activations_today: u64,
}
