//! Redeeming an activation code for a device, race-safe on SQLite and PostgreSQL.
//!
//! No decision is made by reading a counter and writing it back. Inside one transaction:
//! 1. `UPDATE activation_codes SET use_count = use_count + 1 WHERE id = ? AND use_count <
//!    max_uses AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now)`;
//! 2. `UPDATE tenants SET active_devices = active_devices + 1 WHERE id = ? AND status =
//!    'active' AND active_devices < (SELECT device_quota FROM plans WHERE code = tenants.plan)`;
//! 3. insert the device (unique on `(code_id, fingerprint)`).
//!
//! A statement that matches no row is a refusal, and the transaction is dropped, which rolls
//! back whatever the earlier statements did. On PostgreSQL the row locks taken by the updates
//! make a concurrent transaction wait and then re-check its `WHERE` against the committed
//! row; on SQLite the single pooled connection serialises transactions. Either way a code
//! with `max_uses = n` is redeemed at most n times and a tenant never exceeds its quota.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, SqlErr,
};
use tessera_domain::code::ActivationCode;
use tessera_domain::entity::{activation_code, device, plan, tenant};
use tessera_domain::license::{
    ActivateRequest, ActivateResponse, Entitlements, LICENSE_ISSUER, LicenseClaims,
};
use tessera_domain::tenant::TenantStatus;
use uuid::Uuid;

use crate::codes::HASH_PURPOSE;
use crate::error::{ApiError, ApiResult};
use crate::redeem::{self, code_expired, code_revoked, tenant_suspended};
use crate::state::AppState;
use crate::views::device_view;

/// Whether the activation made a new device or renewed an existing one's license.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A code use was redeemed and a device created (201).
    Created,
    /// The same code and fingerprint were activated before: same device, no extra use (200).
    Renewed,
}

/// Activates a device, or renews the license of the device this code and fingerprint
/// already activated.
///
/// # Errors
/// 422 for a malformed code; `CODE_NOT_FOUND` 404, `CODE_REVOKED` 403, `CODE_EXPIRED` 410,
/// `CODE_EXHAUSTED` 409, `TENANT_SUSPENDED` 403, `DEVICE_QUOTA_EXCEEDED` 409,
/// `DEVICE_REVOKED` 403; or the database failed.
pub async fn activate(
    state: &AppState,
    req: &ActivateRequest,
) -> ApiResult<(ActivateResponse, Outcome)> {
    req.validate().map_err(ApiError::validation)?;
    let code = ActivationCode::parse(&req.code).map_err(|m| ApiError::field("code", m))?;
    let hash = state.hasher.hash(HASH_PURPOSE, code.compact());
    // When the same device activates twice at once, one insert loses on the unique
    // (code, fingerprint) index; its second pass finds the winner's device and renews it.
    for _ in 0..2 {
        if let Some(done) = attempt(state, &hash, req).await? {
            return Ok(done);
        }
    }
    Err(ApiError::conflict(
        "ACTIVATION_CONFLICT",
        "this device is being activated by another request; try again",
    ))
}

/// One transaction; `None` when the device insert lost a race and the caller should retry.
async fn attempt(
    state: &AppState,
    hash: &str,
    req: &ActivateRequest,
) -> ApiResult<Option<(ActivateResponse, Outcome)>> {
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let code = activation_code::Entity::find()
        .filter(activation_code::Column::CodeHash.eq(hash))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("CODE_NOT_FOUND", "no such activation code"))?;
    if code.revoked_at.is_some() {
        return Err(code_revoked());
    }
    let t = tenant::Entity::find_by_id(code.tenant_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("code {} has no tenant", code.id)))?;
    if TenantStatus::from_stored(&t.status) != TenantStatus::Active {
        return Err(tenant_suspended());
    }
    let fingerprint = req.fingerprint.trim();
    let existing = device::Entity::find()
        .filter(device::Column::CodeId.eq(code.id))
        .filter(device::Column::Fingerprint.eq(fingerprint))
        .one(&txn)
        .await?;
    if let Some(d) = existing {
        return renew(state, txn, &t, d, req, now).await.map(Some);
    }
    if code.expires_at.is_some_and(|e| e <= now) {
        return Err(code_expired());
    }

    redeem::use_code(&txn, code.id, now).await?;
    redeem::take_quota(
        &txn,
        t.id,
        tenant::Column::ActiveDevices,
        plan::Column::DeviceQuota,
        ApiError::conflict(
            "DEVICE_QUOTA_EXCEEDED",
            "the organisation has activated every device its plan allows; revoke one or upgrade the plan",
        ),
    )
    .await?;

    let expires = license_expiry(state, now);
    let inserted = device::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(t.id),
        code_id: Set(code.id),
        fingerprint: Set(fingerprint.to_owned()),
        name: Set(req.name.trim().to_owned()),
        platform: Set(req.platform.trim().to_owned()),
        activated_at: Set(now),
        last_seen_at: Set(None),
        revoked_at: Set(None),
        license_expires_at: Set(expires),
    }
    .insert(&txn)
    .await;
    let d = match inserted {
        Ok(d) => d,
        Err(e) if is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let response = sign(state, &txn, &t, &d, now, expires).await?;
    txn.commit().await?;
    Ok(Some((response, Outcome::Created)))
}

/// The same code and fingerprint again: no code use, same device, a fresh license.
async fn renew(
    state: &AppState,
    txn: DatabaseTransaction,
    t: &tenant::Model,
    d: device::Model,
    req: &ActivateRequest,
    now: DateTime<Utc>,
) -> ApiResult<(ActivateResponse, Outcome)> {
    if d.revoked_at.is_some() {
        return Err(ApiError::forbidden(
            "DEVICE_REVOKED",
            "this device was revoked; it cannot be activated again with the same code",
        ));
    }
    let expires = license_expiry(state, now);
    let mut active = d.into_active_model();
    active.name = Set(req.name.trim().to_owned());
    active.platform = Set(req.platform.trim().to_owned());
    active.license_expires_at = Set(expires);
    let d = active.update(&txn).await?;
    let response = sign(state, &txn, t, &d, now, expires).await?;
    txn.commit().await?;
    Ok((response, Outcome::Renewed))
}

/// Signs a license for the device with the tenant's current plan as its entitlements.
async fn sign(
    state: &AppState,
    txn: &DatabaseTransaction,
    t: &tenant::Model,
    d: &device::Model,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> ApiResult<ActivateResponse> {
    let p = plan::Entity::find_by_id(t.plan.clone())
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("tenant {} has no plan {}", t.id, t.plan)))?;
    let claims = LicenseClaims {
        iss: LICENSE_ISSUER.into(),
        tenant_id: t.id,
        tenant_slug: t.slug.clone(),
        device_id: d.id,
        fingerprint: d.fingerprint.clone(),
        plan: p.code.clone(),
        entitlements: Entitlements {
            plan: p.code.clone(),
            project_quota: p.project_quota,
            device_quota: p.device_quota,
        },
        iat: now.timestamp(),
        exp: expires.timestamp(),
    };
    let license = state
        .license
        .issue(&claims)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(ActivateResponse {
        device: device_view(d, &t.slug),
        license,
        expires_at: expires,
    })
}

/// Now plus the license lifetime, in whole seconds so it equals the token's `exp`.
fn license_expiry(state: &AppState, now: DateTime<Utc>) -> DateTime<Utc> {
    let at = now.timestamp() + state.license.ttl().num_seconds();
    DateTime::from_timestamp(at, 0).unwrap_or(now)
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
