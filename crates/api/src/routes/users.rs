//! Managing users: staff manage everyone, org admins their own tenant; nobody raises a
//! user above their own role.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde::Deserialize;
use tessera_domain::Role;
use tessera_domain::entity::{password_reset, user};
use tessera_domain::page::Paged;
use tessera_domain::users::{
    AdminUser, CreateUserRequest, ResetPasswordRequest, ResetPasswordResponse, UpdateUserRequest,
    may_assign,
};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::tokens::random_token;
use crate::auth::{AuthUser, ClientIp, password, session};
use crate::body::Json;
use crate::error::{ApiError, ApiResult};
use crate::lookup::{filter_by_tenant, tenant_by_ref, tenant_slugs, user_by_login};
use crate::mailer;
use crate::paging::{self, Paging, Sort};
use crate::state::AppState;

/// How long a mailed reset link works.
pub const RESET_LINK_HOURS: i64 = 1;

fn admin_user(u: &user::Model, tenants: &HashMap<Uuid, String>) -> AdminUser {
    AdminUser {
        id: u.id,
        email: u.email.clone(),
        username: u.username.clone(),
        name: u.name.clone(),
        role: Role::parse(&u.role).unwrap_or(Role::User),
        status: if u.active { "active" } else { "inactive" }.into(),
        tenant_id: u.tenant_id,
        tenant_slug: u.tenant_id.and_then(|t| tenants.get(&t).cloned()),
        notes: u.notes.clone(),
        last_login_at: u.last_login_at,
        created_at: u.created_at,
    }
}

async fn one_view(conn: &impl ConnectionTrait, u: &user::Model) -> ApiResult<AdminUser> {
    let slugs = tenant_slugs(conn, u.tenant_id).await?;
    Ok(admin_user(u, &slugs))
}

/// Org admins and staff only.
fn require_manager(auth: &AuthUser) -> ApiResult<()> {
    auth.require(Role::OrgAdmin)
}

/// A user the caller may see: staff see everyone, org admins their tenant. Others are 404.
async fn visible_user(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    id: Uuid,
) -> ApiResult<user::Model> {
    let mut q = user::Entity::find_by_id(id);
    if !auth.role.is_staff() {
        q = q.filter(user::Column::TenantId.eq(auth.tenant_id));
    }
    q.one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("USER_NOT_FOUND", "no such user"))
}

/// Refuses changes to someone ranked above the caller.
fn require_outranks(auth: &AuthUser, target: &user::Model) -> ApiResult<()> {
    let role = Role::parse(&target.role).unwrap_or(Role::SuperAdmin);
    if role > auth.role {
        return Err(ApiError::forbidden(
            "ROLE_ESCALATION",
            "you cannot manage a user ranked above you",
        ));
    }
    Ok(())
}

fn require_may_assign(auth: &AuthUser, role: Role) -> ApiResult<()> {
    if may_assign(auth.role, role) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "ROLE_ESCALATION",
            format!("you cannot give anyone the {} role", role.label()),
        ))
    }
}

/// The tenant a `user`/`org_admin` belongs to, or none for staff roles.
async fn tenant_for_role(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    role: Role,
    requested: Option<&str>,
) -> ApiResult<Option<Uuid>> {
    if role.is_staff() {
        if requested.is_some_and(|t| !t.trim().is_empty()) {
            return Err(ApiError::field(
                "tenant",
                "platform staff belong to no tenant",
            ));
        }
        return Ok(None);
    }
    if !auth.role.is_staff() {
        // Org admins only ever place users in their own tenant.
        if let Some(r) = requested.filter(|t| !t.trim().is_empty()) {
            let t = tenant_by_ref(conn, r).await?;
            if t.map(|t| t.id) != auth.tenant_id {
                return Err(ApiError::not_found("TENANT_NOT_FOUND", "no such tenant"));
            }
        }
        return Ok(auth.tenant_id);
    }
    let r = requested
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ApiError::field("tenant", "is required for the user and org_admin roles"))?;
    let t = tenant_by_ref(conn, r)
        .await?
        .ok_or_else(|| ApiError::not_found("TENANT_NOT_FOUND", "no such tenant"))?;
    Ok(Some(t.id))
}

fn snapshot(u: &user::Model) -> serde_json::Value {
    serde_json::json!({"email": u.email, "username": u.username, "name": u.name, "role": u.role,
        "active": u.active, "tenant_id": u.tenant_id, "notes": u.notes})
}

/// User table filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Case-insensitive substring of username, e-mail or name.
    pub search: Option<String>,
    /// `active` or `inactive`.
    #[param(pattern = r"^(active|inactive)?$")]
    pub status: Option<String>,
    /// `user`, `org_admin`, `admin` or `super_admin`.
    #[param(pattern = r"^(user|org_admin|admin|super_admin)?$")]
    pub role: Option<String>,
    /// Tenant slug or id (staff only; org admins always see their own).
    pub tenant: Option<String>,
    /// 1-based page.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
    /// `created_at`, `email`, `username`, `name`, `role`, `last_login_at`; `-` for descending.
    #[param(pattern = r"^([-+]?(created_at|email|username|name|role|last_login_at))?$")]
    pub sort: Option<String>,
}

/// Lists users with search, filters, sort and paging.
#[utoipa::path(
    tag = "users",
    params(UserQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of users", body = Paged<AdminUser>),
        (status = 403, description = "Not an org admin or staff", body = tessera_domain::Problem),
        (status = 422, description = "Bad filter, sort or paging", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<UserQuery>,
) -> ApiResult<web::Json<Paged<AdminUser>>> {
    require_manager(&auth)?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let sort = Sort::parse(
        q.sort.as_deref(),
        &[
            ("created_at", user::Column::CreatedAt),
            ("email", user::Column::Email),
            ("username", user::Column::Username),
            ("name", user::Column::Name),
            ("role", user::Column::Role),
            ("last_login_at", user::Column::LastLoginAt),
        ],
        Sort {
            column: user::Column::CreatedAt,
            descending: true,
        },
    )?;
    let mut select = user::Entity::find();
    if let Some(c) = paging::search(
        q.search.as_deref(),
        &[
            user::Column::Username,
            user::Column::Email,
            user::Column::Name,
        ],
    ) {
        select = select.filter(c);
    }
    match q.status.as_deref() {
        None | Some("") => {}
        Some("active") => select = select.filter(user::Column::Active.eq(true)),
        Some("inactive") => select = select.filter(user::Column::Active.eq(false)),
        Some(_) => return Err(ApiError::field("status", "must be active or inactive")),
    }
    if let Some(r) = q.role.as_deref().filter(|r| !r.is_empty()) {
        let role = Role::parse(r).ok_or_else(|| {
            ApiError::field("role", "must be user, org_admin, admin or super_admin")
        })?;
        select = select.filter(user::Column::Role.eq(role.as_str()));
    }
    if !auth.role.is_staff() {
        select = select.filter(user::Column::TenantId.eq(auth.tenant_id));
    } else {
        let tenant = q.tenant.as_deref();
        let Some(s) = filter_by_tenant(&state.db, select, user::Column::TenantId, tenant).await?
        else {
            return Ok(web::Json(paging.wrap(Vec::new(), 0)));
        };
        select = s;
    }
    let (rows, total) = paging::fetch(&state.db, select, sort, user::Column::Id, paging).await?;
    let slugs = tenant_slugs(&state.db, rows.iter().filter_map(|u| u.tenant_id)).await?;
    Ok(web::Json(paging.wrap(
        rows.iter().map(|u| admin_user(u, &slugs)).collect(),
        total,
    )))
}

/// Creates a user. Staff roles have no tenant; org admins create users in their own tenant.
#[utoipa::path(
    tag = "users",
    request_body = CreateUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new user", body = AdminUser),
        (status = 403, description = "Role above the caller's", body = tessera_domain::Problem),
        (status = 404, description = "No such tenant", body = tessera_domain::Problem),
        (status = 409, description = "E-mail or username taken", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    body: Json<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    require_manager(&auth)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    require_may_assign(&auth, req.role)?;
    let hash = password::hash(req.password.clone()).await?;
    let txn = crate::db::begin(&state.db).await?;
    let tenant_id = tenant_for_role(&txn, &auth, req.role, req.tenant.as_deref()).await?;
    let email = req.email.trim().to_lowercase();
    if user_by_login(&txn, &email).await?.is_some() {
        return Err(ApiError::conflict(
            "EMAIL_TAKEN",
            "an account with this e-mail address exists",
        ));
    }
    if user_by_login(&txn, &req.username).await?.is_some() {
        return Err(ApiError::conflict(
            "USERNAME_TAKEN",
            "this username is taken",
        ));
    }
    let now = Utc::now();
    let u = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        email: Set(email),
        username: Set(req.username.clone()),
        name: Set(req.name.trim().to_owned()),
        role: Set(req.role.as_str().into()),
        password_hash: Set(Some(hash)),
        active: Set(true),
        notes: Set(None),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "user.create",
            target_type: "user",
            target_id: Some(u.id.to_string()),
            tenant_id: u.tenant_id,
            before: None,
            after: Some(snapshot(&u)),
            ip: Some(ip),
        },
    )
    .await?;
    let view = one_view(&txn, &u).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(view))
}

/// Reads one user.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = AdminUser),
        (status = 403, description = "Not an org admin or staff", body = tessera_domain::Problem),
        (status = 404, description = "No such user for the caller", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<AdminUser>> {
    require_manager(&auth)?;
    let u = visible_user(&state.db, &auth, *id).await?;
    Ok(web::Json(one_view(&state.db, &u).await?))
}

/// Changes name, role, active, notes or tenant. Deactivation ends the user's sessions.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    request_body = UpdateUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed user", body = AdminUser),
        (status = 403, description = "Target or new role ranked above the caller", body = tessera_domain::Problem),
        (status = 404, description = "No such user or tenant", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[patch("/admin/api/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: Json<UpdateUserRequest>,
) -> ApiResult<web::Json<AdminUser>> {
    require_manager(&auth)?;
    let p = body.into_inner();
    p.validate().map_err(ApiError::validation)?;
    let txn = crate::db::begin(&state.db).await?;
    let before = visible_user(&txn, &auth, *id).await?;
    require_outranks(&auth, &before)?;
    let current_role = Role::parse(&before.role).unwrap_or(Role::User);
    let role = p.role.unwrap_or(current_role);
    if p.role.is_some() {
        require_may_assign(&auth, role)?;
    }
    if before.id == auth.user_id && (p.active == Some(false) || role != current_role) {
        return Err(ApiError::field(
            "active",
            "you cannot deactivate yourself or change your own role",
        ));
    }
    let mut row = before.clone().into_active_model();
    if p.tenant.is_some() && !auth.role.is_staff() {
        return Err(ApiError::forbidden(
            "FORBIDDEN",
            "only staff move users between tenants",
        ));
    }
    if p.role.is_some() || p.tenant.is_some() {
        let requested = match (&p.tenant, role.is_staff()) {
            (Some(t), _) => Some(t.clone()),
            (None, true) => None,
            (None, false) => before.tenant_id.map(|t| t.to_string()),
        };
        row.tenant_id = Set(tenant_for_role(&txn, &auth, role, requested.as_deref()).await?);
    }
    row.role = Set(role.as_str().into());
    if let Some(n) = &p.name {
        row.name = Set(n.trim().to_owned());
    }
    if let Some(n) = &p.notes {
        row.notes = Set(Some(n.trim().to_owned()).filter(|n| !n.is_empty()));
    }
    if let Some(a) = p.active {
        row.active = Set(a);
    }
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    if !after.active || after.tenant_id != before.tenant_id || after.role != before.role {
        // Tokens carry role and tenant: make the user sign in again to pick up the change.
        session::revoke_user(&txn, after.id).await?;
    }
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "user.update",
            target_type: "user",
            target_id: Some(after.id.to_string()),
            tenant_id: after.tenant_id.or(before.tenant_id),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
            ip: Some(ip),
        },
    )
    .await?;
    let view = one_view(&txn, &after).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}

/// Resets a password: `{password}` sets it now, `{}` mails a one-time link (valid one hour)
/// completed at `POST /api/auth/password-reset`. Either way the user's sessions end.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    request_body = ResetPasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What was done", body = ResetPasswordResponse),
        (status = 403, description = "Target ranked above the caller", body = tessera_domain::Problem),
        (status = 404, description = "No such user for the caller", body = tessera_domain::Problem),
        (status = 422, description = "Password too short or long", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/users/{id}/reset-password")]
pub async fn reset_user_password(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: Json<ResetPasswordRequest>,
) -> ApiResult<web::Json<ResetPasswordResponse>> {
    require_manager(&auth)?;
    let req = body.into_inner();
    if let Some(p) = &req.password {
        tessera_domain::validation::password(p).map_err(|m| ApiError::field("password", m))?;
    }
    let hash = match req.password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let txn = crate::db::begin(&state.db).await?;
    let target = visible_user(&txn, &auth, *id).await?;
    require_outranks(&auth, &target)?;
    session::revoke_user(&txn, target.id).await?;
    let outcome = match hash {
        Some(h) => {
            let mut row = target.clone().into_active_model();
            row.password_hash = Set(Some(h));
            row.failed_logins = Set(0);
            row.locked_until = Set(None);
            row.updated_at = Set(Utc::now());
            row.update(&txn).await?;
            "password_set"
        }
        None => {
            let token = random_token();
            let now = Utc::now();
            password_reset::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(target.id),
                tenant_id: Set(target.tenant_id),
                token_hash: Set(state.hasher.hash("reset", &token)),
                expires_at: Set(now + Duration::hours(RESET_LINK_HOURS)),
                used_at: Set(None),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            let body = format!(
                "Hello {},\n\nA new password was requested for your Tessera account. Choose one here:\n\n{}/reset-password?token={token}\n\nThe link works once, for {RESET_LINK_HOURS} hour. If you did not expect it, tell your administrator.",
                target.name, state.settings.public_url
            );
            mailer::send(
                &txn,
                target.tenant_id,
                &target.email,
                "Reset your Tessera password",
                &body,
            )
            .await?;
            "link_sent"
        }
    };
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: if outcome == "password_set" {
                "user.password_set"
            } else {
                "user.password_reset_link"
            },
            target_type: "user",
            target_id: Some(target.id.to_string()),
            tenant_id: target.tenant_id,
            before: None,
            after: None,
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    state.mail_queued.notify_one();
    Ok(web::Json(ResetPasswordResponse {
        outcome: outcome.into(),
    }))
}
