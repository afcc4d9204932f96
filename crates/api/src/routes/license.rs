//! The license verification key and license validation (public, for devices).

use actix_web::{get, post, web};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect};
use tessera_domain::entity::{device, tenant};
use tessera_domain::license::{
    LicenseStatus, PublicKeyResponse, ValidateLicenseRequest, ValidateLicenseResponse,
};
use tessera_domain::tenant::TenantStatus;

use crate::body::Json;
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

/// How often a device's heartbeat is written: a validation rewrites `last_seen_at` only when
/// the stored value is older than this (or missing), so a device that validates every few
/// seconds costs one read, not a write and a WAL flush each time.
pub const HEARTBEAT_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// A device row with the two columns of its tenant that a verdict needs.
#[derive(FromQueryResult)]
struct DeviceWithTenant {
    #[sea_orm(nested)]
    device: device::Model,
    tenant_slug: String,
    tenant_status: String,
}

/// Checks a license online and records the device's heartbeat (`last_seen_at`).
///
/// Every well-formed token gets 200 with a verdict: `VALID`, `EXPIRED`,
/// `INVALID_SIGNATURE` (not signed by this server), `DEVICE_NOT_FOUND`, `DEVICE_REVOKED` or
/// `TENANT_SUSPENDED`. A token that is not a license at all is 422.
///
/// `last_seen_at` is recorded at most once a minute: a validation within a minute of the
/// last recorded one answers the stored value.
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
    body: Json<ValidateLicenseRequest>,
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
    // Microseconds: what PostgreSQL keeps, so the answer equals what is read back later.
    let now = Utc::now().trunc_subsecs(6);
    let expires_at = DateTime::from_timestamp(claims.exp, 0);
    // One read: the device and its tenant's slug and status.
    let Some(found) = device::Entity::find_by_id(claims.device_id)
        .join(
            JoinType::InnerJoin,
            device::Entity::belongs_to(tenant::Entity)
                .from(device::Column::TenantId)
                .to(tenant::Column::Id)
                .into(),
        )
        .column_as(tenant::Column::Slug, "tenant_slug")
        .column_as(tenant::Column::Status, "tenant_status")
        .into_model::<DeviceWithTenant>()
        .one(&state.db)
        .await?
    else {
        return Ok(web::Json(verdict(
            LicenseStatus::DeviceNotFound,
            None,
            expires_at,
        )));
    };
    let mut d = found.device;
    let stale_before = now - HEARTBEAT_GRANULARITY;
    if d.last_seen_at.is_none_or(|seen| seen < stale_before) {
        // The same condition in the UPDATE: of replicas validating the same device at
        // once, one writes; the others change nothing.
        let written = device::Entity::update_many()
            .col_expr(device::Column::LastSeenAt, Expr::value(now))
            .filter(device::Column::Id.eq(d.id))
            .filter(
                Condition::any()
                    .add(device::Column::LastSeenAt.is_null())
                    .add(device::Column::LastSeenAt.lt(stale_before)),
            )
            .exec(&state.db)
            .await?;
        if written.rows_affected > 0 {
            d.last_seen_at = Some(now);
        }
    }
    let code = if d.revoked_at.is_some() {
        LicenseStatus::DeviceRevoked
    } else if TenantStatus::from_stored(&found.tenant_status) != TenantStatus::Active {
        LicenseStatus::TenantSuspended
    } else if claims.exp <= now.timestamp() {
        LicenseStatus::Expired
    } else {
        LicenseStatus::Valid
    };
    Ok(web::Json(verdict(
        code,
        Some(device_view(&d, &found.tenant_slug)),
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
