//! Observability: Prometheus text at `GET /metrics` and the live feed at
//! `GET /api/events/stream` (Server-Sent Events).

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;

use crate::auth::extractor::verify_access_token;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Seconds between keep-alive comments, so proxies do not close an idle stream.
const KEEP_ALIVE_SECS: u64 = 15;

/// The server's operational figures in the Prometheus text format: request counts and
/// latency histograms per route, live feed clients, job runs, database health and, with
/// SMTP configured, the mail queue's depth.
#[utoipa::path(
    tag = "system",
    responses((status = 200, description = "Prometheus exposition format 0.0.4", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn get_prometheus_metrics(state: web::Data<AppState>) -> HttpResponse {
    let up = db::is_up(&state.db).await;
    let smtp = state.settings.smtp_url.is_some();
    let mail_queue = if up {
        crate::mail_delivery::queue_depth(&state.db, smtp)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(state.telemetry.prometheus(up, mail_queue))
}

/// Authentication for the stream.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// The access token (an EventSource cannot set an Authorization header).
    pub access_token: Option<String>,
}

/// Live events as Server-Sent Events: `activation`, `device_revoked`, `code_revoked`,
/// `ledger_entry`, and `alert` (a metric beyond its threshold, once per metrics snapshot),
/// from every replica.
/// Staff receive every tenant's events; tenant members only their own tenant's.
#[utoipa::path(
    tag = "system",
    params(StreamQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "An endless `text/event-stream`; each event's data is a LiveEvent", content_type = "text/event-stream", body = crate::events::LiveEvent),
        (status = 401, description = "No valid access token", body = tessera_domain::Problem),
    )
)]
#[get("/api/events/stream")]
pub async fn stream_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<StreamQuery>,
) -> ApiResult<HttpResponse> {
    let header_token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let token = q.access_token.clone().or(header_token).ok_or_else(|| {
        ApiError::unauthorized(
            "UNAUTHENTICATED",
            "pass ?access_token= or an Authorization header",
        )
    })?;
    let auth = verify_access_token(&state, &token)?;
    let rx = state.events.subscribe();
    let guard = state.telemetry.sse_connected();
    let scope = if auth.role.is_staff() {
        None
    } else {
        Some(auth.tenant_id)
    };
    let hello = futures_util::stream::once(async {
        Ok::<_, actix_web::Error>(web::Bytes::from(": connected\n\n"))
    });
    let events = futures_util::stream::unfold((rx, guard), move |(mut rx, guard)| async move {
        loop {
            let chunk =
                match tokio::time::timeout(Duration::from_secs(KEEP_ALIVE_SECS), rx.recv()).await {
                    Err(_) => ": keep-alive\n\n".to_owned(),
                    Ok(Ok(ev)) if scope.is_none_or(|t| t == ev.tenant_id) => {
                        format!(
                            "event: {}\ndata: {}\n\n",
                            ev.kind,
                            serde_json::to_string(&ev).unwrap_or_default()
                        )
                    }
                    Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => continue,
                    Ok(Err(RecvError::Closed)) => return None,
                };
            return Some((
                Ok::<_, actix_web::Error>(web::Bytes::from(chunk)),
                (rx, guard),
            ));
        }
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(futures_util::StreamExt::chain(hello, events)))
}
