//! Alerts: the server's live operational figures and the check of every figure against
//! its configured threshold. The summary shows them; the metrics job publishes them to the
//! live feed once per snapshot.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use tessera_domain::entity::{job_run, metric_threshold};
use tessera_domain::metrics::{Alert, MetricsSnapshot, Threshold};
use utoipa::ToSchema;

use crate::db;
use crate::error::ApiResult;
use crate::jobs::METRICS_JOB;
use crate::state::AppState;
use crate::telemetry::Latency;

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

/// This process's live figures, with the job counts of every replica.
///
/// # Errors
/// The database failed.
pub async fn operational(state: &AppState) -> ApiResult<OperationalMetrics> {
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

/// The configured alert thresholds, by metric name.
///
/// # Errors
/// The database failed.
pub async fn thresholds(db: &impl ConnectionTrait) -> ApiResult<Vec<Threshold>> {
    let rows = metric_threshold::Entity::find()
        .order_by_asc(metric_threshold::Column::Metric)
        .all(db)
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

/// Every figure beyond its threshold.
pub fn evaluate(
    thresholds: &[Threshold],
    snapshot: &MetricsSnapshot,
    ops: &OperationalMetrics,
) -> Vec<Alert> {
    let values = figures(snapshot, ops);
    thresholds
        .iter()
        .filter_map(|t| {
            let v = values.get(&t.metric)?.as_f64()?;
            t.breached_by(v).then(|| Alert {
                metric: t.metric.clone(),
                value: v,
                threshold: t.clone(),
            })
        })
        .collect()
}
