//! The one rule for changing a tenant's subscription, shared by `PATCH /admin/api/tenants/{tenant}`
//! (plan) and `POST /admin/api/tenants/{tenant}/subscriptions` (plan and status): close the
//! current period and open a new one, so the history that MRR movements are computed from
//! is never edited in place.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use tessera_domain::entity::{plan, subscription, tenant};
use tessera_domain::tenant::SubscriptionStatus;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The tenant's open period (`ended_at` is null), if any.
///
/// # Errors
/// The database failed.
pub async fn current(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> ApiResult<Option<subscription::Model>> {
    Ok(subscription::Entity::find()
        .filter(subscription::Column::TenantId.eq(tenant_id))
        .filter(subscription::Column::EndedAt.is_null())
        .order_by_desc(subscription::Column::StartedAt)
        .one(conn)
        .await?)
}

/// Moves the tenant to `plan` with `status` (`None` keeps the current status, or `active`
/// when there is no open period): closes the open period at `now`, opens a new one priced at
/// the plan's current price, and sets the tenant's plan. Call it inside the caller's
/// transaction.
///
/// # Errors
/// 409 `SUBSCRIPTION_UNCHANGED` when the plan and status are already the current ones; or
/// the database failed.
pub async fn change(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    plan: &plan::Model,
    status: Option<SubscriptionStatus>,
    now: DateTime<Utc>,
) -> ApiResult<subscription::Model> {
    // Writing the tenant row first takes its row lock on PostgreSQL, so two changes of one
    // tenant run one after the other and never leave two open periods.
    tenant::Entity::update_many()
        .col_expr(tenant::Column::Plan, Expr::value(plan.code.clone()))
        .col_expr(tenant::Column::UpdatedAt, Expr::value(now))
        .filter(tenant::Column::Id.eq(tenant.id))
        .exec(conn)
        .await?;
    let open = current(conn, tenant.id).await?;
    let status = status.unwrap_or_else(|| {
        open.as_ref()
            .and_then(|s| SubscriptionStatus::parse(&s.status))
            .unwrap_or(SubscriptionStatus::Active)
    });
    if open
        .as_ref()
        .is_some_and(|s| s.plan == plan.code && s.status == status.as_str())
    {
        return Err(ApiError::conflict(
            "SUBSCRIPTION_UNCHANGED",
            format!(
                "the tenant is already {} on the {} plan",
                status.as_str(),
                plan.code
            ),
        ));
    }
    subscription::Entity::update_many()
        .col_expr(subscription::Column::EndedAt, Expr::value(now))
        .filter(subscription::Column::TenantId.eq(tenant.id))
        .filter(subscription::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(subscription::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.id),
        plan: Set(plan.code.clone()),
        status: Set(status.as_str().to_owned()),
        monthly_price_cents: Set(plan.monthly_price_cents),
        started_at: Set(now),
        ended_at: Set(None),
    }
    .insert(conn)
    .await?)
}

/// The plan with this code, for assigning to a tenant.
///
/// # Errors
/// 422 on `plan` when there is no such plan; or the database failed.
pub async fn assignable_plan(conn: &impl ConnectionTrait, code: &str) -> ApiResult<plan::Model> {
    plan::Entity::find_by_id(code.trim().to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::field("plan", format!("there is no plan {:?}", code.trim())))
}
