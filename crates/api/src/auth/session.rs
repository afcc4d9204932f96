//! Sessions: issuing token pairs, rotating refresh tokens, revoking families.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use tessera_domain::Role;
use tessera_domain::auth::TokenResponse;
use tessera_domain::entity::{refresh_token, tenant, user};
use uuid::Uuid;

use crate::auth::tokens::random_token;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::user_view;

const PURPOSE: &str = "refresh";

/// Issues an access token and a new refresh token (in `family`, or a new family).
///
/// # Errors
/// The insert or signing failed.
pub async fn issue(
    conn: &impl ConnectionTrait,
    state: &AppState,
    u: &user::Model,
    family: Option<Uuid>,
) -> ApiResult<TokenResponse> {
    let role = Role::parse(&u.role)
        .ok_or_else(|| ApiError::Internal(format!("user {} has role {}", u.id, u.role)))?;
    let refresh = random_token();
    let now = Utc::now();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(u.id),
        tenant_id: Set(u.tenant_id),
        family_id: Set(family.unwrap_or_else(Uuid::now_v7)),
        token_hash: Set(state.hasher.hash(PURPOSE, &refresh)),
        expires_at: Set(now + Duration::days(state.settings.refresh_token_ttl_days)),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    let access = state
        .jwt
        .issue(u.id, u.tenant_id, role)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_secs(),
        user: user_view(u),
    })
}

/// Refuses users who may not hold a session: inactive, or of a suspended tenant.
///
/// # Errors
/// 401 `ACCOUNT_INACTIVE` or 403 `TENANT_SUSPENDED`.
pub async fn ensure_may_sign_in(conn: &impl ConnectionTrait, u: &user::Model) -> ApiResult<()> {
    if !u.active {
        return Err(ApiError::unauthorized(
            "ACCOUNT_INACTIVE",
            "this account has been deactivated",
        ));
    }
    if let Some(tid) = u.tenant_id {
        let t = tenant::Entity::find_by_id(tid).one(conn).await?;
        if t.is_some_and(|t| t.status == "suspended") {
            return Err(ApiError::forbidden(
                "TENANT_SUSPENDED",
                "this organisation is suspended",
            ));
        }
    }
    Ok(())
}

/// Exchanges a refresh token for a new pair. Each token works once: the conditional
/// update lets exactly one of any number of concurrent callers win, and presenting a
/// used token revokes its whole family (it was stolen, or the client is confused).
///
/// # Errors
/// 401 with `INVALID_REFRESH_TOKEN`, `REFRESH_TOKEN_REUSED`, `REFRESH_TOKEN_REVOKED` or
/// `REFRESH_TOKEN_EXPIRED`; or the user may no longer sign in.
pub async fn rotate(
    db: &DatabaseConnection,
    state: &AppState,
    token: &str,
) -> ApiResult<TokenResponse> {
    let hash = state.hasher.hash(PURPOSE, token);
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::TokenHash.eq(&hash))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .filter(refresh_token::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 1 {
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(&hash))
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::Internal("claimed refresh token vanished".into()))?;
        let u = user::Entity::find_by_id(row.user_id)
            .one(&txn)
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("INVALID_REFRESH_TOKEN", "the refresh token is not valid")
            })?;
        if let Err(e) = ensure_may_sign_in(&txn, &u).await {
            txn.rollback().await?;
            revoke_family(db, row.family_id).await?;
            return Err(e);
        }
        let pair = issue(&txn, state, &u, Some(row.family_id)).await?;
        txn.commit().await?;
        return Ok(pair);
    }
    // Release the transaction before reading again: SQLite has a single connection.
    txn.rollback().await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(&hash))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized("INVALID_REFRESH_TOKEN", "the refresh token is not valid")
        })?;
    if row.revoked_at.is_some() {
        return Err(ApiError::unauthorized(
            "REFRESH_TOKEN_REVOKED",
            "this session has ended; sign in again",
        ));
    }
    if row.used_at.is_some() {
        revoke_family(db, row.family_id).await?;
        tracing::warn!(user = %row.user_id, family = %row.family_id, "refresh token reused; family revoked");
        return Err(ApiError::unauthorized(
            "REFRESH_TOKEN_REUSED",
            "this refresh token was already used; the session has been ended for safety",
        ));
    }
    Err(ApiError::unauthorized(
        "REFRESH_TOKEN_EXPIRED",
        "the refresh token has expired; sign in again",
    ))
}

/// Ends the session the token belongs to. Unknown tokens are ignored.
///
/// # Errors
/// The database failed.
pub async fn logout(db: &DatabaseConnection, state: &AppState, token: &str) -> ApiResult<()> {
    let hash = state.hasher.hash(PURPOSE, token);
    if let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?
    {
        revoke_family(db, row.family_id).await?;
    }
    Ok(())
}

/// Revokes every live token of a family.
///
/// # Errors
/// The update failed.
pub async fn revoke_family(conn: &impl ConnectionTrait, family: Uuid) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Revokes every live token of a user (deactivation, password reset).
///
/// # Errors
/// The update failed.
pub async fn revoke_user(conn: &impl ConnectionTrait, user_id: Uuid) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
