//! Plans and their quotas.

use serde::{Deserialize, Serialize};

/// The plans seeded at start-up: code, name, monthly price in cents, project quota, device quota.
pub const SEEDED_PLANS: [(&str, &str, i64, i32, i32); 4] = [
    ("free", "Free", 0, 3, 5),
    ("pro", "Pro", 4900, 25, 100),
    ("enterprise", "Enterprise", 49900, 250, 5000),
    ("system", "System", 0, 1000, 100000),
];

/// The plan of the platform's own `system` tenant.
pub const SYSTEM_PLAN: &str = "system";
/// The slug of the platform's own tenant.
pub const SYSTEM_TENANT: &str = "system";
/// The plan self-registered tenants start on.
pub const DEFAULT_PLAN: &str = "free";

/// A plan as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    /// Stable code, e.g. `pro`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Price per month in cents.
    pub monthly_price_cents: i64,
    /// ISO 4217 currency code.
    pub currency: String,
    /// Projects a tenant on this plan may have.
    pub project_quota: i32,
    /// Devices a tenant on this plan may activate.
    pub device_quota: i32,
}
