//! Executive metrics: the latest snapshot with live operational figures and alerts,
//! recomputation on demand, and the alert thresholds.

use actix_web::{get, post, put, web};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use tessera_domain::Role;
use tessera_domain::entity::{job_run, metric_snapshot, metric_threshold};
use tessera_domain::metrics::{Alert, MetricsSnapshot, Threshold};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::error::{ApiError, ApiResult};
use crate::jobs::{self, METRICS_JOB};
use crate::state::AppState;
use crate::telemetry::Latency;
use crate::{db, metrics};

/// Figures the server measures itself (per process), live at request time.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperationalMetrics {
    /// Requests answered since this process started.
    pub requests_total: u64,
    /// 5xx answers ÷ requests.
    pub error_rate: Option<f64>,
    /// 4xx answers ÷ requests.
    pub client_error_rate: Option<f64>,
    /// Latency quantiles from the request histogram.
    pub latency: Latency,
    /// Live feed clients connected to this process.
    pub sse_clients: i64,
    /// Metrics job runs recorded (all replicas).
    pub job_runs: u64,
    /// Metrics job runs that failed (all replicas).
    pub job_failures: u64,
    /// Work waiting in queues; `null`: mail and events are written synchronously, there is no queue.
    pub queue_depth: Option<i64>,
    /// Whether the database answers.
    pub database_up: bool,
}

/// The metrics summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsSummary {
    /// The stored (or, for a period never computed, freshly computed) snapshot.
    #[serde(flatten)]
    pub snapshot: MetricsSnapshot,
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

async fn operational(state: &AppState) -> ApiResult<OperationalMetrics> {
    let (total, server_errors, client_errors) = state.telemetry.totals();
    let runs = job_run::Entity::find()
        .filter(job_run::Column::Job.eq(METRICS_JOB))
        .count(&state.db)
        .await?;
    let failures = job_run::Entity::find()
        .filter(job_run::Column::Job.eq(METRICS_JOB))
        .filter(job_run::Column::Ok.eq(false))
        .count(&state.db)
        .await?;
    let rate = |n: u64| (total > 0).then(|| n as f64 / total as f64);
    Ok(OperationalMetrics {
        requests_total: total,
        error_rate: rate(server_errors),
        client_error_rate: rate(client_errors),
        latency: state.telemetry.latency(),
        sse_clients: state.telemetry.sse_clients(),
        job_runs: runs,
        job_failures: failures,
        queue_depth: None,
        database_up: db::is_up(&state.db).await,
    })
}

async fn thresholds(state: &AppState) -> ApiResult<Vec<Threshold>> {
    let rows = metric_threshold::Entity::find()
        .order_by_asc(metric_threshold::Column::Metric)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|t| Threshold {
            metric: t.metric,
            operator: t.operator,
            value: t.value,
            severity: t.severity,
        })
        .collect())
}

/// Every numeric figure by field name, for threshold checks.
fn figures(
    snapshot: &MetricsSnapshot,
    ops: &OperationalMetrics,
) -> serde_json::Map<String, serde_json::Value> {
    let mut all = serde_json::Map::new();
    for part in [
        serde_json::to_value(&snapshot.business).unwrap_or_default(),
        serde_json::to_value(&snapshot.llm).unwrap_or_default(),
        serde_json::to_value(ops).unwrap_or_default(),
        serde_json::to_value(ops.latency).unwrap_or_default(),
    ] {
        if let serde_json::Value::Object(m) = part {
            all.extend(m.into_iter().filter(|(_, v)| v.is_number()));
        }
    }
    all
}

/// The executive metrics: business figures (MRR, ARR, movements, churn, ARPA,
/// conversion, DAU/WAU/MAU), LLM usage, sign-up cohorts, live operational figures and
/// alerts. Definitions: MRR counts `active` and `past_due` subscriptions priced above
/// zero; movements compare each customer's MRR at the period's start and end; churn
/// rates divide by the start; ARPA = MRR ÷ paying customers. A figure that cannot be
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
    let now = Utc::now();
    let (name, start, end) = metrics::period(q.period.as_deref(), now)?;
    let stored = metric_snapshot::Entity::find()
        .filter(metric_snapshot::Column::Period.eq(&name))
        .order_by_desc(metric_snapshot::Column::ComputedAt)
        .one(&state.db)
        .await?
        .and_then(|s| serde_json::from_value::<MetricsSnapshot>(s.body).ok());
    let snapshot = match stored {
        Some(s) => s,
        None => metrics::compute(&state.db, name, start, end, now).await?,
    };
    let ops = operational(&state).await?;
    let values = figures(&snapshot, &ops);
    let alerts = thresholds(&state)
        .await?
        .into_iter()
        .filter_map(|t| {
            let v = values.get(&t.metric)?.as_f64()?;
            t.breached_by(v).then_some(Alert {
                metric: t.metric.clone(),
                value: v,
                threshold: t,
            })
        })
        .collect::<Vec<_>>();
    for a in &alerts {
        state
            .events
            .publish("alert", None, serde_json::to_value(a).unwrap_or_default());
    }
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
    responses((status = 200, description = "Every rule", body = Vec<Threshold>))
)]
#[get("/api/system/metrics/thresholds")]
pub async fn get_metric_thresholds(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<Vec<Threshold>>> {
    auth.require(Role::Admin)?;
    Ok(web::Json(thresholds(&state).await?))
}

/// Replaces every alert threshold.
#[utoipa::path(
    tag = "metrics",
    request_body = Vec<Threshold>,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rules now in force", body = Vec<Threshold>),
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
        .filter_map(|(i, t)| {
            t.validate()
                .err()
                .map(|m| tessera_domain::FieldError::new(format!("[{i}]"), m))
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let txn = state.db.begin().await?;
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
    Ok(web::Json(thresholds(&state).await?))
}
