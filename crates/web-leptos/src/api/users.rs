//! User management (`/admin/api/users*`) and completing a mailed password reset.

use std::fmt::Display;

use gloo_net::http::Method;
use tessera_domain::page::Paged;
use tessera_domain::users::{
    AdminUser, CompletePasswordReset, CreateUserRequest, ResetPasswordRequest,
    ResetPasswordResponse, UpdateUserRequest,
};

use super::query::query_string;
use super::{ApiError, Call, authorised, json, public};

/// Rows per page of the users table.
pub const PAGE_SIZE: u64 = 25;

/// The users table's filters, sort and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    /// Words in the username, e-mail address or name.
    pub search: String,
    /// `active`, `inactive` or empty for both.
    pub status: String,
    /// A role's stable name, or empty for all.
    pub role: String,
    /// A tenant's slug or id (staff only), or empty for all.
    pub tenant: String,
    /// A whitelisted column, `-` in front for descending.
    pub sort: String,
    /// 1-based page.
    pub page: u64,
}

impl Default for UserFilter {
    fn default() -> Self {
        UserFilter {
            search: String::new(),
            status: String::new(),
            role: String::new(),
            tenant: String::new(),
            sort: "-created_at".into(),
            page: 1,
        }
    }
}

/// One page of users the caller may manage.
///
/// # Errors
/// 403 for callers below org admin, 422 for a bad filter or sort.
pub async fn list(filter: UserFilter) -> Result<Paged<AdminUser>, ApiError> {
    let query = query_string([
        ("search", Some(filter.search)),
        ("status", Some(filter.status)),
        ("role", Some(filter.role)),
        ("tenant", Some(filter.tenant)),
        ("sort", Some(filter.sort)),
        ("page", Some(filter.page.to_string())),
        ("per_page", Some(PAGE_SIZE.to_string())),
    ]);
    json(authorised(&Call::get(format!("/admin/api/users{query}"))).await?).await
}

/// Most people a picker lists (the API's largest page).
pub const PICKER_SIZE: u64 = 200;

/// The active people the caller manages, by name, for a picker (the first
/// [`PICKER_SIZE`]).
///
/// # Errors
/// 403 for callers below org admin.
pub async fn people() -> Result<Vec<AdminUser>, ApiError> {
    let query = query_string([
        ("status", Some("active".to_owned())),
        ("sort", Some("name".to_owned())),
        ("per_page", Some(PICKER_SIZE.to_string())),
    ]);
    let page: Paged<AdminUser> =
        json(authorised(&Call::get(format!("/admin/api/users{query}"))).await?).await?;
    Ok(page.items)
}

/// Creates a user.
///
/// # Errors
/// 409 `EMAIL_TAKEN`/`USERNAME_TAKEN`, 403 `ROLE_ESCALATION`, 422 with field errors.
pub async fn create(request: CreateUserRequest) -> Result<AdminUser, ApiError> {
    json(authorised(&Call::post("/admin/api/users", &request)).await?).await
}

/// Changes name, role, notes, status or tenant.
///
/// # Errors
/// 403 `ROLE_ESCALATION`, 404, 422 with field errors.
pub async fn update(id: impl Display, request: UpdateUserRequest) -> Result<AdminUser, ApiError> {
    let call = Call::new(Method::PATCH, format!("/admin/api/users/{id}")).json(&request);
    json(authorised(&call).await?).await
}

/// Sets a password now, or mails a one-time reset link when `password` is `None`.
///
/// # Errors
/// 403 `ROLE_ESCALATION`, 404, 422 for a password that breaks the rules.
pub async fn reset_password(
    id: impl Display,
    request: ResetPasswordRequest,
) -> Result<ResetPasswordResponse, ApiError> {
    let call = Call::post(format!("/admin/api/users/{id}/reset-password"), &request);
    json(authorised(&call).await?).await
}

/// Completes a mailed reset: no sign-in needed, the link's token is the proof.
///
/// # Errors
/// 400 `INVALID_RESET_TOKEN` for an unknown, used or expired link; 422; 429.
pub async fn complete_password_reset(request: CompletePasswordReset) -> Result<(), ApiError> {
    public(&Call::post("/api/auth/password-reset", &request)).await?;
    Ok(())
}
