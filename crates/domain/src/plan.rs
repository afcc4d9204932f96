//! Plans and their quotas.

use serde::{Deserialize, Serialize};

use crate::problem::FieldError;
use crate::validation::{self, Errors};

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

/// Highest monthly price a plan may have, in cents (one million of the currency).
pub const MAX_PRICE_CENTS: i64 = 100_000_000;
/// Highest project or device quota a plan may grant.
pub const MAX_QUOTA: i64 = 1_000_000;

/// How many single-use activation codes a new tenant on a plan gets: 10% of the plan's
/// project quota, rounded up, and at least one.
pub fn auto_code_count(project_quota: i32) -> u32 {
    let quota = u32::try_from(project_quota).unwrap_or(0);
    quota.div_ceil(10).max(1)
}

/// Change a plan's name, price or quotas (super admins). Absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanRequest {
    /// New display name (1 to 60 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 60))]
    pub name: Option<String>,
    /// New price per month in cents (0 to 100,000,000).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100000000))]
    pub monthly_price_cents: Option<i64>,
    /// New project quota (0 to 1,000,000).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1000000))]
    pub project_quota: Option<i64>,
    /// New device quota (0 to 1,000,000). Lowering it below a tenant's active devices
    /// keeps those devices but refuses new activations until the tenant is under it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1000000))]
    pub device_quota: Option<i64>,
}

impl UpdatePlanRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if let Some(n) = &self.name {
            e.check("name", validation::name(n, 60));
        }
        if let Some(p) = self.monthly_price_cents {
            e.check(
                "monthly_price_cents",
                validation::range(p, 0, MAX_PRICE_CENTS),
            );
        }
        if let Some(q) = self.project_quota {
            e.check("project_quota", validation::range(q, 0, MAX_QUOTA));
        }
        if let Some(q) = self.device_quota {
            e.check("device_quota", validation::range(q, 0, MAX_QUOTA));
        }
        e.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tenants_get_a_tenth_of_the_project_quota_rounded_up_and_at_least_one() {
        assert_eq!(auto_code_count(0), 1);
        assert_eq!(auto_code_count(3), 1);
        assert_eq!(auto_code_count(10), 1);
        assert_eq!(auto_code_count(11), 2);
        assert_eq!(auto_code_count(25), 3);
        assert_eq!(auto_code_count(250), 25);
        assert_eq!(auto_code_count(-5), 1);
    }

    #[test]
    fn plan_updates_are_bounded() {
        let ok = UpdatePlanRequest {
            name: Some("Pro".into()),
            monthly_price_cents: Some(0),
            project_quota: Some(10),
            device_quota: Some(2),
        };
        assert!(ok.validate().is_ok());
        let bad = UpdatePlanRequest {
            name: Some(" ".into()),
            monthly_price_cents: Some(-1),
            project_quota: Some(MAX_QUOTA + 1),
            device_quota: Some(-1),
        };
        assert_eq!(bad.validate().unwrap_err().len(), 4);
    }
}
