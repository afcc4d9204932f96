//! Alerts: the server's live operational figures and the check of every figure against
//! its configured threshold. The summary shows them; the metrics job publishes them to the
//! live feed once per snapshot.

use chrono::Utc;
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QueryOrder};
use serde::Serialize;
use tessera_domain::entity::metric_threshold;
use tessera_domain::metrics::{Alert, MetricsSnapshot, Threshold};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::jobs::METRICS_JOB;
use crate::sql::Sql;
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
    /// Metrics job runs started in the last 24 hours (all replicas).
    pub job_runs: u64,
    /// Metrics job runs of the last 24 hours that failed (all replicas), so an alert on it
    /// clears a day after the last failure.
    pub job_failures: u64,
    /// Mail waiting for SMTP delivery (due or retrying later, all replicas); `null` when no
    /// SMTP server is configured, as mail then only stays in the outbox and nothing queues.
    pub queue_depth: Option<i64>,
    /// Whether the database answers.
    pub database_up: bool,
}

/// How far back the job run and failure counts look.
const RECENT_RUNS: chrono::Duration = chrono::Duration::hours(24);

/// This process's live figures, with the job counts of every replica.
///
/// # Errors
/// The database failed.
pub async fn operational(state: &AppState) -> ApiResult<OperationalMetrics> {
    #[derive(FromQueryResult)]
    struct Runs {
        runs: i64,
        failures: i64,
    }
    let (total, server_errors, client_errors) = state.telemetry.totals();
    // Runs and failures in one query; a run still going (`ok` null) is not a failure. Only
    // the last day counts, so the cost stays one index range as the history grows.
    let mut q = Sql::new(state.db.get_database_backend());
    q.push(
        "SELECT CAST(COUNT(*) AS BIGINT) AS runs, \
         CAST(COALESCE(SUM(CASE WHEN NOT ok THEN 1 ELSE 0 END), 0) AS BIGINT) AS failures \
         FROM job_runs WHERE job = ",
    )
    .bind(METRICS_JOB)
    .push(" AND started_at >= ")
    .bind(Utc::now() - RECENT_RUNS);
    let counts = Runs::find_by_statement(q.build())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::Internal("an aggregate returned no row".into()))?;
    let queue_depth =
        crate::mail_delivery::queue_depth(&state.db, state.settings.smtp_url.is_some()).await?;
    let rate = |n: u64| (total > 0).then(|| n as f64 / total as f64);
    Ok(OperationalMetrics {
        requests_total: total,
        error_rate: rate(server_errors),
        client_error_rate: rate(client_errors),
        latency: state.telemetry.latency(),
        sse_clients: state.telemetry.sse_clients(),
        job_runs: u64::try_from(counts.runs).unwrap_or_default(),
        job_failures: u64::try_from(counts.failures).unwrap_or_default(),
        queue_depth,
        // The query above answered (a failure is an error, not a figure).
        database_up: true,
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
    if thresholds.is_empty() {
        return Vec::new();
    }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tessera_domain::metrics::{BusinessMetrics, LlmMetrics, MrrMovements, THRESHOLD_METRICS};

    use super::*;

    /// The names a threshold may watch are exactly the numeric figures the check sees when
    /// every figure has a value.
    #[test]
    fn threshold_metrics_name_every_figure() {
        let snapshot = MetricsSnapshot {
            business: BusinessMetrics {
                period: "2026-01".into(),
                mrr_cents: 1,
                arr_cents: 1,
                mrr_start_cents: 1,
                movements: MrrMovements::default(),
                paying_customers: 1,
                new_customers: 1,
                customer_churn_rate: Some(0.1),
                gross_revenue_churn_rate: Some(0.1),
                net_revenue_churn_rate: Some(0.1),
                arpa_cents: Some(1),
                trial_to_paid_conversion_rate: Some(0.1),
                dau: 1,
                wau: 1,
                mau: 1,
                unavailable: BTreeMap::new(),
            },
            llm: LlmMetrics {
                calls: 1,
                mean_duration_ms: Some(1.0),
                failure_rate: Some(0.1),
                tokens: 1,
                cost_cents: 1,
            },
            cohorts: Vec::new(),
            computed_at: chrono::Utc::now(),
        };
        let ops = OperationalMetrics {
            requests_total: 1,
            error_rate: Some(0.1),
            client_error_rate: Some(0.1),
            latency: Latency {
                p50_ms: Some(1.0),
                p95_ms: Some(1.0),
                p99_ms: Some(1.0),
            },
            sse_clients: 1,
            job_runs: 1,
            job_failures: 1,
            queue_depth: Some(1),
            database_up: true,
        };
        let mut figured: Vec<String> = figures(&snapshot, &ops)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        figured.sort_unstable();
        let mut known: Vec<&str> = THRESHOLD_METRICS.to_vec();
        known.sort_unstable();
        assert_eq!(figured, known);
    }
}
