//! Executive metrics: the latest snapshot with live operational figures and alerts,
//! recomputation on demand, and the alert thresholds.

use actix_web::{get, post, put, web};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::{Deserialize, Serialize};
use tessera_domain::Role;
use tessera_domain::entity::metric_threshold;
use tessera_domain::metrics::{Alert, MetricsSnapshot, Threshold};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::alerts::{self, OperationalMetrics};
use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::error::{ApiError, ApiResult};
use crate::jobs;
use crate::metrics;
use crate::state::AppState;

/// The metrics summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsSummary {
    /// The stored (or, for a period never computed, freshly computed and stored) snapshot.
    #[serde(flatten)]
    #[schema(value_type = MetricsSnapshot)]
    pub snapshot: metrics::SharedSnapshot,
    /// Live operational figures.
    pub operational: OperationalMetrics,
    /// Every metric beyond its threshold.
    pub alerts: Vec<Alert>,
}

/// Period selection.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// `YYYY-MM` (default: the current month).
    pub period: Option<String>,
}

/// The executive metrics: business figures (MRR, ARR, movements, churn, ARPA,
/// conversion, DAU/WAU/MAU), LLM usage, sign-up cohorts, live operational figures and
/// alerts. Definitions: MRR counts `active` and `past_due` subscriptions priced above
/// zero; movements are booked per change, as ChartMogul does (each subscription change
/// moves a customer's MRR: from 0 to more is new the first time, reactivation after that;
/// up is expansion; down to more than 0 contraction; to 0 churn); customer churn =
/// customers paying at the start and not at the end ÷ paying at the start; revenue churn
/// rates divide by the MRR at the start; ARPA = MRR ÷ paying customers. A figure that cannot be
/// computed is `null`, with its reason in `unavailable`.
#[utoipa::path(
    tag = "metrics",
    params(SummaryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The summary", body = MetricsSummary),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 422, description = "Bad period", body = tessera_domain::Problem),
    )
)]
#[get("/api/system/metrics/summary")]
pub async fn get_metrics_summary(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<SummaryQuery>,
) -> ApiResult<web::Json<MetricsSummary>> {
    auth.require(Role::Admin)?;
    let snapshot = metrics::summary_snapshot(&state, q.period.as_deref()).await?;
    let ops = alerts::operational(&state).await?;
    let alerts = alerts::evaluate(&alerts::thresholds(&state.db).await?, &snapshot, &ops);
    Ok(web::Json(MetricsSummary {
        snapshot,
        operational: ops,
        alerts,
    }))
}

/// Runs the metrics job now and returns the new snapshot.
#[utoipa::path(
    tag = "metrics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new snapshot", body = MetricsSnapshot),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
    )
)]
#[post("/api/system/metrics/recompute")]
pub async fn recompute_metrics(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<MetricsSnapshot>> {
    auth.require(Role::Admin)?;
    Ok(web::Json(jobs::recompute_now(&state).await?))
}

/// The alert thresholds.
#[utoipa::path(
    tag = "metrics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every rule", body = Vec<Threshold>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
    )
)]
#[get("/api/system/metrics/thresholds")]
pub async fn get_metric_thresholds(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<Vec<Threshold>>> {
    auth.require(Role::Admin)?;
    Ok(web::Json(alerts::thresholds(&state.db).await?))
}

/// Replaces every alert threshold.
#[utoipa::path(
    tag = "metrics",
    request_body = Vec<Threshold>,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rules now in force", body = Vec<Threshold>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 422, description = "An invalid rule (field names carry its index)", body = tessera_domain::Problem),
    )
)]
#[put("/api/system/metrics/thresholds")]
pub async fn put_metric_thresholds(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    body: web::Json<Vec<Threshold>>,
) -> ApiResult<web::Json<Vec<Threshold>>> {
    auth.require(Role::Admin)?;
    let errors: Vec<_> = body
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            let shape = t
                .validate()
                .err()
                .map(|m| tessera_domain::FieldError::new(format!("[{i}]"), m));
            let metric = t
                .validate_metric()
                .err()
                .map(|m| tessera_domain::FieldError::new(format!("[{i}].metric"), m));
            shape.into_iter().chain(metric)
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let txn = crate::db::begin(&state.db).await?;
    let before = metric_threshold::Entity::find().all(&txn).await?.len();
    metric_threshold::Entity::delete_many().exec(&txn).await?;
    for t in body.iter() {
        metric_threshold::Entity::insert(metric_threshold::ActiveModel {
            id: Set(Uuid::now_v7()),
            metric: Set(t.metric.trim().to_owned()),
            operator: Set(t.operator.clone()),
            value: Set(t.value),
            severity: Set(t.severity.clone()),
        })
        .exec(&txn)
        .await?;
    }
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "metrics.thresholds",
            target_type: "thresholds",
            target_id: None,
            tenant_id: None,
            before: Some(serde_json::json!({"rules": before})),
            after: Some(serde_json::to_value(&*body).unwrap_or_default()),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(alerts::thresholds(&state.db).await?))
}
