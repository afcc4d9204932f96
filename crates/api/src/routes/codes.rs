//! Activation codes: generate, list and revoke (staff); a tenant admin's own list.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::Role;
use tessera_domain::code::{CodeStatus, CodeView, CreateCodesRequest, CreateCodesResponse};
use tessera_domain::entity::activation_code;
use tessera_domain::page::Paged;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::body::Json;
use crate::codes::{self, NewCodes, status_condition};
use crate::error::{ApiError, ApiResult};
use crate::lookup::{filter_by_tenant, page_with_slugs, tenant_by_ref, tenant_slugs};
use crate::paging::{self, Paging, Sort};
use crate::state::AppState;
use crate::views::code_view;

/// Filters, sort and paging for the staff code list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CodeListQuery {
    /// Only this tenant's codes (slug or id).
    pub tenant: Option<String>,
    /// Only codes with this derived status.
    pub status: Option<CodeStatus>,
    /// Case-insensitive substring of the label or the four-symbol prefix.
    pub search: Option<String>,
    /// `created_at`, `expires_at`, `use_count`, `label` or `prefix`; prefix `-` for
    /// descending (default `-created_at`).
    pub sort: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

/// Filters, sort and paging for a tenant admin's own codes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TenantCodeListQuery {
    /// Only codes with this derived status.
    pub status: Option<CodeStatus>,
    /// Case-insensitive substring of the label or the four-symbol prefix.
    pub search: Option<String>,
    /// `created_at`, `expires_at`, `use_count`, `label` or `prefix`; prefix `-` for
    /// descending (default `-created_at`).
    pub sort: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

const SORTS: [(&str, activation_code::Column); 5] = [
    ("created_at", activation_code::Column::CreatedAt),
    ("expires_at", activation_code::Column::ExpiresAt),
    ("use_count", activation_code::Column::UseCount),
    ("label", activation_code::Column::Label),
    ("prefix", activation_code::Column::Prefix),
];

/// One page of codes matching the filters, with their tenants' slugs.
async fn page_of_codes(
    conn: &impl ConnectionTrait,
    mut select: Select<activation_code::Entity>,
    status: Option<CodeStatus>,
    search: Option<&str>,
    sort: Option<&str>,
    paging: Paging,
) -> ApiResult<Paged<CodeView>> {
    let sort = Sort::parse(
        sort,
        &SORTS,
        Sort {
            column: activation_code::Column::CreatedAt,
            descending: true,
        },
    )?;
    let now = Utc::now();
    if let Some(s) = status {
        select = select.filter(status_condition(s, now));
    }
    if let Some(c) = paging::search(
        search,
        &[
            activation_code::Column::Label,
            activation_code::Column::Prefix,
        ],
    ) {
        select = select.filter(c);
    }
    Ok(page_with_slugs(
        conn,
        select,
        sort,
        activation_code::Column::Id,
        paging,
        |c| c.tenant_id,
        |c, slug| code_view(c, slug, now),
    )
    .await?)
}

/// Generates 1 to 1000 activation codes for a tenant. The answer carries each code's
/// plaintext, `XXXX-XXXX-XXXX-XXXX`, exactly once: only a keyed hash and the first four
/// symbols are stored.
#[utoipa::path(
    tag = "codes",
    request_body = CreateCodesRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The codes, with their plaintext shown once", body = CreateCodesResponse),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields or unknown tenant", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/codes")]
pub async fn create_activation_codes(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    body: Json<CreateCodesRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let expires_at: Option<DateTime<Utc>> = req.ttl_days.map(|d| Utc::now() + Duration::days(d));
    // Bounds were validated above, so the narrowing casts cannot truncate.
    let max_uses = req.max_uses.unwrap_or(1) as i32;
    let txn = crate::db::begin(&state.db).await?;
    let t = tenant_by_ref(&txn, &req.tenant)
        .await?
        .ok_or_else(|| ApiError::field("tenant", "there is no such tenant"))?;
    let issued = codes::issue(
        &txn,
        &state.hasher,
        NewCodes {
            tenant_id: t.id,
            count: req.count as usize,
            label: req.label.as_deref(),
            max_uses,
            expires_at,
            created_by: Some(auth.user_id),
        },
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "code.create",
            target_type: "tenant",
            target_id: Some(t.id.to_string()),
            tenant_id: Some(t.id),
            before: None,
            after: Some(json!({
                "count": issued.len(),
                "label": issued.first().and_then(|c| c.label.clone()),
                "max_uses": max_uses,
                "expires_at": expires_at,
                "code_ids": issued.iter().map(|c| c.id).collect::<Vec<Uuid>>(),
            })),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(CreateCodesResponse {
        tenant_id: t.id,
        tenant_slug: t.slug,
        codes: issued,
    }))
}

/// Lists activation codes across tenants with tenant, status and search filters, sorting
/// and paging. Status is derived: `revoked`, else `used` (every use redeemed), else
/// `expired`, else `active`.
#[utoipa::path(
    tag = "codes",
    params(CodeListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of codes (never their plaintext)", body = Paged<CodeView>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 422, description = "Unknown sort field, bad filter or paging", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/codes")]
pub async fn list_activation_codes(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<CodeListQuery>,
) -> ApiResult<web::Json<Paged<CodeView>>> {
    auth.require(Role::Admin)?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let Some(select) = filter_by_tenant(
        &state.db,
        activation_code::Entity::find(),
        activation_code::Column::TenantId,
        q.tenant.as_deref(),
    )
    .await?
    else {
        return Ok(web::Json(paging.wrap(Vec::new(), 0)));
    };
    let page = page_of_codes(
        &state.db,
        select,
        q.status,
        q.search.as_deref(),
        q.sort.as_deref(),
        paging,
    )
    .await?;
    Ok(web::Json(page))
}

/// Revokes a code: it activates no further devices. Devices it already activated keep
/// working until they are revoked themselves. Revoking a revoked code changes nothing.
#[utoipa::path(
    tag = "codes",
    params(("id" = Uuid, Path, description = "The code's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revoked code", body = CodeView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`CODE_NOT_FOUND`", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/codes/{id}/revoke")]
pub async fn revoke_activation_code(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<CodeView>> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let not_found = || ApiError::not_found("CODE_NOT_FOUND", "no such activation code");
    let before = activation_code::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let revoked = activation_code::Entity::update_many()
        .col_expr(activation_code::Column::RevokedAt, Expr::value(now))
        .filter(activation_code::Column::Id.eq(id))
        .filter(activation_code::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let after = activation_code::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let slugs = tenant_slugs(&txn, [after.tenant_id]).await?;
    let slug = slugs.get(&after.tenant_id).map_or("", String::as_str);
    let view = code_view(&after, slug, now);
    if revoked.rows_affected == 1 {
        audit::record(
            &txn,
            AuditEntry {
                actor: Some(&auth),
                action: "code.revoke",
                target_type: "activation_code",
                target_id: Some(id.to_string()),
                tenant_id: Some(after.tenant_id),
                before: Some(json!(code_view(&before, slug, now))),
                after: Some(json!(view)),
                ip: Some(ip),
            },
        )
        .await?;
    }
    txn.commit().await?;
    if revoked.rows_affected == 1 {
        state
            .events
            .publish("code_revoked", Some(view.tenant_id), json!({"code": view}));
    }
    Ok(web::Json(view))
}

/// The caller's organisation's activation codes (org admins), with status and search
/// filters, sorting and paging.
#[utoipa::path(
    tag = "codes",
    params(TenantCodeListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the organisation's codes (never their plaintext)", body = Paged<CodeView>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not an organisation admin", body = tessera_domain::Problem),
        (status = 422, description = "Unknown sort field, bad filter or paging", body = tessera_domain::Problem),
    )
)]
#[get("/api/tenant/codes")]
pub async fn list_tenant_codes(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<TenantCodeListQuery>,
) -> ApiResult<web::Json<Paged<CodeView>>> {
    let tenant_id = auth.own_tenant_admin()?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let select =
        activation_code::Entity::find().filter(activation_code::Column::TenantId.eq(tenant_id));
    let page = page_of_codes(
        &state.db,
        select,
        q.status,
        q.search.as_deref(),
        q.sort.as_deref(),
        paging,
    )
    .await?;
    Ok(web::Json(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_fields_match_the_shared_list() {
        let names: Vec<&str> = SORTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, tessera_domain::code::CODE_SORT_FIELDS);
    }
}
