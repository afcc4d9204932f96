//! Prepaid reserves: the append-only ledger, account status, top-ups and adjustments.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;
use crate::validation::{self, Errors};

/// The currency every reserve is kept in.
pub const CURRENCY: &str = "USD";
/// The largest single top-up or adjustment, in cents (one million dollars).
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000;

/// The kinds of ledger entry.
pub const ENTRY_KINDS: [&str; 4] = ["top_up", "usage_charge", "adjustment", "refund"];

/// An account's status from its balance: `delinquent` below zero, `low_balance` below the
/// threshold, else `active`.
pub fn reserve_status(balance_cents: i64, threshold_cents: i64) -> &'static str {
    if balance_cents < 0 {
        "delinquent"
    } else if balance_cents < threshold_cents {
        "low_balance"
    } else {
        "active"
    }
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    /// The entry's id.
    pub id: Uuid,
    /// The tenant whose reserve it belongs to.
    pub tenant_id: Uuid,
    /// 1, 2, 3 ... per account, without gaps.
    pub sequence: i64,
    /// `top_up`, `usage_charge`, `adjustment` or `refund`.
    pub kind: String,
    /// Signed amount: credits positive, charges negative.
    pub amount_cents: i64,
    /// The balance after this entry.
    pub balance_after_cents: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// Why (required for adjustments).
    pub reason: Option<String>,
    /// Who made it (adjustments).
    pub actor_id: Option<Uuid>,
    /// What it refers to: a top-up id, a usage batch.
    pub reference: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A manual correction of a reserve.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    /// Signed amount in cents (non-zero).
    #[cfg_attr(feature = "openapi", schema(minimum = -100000000, maximum = 100000000))]
    pub amount_cents: i64,
    /// Why, for the audit trail (1 to 500 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub reason: String,
}

impl AdjustmentRequest {
    /// Applies the shared rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("amount_cents", amount(self.amount_cents, true));
        e.check("reason", validation::name(&self.reason, 500));
        e.finish()
    }
}

/// Non-zero (or positive) and at most [`MAX_AMOUNT_CENTS`] in size.
///
/// # Errors
/// A message for people.
pub fn amount(cents: i64, signed: bool) -> Result<(), String> {
    if cents == 0 || (!signed && cents < 0) {
        Err(if signed {
            "must not be zero".into()
        } else {
            "must be positive".into()
        })
    } else if cents.unsigned_abs() > MAX_AMOUNT_CENTS as u64 {
        Err(format!("must be at most {MAX_AMOUNT_CENTS} cents"))
    } else {
        Ok(())
    }
}

/// Open a top-up of the caller's reserve.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TopUpRequest {
    /// Amount in cents (positive).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000000))]
    pub amount_cents: i64,
}

impl TopUpRequest {
    /// Applies the shared rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("amount_cents", amount(self.amount_cents, false));
        e.finish()
    }
}

/// A top-up waiting for, or credited by, the payment provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopUp {
    /// The top-up's id (the webhook names it in `metadata.top_up_id`).
    pub id: Uuid,
    /// Amount in cents.
    pub amount_cents: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// `pending` or `completed`.
    pub status: String,
    /// Where to pay; `null` when online payment is not configured.
    pub checkout_url: Option<String>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When the provider confirmed the payment and the reserve was credited.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A tenant's reserve as its members see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reserve {
    /// The tenant.
    pub tenant_id: Uuid,
    /// Current balance (the latest entry's `balance_after_cents`).
    pub balance_cents: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// `active`, `low_balance` or `delinquent`.
    pub status: String,
    /// The threshold below which the reserve is low.
    pub low_balance_threshold_cents: i64,
    /// The latest entries, newest first.
    pub recent_entries: Vec<LedgerEntry>,
    /// Whether top-ups can be paid online (a payment provider key is configured).
    pub online_payment: bool,
}

/// Totals across every reserve.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReserveSummary {
    /// Number of tenants (each has one reserve).
    pub total_accounts: i64,
    /// Sum of all balances, in cents.
    pub total_reserves_cents: i64,
    /// Accounts below their threshold but not negative.
    pub low_balance_count: i64,
    /// Accounts below zero.
    pub delinquent_count: i64,
    /// Usage charges in the range, in cents (positive).
    pub spend_in_range_cents: i64,
    /// ISO 4217 currency.
    pub currency: String,
}

/// One row of the accounts table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRow {
    /// The tenant.
    pub tenant_id: Uuid,
    /// Its slug.
    pub tenant_slug: String,
    /// Its name.
    pub tenant_name: String,
    /// Current balance.
    pub balance_cents: i64,
    /// Usage charges in the range (positive).
    pub spend_in_range_cents: i64,
    /// The latest top-up credit.
    pub last_top_up_at: Option<DateTime<Utc>>,
    /// `active`, `low_balance` or `delinquent`.
    pub status: String,
    /// The account's threshold (its own, or the global default).
    pub low_balance_threshold_cents: i64,
    /// ISO 4217 currency.
    pub currency: String,
}

/// Change an account's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// The account's own low-balance threshold in cents; `null` falls back to the global default.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub low_balance_threshold_cents: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_balance_and_threshold() {
        assert_eq!(reserve_status(-1, 1000), "delinquent");
        assert_eq!(reserve_status(0, 1000), "low_balance");
        assert_eq!(reserve_status(999, 1000), "low_balance");
        assert_eq!(reserve_status(1000, 1000), "active");
    }

    #[test]
    fn amounts_are_bounded() {
        assert!(amount(0, true).is_err());
        assert!(amount(-5, true).is_ok());
        assert!(amount(-5, false).is_err());
        assert!(amount(MAX_AMOUNT_CENTS + 1, false).is_err());
    }
}
