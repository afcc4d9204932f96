//! Identity: sign-up, sign-in, token rotation, sign-out, profile and OTP sign-in.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use tessera_domain::Role;
use tessera_domain::auth::{
    LoginRequest, MeResponse, OtpRequest, OtpVerifyRequest, RefreshRequest, RegisterRequest,
    TokenResponse,
};
use tessera_domain::entity::{otp_code, plan, tenant, user};
use tessera_domain::plan::DEFAULT_PLAN;
use tessera_domain::tenant::SubscriptionStatus;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::tokens::random_otp;
use crate::auth::{AuthUser, ClientIp, password, session};
use crate::body::Json;
use crate::error::{ApiError, ApiResult};
use crate::lookup::{tenant_by_ref, user_by_login};
use crate::mailer;
use crate::state::AppState;
use crate::subscriptions;
use crate::views::{tenant_summary, user_view};

/// Consecutive failed logins that lock an account.
const LOCK_AFTER_FAILURES: i32 = 10;
/// How long a locked account stays locked.
const LOCK_MINUTES: i64 = 15;
/// Wrong tries that burn a one-time code.
const OTP_MAX_ATTEMPTS: i32 = 5;
/// Lifetime of a one-time code.
const OTP_MINUTES: i64 = 10;

/// Signs up an organisation: creates its tenant on the `free` plan with a trialing
/// subscription and its first `org_admin`, and signs that user in.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Organisation created and signed in", body = TokenResponse),
        (status = 409, description = "Slug, e-mail or username taken", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
        (status = 429, description = "Too many attempts from this address", body = tessera_domain::Problem),
    )
)]
#[post("/api/auth/register")]
pub async fn register_organization(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    state
        .limiter
        .hit("sign-up", ip.0, state.settings.login_rate_limit)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let email = req.email.trim().to_lowercase();
    let slug = req.slug.trim().to_owned();
    let hash = password::hash(req.password.clone()).await?;

    let txn = crate::db::begin(&state.db).await?;
    if tenant_by_ref(&txn, &slug).await?.is_some() {
        return Err(ApiError::conflict(
            "SLUG_TAKEN",
            format!("the slug {slug} is already taken"),
        ));
    }
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
    let free = plan::Entity::find_by_id(DEFAULT_PLAN.to_owned())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::Internal("the free plan is missing".into()))?;
    let now = Utc::now();
    let t = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug),
        name: Set(req.organization_name.trim().to_owned()),
        contact_email: Set(Some(email.clone())),
        plan: Set(free.code.clone()),
        status: Set("active".into()),
        active_devices: Set(0),
        project_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    subscriptions::change(&txn, &t, &free, Some(SubscriptionStatus::Trialing), now).await?;
    let u = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(Some(t.id)),
        email: Set(email),
        username: Set(req.username.clone()),
        name: Set(req.organization_name.trim().to_owned()),
        role: Set(Role::OrgAdmin.as_str().into()),
        password_hash: Set(Some(hash)),
        active: Set(true),
        notes: Set(None),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let tokens = session::issue(&txn, &state, &u, None).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(tokens))
}

/// Signs in with an e-mail address or username and a password.
///
/// Ten consecutive failures lock the account for 15 minutes (429 `ACCOUNT_LOCKED`);
/// every attempt counts against the per-IP limit (429 `RATE_LIMITED`).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong credentials or inactive account", body = tessera_domain::Problem),
        (status = 403, description = "The organisation is suspended", body = tessera_domain::Problem),
        (status = 422, description = "Missing fields", body = tessera_domain::Problem),
        (status = 429, description = "Rate limited or account locked", body = tessera_domain::Problem),
    )
)]
#[post("/api/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    state
        .limiter
        .hit("login", ip.0, state.settings.login_rate_limit)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let found = user_by_login(&state.db, &req.login).await?;
    let now = Utc::now();
    if let Some(until) = found
        .as_ref()
        .and_then(|u| u.locked_until)
        .filter(|t| *t > now)
    {
        return Err(ApiError::too_many(
            "ACCOUNT_LOCKED",
            "too many failed sign-ins; this account is locked for a while",
            Ord::max((until - now).num_seconds(), 1) as u64,
        ));
    }
    let found_id = found.as_ref().map(|u| u.id);
    let ok = password::verify(
        req.password,
        found.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(u) = found.filter(|_| ok) else {
        return Err(failed_login(&state, found_id).await);
    };
    session::ensure_may_sign_in(&state.db, &u).await?;
    let txn = crate::db::begin(&state.db).await?;
    let mut active = u.clone().into_active_model();
    active.failed_logins = Set(0);
    active.locked_until = Set(None);
    active.last_login_at = Set(Some(now));
    let u = active.update(&txn).await?;
    let tokens = session::issue(&txn, &state, &u, None).await?;
    txn.commit().await?;
    Ok(web::Json(tokens))
}

/// Counts a failure against the account (if any) and locks it at the threshold.
async fn failed_login(state: &AppState, user_id: Option<Uuid>) -> ApiError {
    let invalid = ApiError::unauthorized("INVALID_CREDENTIALS", "the login or password is wrong");
    let Some(id) = user_id else { return invalid };
    let counted = async {
        user::Entity::update_many()
            .col_expr(
                user::Column::FailedLogins,
                Expr::col(user::Column::FailedLogins).add(1),
            )
            .filter(user::Column::Id.eq(id))
            .exec(&state.db)
            .await?;
        let locked = user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(
                user::Column::LockedUntil,
                Expr::value(Utc::now() + Duration::minutes(LOCK_MINUTES)),
            )
            .filter(user::Column::Id.eq(id))
            .filter(user::Column::FailedLogins.gte(LOCK_AFTER_FAILURES))
            .exec(&state.db)
            .await?;
        Ok::<bool, sea_orm::DbErr>(locked.rows_affected == 1)
    }
    .await;
    match counted {
        Ok(true) => ApiError::too_many(
            "ACCOUNT_LOCKED",
            "too many failed sign-ins; this account is locked for 15 minutes",
            (LOCK_MINUTES * 60) as u64,
        ),
        Ok(false) => invalid,
        Err(e) => e.into(),
    }
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a
/// used one ends the whole session (401 `REFRESH_TOKEN_REUSED`).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 401, description = "Unknown, used, revoked or expired refresh token", body = tessera_domain::Problem),
    )
)]
#[post("/api/auth/refresh")]
pub async fn refresh_tokens(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    Ok(web::Json(
        session::rotate(&state.db, &state, &body.refresh_token).await?,
    ))
}

/// Signs out: the refresh token's whole session ends. Answers 204 even for unknown tokens.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/api/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    session::logout(&state.db, &state, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user and their tenant.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
    )
)]
#[get("/api/auth/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<MeResponse>> {
    let u = user::Entity::find_by_id(auth.user_id)
        .one(&state.db)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "ACCOUNT_INACTIVE",
                "this account no longer exists or is inactive",
            )
        })?;
    let tenant = match auth.tenant_id {
        Some(tid) => tenant::Entity::find_by_id(tid)
            .one(&state.db)
            .await?
            .as_ref()
            .map(tenant_summary),
        None => None,
    };
    Ok(web::Json(MeResponse {
        user: user_view(&u),
        tenant,
    }))
}

/// The answer to an OTP request, the same whether or not the account exists.
#[derive(Debug, Serialize, ToSchema)]
pub struct OtpRequested {
    /// Always `accepted`.
    pub status: String,
    /// What happens next, for people.
    pub message: String,
}

/// Sends a six-digit sign-in code (valid 10 minutes) to a tenant member's e-mail address.
/// Always answers 202 so nobody can probe which addresses have accounts.
#[utoipa::path(
    tag = "auth",
    request_body = OtpRequest,
    responses(
        (status = 202, description = "If the address belongs to a member, a code is on its way", body = OtpRequested),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
        (status = 429, description = "Too many attempts from this address", body = tessera_domain::Problem),
    )
)]
#[post("/api/auth/otp/request")]
pub async fn request_otp(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<OtpRequest>,
) -> ApiResult<HttpResponse> {
    state
        .limiter
        .hit("login", ip.0, state.settings.login_rate_limit)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    if let Some((t, u)) = member(&state, &req.tenant, &req.email).await? {
        let code = random_otp();
        let now = Utc::now();
        let txn = crate::db::begin(&state.db).await?;
        // A new code replaces any earlier one.
        otp_code::Entity::update_many()
            .col_expr(otp_code::Column::ConsumedAt, Expr::value(now))
            .filter(otp_code::Column::UserId.eq(u.id))
            .filter(otp_code::Column::ConsumedAt.is_null())
            .exec(&txn)
            .await?;
        otp_code::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(t.id),
            user_id: Set(u.id),
            code_hash: Set(state.hasher.hash("otp", &format!("{}:{code}", u.id))),
            attempts: Set(0),
            expires_at: Set(now + Duration::minutes(OTP_MINUTES)),
            consumed_at: Set(None),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let body = format!(
            "Your Tessera sign-in code for {} is {code}.\n\nIt is valid for {OTP_MINUTES} minutes. If you did not ask for it, ignore this message.",
            t.name
        );
        mailer::send(
            &txn,
            Some(t.id),
            &u.email,
            "Your Tessera sign-in code",
            &body,
        )
        .await?;
        txn.commit().await?;
        state.mail_queued.notify_one();
    }
    Ok(HttpResponse::build(StatusCode::ACCEPTED).json(OtpRequested {
        status: "accepted".into(),
        message: "If this address belongs to a member of the organisation, a sign-in code is on its way.".into(),
    }))
}

/// Signs in with an e-mailed code. Five wrong tries burn the code.
#[utoipa::path(
    tag = "auth",
    request_body = OtpVerifyRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong, used, burned or expired code", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
        (status = 429, description = "Too many attempts from this address", body = tessera_domain::Problem),
    )
)]
#[post("/api/auth/otp/verify")]
pub async fn verify_otp(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<OtpVerifyRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    state
        .limiter
        .hit("login", ip.0, state.settings.login_rate_limit)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let invalid = || {
        ApiError::unauthorized(
            "INVALID_OTP",
            "the code is wrong, used or expired; ask for a new one",
        )
    };
    let (_, u) = member(&state, &req.tenant, &req.email)
        .await?
        .ok_or_else(invalid)?;
    let now = Utc::now();
    let otp = otp_code::Entity::find()
        .filter(otp_code::Column::UserId.eq(u.id))
        .filter(otp_code::Column::ConsumedAt.is_null())
        .filter(otp_code::Column::ExpiresAt.gt(now))
        .filter(otp_code::Column::Attempts.lt(OTP_MAX_ATTEMPTS))
        .order_by_desc(otp_code::Column::CreatedAt)
        .one(&state.db)
        .await?
        .ok_or_else(invalid)?;
    let presented = state.hasher.hash("otp", &format!("{}:{}", u.id, req.otp));
    if presented != otp.code_hash {
        // The attempt counter rises atomically; at the limit the code is burned.
        otp_code::Entity::update_many()
            .col_expr(
                otp_code::Column::Attempts,
                Expr::col(otp_code::Column::Attempts).add(1),
            )
            .filter(otp_code::Column::Id.eq(otp.id))
            .exec(&state.db)
            .await?;
        otp_code::Entity::update_many()
            .col_expr(otp_code::Column::ConsumedAt, Expr::value(now))
            .filter(otp_code::Column::Id.eq(otp.id))
            .filter(otp_code::Column::Attempts.gte(OTP_MAX_ATTEMPTS))
            .filter(otp_code::Column::ConsumedAt.is_null())
            .exec(&state.db)
            .await?;
        return Err(invalid());
    }
    session::ensure_may_sign_in(&state.db, &u).await?;
    let txn = crate::db::begin(&state.db).await?;
    let claimed = otp_code::Entity::update_many()
        .col_expr(otp_code::Column::ConsumedAt, Expr::value(now))
        .filter(otp_code::Column::Id.eq(otp.id))
        .filter(otp_code::Column::ConsumedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid());
    }
    let mut active = u.into_active_model();
    active.last_login_at = Set(Some(now));
    let u = active.update(&txn).await?;
    let tokens = session::issue(&txn, &state, &u, None).await?;
    txn.commit().await?;
    Ok(web::Json(tokens))
}

/// The active tenant member with this e-mail address, if any.
async fn member(
    state: &AppState,
    tenant_ref: &str,
    email: &str,
) -> ApiResult<Option<(tenant::Model, user::Model)>> {
    let Some(t) = tenant_by_ref(&state.db, tenant_ref).await? else {
        return Ok(None);
    };
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .filter(user::Column::TenantId.eq(t.id))
        .filter(user::Column::Active.eq(true))
        .one(&state.db)
        .await?;
    Ok(u.map(|u| (t, u)))
}

/// Completes a mailed password reset: sets the new password, ends every session and
/// unlocks the account. Each link works once, for one hour.
#[utoipa::path(
    tag = "auth",
    request_body = tessera_domain::users::CompletePasswordReset,
    responses(
        (status = 204, description = "Password changed; sign in with it"),
        (status = 400, description = "Unknown, used or expired link", body = tessera_domain::Problem),
        (status = 422, description = "Password too short or long", body = tessera_domain::Problem),
        (status = 429, description = "Too many attempts from this address", body = tessera_domain::Problem),
    )
)]
#[post("/api/auth/password-reset")]
pub async fn complete_password_reset(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<tessera_domain::users::CompletePasswordReset>,
) -> ApiResult<HttpResponse> {
    use tessera_domain::entity::password_reset;
    state
        .limiter
        .hit("login", ip.0, state.settings.login_rate_limit)?;
    let req = body.into_inner();
    tessera_domain::validation::password(&req.password)
        .map_err(|m| ApiError::field("password", m))?;
    let hash = password::hash(req.password).await?;
    let now = Utc::now();
    let token_hash = state.hasher.hash("reset", req.token.trim());
    let txn = crate::db::begin(&state.db).await?;
    let claimed = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::TokenHash.eq(&token_hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    let invalid = || {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            "INVALID_RESET_TOKEN",
            "this reset link is unknown, used or expired; ask for a new one",
        )
    };
    if claimed.rows_affected != 1 {
        return Err(invalid());
    }
    let reset = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(&token_hash))
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    let u = user::Entity::find_by_id(reset.user_id)
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    let mut row = u.into_active_model();
    row.password_hash = Set(Some(hash));
    row.failed_logins = Set(0);
    row.locked_until = Set(None);
    row.updated_at = Set(now);
    let u = row.update(&txn).await?;
    session::revoke_user(&txn, u.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
