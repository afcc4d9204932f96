//! The tenant's own activation codes and devices (`/api/tenant/codes`,
//! `/api/tenant/devices`; org admins).

use gloo_net::http::Method;
use tessera_domain::code::CodeView;
use tessera_domain::device::DeviceView;
use tessera_domain::page::Paged;
use uuid::Uuid;

use super::query::query_string;
use super::{ApiError, Call, authorised, json};

/// Rows per page of the portal's code and device tables.
pub const PER_PAGE: u64 = 25;

fn paged(path: &str, page: u64) -> String {
    let query = query_string([
        ("page", Some(page.to_string())),
        ("per_page", Some(PER_PAGE.to_string())),
    ]);
    format!("{path}{query}")
}

/// `GET /api/tenant/codes`, newest first (never their plaintext).
///
/// # Errors
/// 403 below org admin, or see [`authorised`].
pub async fn codes(page: u64) -> Result<Paged<CodeView>, ApiError> {
    json(authorised(&Call::get(paged("/api/tenant/codes", page))).await?).await
}

/// `GET /api/tenant/devices`, most recently activated first.
///
/// # Errors
/// 403 below org admin, or see [`authorised`].
pub async fn devices(page: u64) -> Result<Paged<DeviceView>, ApiError> {
    json(authorised(&Call::get(paged("/api/tenant/devices", page))).await?).await
}

/// `POST /api/tenant/devices/{id}/revoke`.
///
/// # Errors
/// 403 below org admin, 404 `DEVICE_NOT_FOUND`, or see [`authorised`].
pub async fn revoke_device(id: Uuid) -> Result<DeviceView, ApiError> {
    let call = Call::new(Method::POST, format!("/api/tenant/devices/{id}/revoke"));
    json(authorised(&call).await?).await
}

/// How many of the tenant's devices are active (they count against the plan's
/// `device_quota`): the total of a one-row page filtered to `active`.
///
/// # Errors
/// 403 below org admin, or see [`authorised`].
pub async fn active_device_count() -> Result<u64, ApiError> {
    let call = Call::get("/api/tenant/devices?status=active&per_page=1");
    let page: Paged<DeviceView> = json(authorised(&call).await?).await?;
    Ok(page.total)
}
