//! Request extractors: the authenticated caller and the client's IP.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use tessera_domain::Role;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The caller, taken from a valid `Authorization: Bearer` access token. The tenant comes
/// from the token and nowhere else.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's tenant (`None` for staff).
    pub tenant_id: Option<Uuid>,
    /// The user's role.
    pub role: Role,
}

impl AuthUser {
    /// Refuses callers below `role`.
    ///
    /// # Errors
    /// 403 `FORBIDDEN`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "FORBIDDEN",
                format!("this needs the {} role or higher", role.label()),
            ))
        }
    }
}

impl AuthUser {
    /// The caller's own tenant, for the tenant portal's admin endpoints (`/api/tenant/...`):
    /// an `org_admin` (or above) who belongs to a tenant. Staff have no tenant and use the
    /// `/admin/api` equivalents.
    ///
    /// # Errors
    /// 403 `FORBIDDEN` for members below `org_admin` and for callers without a tenant.
    pub fn own_tenant_admin(&self) -> Result<Uuid, ApiError> {
        self.require(Role::OrgAdmin)?;
        self.tenant_id.ok_or_else(|| {
            ApiError::forbidden(
                "FORBIDDEN",
                "this is for an organisation's admins; platform staff use /admin/api",
            )
        })
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let header = req.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("UNAUTHENTICATED", "sign in first: no Authorization header")
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "INVALID_TOKEN",
                "expected Authorization: Bearer <access token>",
            )
        })?;
    let user = verify_access_token(state, token)?;
    state
        .activity
        .touch(&state.db, user.user_id, user.tenant_id);
    Ok(user)
}

/// Verifies an access token (from the header, or `?access_token=` where headers cannot be
/// set, as for an EventSource).
///
/// # Errors
/// 401 `TOKEN_EXPIRED` or `INVALID_TOKEN`.
pub fn verify_access_token(state: &AppState, token: &str) -> Result<AuthUser, ApiError> {
    let claims = state.jwt.verify(token).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
            ApiError::unauthorized("TOKEN_EXPIRED", "the access token has expired; refresh it")
        }
        _ => ApiError::unauthorized("INVALID_TOKEN", "the access token is not valid"),
    })?;
    Ok(AuthUser {
        user_id: claims.sub,
        tenant_id: claims.tid,
        role: claims.role,
    })
}

/// The client's IP address as seen on the connection.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        ready(Ok(ClientIp(ip)))
    }
}
