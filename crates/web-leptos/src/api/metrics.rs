//! Analytics (`/admin/api/analytics`) and executive metrics (`/api/system/metrics/*`).

use chrono::{DateTime, NaiveDate, Utc};
use gloo_net::http::Method;
use serde::Deserialize;
use tessera_domain::metrics::{Alert, Analytics, BusinessMetrics, Cohort, LlmMetrics, Threshold};

use super::query::query_string;
use super::{ApiError, Call, authorised, json};

/// Analytics for the days `from..=to`.
///
/// # Errors
/// 403 for non-staff, 422 for a reversed or too long range.
pub async fn analytics(from: NaiveDate, to: NaiveDate) -> Result<Analytics, ApiError> {
    let path = format!("/admin/api/analytics?from={from}&to={to}");
    json(authorised(&Call::get(path)).await?).await
}

/// Latency quantiles in milliseconds (`null` before any request was measured).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
}

/// Figures the server measures itself, live.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Operational {
    /// Requests answered since the process started.
    pub requests_total: u64,
    /// 5xx ÷ requests.
    pub error_rate: Option<f64>,
    /// 4xx ÷ requests.
    pub client_error_rate: Option<f64>,
    /// Latency quantiles.
    pub latency: Latency,
    /// Live feed clients connected.
    pub sse_clients: i64,
    /// Metrics job runs.
    pub job_runs: u64,
    /// Metrics job runs that failed.
    pub job_failures: u64,
    /// Work waiting in queues; `None`: there is no queue.
    pub queue_depth: Option<i64>,
    /// Whether the database answers.
    pub database_up: bool,
}

/// `GET /api/system/metrics/summary`.
#[derive(Debug, Clone, Deserialize)]
pub struct MetricsSummary {
    /// Business figures.
    pub business: BusinessMetrics,
    /// LLM usage.
    pub llm: LlmMetrics,
    /// Monthly sign-up cohorts, oldest first.
    pub cohorts: Vec<Cohort>,
    /// When the snapshot was computed.
    pub computed_at: DateTime<Utc>,
    /// Live operational figures.
    pub operational: Operational,
    /// Every metric beyond its threshold.
    pub alerts: Vec<Alert>,
}

/// The summary of a period (`YYYY-MM`; `None`: the current month).
///
/// # Errors
/// 403 for non-staff, 422 for a period the server does not accept.
pub async fn summary(period: Option<String>) -> Result<MetricsSummary, ApiError> {
    let query = query_string([("period", period)]);
    json(authorised(&Call::get(format!("/api/system/metrics/summary{query}"))).await?).await
}

/// Recomputes the snapshot now (the answer is discarded; reload the summary).
///
/// # Errors
/// 403 for non-staff.
pub async fn recompute() -> Result<(), ApiError> {
    authorised(&Call::new(Method::POST, "/api/system/metrics/recompute")).await?;
    Ok(())
}

/// `GET /api/system/metrics/thresholds`: every alert rule, by metric.
///
/// # Errors
/// 403 for non-staff.
pub async fn thresholds() -> Result<Vec<Threshold>, ApiError> {
    json(authorised(&Call::get("/api/system/metrics/thresholds")).await?).await
}

/// `PUT /api/system/metrics/thresholds`: replaces every rule; answers the rules now in force.
///
/// # Errors
/// 422 with one error per invalid rule (field `[index]`), 403 for non-staff.
pub async fn save_thresholds(rules: &[Threshold]) -> Result<Vec<Threshold>, ApiError> {
    let call = Call::new(Method::PUT, "/api/system/metrics/thresholds").json(&rules);
    json(authorised(&call).await?).await
}
