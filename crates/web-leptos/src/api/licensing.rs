//! Tenants, plans, subscriptions, activation codes, devices and the staff dashboard
//! (`/admin/api/*`, `/api/plans`).

use gloo_net::http::Method;
use tessera_domain::code::{CodeStatus, CodeView, CreateCodesRequest, CreateCodesResponse};
use tessera_domain::dashboard::DashboardView;
use tessera_domain::device::{DeviceStatus, DeviceView};
use tessera_domain::page::Paged;
use tessera_domain::plan::PlanView;
use tessera_domain::tenant::{
    ChangeSubscriptionRequest, CreateTenantRequest, CreateTenantResponse, DeletionImpact,
    SubscriptionView, TenantStatus, TenantView, UpdateTenantRequest,
};
use uuid::Uuid;

use super::query::{encode, query_string};
use super::{ApiError, Call, authorised, json, public};

/// `path?k=v&...` with the blank values left out, so "no filter" is never sent as an
/// empty filter.
fn with_query(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    format!("{path}{}", query_string(pairs.iter().cloned()))
}

/// A `{tenant}` path segment: slugs are URL-safe already, ids too; encoding is for
/// whatever else a person typed.
fn tenant_path(tenant: &str) -> String {
    format!("/admin/api/tenants/{}", encode(tenant.trim()))
}

/// The tenant list's filters, sort and page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantQuery {
    /// Substring of slug, name or contact e-mail.
    pub search: String,
    /// A plan code; empty for every plan.
    pub plan: String,
    /// `active`/`suspended`; `None` for both.
    pub status: Option<TenantStatus>,
    /// `name`, `-name`, ...; empty for the server's default (newest first).
    pub sort: String,
    /// The 1-based page.
    pub page: u64,
}

/// `GET /admin/api/tenants`.
///
/// # Errors
/// See [`authorised`]; 422 for an unknown sort field.
pub async fn list_tenants(q: &TenantQuery) -> Result<Paged<TenantView>, ApiError> {
    let path = with_query(
        "/admin/api/tenants",
        &[
            ("search", Some(q.search.clone())),
            ("plan", Some(q.plan.clone())),
            ("status", q.status.map(|s| s.as_str().to_owned())),
            ("sort", Some(q.sort.clone())),
            ("page", Some(q.page.to_string())),
        ],
    );
    json(authorised(&Call::get(path)).await?).await
}

/// `POST /admin/api/tenants`: the tenant, its subscription and its first codes in
/// plaintext (shown once).
///
/// # Errors
/// 409 `SLUG_TAKEN`, 422 with field errors, or see [`authorised`].
pub async fn create_tenant(req: &CreateTenantRequest) -> Result<CreateTenantResponse, ApiError> {
    json(authorised(&Call::post("/admin/api/tenants", req)).await?).await
}

/// `GET /admin/api/tenants/{tenant}`.
///
/// # Errors
/// 404 `TENANT_NOT_FOUND`, or see [`authorised`].
pub async fn get_tenant(tenant: &str) -> Result<TenantView, ApiError> {
    json(authorised(&Call::get(tenant_path(tenant))).await?).await
}

/// `PATCH /admin/api/tenants/{tenant}` with only the fields that change.
///
/// # Errors
/// 409 `SYSTEM_TENANT_PROTECTED`, 422 with field errors, or see [`authorised`].
pub async fn update_tenant(
    tenant: &str,
    req: &UpdateTenantRequest,
) -> Result<TenantView, ApiError> {
    let call = Call::new(Method::PATCH, tenant_path(tenant)).json(req);
    json(authorised(&call).await?).await
}

/// `GET /admin/api/tenants/{tenant}/subscriptions`, newest period first.
///
/// # Errors
/// 404 `TENANT_NOT_FOUND`, or see [`authorised`].
pub async fn list_subscriptions(
    tenant: &str,
    page: u64,
) -> Result<Paged<SubscriptionView>, ApiError> {
    let path = with_query(
        &format!("{}/subscriptions", tenant_path(tenant)),
        &[("page", Some(page.to_string()))],
    );
    json(authorised(&Call::get(path)).await?).await
}

/// `POST /admin/api/tenants/{tenant}/subscriptions`: closes the current period and opens
/// one with this plan and status (`canceled` ends the subscription).
///
/// # Errors
/// 409 `SUBSCRIPTION_UNCHANGED` or `SYSTEM_TENANT_PROTECTED`, 404, 422, or see
/// [`authorised`].
pub async fn change_subscription(
    tenant: &str,
    request: &ChangeSubscriptionRequest,
) -> Result<SubscriptionView, ApiError> {
    let call = Call::post(format!("{}/subscriptions", tenant_path(tenant)), request);
    json(authorised(&call).await?).await
}

/// `GET /admin/api/tenants/{tenant}/deletion-impact`.
///
/// # Errors
/// 404 `TENANT_NOT_FOUND`, or see [`authorised`].
pub async fn deletion_impact(tenant: &str) -> Result<DeletionImpact, ApiError> {
    let path = format!("{}/deletion-impact", tenant_path(tenant));
    json(authorised(&Call::get(path)).await?).await
}

/// `DELETE /admin/api/tenants/{slug}?confirm={slug}`: the tenant and everything it owns.
///
/// # Errors
/// 409 `SYSTEM_TENANT_PROTECTED`, 422 when `slug` is not the tenant's, or see
/// [`authorised`].
pub async fn delete_tenant(slug: &str) -> Result<(), ApiError> {
    let path = with_query(&tenant_path(slug), &[("confirm", Some(slug.to_owned()))]);
    authorised(&Call::new(Method::DELETE, path)).await?;
    Ok(())
}

/// `GET /api/plans` (public), cheapest first.
///
/// # Errors
/// See [`public`].
pub async fn list_plans() -> Result<Vec<PlanView>, ApiError> {
    json(public(&Call::get("/api/plans")).await?).await
}

/// The code list's filters and page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeQuery {
    /// A tenant's slug or id; empty for every tenant.
    pub tenant: String,
    /// A derived status; `None` for all.
    pub status: Option<CodeStatus>,
    /// Substring of the label or prefix.
    pub search: String,
    /// The 1-based page.
    pub page: u64,
}

/// `GET /admin/api/codes`, newest first.
///
/// # Errors
/// See [`authorised`].
pub async fn list_codes(q: &CodeQuery) -> Result<Paged<CodeView>, ApiError> {
    let status = q.status.map(|s| match s {
        CodeStatus::Active => "active",
        CodeStatus::Used => "used",
        CodeStatus::Expired => "expired",
        CodeStatus::Revoked => "revoked",
    });
    let path = with_query(
        "/admin/api/codes",
        &[
            ("tenant", Some(q.tenant.clone())),
            ("status", status.map(str::to_owned)),
            ("search", Some(q.search.clone())),
            ("page", Some(q.page.to_string())),
        ],
    );
    json(authorised(&Call::get(path)).await?).await
}

/// `POST /admin/api/codes`: the new codes in plaintext (shown once).
///
/// # Errors
/// 422 with field errors (also for an unknown tenant), or see [`authorised`].
pub async fn create_codes(req: &CreateCodesRequest) -> Result<CreateCodesResponse, ApiError> {
    json(authorised(&Call::post("/admin/api/codes", req)).await?).await
}

/// `POST /admin/api/codes/{id}/revoke`.
///
/// # Errors
/// 404 `CODE_NOT_FOUND`, or see [`authorised`].
pub async fn revoke_code(id: Uuid) -> Result<CodeView, ApiError> {
    let call = Call::new(Method::POST, format!("/admin/api/codes/{id}/revoke"));
    json(authorised(&call).await?).await
}

/// The device list's filters and page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceQuery {
    /// A tenant's slug or id; empty for every tenant.
    pub tenant: String,
    /// `active`/`revoked`; `None` for both.
    pub status: Option<DeviceStatus>,
    /// Substring of the name, fingerprint or platform.
    pub search: String,
    /// The 1-based page.
    pub page: u64,
}

/// `GET /admin/api/devices`, most recently activated first.
///
/// # Errors
/// See [`authorised`].
pub async fn list_devices(q: &DeviceQuery) -> Result<Paged<DeviceView>, ApiError> {
    let status = q.status.map(|s| match s {
        DeviceStatus::Active => "active",
        DeviceStatus::Revoked => "revoked",
    });
    let path = with_query(
        "/admin/api/devices",
        &[
            ("tenant", Some(q.tenant.clone())),
            ("status", status.map(str::to_owned)),
            ("search", Some(q.search.clone())),
            ("page", Some(q.page.to_string())),
        ],
    );
    json(authorised(&Call::get(path)).await?).await
}

/// `POST /admin/api/devices/{id}/revoke`.
///
/// # Errors
/// 404 `DEVICE_NOT_FOUND`, or see [`authorised`].
pub async fn revoke_device(id: Uuid) -> Result<DeviceView, ApiError> {
    let call = Call::new(Method::POST, format!("/admin/api/devices/{id}/revoke"));
    json(authorised(&call).await?).await
}

/// `GET /admin/api/dashboard`: the staff dashboard's counts.
///
/// # Errors
/// See [`authorised`].
pub async fn dashboard() -> Result<DashboardView, ApiError> {
    json(authorised(&Call::get("/admin/api/dashboard")).await?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deletion_confirms_with_the_slug_and_blank_filters_are_left_out() {
        let path = with_query(
            &tenant_path("acme"),
            &[("confirm", Some("acme".into())), ("plan", Some(" ".into()))],
        );
        assert_eq!(path, "/admin/api/tenants/acme?confirm=acme");
        assert_eq!(tenant_path(" a b "), "/admin/api/tenants/a%20b");
    }
}
