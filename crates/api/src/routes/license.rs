//! The license verification key and license validation (public, for devices).

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tessera_domain::entity::{device, tenant};
use tessera_domain::license::{
    LicenseStatus, PublicKeyResponse, ValidateLicenseRequest, ValidateLicenseResponse,
};
use tessera_domain::tenant::TenantStatus;

use crate::error::{ApiError, ApiResult};
use crate::license::VerifyError;
use crate::state::AppState;
use crate::views::device_view;

/// The Ed25519 public key that verifies license signatures, as raw base64url and as a JWK.
/// Devices fetch it once and verify licenses offline: the JWS signing input is
/// `header.payload`, the header's `kid` names this key.
#[utoipa::path(
    tag = "licensing",
    responses((status = 200, description = "The license verification key", body = PublicKeyResponse))
)]
#[get("/api/license/public-key")]
pub async fn get_license_public_key(state: web::Data<AppState>) -> web::Json<PublicKeyResponse> {
    web::Json(state.license.public_key())
}

/// Checks a license online and records the device's heartbeat (`last_seen_at`).
///
/// Every well-formed token gets 200 with a verdict: `VALID`, `EXPIRED`,
/// `INVALID_SIGNATURE` (not signed by this server), `DEVICE_NOT_FOUND`, `DEVICE_REVOKED` or
/// `TENANT_SUSPENDED`. A token that is not a license at all is 422.
#[utoipa::path(
    tag = "licensing",
    request_body = ValidateLicenseRequest,
    responses(
        (status = 200, description = "The verdict", body = ValidateLicenseResponse),
        (status = 422, description = "Not a license token", body = tessera_domain::Problem),
    )
)]
#[post("/api/license/validate")]
pub async fn validate_license(
    state: web::Data<AppState>,
    body: web::Json<ValidateLicenseRequest>,
) -> ApiResult<web::Json<ValidateLicenseResponse>> {
    let claims = match state.license.verify(&body.license) {
        Ok(c) => c,
        Err(VerifyError::Malformed(why)) => return Err(ApiError::field("license", why)),
        Err(VerifyError::BadSignature) => {
            return Ok(web::Json(verdict(
                LicenseStatus::InvalidSignature,
                None,
                None,
            )));
        }
    };
    let now = Utc::now();
    let expires_at = DateTime::from_timestamp(claims.exp, 0);
    let txn = crate::db::begin(&state.db).await?;
    device::Entity::update_many()
        .col_expr(device::Column::LastSeenAt, Expr::value(now))
        .filter(device::Column::Id.eq(claims.device_id))
        .exec(&txn)
        .await?;
    let Some(d) = device::Entity::find_by_id(claims.device_id)
        .one(&txn)
        .await?
    else {
        return Ok(web::Json(verdict(
            LicenseStatus::DeviceNotFound,
            None,
            expires_at,
        )));
    };
    let t = tenant::Entity::find_by_id(d.tenant_id).one(&txn).await?;
    txn.commit().await?;
    let Some(t) = t else {
        return Ok(web::Json(verdict(
            LicenseStatus::DeviceNotFound,
            None,
            expires_at,
        )));
    };
    let code = if d.revoked_at.is_some() {
        LicenseStatus::DeviceRevoked
    } else if TenantStatus::from_stored(&t.status) != TenantStatus::Active {
        LicenseStatus::TenantSuspended
    } else if claims.exp <= now.timestamp() {
        LicenseStatus::Expired
    } else {
        LicenseStatus::Valid
    };
    Ok(web::Json(verdict(
        code,
        Some(device_view(&d, &t.slug)),
        expires_at,
    )))
}

fn verdict(
    code: LicenseStatus,
    device: Option<tessera_domain::device::DeviceView>,
    expires_at: Option<DateTime<Utc>>,
) -> ValidateLicenseResponse {
    ValidateLicenseResponse {
        valid: code == LicenseStatus::Valid,
        code,
        device,
        expires_at,
    }
}
