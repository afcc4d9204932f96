//! Devices: list and revoke (staff); a tenant admin's own list and revoke.

use actix_web::{get, post, web};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Select,
};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::Role;
use tessera_domain::device::{DeviceStatus, DeviceView};
use tessera_domain::entity::{device, tenant};
use tessera_domain::page::Paged;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::error::{ApiError, ApiResult};
use crate::lookup::{filter_by_tenant, page_with_slugs, tenant_slugs};
use crate::paging::{self, Paging, Sort};
use crate::state::AppState;
use crate::views::device_view;

/// Filters, sort and paging for the staff device list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeviceListQuery {
    /// Only this tenant's devices (slug or id).
    pub tenant: Option<String>,
    /// Only devices with this status.
    pub status: Option<DeviceStatus>,
    /// Case-insensitive substring of the name, fingerprint or platform.
    pub search: Option<String>,
    /// `activated_at`, `last_seen_at`, `name` or `platform`; prefix `-` for descending
    /// (default `-activated_at`).
    pub sort: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

/// Filters, sort and paging for a tenant admin's own devices.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TenantDeviceListQuery {
    /// Only devices with this status.
    pub status: Option<DeviceStatus>,
    /// Case-insensitive substring of the name, fingerprint or platform.
    pub search: Option<String>,
    /// `activated_at`, `last_seen_at`, `name` or `platform`; prefix `-` for descending
    /// (default `-activated_at`).
    pub sort: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

const SORTS: [(&str, device::Column); 4] = [
    ("activated_at", device::Column::ActivatedAt),
    ("last_seen_at", device::Column::LastSeenAt),
    ("name", device::Column::Name),
    ("platform", device::Column::Platform),
];

/// One page of devices matching the filters, with their tenants' slugs.
async fn page_of_devices(
    conn: &impl ConnectionTrait,
    mut select: Select<device::Entity>,
    status: Option<DeviceStatus>,
    search: Option<&str>,
    sort: Option<&str>,
    paging: Paging,
) -> ApiResult<Paged<DeviceView>> {
    let sort = Sort::parse(
        sort,
        &SORTS,
        Sort {
            column: device::Column::ActivatedAt,
            descending: true,
        },
    )?;
    select = match status {
        Some(DeviceStatus::Active) => select.filter(device::Column::RevokedAt.is_null()),
        Some(DeviceStatus::Revoked) => select.filter(device::Column::RevokedAt.is_not_null()),
        None => select,
    };
    if let Some(c) = paging::search(
        search,
        &[
            device::Column::Name,
            device::Column::Fingerprint,
            device::Column::Platform,
        ],
    ) {
        select = select.filter(c);
    }
    Ok(page_with_slugs(
        conn,
        select,
        sort,
        device::Column::Id,
        paging,
        |d| d.tenant_id,
        device_view,
    )
    .await?)
}

/// Revokes the device (if it is not already) and frees its slot in the tenant's device
/// quota, in the caller's transaction; audits the change.
async fn revoke(
    txn: &DatabaseTransaction,
    d: device::Model,
    auth: &AuthUser,
    ip: ClientIp,
) -> ApiResult<DeviceView> {
    let now = Utc::now();
    let revoked = device::Entity::update_many()
        .col_expr(device::Column::RevokedAt, Expr::value(now))
        .filter(device::Column::Id.eq(d.id))
        .filter(device::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    let slugs = tenant_slugs(txn, [d.tenant_id]).await?;
    let slug = slugs.get(&d.tenant_id).map_or("", String::as_str);
    let after = device::Entity::find_by_id(d.id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found("DEVICE_NOT_FOUND", "no such device"))?;
    let view = device_view(&after, slug);
    // Only the request that actually revoked it frees the slot: two concurrent revokes
    // cannot free two.
    if revoked.rows_affected == 1 {
        crate::redeem::release_quota(txn, d.tenant_id, tenant::Column::ActiveDevices).await?;
        audit::record(
            txn,
            AuditEntry {
                actor: Some(auth),
                action: "device.revoke",
                target_type: "device",
                target_id: Some(d.id.to_string()),
                tenant_id: Some(d.tenant_id),
                before: Some(json!(device_view(&d, slug))),
                after: Some(json!(view)),
                ip: Some(ip),
            },
        )
        .await?;
    }
    Ok(view)
}

/// Lists devices across tenants with tenant, status and search filters, sorting and paging.
#[utoipa::path(
    tag = "devices",
    params(DeviceListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of devices", body = Paged<DeviceView>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 422, description = "Unknown sort field, bad filter or paging", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/devices")]
pub async fn list_devices(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<DeviceListQuery>,
) -> ApiResult<web::Json<Paged<DeviceView>>> {
    auth.require(Role::Admin)?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let Some(select) = filter_by_tenant(
        &state.db,
        device::Entity::find(),
        device::Column::TenantId,
        q.tenant.as_deref(),
    )
    .await?
    else {
        return Ok(web::Json(paging.wrap(Vec::new(), 0)));
    };
    let page = page_of_devices(
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

/// Revokes a device: its license validates as `DEVICE_REVOKED` from now on and its slot in
/// the tenant's device quota is free again. Revoking a revoked device changes nothing.
#[utoipa::path(
    tag = "devices",
    params(("id" = Uuid, Path, description = "The device's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revoked device", body = DeviceView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "`DEVICE_NOT_FOUND`", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/devices/{id}/revoke")]
pub async fn revoke_device(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<DeviceView>> {
    auth.require(Role::Admin)?;
    let txn = crate::db::begin(&state.db).await?;
    let d = device::Entity::find_by_id(path.into_inner())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("DEVICE_NOT_FOUND", "no such device"))?;
    let view = revoke(&txn, d, &auth, ip).await?;
    txn.commit().await?;
    state.events.publish(
        "device_revoked",
        Some(view.tenant_id),
        serde_json::json!({"device": view}),
    );
    Ok(web::Json(view))
}

/// The caller's organisation's devices (org admins), with status and search filters,
/// sorting and paging.
#[utoipa::path(
    tag = "devices",
    params(TenantDeviceListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the organisation's devices", body = Paged<DeviceView>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not an organisation admin", body = tessera_domain::Problem),
        (status = 422, description = "Unknown sort field, bad filter or paging", body = tessera_domain::Problem),
    )
)]
#[get("/api/tenant/devices")]
pub async fn list_tenant_devices(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<TenantDeviceListQuery>,
) -> ApiResult<web::Json<Paged<DeviceView>>> {
    let tenant_id = auth.own_tenant_admin()?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let select = device::Entity::find().filter(device::Column::TenantId.eq(tenant_id));
    let page = page_of_devices(
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

/// Revokes one of the caller's organisation's devices (org admins). Another
/// organisation's device answers 404.
#[utoipa::path(
    tag = "devices",
    params(("id" = Uuid, Path, description = "The device's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revoked device", body = DeviceView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not an organisation admin", body = tessera_domain::Problem),
        (status = 404, description = "`DEVICE_NOT_FOUND`", body = tessera_domain::Problem),
    )
)]
#[post("/api/tenant/devices/{id}/revoke")]
pub async fn revoke_tenant_device(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<DeviceView>> {
    let tenant_id = auth.own_tenant_admin()?;
    let txn = crate::db::begin(&state.db).await?;
    let d = device::Entity::find_by_id(path.into_inner())
        .filter(device::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("DEVICE_NOT_FOUND", "no such device"))?;
    let view = revoke(&txn, d, &auth, ip).await?;
    txn.commit().await?;
    state.events.publish(
        "device_revoked",
        Some(view.tenant_id),
        serde_json::json!({"device": view}),
    );
    Ok(web::Json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_fields_match_the_shared_list() {
        let names: Vec<&str> = SORTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, tessera_domain::device::DEVICE_SORT_FIELDS);
    }
}
