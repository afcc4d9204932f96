//! Billing reserves (`/api/billing/*`) and the tenant's usage rollups (`/api/usage/rollups`).

use chrono::NaiveDate;
use gloo_net::http::Method;
use tessera_domain::billing::{
    AccountPatch, AccountRow, AdjustmentRequest, LedgerEntry, Reserve, ReserveSummary, TopUp,
    TopUpRequest,
};
use tessera_domain::page::{CursorPage, Paged};
use tessera_domain::usage::{UsageEvent, UsageRollup};

use super::query::{encode, query_string};
use super::{ApiError, Call, authorised, json};

/// Rows per page of the accounts table.
pub const ACCOUNTS_PER_PAGE: u64 = 25;
/// Entries per slice of a ledger.
pub const LEDGER_LIMIT: u64 = 25;
/// Top-ups per slice of the tenant's list.
pub const TOP_UPS_LIMIT: u64 = 10;
/// Usage events per slice on the reserve page.
pub const USAGE_EVENTS_LIMIT: u64 = 20;
/// The header that makes a repeated POST return its first answer instead of a second entry.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// A range of whole days (UTC), both ends inclusive, as the API reads `from`/`to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl DayRange {
    fn pairs(self) -> [(&'static str, Option<String>); 2] {
        [
            ("from", Some(self.from.to_string())),
            ("to", Some(self.to.to_string())),
        ]
    }
}

/// The accounts table's range, filter, sort and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountQuery {
    /// The range that "spend" covers.
    pub range: DayRange,
    /// `active`, `low_balance`, `delinquent`, or empty for all.
    pub status: String,
    /// `tenant`, `balance`, `spend`, `last_top_up` or `status`; `-` in front for descending.
    pub sort: String,
    /// 1-based page.
    pub page: u64,
}

/// Totals across every reserve for a range.
///
/// # Errors
/// 403 for non-staff, 422 for a range whose start is after its end.
pub async fn summary(range: DayRange) -> Result<ReserveSummary, ApiError> {
    let query = query_string(range.pairs());
    let call = Call::get(format!("/api/billing/admin/reserve/summary{query}"));
    json(authorised(&call).await?).await
}

/// One page of the accounts table.
///
/// # Errors
/// 403 for non-staff, 422 for a bad range, status, sort or page.
pub async fn accounts(q: AccountQuery) -> Result<Paged<AccountRow>, ApiError> {
    let [from, to] = q.range.pairs();
    let query = query_string([
        from,
        to,
        ("status", Some(q.status)),
        ("sort", Some(q.sort)),
        ("page", Some(q.page.to_string())),
        ("per_page", Some(ACCOUNTS_PER_PAGE.to_string())),
    ]);
    let call = Call::get(format!("/api/billing/admin/accounts{query}"));
    json(authorised(&call).await?).await
}

/// One slice of a tenant's ledger, newest first.
///
/// # Errors
/// 403 for non-staff, 404 for an unknown tenant, 422 for a malformed cursor.
pub async fn ledger(
    tenant: &str,
    cursor: Option<String>,
) -> Result<CursorPage<LedgerEntry>, ApiError> {
    let query = query_string([
        ("cursor", cursor),
        ("limit", Some(LEDGER_LIMIT.to_string())),
    ]);
    let call = Call::get(format!(
        "/api/billing/admin/accounts/{}/ledger{query}",
        encode(tenant)
    ));
    json(authorised(&call).await?).await
}

/// Credits (positive) or debits (negative) a tenant's reserve with a reason.
///
/// `key` is the dialog's Idempotency-Key: sending the same request again (a double click,
/// a retry after a lost answer) returns the first entry instead of writing a second.
///
/// # Errors
/// 403, 404, 409 `IDEMPOTENCY_KEY_REUSED`, 422 with field errors.
pub async fn adjust(
    tenant: &str,
    request: &AdjustmentRequest,
    key: &str,
) -> Result<LedgerEntry, ApiError> {
    let call = Call::post(
        format!("/api/billing/admin/accounts/{}/adjustments", encode(tenant)),
        request,
    )
    .header(IDEMPOTENCY_KEY, key);
    json(authorised(&call).await?).await
}

/// Sets a tenant's own low-balance threshold (`None` falls back to the global default).
///
/// # Errors
/// 403, 404, 422 for a negative threshold.
pub async fn set_threshold(tenant: &str, patch: &AccountPatch) -> Result<AccountRow, ApiError> {
    let call = Call::new(
        Method::PATCH,
        format!("/api/billing/admin/accounts/{}", encode(tenant)),
    )
    .json(patch);
    json(authorised(&call).await?).await
}

/// The accounts table of a range as CSV text.
///
/// Fetched through the authorised client (a plain link could not carry the bearer
/// token) and then handed to the browser as a file.
///
/// # Errors
/// 403 for non-staff, 422 for a bad range.
pub async fn export_csv(range: DayRange) -> Result<String, ApiError> {
    let query = query_string(range.pairs());
    let call = Call::get(format!("/api/billing/admin/accounts/export.csv{query}"));
    authorised(&call)
        .await?
        .text()
        .await
        .map_err(|e| ApiError::Network(format!("The export could not be read: {e}")))
}

/// The caller's own reserve: balance, status, threshold and latest entries.
///
/// # Errors
/// 404 `RESERVE_NOT_FOUND` for staff, who have no tenant.
pub async fn reserve() -> Result<Reserve, ApiError> {
    json(authorised(&Call::get("/api/billing/reserve")).await?).await
}

/// Opens a pending top-up of the caller's reserve (org admins).
///
/// # Errors
/// 403 below org admin, 409 `IDEMPOTENCY_KEY_REUSED`, 422 for a bad amount.
pub async fn top_up(request: &TopUpRequest, key: &str) -> Result<TopUp, ApiError> {
    let call = Call::post("/api/billing/top-ups", request).header(IDEMPOTENCY_KEY, key);
    json(authorised(&call).await?).await
}

/// The caller's tenant's top-ups, newest first: one slice after `cursor`.
///
/// # Errors
/// 404 for staff (no tenant), 422 for a bad cursor.
pub async fn top_ups(cursor: Option<String>) -> Result<CursorPage<TopUp>, ApiError> {
    let query = query_string([
        ("cursor", cursor),
        ("limit", Some(TOP_UPS_LIMIT.to_string())),
    ]);
    json(authorised(&Call::get(format!("/api/billing/top-ups{query}"))).await?).await
}

/// The caller's tenant's daily usage per kind in a range, oldest first.
///
/// # Errors
/// 403 for staff, 422 for a bad range.
pub async fn usage_rollups(range: DayRange) -> Result<Vec<UsageRollup>, ApiError> {
    let query = query_string(range.pairs());
    json(authorised(&Call::get(format!("/api/usage/rollups{query}"))).await?).await
}

/// Usage events, newest occurrence first, one slice after `cursor`: the caller's tenant's,
/// or with `tenant` (staff) that tenant's.
///
/// # Errors
/// 403 for staff without `tenant` and for members with one, 404 for an unknown tenant,
/// 422 for a bad cursor.
pub async fn usage_events(
    tenant: Option<String>,
    cursor: Option<String>,
) -> Result<CursorPage<UsageEvent>, ApiError> {
    let path = if tenant.is_some() {
        "/admin/api/usage/events"
    } else {
        "/api/usage/events"
    };
    let query = query_string([
        ("tenant", tenant),
        ("cursor", cursor),
        ("limit", Some(USAGE_EVENTS_LIMIT.to_string())),
    ]);
    json(authorised(&Call::get(format!("{path}{query}"))).await?).await
}
