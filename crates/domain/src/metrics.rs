//! Executive and operational metrics: the figures, their definitions and the alert rules.
//!
//! Definitions (ChartMogul's): MRR is the monthly price of every subscription that is
//! `active` or `past_due` with a price above zero (trials and free plans are excluded);
//! ARR = 12 × MRR. Movements are booked per change in the period, one for each time a
//! customer's MRR changes: new (from 0, never paid before), reactivation (from 0, paid
//! before), expansion (up), contraction (down, not to 0) and churn (to 0), so an upgrade
//! and a cancellation in one month count as both. Customer churn rate = customers paying
//! at the start and not at the end ÷ paying customers at the start; gross revenue churn = (churn + contraction) ÷ MRR
//! at the start; net revenue churn = (churn + contraction − expansion − reactivation) ÷ MRR
//! at the start; ARPA = MRR ÷ paying customers; trial-to-paid conversion = trials that
//! ended in the period and became paying ÷ trials that ended in the period.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// MRR movements in cents over the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MrrMovements {
    /// MRR from customers who never paid before.
    pub new_cents: i64,
    /// MRR added by paying customers who moved up.
    pub expansion_cents: i64,
    /// MRR lost by paying customers who moved down.
    pub contraction_cents: i64,
    /// MRR lost by customers who stopped paying.
    pub churn_cents: i64,
    /// MRR from customers who had paid before, stopped, and pay again.
    pub reactivation_cents: i64,
}

/// Business figures for one period.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BusinessMetrics {
    /// The period, `YYYY-MM`.
    pub period: String,
    /// Monthly recurring revenue at the end of the period (or now), in cents.
    pub mrr_cents: i64,
    /// 12 × MRR.
    pub arr_cents: i64,
    /// MRR at the start of the period.
    pub mrr_start_cents: i64,
    /// How MRR moved in the period.
    pub movements: MrrMovements,
    /// Paying customers at the end.
    pub paying_customers: i64,
    /// Customers who started paying for the first time in the period.
    pub new_customers: i64,
    /// Customers paying at the start and not at the end ÷ paying customers at the start.
    pub customer_churn_rate: Option<f64>,
    /// (churn + contraction) ÷ MRR at the start.
    pub gross_revenue_churn_rate: Option<f64>,
    /// (churn + contraction − expansion − reactivation) ÷ MRR at the start.
    pub net_revenue_churn_rate: Option<f64>,
    /// Average revenue per paying account, in cents.
    pub arpa_cents: Option<i64>,
    /// Trials ended in the period that became paying ÷ trials ended in the period.
    pub trial_to_paid_conversion_rate: Option<f64>,
    /// Distinct users with an authenticated request on the period's last day (today for
    /// the current month).
    pub dau: i64,
    /// ... in the 7 days ending on that day.
    pub wau: i64,
    /// ... in the 30 days ending on that day.
    pub mau: i64,
    /// Why a figure above is `null`.
    pub unavailable: BTreeMap<String, String>,
}

/// LLM usage from usage events of kind `llm_call` in the period.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LlmMetrics {
    /// Calls.
    pub calls: i64,
    /// Mean duration in milliseconds of calls that reported one.
    pub mean_duration_ms: Option<f64>,
    /// Failed ÷ calls.
    pub failure_rate: Option<f64>,
    /// Tokens.
    pub tokens: i64,
    /// Cost in cents.
    pub cost_cents: i64,
}

/// One monthly sign-up cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cohort {
    /// Sign-up month, `YYYY-MM`.
    pub month: String,
    /// Tenants who signed up that month.
    pub size: i64,
    /// Share (0..1) still subscribed (trialing, active or past due) at the end of month
    /// 0, 1, 2 ... after sign-up, up to now.
    pub retention: Vec<f64>,
}

/// An alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// The metric's field name, e.g. `customer_churn_rate`, `error_rate`, `p99_ms`.
    pub metric: String,
    /// `gt` or `lt`.
    pub operator: String,
    /// The limit.
    pub value: f64,
    /// `warning` or `critical`.
    pub severity: String,
}

/// Every figure a threshold can watch, by field name: the numeric fields of
/// [`BusinessMetrics`] and [`LlmMetrics`], then the server's operational figures and its
/// latency quantiles (the API's `OperationalMetrics` and `Latency`; its tests check that
/// this list and the serialized structs name the same fields). A figure that is `null` in
/// a period raises no alert then.
pub const THRESHOLD_METRICS: &[&str] = &[
    "mrr_cents",
    "arr_cents",
    "mrr_start_cents",
    "paying_customers",
    "new_customers",
    "customer_churn_rate",
    "gross_revenue_churn_rate",
    "net_revenue_churn_rate",
    "arpa_cents",
    "trial_to_paid_conversion_rate",
    "dau",
    "wau",
    "mau",
    "calls",
    "mean_duration_ms",
    "failure_rate",
    "tokens",
    "cost_cents",
    "requests_total",
    "error_rate",
    "client_error_rate",
    "sse_clients",
    "job_runs",
    "job_failures",
    "queue_depth",
    "p50_ms",
    "p95_ms",
    "p99_ms",
];

/// A metric beyond its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    /// The metric.
    pub metric: String,
    /// Its value.
    pub value: f64,
    /// The rule it broke.
    pub threshold: Threshold,
}

impl Threshold {
    /// Whether `value` breaks this rule.
    pub fn breached_by(&self, value: f64) -> bool {
        match self.operator.as_str() {
            "gt" => value > self.value,
            "lt" => value < self.value,
            _ => false,
        }
    }

    /// Checks the rule's shape.
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.metric.trim().is_empty() {
            return Err("metric is required".into());
        }
        if !["gt", "lt"].contains(&self.operator.as_str()) {
            return Err("operator must be gt or lt".into());
        }
        if !["warning", "critical"].contains(&self.severity.as_str()) {
            return Err("severity must be warning or critical".into());
        }
        if !self.value.is_finite() {
            return Err("value must be a number".into());
        }
        Ok(())
    }

    /// Checks that the rule watches a figure that exists ([`THRESHOLD_METRICS`]); a rule on
    /// any other name would never alert. An empty name is [`Threshold::validate`]'s to refuse.
    ///
    /// # Errors
    /// A message naming the unknown metric and the known ones.
    pub fn validate_metric(&self) -> Result<(), String> {
        let name = self.metric.trim();
        if name.is_empty() || THRESHOLD_METRICS.contains(&name) {
            return Ok(());
        }
        Err(format!(
            "metric \"{name}\" is unknown; known metrics: {}",
            THRESHOLD_METRICS.join(", ")
        ))
    }
}

/// The stored snapshot of business, LLM and cohort figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricsSnapshot {
    /// Business figures.
    pub business: BusinessMetrics,
    /// LLM figures.
    pub llm: LlmMetrics,
    /// Monthly sign-up cohorts, oldest first (last 12 months).
    pub cohorts: Vec<Cohort>,
    /// When the snapshot was computed.
    pub computed_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_compare_and_validate() {
        let t = Threshold {
            metric: "error_rate".into(),
            operator: "gt".into(),
            value: 0.05,
            severity: "critical".into(),
        };
        assert!(t.breached_by(0.06));
        assert!(!t.breached_by(0.05));
        assert!(t.validate().is_ok());
        let bad = Threshold {
            operator: "eq".into(),
            ..t
        };
        assert!(bad.validate().is_err());
        assert!(bad.validate_metric().is_ok());
        let unknown = Threshold {
            metric: " p999_ms ".into(),
            ..bad
        };
        let msg = unknown.validate_metric().unwrap_err();
        assert!(msg.contains("\"p999_ms\" is unknown"), "{msg}");
        assert!(msg.contains("p99_ms"), "{msg}");
    }

    // That THRESHOLD_METRICS names exactly the numeric figures is checked where they are
    // all gathered: crates/api/src/alerts.rs, `threshold_metrics_name_every_figure`.
}

/// Activations on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayCount {
    /// The day (UTC).
    pub date: chrono::NaiveDate,
    /// Devices activated that day.
    pub count: i64,
}

/// One tenant's usage in the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantUsage {
    /// The tenant.
    pub tenant_id: uuid::Uuid,
    /// Its slug.
    pub tenant_slug: String,
    /// Usage events.
    pub events: i64,
    /// Their cost in cents.
    pub cost_cents: i64,
}

/// Tenants per plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanCount {
    /// The plan's code.
    pub plan: String,
    /// Tenants on it now.
    pub tenants: i64,
}

/// Totals for the analytics page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyticsTotals {
    /// Tenants (the platform's own excluded).
    pub tenants: i64,
    /// Activation codes issued.
    pub codes: i64,
    /// Devices not revoked.
    pub devices: i64,
    /// Top-ups credited in the range, in cents (cash collected).
    pub revenue_cents: i64,
}

/// The analytics of a date range.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Analytics {
    /// Every day of the range with its activations (zero days included).
    pub activations_per_day: Vec<DayCount>,
    /// The ten tenants with the most usage events in the range.
    pub top_tenants: Vec<TenantUsage>,
    /// Tenants per plan now.
    pub plan_distribution: Vec<PlanCount>,
    /// Totals.
    pub totals: AnalyticsTotals,
}
