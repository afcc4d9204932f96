//! Tenants, their subscription history and what deleting one removes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::code::IssuedCode;
use crate::plan::SYSTEM_PLAN;
use crate::problem::FieldError;
use crate::validation::{self, Errors};

/// Fields the tenant list sorts by (`?sort=name`, `?sort=-created_at`).
pub const TENANT_SORT_FIELDS: [&str; 5] = ["slug", "name", "plan", "status", "created_at"];
/// Fields the subscription history sorts by.
pub const SUBSCRIPTION_SORT_FIELDS: [&str; 3] = ["started_at", "ended_at", "plan"];

/// Whether a tenant's members and devices may use the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    /// Members sign in and devices activate.
    Active,
    /// Sign-in, activation and license validation are refused.
    Suspended,
}

impl TenantStatus {
    /// The stable string stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }

    /// Parses the stored form; anything unknown reads as suspended (fail closed).
    pub fn from_stored(s: &str) -> Self {
        if s == "active" {
            TenantStatus::Active
        } else {
            TenantStatus::Suspended
        }
    }
}

/// The state of one subscription period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    /// Trying the plan before paying.
    Trialing,
    /// Paying.
    Active,
    /// A payment failed; still served.
    PastDue,
    /// Ended by the customer or by staff.
    Canceled,
}

impl SubscriptionStatus {
    /// Every status.
    pub const ALL: [SubscriptionStatus; 4] = [
        SubscriptionStatus::Trialing,
        SubscriptionStatus::Active,
        SubscriptionStatus::PastDue,
        SubscriptionStatus::Canceled,
    ];

    /// The stable string stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Canceled => "canceled",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A tenant as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantView {
    /// The tenant's id.
    pub id: Uuid,
    /// Unique slug; usable wherever a tenant is named.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Contact e-mail address.
    pub contact_email: Option<String>,
    /// The plan's code, e.g. `pro`.
    pub plan: String,
    /// `active` or `suspended`.
    pub status: TenantStatus,
    /// Devices currently activated (not revoked), counted against the plan's `device_quota`.
    pub active_devices: i32,
    /// When the tenant was created.
    pub created_at: DateTime<Utc>,
    /// When the tenant was last changed.
    pub updated_at: DateTime<Utc>,
}

/// Create a tenant (staff).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// Unique slug: 3 to 48 lowercase letters, digits and single inner dashes.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 48, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub slug: String,
    /// Display name (1 to 120 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// Contact e-mail address (optional).
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The plan's code, e.g. `pro` (not `system`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub plan: String,
}

impl CreateTenantRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("slug", validation::slug(self.slug.trim()));
        e.check("name", validation::name(&self.name, 120));
        if let Some(c) = self
            .contact_email
            .as_deref()
            .filter(|c| !c.trim().is_empty())
        {
            e.check("contact_email", validation::email(c));
        }
        e.check("plan", assignable_plan(&self.plan));
        e.finish()
    }
}

/// Change a tenant (staff). Absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    /// New display name (1 to 120 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: Option<String>,
    /// New contact e-mail address; an empty string removes it.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// `active` or `suspended`. Suspending refuses sign-in, activation and validation.
    #[serde(default)]
    pub status: Option<TenantStatus>,
    /// A new plan's code. Closes the current subscription row and opens one on the new plan
    /// with the same status, exactly like `POST .../subscriptions`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub plan: Option<String>,
}

impl UpdateTenantRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if let Some(n) = &self.name {
            e.check("name", validation::name(n, 120));
        }
        if let Some(c) = self
            .contact_email
            .as_deref()
            .filter(|c| !c.trim().is_empty())
        {
            e.check("contact_email", validation::email(c));
        }
        if let Some(p) = &self.plan {
            e.check("plan", assignable_plan(p));
        }
        e.finish()
    }
}

/// The answer to creating a tenant: the tenant and its auto-generated activation codes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateTenantResponse {
    /// The new tenant.
    pub tenant: TenantView,
    /// The subscription it starts on (`active` on its plan).
    pub subscription: SubscriptionView,
    /// Single-use codes labelled "Auto-generated on tenant creation". The plaintext is shown
    /// here once and never again.
    pub codes: Vec<IssuedCode>,
}

/// One subscription period. The current one has `ended_at: null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionView {
    /// The row's id.
    pub id: Uuid,
    /// The plan's code.
    pub plan: String,
    /// `trialing`, `active`, `past_due` or `canceled`.
    pub status: SubscriptionStatus,
    /// The plan's monthly price when the period started, in cents.
    pub monthly_price_cents: i64,
    /// When the period started.
    pub started_at: DateTime<Utc>,
    /// When it ended; `null` for the current period.
    pub ended_at: Option<DateTime<Utc>>,
}

/// Change a tenant's plan or subscription status (closes the current period, opens a new one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeSubscriptionRequest {
    /// The plan's code for the new period.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub plan: String,
    /// The new period's status; `canceled` ends the subscription.
    pub status: SubscriptionStatus,
}

impl ChangeSubscriptionRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("plan", assignable_plan(&self.plan));
        e.finish()
    }
}

/// Exact counts of every record that deleting a tenant removes. Features not built yet
/// report 0 because their tables hold nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletionImpact {
    /// Activation codes (revoked, then deleted).
    pub activation_codes: u64,
    /// Devices (revoked, then deleted).
    pub devices: u64,
    /// Subscription history rows.
    pub subscriptions: u64,
    /// Usage events.
    pub usage_events: u64,
    /// Daily usage rollups.
    pub usage_rollups: u64,
    /// LLM project configurations.
    pub projects: u64,
    /// Agent prompts of those projects.
    pub agent_prompts: u64,
    /// Users of the tenant.
    pub users: u64,
    /// Worklog entries.
    pub worklogs: u64,
    /// Billing ledger entries.
    pub ledger_entries: u64,
}

/// A plan code a tenant may be put on: present, and not the platform's own `system` plan.
fn assignable_plan(code: &str) -> Result<(), String> {
    let code = code.trim();
    if code.is_empty() {
        Err("is required".into())
    } else if code == SYSTEM_PLAN {
        Err("is reserved for the platform's own tenant".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_requests_name_every_bad_field() {
        let bad = CreateTenantRequest {
            slug: "A!".into(),
            name: " ".into(),
            contact_email: Some("nope".into()),
            plan: "system".into(),
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["slug", "name", "contact_email", "plan"]);
        let ok = CreateTenantRequest {
            slug: "acme".into(),
            name: "Acme".into(),
            contact_email: Some(String::new()),
            plan: "pro".into(),
        };
        assert!(ok.validate().is_ok());
    }

    #[test]
    fn statuses_round_trip_their_stored_form() {
        for s in SubscriptionStatus::ALL {
            assert_eq!(SubscriptionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TenantStatus::from_stored("active"), TenantStatus::Active);
        assert_eq!(TenantStatus::from_stored("odd"), TenantStatus::Suspended);
    }

    #[test]
    fn an_empty_patch_is_valid() {
        assert!(UpdateTenantRequest::default().validate().is_ok());
        let p = UpdateTenantRequest {
            plan: Some("system".into()),
            ..Default::default()
        };
        assert!(p.validate().is_err());
    }
}
