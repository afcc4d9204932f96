//! The reserve ledger: append-only, one gap-free sequence per tenant, each entry carrying
//! the balance after it. Appends serialise per account (a row lock on PostgreSQL, the
//! single writer on SQLite) and the unique `(tenant_id, sequence)` index makes a forked
//! chain impossible even if that were ever bypassed.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use tessera_domain::billing::{CURRENCY, LedgerEntry};
use tessera_domain::entity::{ledger_entry, reserve_account};
use uuid::Uuid;

use crate::config::Settings;
use crate::error::{ApiError, ApiResult};

/// What to append.
pub struct NewEntry<'a> {
    /// `top_up`, `usage_charge`, `adjustment` or `refund`.
    pub kind: &'a str,
    /// Signed amount: credits positive, charges negative.
    pub amount_cents: i64,
    /// Why (adjustments).
    pub reason: Option<String>,
    /// Who (adjustments).
    pub actor_id: Option<Uuid>,
    /// What it refers to.
    pub reference: Option<String>,
}

/// The tenant's reserve account, created on first use.
///
/// # Errors
/// The database failed.
pub async fn account(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> ApiResult<reserve_account::Model> {
    if let Some(a) = reserve_account::Entity::find()
        .filter(reserve_account::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
    {
        return Ok(a);
    }
    let fresh = reserve_account::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        currency: Set(CURRENCY.into()),
        low_balance_threshold_cents: Set(None),
        created_at: Set(Utc::now()),
    };
    reserve_account::Entity::insert(fresh)
        .on_conflict_do_nothing_on([reserve_account::Column::TenantId])
        .exec(conn)
        .await?;
    reserve_account::Entity::find()
        .filter(reserve_account::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::Internal("reserve account vanished".into()))
}

/// The newest entry of a tenant's ledger.
///
/// # Errors
/// The database failed.
pub async fn latest(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> ApiResult<Option<ledger_entry::Model>> {
    Ok(ledger_entry::Entity::find()
        .filter(ledger_entry::Column::TenantId.eq(tenant_id))
        .order_by_desc(ledger_entry::Column::Sequence)
        .limit(1)
        .one(conn)
        .await?)
}

/// Appends an entry inside the caller's transaction and returns it.
///
/// # Errors
/// The database failed.
pub async fn append(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    e: NewEntry<'_>,
) -> ApiResult<ledger_entry::Model> {
    let acct = account(conn, tenant_id).await?;
    // Serialise appends to this account until the transaction ends (no-op on SQLite,
    // whose single connection already serialises writers).
    reserve_account::Entity::find_by_id(acct.id)
        .lock_exclusive()
        .one(conn)
        .await?;
    let (sequence, balance) = match latest(conn, tenant_id).await? {
        Some(last) => (last.sequence + 1, last.balance_after_cents),
        None => (1, 0),
    };
    let row = ledger_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        account_id: Set(acct.id),
        sequence: Set(sequence),
        kind: Set(e.kind.into()),
        amount_cents: Set(e.amount_cents),
        balance_after_cents: Set(balance + e.amount_cents),
        currency: Set(acct.currency),
        reason: Set(e.reason),
        actor_id: Set(e.actor_id),
        reference: Set(e.reference),
        created_at: Set(Utc::now()),
    };
    Ok(row.insert(conn).await?)
}

/// The account's low-balance threshold: its own, or the global default.
pub fn threshold(acct: Option<&reserve_account::Model>, settings: &Settings) -> i64 {
    acct.and_then(|a| a.low_balance_threshold_cents)
        .unwrap_or(settings.low_balance_cents)
}

/// An entry as the API shows it.
pub fn entry_view(m: &ledger_entry::Model) -> LedgerEntry {
    LedgerEntry {
        id: m.id,
        tenant_id: m.tenant_id,
        sequence: m.sequence,
        kind: m.kind.clone(),
        amount_cents: m.amount_cents,
        balance_after_cents: m.balance_after_cents,
        currency: m.currency.clone(),
        reason: m.reason.clone(),
        actor_id: m.actor_id,
        reference: m.reference.clone(),
        created_at: m.created_at,
    }
}
