//! `GET /api/health`: readiness for load balancers.

use actix_web::{HttpResponse, get, web};
use tessera_domain::health::HealthResponse;

use crate::db;
use crate::state::AppState;

/// Reports whether the server can reach its database: 200 when it can, 503 when not.
#[utoipa::path(
    tag = "system",
    responses(
        (status = 200, description = "The database answers", body = HealthResponse),
        (status = 503, description = "The database does not answer", body = HealthResponse),
    )
)]
#[get("/api/health")]
pub async fn get_health(state: web::Data<AppState>) -> HttpResponse {
    let up = db::is_up(&state.db).await;
    let body = HealthResponse {
        status: if up { "ok" } else { "unavailable" }.into(),
        database: if up { "up" } else { "down" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    if up {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
