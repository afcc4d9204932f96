//! Redeeming one use of an activation code and one unit of a tenant's plan quota, each as
//! a single conditional `UPDATE`: device activation and project activation share these, so
//! the race-safety argument (see `activation.rs`) is made once.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use tessera_domain::entity::{activation_code, plan, tenant};
use tessera_domain::tenant::TenantStatus;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Redeems one use of the code, or says why it cannot be redeemed.
///
/// # Errors
/// `CODE_NOT_FOUND`, `CODE_REVOKED`, `CODE_EXPIRED` or `CODE_EXHAUSTED`; or the database failed.
pub async fn use_code(
    txn: &DatabaseTransaction,
    code_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let redeemed = activation_code::Entity::update_many()
        .col_expr(
            activation_code::Column::UseCount,
            Expr::col(activation_code::Column::UseCount).add(1),
        )
        .filter(activation_code::Column::Id.eq(code_id))
        .filter(
            Expr::col(activation_code::Column::UseCount)
                .lt(Expr::col(activation_code::Column::MaxUses)),
        )
        .filter(activation_code::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(activation_code::Column::ExpiresAt.is_null())
                .add(activation_code::Column::ExpiresAt.gt(now)),
        )
        .exec(txn)
        .await?;
    if redeemed.rows_affected != 1 {
        return Err(why_not_redeemable(txn, code_id, now).await?);
    }
    Ok(())
}

/// Takes one unit of a tenant's plan quota: `counter` rises by one only while it is below
/// the plan's `quota` column and the tenant is active.
///
/// # Errors
/// `TENANT_SUSPENDED`, or `refusal` when the quota is used up; or the database failed.
pub async fn take_quota(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    counter: tenant::Column,
    quota: plan::Column,
    refusal: ApiError,
) -> ApiResult<()> {
    let limit = Query::select()
        .column((plan::Entity, quota))
        .from(plan::Entity)
        .and_where(
            Expr::col((plan::Entity, plan::Column::Code))
                .equals((tenant::Entity, tenant::Column::Plan)),
        )
        .to_owned();
    let counted = tenant::Entity::update_many()
        .col_expr(counter, Expr::col(counter).add(1))
        .filter(tenant::Column::Id.eq(tenant_id))
        .filter(tenant::Column::Status.eq(TenantStatus::Active.as_str()))
        .filter(Expr::col((tenant::Entity, counter)).lt(limit))
        .exec(txn)
        .await?;
    if counted.rows_affected == 1 {
        return Ok(());
    }
    // The caller drops the transaction, which rolls back anything redeemed before.
    let suspended = tenant::Entity::find_by_id(tenant_id)
        .one(txn)
        .await?
        .is_none_or(|t| TenantStatus::from_stored(&t.status) != TenantStatus::Active);
    Err(if suspended {
        tenant_suspended()
    } else {
        refusal
    })
}

/// Gives one unit back (a device revoked, a project deleted); never below zero.
///
/// # Errors
/// The database failed.
pub async fn release_quota(
    conn: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    counter: tenant::Column,
) -> Result<(), DbErr> {
    tenant::Entity::update_many()
        .col_expr(counter, Expr::col(counter).sub(1))
        .filter(tenant::Column::Id.eq(tenant_id))
        .filter(Expr::col((tenant::Entity, counter)).gt(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Names the reason a conditional redemption matched no row (read after the fact, only to
/// choose the message: the decision was the update's).
async fn why_not_redeemable(
    txn: &DatabaseTransaction,
    code_id: Uuid,
    now: DateTime<Utc>,
) -> Result<ApiError, DbErr> {
    let code = activation_code::Entity::find_by_id(code_id)
        .one(txn)
        .await?;
    Ok(match code {
        None => ApiError::not_found("CODE_NOT_FOUND", "no such activation code"),
        Some(c) if c.revoked_at.is_some() => code_revoked(),
        Some(c) if c.expires_at.is_some_and(|e| e <= now) => code_expired(),
        Some(_) => ApiError::conflict(
            "CODE_EXHAUSTED",
            "this activation code has been used as many times as it allows",
        ),
    })
}

pub fn code_revoked() -> ApiError {
    ApiError::forbidden("CODE_REVOKED", "this activation code has been revoked")
}

pub fn code_expired() -> ApiError {
    ApiError::client(
        actix_web::http::StatusCode::GONE,
        "CODE_EXPIRED",
        "this activation code has expired",
    )
}

pub fn tenant_suspended() -> ApiError {
    ApiError::forbidden(
        "TENANT_SUSPENDED",
        "the organisation this code belongs to is suspended",
    )
}
