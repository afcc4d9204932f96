//! `POST /api/activate`: a device redeems an activation code for a signed license.

use actix_web::{HttpResponse, post, web};
use tessera_domain::license::{ActivateRequest, ActivateResponse};

use crate::activation::{self, Outcome};
use crate::auth::ClientIp;
use crate::body::Json;
use crate::error::ApiResult;
use crate::state::AppState;

/// Activates a device with an activation code and returns its license: an Ed25519-signed
/// JWS the device verifies offline with `GET /api/license/public-key`.
///
/// Each new device uses one of the code's `max_uses` and one slot of the tenant's plan
/// `device_quota`; both limits hold under any concurrency. Activating the same fingerprint
/// with the same code again is idempotent: the same device, no extra use, and a fresh
/// license (200 instead of 201), which is how devices renew. Attempts are limited per IP
/// address (`TESSERA_ACTIVATE_RATE_LIMIT` per minute).
#[utoipa::path(
    tag = "licensing",
    request_body = ActivateRequest,
    responses(
        (status = 201, description = "Device activated", body = ActivateResponse),
        (status = 200, description = "Already activated with this code: same device, renewed license", body = ActivateResponse),
        (status = 403, description = "`CODE_REVOKED`, `TENANT_SUSPENDED`, or `DEVICE_REVOKED` (this device was revoked)", body = tessera_domain::Problem),
        (status = 404, description = "`CODE_NOT_FOUND`", body = tessera_domain::Problem),
        (status = 409, description = "`CODE_EXHAUSTED` or `DEVICE_QUOTA_EXCEEDED`", body = tessera_domain::Problem),
        (status = 410, description = "`CODE_EXPIRED`", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields (e.g. a code that is not XXXX-XXXX-XXXX-XXXX)", body = tessera_domain::Problem),
        (status = 429, description = "`RATE_LIMITED`, with `Retry-After`", body = tessera_domain::Problem),
    )
)]
#[post("/api/activate")]
pub async fn activate_device(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<ActivateRequest>,
) -> ApiResult<HttpResponse> {
    state
        .limiter
        .hit("activation", ip.0, state.settings.activate_rate_limit)?;
    let (response, outcome) = activation::activate(&state, &body).await?;
    if outcome == Outcome::Created {
        state.events.publish(
            "activation",
            Some(response.device.tenant_id),
            serde_json::json!({"device": response.device}),
        );
    }
    Ok(match outcome {
        Outcome::Created => HttpResponse::Created().json(response),
        Outcome::Renewed => HttpResponse::Ok().json(response),
    })
}
