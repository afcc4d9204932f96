//! A tenant's subscription history (staff): list it, change plan or status.

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::Role;
use tessera_domain::entity::subscription;
use tessera_domain::page::Paged;
use tessera_domain::tenant::{ChangeSubscriptionRequest, SubscriptionView};
use utoipa::IntoParams;

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::body::Json;
use crate::error::{ApiError, ApiResult};
use crate::paging::{self, Paging, Sort};
use crate::routes::tenants::find_tenant;
use crate::state::AppState;
use crate::subscriptions;
use crate::views::subscription_view;

/// Sort and paging for the subscription history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionListQuery {
    /// `started_at`, `ended_at` or `plan`; prefix `-` for descending (default `-started_at`).
    #[param(pattern = r"^([-+]?(started_at|ended_at|plan))?$")]
    pub sort: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

const SORTS: [(&str, subscription::Column); 3] = [
    ("started_at", subscription::Column::StartedAt),
    ("ended_at", subscription::Column::EndedAt),
    ("plan", subscription::Column::Plan),
];

/// A tenant's subscription periods, newest first by default. The current period has
/// `ended_at: null`; the history is what MRR movements are computed from.
#[utoipa::path(
    tag = "tenants",
    params(
        ("tenant" = String, Path, description = "The tenant's slug or id"),
        SubscriptionListQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of subscription periods", body = Paged<SubscriptionView>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`TENANT_NOT_FOUND`", body = tessera_domain::Problem),
        (status = 422, description = "Unknown sort field or bad paging", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/tenants/{tenant}/subscriptions")]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
    q: web::Query<SubscriptionListQuery>,
) -> ApiResult<web::Json<Paged<SubscriptionView>>> {
    auth.require(Role::Admin)?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let sort = Sort::parse(
        q.sort.as_deref(),
        &SORTS,
        Sort {
            column: subscription::Column::StartedAt,
            descending: true,
        },
    )?;
    let t = find_tenant(&state.db, &path).await?;
    let select = subscription::Entity::find().filter(subscription::Column::TenantId.eq(t.id));
    let (rows, total) =
        paging::fetch(&state.db, select, sort, subscription::Column::Id, paging).await?;
    Ok(web::Json(
        paging.wrap(rows.iter().map(subscription_view).collect(), total),
    ))
}

/// Changes a tenant's plan or subscription status: the current period is closed
/// (`ended_at` = now) and a new one opens at the plan's current price. Cancel with
/// `status: canceled`; reactivate by posting a non-canceled status. The tenant's plan
/// follows the new period.
#[utoipa::path(
    tag = "tenants",
    params(("tenant" = String, Path, description = "The tenant's slug or id")),
    request_body = ChangeSubscriptionRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new current period", body = SubscriptionView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`TENANT_NOT_FOUND`", body = tessera_domain::Problem),
        (status = 409, description = "`SUBSCRIPTION_UNCHANGED` (already on that plan and status) or `SYSTEM_TENANT_PROTECTED`", body = tessera_domain::Problem),
        (status = 422, description = "Invalid status or unknown plan", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/tenants/{tenant}/subscriptions")]
pub async fn change_subscription(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<String>,
    body: Json<ChangeSubscriptionRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let t = find_tenant(&txn, &path).await?;
    if t.slug == tessera_domain::plan::SYSTEM_TENANT {
        return Err(ApiError::conflict(
            "SYSTEM_TENANT_PROTECTED",
            "the platform's own system tenant keeps its system subscription",
        ));
    }
    let plan = subscriptions::assignable_plan(&txn, &req.plan).await?;
    let before = subscriptions::current(&txn, t.id).await?;
    let new = subscriptions::change(&txn, &t, &plan, Some(req.status), now).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "subscription.change",
            target_type: "tenant",
            target_id: Some(t.id.to_string()),
            tenant_id: Some(t.id),
            before: before.as_ref().map(|s| json!(subscription_view(s))),
            after: Some(json!(subscription_view(&new))),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(subscription_view(&new)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_fields_match_the_shared_list() {
        let names: Vec<&str> = SORTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, tessera_domain::tenant::SUBSCRIPTION_SORT_FIELDS);
    }
}
