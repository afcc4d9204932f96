//! Tenants (staff): list, create, read, change, preview deletion, delete.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::Role;
use tessera_domain::code::AUTO_CODE_LABEL;
use tessera_domain::entity::tenant;
use tessera_domain::page::Paged;
use tessera_domain::plan::{SYSTEM_TENANT, auto_code_count};
use tessera_domain::tenant::{
    CreateTenantRequest, CreateTenantResponse, DeletionImpact, SubscriptionStatus, TenantStatus,
    TenantView, UpdateTenantRequest,
};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::body::Json;
use crate::codes::{self, NewCodes};
use crate::error::{ApiError, ApiResult};
use crate::lookup::tenant_by_ref;
use crate::paging::{self, Paging, Sort};
use crate::state::AppState;
use crate::views::{subscription_view, tenant_view};
use crate::{subscriptions, tenancy};

/// Filters, sort and paging for the tenant list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TenantListQuery {
    /// Case-insensitive substring of the slug, name or contact e-mail address.
    pub search: Option<String>,
    /// Only tenants on this plan (its code).
    pub plan: Option<String>,
    /// Only tenants with this status.
    pub status: Option<TenantStatus>,
    /// `slug`, `name`, `plan`, `status` or `created_at`; prefix `-` for descending
    /// (default `-created_at`).
    #[param(pattern = r"^([-+]?(slug|name|plan|status|created_at))?$")]
    pub sort: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

/// The deletion confirmation.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeleteTenantQuery {
    /// Must equal the tenant's slug: proof the caller means this tenant.
    pub confirm: Option<String>,
}

/// The searched text of a tenant in one expression, for the trigram index
/// `idx_tenants_search_trgm` (migration m20261125_000007_tenant_search, PostgreSQL), which
/// is built on exactly this expression: change both or neither. Without it every search
/// read the whole table twice, about 90 searches/s with 10,000 tenants (docs/BENCHMARKS.md).
const SEARCH_TEXT: &str = "LOWER(slug || ' ' || name || ' ' || COALESCE(contact_email, ''))";

const SORTS: [(&str, tenant::Column); 5] = [
    ("slug", tenant::Column::Slug),
    ("name", tenant::Column::Name),
    ("plan", tenant::Column::Plan),
    ("status", tenant::Column::Status),
    ("created_at", tenant::Column::CreatedAt),
];

/// The tenant named by a `{tenant}` path segment (slug or id).
///
/// # Errors
/// 404 `TENANT_NOT_FOUND`; or the database failed.
pub async fn find_tenant(
    conn: &impl sea_orm::ConnectionTrait,
    reference: &str,
) -> ApiResult<tenant::Model> {
    tenant_by_ref(conn, reference)
        .await?
        .ok_or_else(|| ApiError::not_found("TENANT_NOT_FOUND", "no such tenant"))
}

/// Refuses changes that would break the platform's own tenant.
fn protect_system(t: &tenant::Model, what: &str) -> ApiResult<()> {
    if t.slug == SYSTEM_TENANT {
        return Err(ApiError::conflict(
            "SYSTEM_TENANT_PROTECTED",
            format!("the platform's own system tenant cannot be {what}"),
        ));
    }
    Ok(())
}

/// Lists tenants with search, plan and status filters, sorting and paging.
#[utoipa::path(
    tag = "tenants",
    params(TenantListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tenants", body = Paged<TenantView>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 422, description = "Unknown sort field, bad filter or paging", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/tenants")]
pub async fn list_tenants(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<TenantListQuery>,
) -> ApiResult<web::Json<Paged<TenantView>>> {
    auth.require(Role::Admin)?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let sort = Sort::parse(
        q.sort.as_deref(),
        &SORTS,
        Sort {
            column: tenant::Column::CreatedAt,
            descending: true,
        },
    )?;
    let mut select = tenant::Entity::find();
    if let Some(c) = paging::search_indexed(
        q.search.as_deref(),
        &[
            tenant::Column::Slug,
            tenant::Column::Name,
            tenant::Column::ContactEmail,
        ],
        SEARCH_TEXT,
    ) {
        select = select.filter(c);
    }
    if let Some(p) = q.plan.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        select = select.filter(tenant::Column::Plan.eq(p));
    }
    if let Some(s) = q.status {
        select = select.filter(tenant::Column::Status.eq(s.as_str()));
    }
    let (rows, total) = paging::fetch(&state.db, select, sort, tenant::Column::Id, paging).await?;
    Ok(web::Json(
        paging.wrap(rows.iter().map(tenant_view).collect(), total),
    ))
}

/// Creates a tenant on a plan with an `active` subscription, and generates its first
/// activation codes: 10% of the plan's project quota, rounded up, at least one; single-use,
/// labelled "Auto-generated on tenant creation". Their plaintext is in this answer only.
#[utoipa::path(
    tag = "tenants",
    request_body = CreateTenantRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The tenant, its subscription and its codes (plaintext shown once)", body = CreateTenantResponse),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 409, description = "`SLUG_TAKEN`", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields or unknown plan", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/tenants")]
pub async fn create_tenant(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    body: Json<CreateTenantRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let slug = req.slug.trim().to_owned();
    let now = Utc::now();

    let txn = crate::db::begin(&state.db).await?;
    if tenant_by_ref(&txn, &slug).await?.is_some() {
        return Err(ApiError::conflict(
            "SLUG_TAKEN",
            format!("the slug {slug} is already taken"),
        ));
    }
    let plan = subscriptions::assignable_plan(&txn, &req.plan).await?;
    let t = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug),
        name: Set(req.name.trim().to_owned()),
        contact_email: Set(req
            .contact_email
            .as_deref()
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty())),
        plan: Set(plan.code.clone()),
        status: Set(TenantStatus::Active.as_str().into()),
        active_devices: Set(0),
        project_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let sub = subscriptions::change(&txn, &t, &plan, Some(SubscriptionStatus::Active), now).await?;
    let issued = codes::issue(
        &txn,
        &state.hasher,
        NewCodes {
            tenant_id: t.id,
            count: auto_code_count(plan.project_quota) as usize,
            label: Some(AUTO_CODE_LABEL),
            max_uses: 1,
            expires_at: None,
            created_by: Some(auth.user_id),
        },
    )
    .await?;
    let view = tenant_view(&t);
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "tenant.create",
            target_type: "tenant",
            target_id: Some(t.id.to_string()),
            tenant_id: Some(t.id),
            before: None,
            after: Some(
                json!({"tenant": view, "subscription": subscription_view(&sub),
                               "auto_generated_codes": issued.len()}),
            ),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(CreateTenantResponse {
        tenant: view,
        subscription: subscription_view(&sub),
        codes: issued,
    }))
}

/// One tenant, by slug or id.
#[utoipa::path(
    tag = "tenants",
    params(("tenant" = String, Path, description = "The tenant's slug or id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tenant", body = TenantView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`TENANT_NOT_FOUND`", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/tenants/{tenant}")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<TenantView>> {
    auth.require(Role::Admin)?;
    let t = find_tenant(&state.db, &path).await?;
    Ok(web::Json(tenant_view(&t)))
}

/// Changes a tenant's name, contact, status or plan. A plan change closes the current
/// subscription period and opens one on the new plan with the same status, exactly like
/// `POST /admin/api/tenants/{tenant}/subscriptions`. Suspending a tenant refuses its
/// members' sign-in and its devices' activation and validation.
#[utoipa::path(
    tag = "tenants",
    params(("tenant" = String, Path, description = "The tenant's slug or id")),
    request_body = UpdateTenantRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed tenant", body = TenantView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`TENANT_NOT_FOUND`", body = tessera_domain::Problem),
        (status = 409, description = "`SYSTEM_TENANT_PROTECTED`: the system tenant cannot be suspended or moved to another plan", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields or unknown plan", body = tessera_domain::Problem),
    )
)]
#[patch("/admin/api/tenants/{tenant}")]
pub async fn update_tenant(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<String>,
    body: Json<UpdateTenantRequest>,
) -> ApiResult<web::Json<TenantView>> {
    auth.require(Role::Admin)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let t = find_tenant(&txn, &path).await?;
    let new_plan = req.plan.as_deref().map(str::trim).filter(|p| *p != t.plan);
    if req.status == Some(TenantStatus::Suspended) {
        protect_system(&t, "suspended")?;
    }
    if new_plan.is_some() {
        protect_system(&t, "moved to another plan")?;
    }
    let before = tenant_view(&t);
    let mut row = t.clone().into_active_model();
    // Only values that differ are written, so a no-op patch leaves no audit event.
    if let Some(n) = req.name.as_deref().map(str::trim).filter(|n| *n != t.name) {
        row.name = Set(n.to_owned());
    }
    if let Some(c) = &req.contact_email {
        let c = Some(c.trim().to_lowercase()).filter(|c| !c.is_empty());
        if c != t.contact_email {
            row.contact_email = Set(c);
        }
    }
    if let Some(s) = req.status.filter(|s| s.as_str() != t.status) {
        row.status = Set(s.as_str().to_owned());
    }
    if row.is_changed() {
        row.updated_at = Set(now);
        row.update(&txn).await?;
    }
    if let Some(code) = new_plan {
        let plan = subscriptions::assignable_plan(&txn, code).await?;
        subscriptions::change(&txn, &t, &plan, None, now).await?;
    }
    let after = tenant_view(&find_tenant(&txn, &t.id.to_string()).await?);
    if after != before {
        audit::record(
            &txn,
            AuditEntry {
                actor: Some(&auth),
                action: "tenant.update",
                target_type: "tenant",
                target_id: Some(t.id.to_string()),
                tenant_id: Some(t.id),
                before: Some(json!(before)),
                after: Some(json!(after)),
                ip: Some(ip),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(web::Json(after))
}

/// Exact counts of every record that `DELETE /admin/api/tenants/{tenant}` would remove,
/// for the confirmation dialog.
#[utoipa::path(
    tag = "tenants",
    params(("tenant" = String, Path, description = "The tenant's slug or id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What deletion removes", body = DeletionImpact),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`TENANT_NOT_FOUND`", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/tenants/{tenant}/deletion-impact")]
pub async fn get_tenant_deletion_impact(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<DeletionImpact>> {
    auth.require(Role::Admin)?;
    let t = find_tenant(&state.db, &path).await?;
    Ok(web::Json(tenancy::deletion_impact(&state.db, t.id).await?))
}

/// Deletes a tenant and everything it owns, in one transaction: its codes and devices are
/// revoked, then usage, subscriptions, codes, devices, worklogs, users and the tenant are
/// deleted. `?confirm=` must equal the tenant's slug. The audit trail keeps a record with
/// the counts. The `system` tenant cannot be deleted.
#[utoipa::path(
    tag = "tenants",
    params(
        ("tenant" = String, Path, description = "The tenant's slug or id"),
        DeleteTenantQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`TENANT_NOT_FOUND`", body = tessera_domain::Problem),
        (status = 409, description = "`SYSTEM_TENANT_PROTECTED`", body = tessera_domain::Problem),
        (status = 422, description = "`confirm` is missing or is not the tenant's slug", body = tessera_domain::Problem),
    )
)]
#[delete("/admin/api/tenants/{tenant}")]
pub async fn delete_tenant(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<String>,
    q: web::Query<DeleteTenantQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let txn = crate::db::begin(&state.db).await?;
    let t = find_tenant(&txn, &path).await?;
    protect_system(&t, "deleted")?;
    if q.confirm.as_deref().map(str::trim) != Some(t.slug.as_str()) {
        return Err(ApiError::field(
            "confirm",
            format!(
                "must be the tenant's slug ({}) to confirm the deletion",
                t.slug
            ),
        ));
    }
    let impact = tenancy::deletion_impact(&txn, t.id).await?;
    tenancy::purge(&txn, t.id).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "tenant.delete",
            target_type: "tenant",
            target_id: Some(t.id.to_string()),
            tenant_id: Some(t.id),
            before: Some(json!({"tenant": tenant_view(&t), "deleted": impact})),
            after: None,
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_fields_match_the_shared_list() {
        let names: Vec<&str> = SORTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, tessera_domain::tenant::TENANT_SORT_FIELDS);
    }
}
