//! Executive metrics: business KPIs coloured by their alert status, MRR movements,
//! alerts, cohort retention, operational and LLM figures, and the alert rules' editor.

use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use tessera_domain::metrics::{Alert, BusinessMetrics, Cohort, LlmMetrics};

use super::billing::{money, today_utc};
use super::restricted::Restricted;
use super::thresholds::ThresholdEditor;
use crate::api::metrics::{MetricsSummary, Operational};
use crate::api::{self, ApiError};
use crate::components::{
    Alert as AlertBox, AlertKind, Badge, EmptyState, Loader, PageHeader, Tone,
};
use crate::format::{fixed, short};
use crate::page::Page;

/// How often the page reloads itself.
const AUTO_REFRESH: Duration = Duration::from_secs(60);
/// Months the period picker offers, the current one included.
const PERIODS: u32 = 24;

/// The `YYYY-MM` of the month `today` is in and of the `n - 1` months before it, newest
/// first.
fn recent_months(today: NaiveDate, n: u32) -> Vec<String> {
    let this = today.year() * 12 + i32::try_from(today.month0()).unwrap_or(0);
    (0..i32::try_from(n).unwrap_or(0))
        .map(|back| {
            let m = this - back;
            format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
        })
        .collect()
}

/// The executive metrics page; reloads every minute and on demand (after a recompute).
#[component]
pub fn MetricsPage() -> impl IntoView {
    let page = Page::Metrics;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Restricted page>
            <MetricsBody/>
        </Restricted>
    }
}

/// The period picker, the summary, its refresh button and its auto-refresh, then the
/// alert rules.
#[component]
fn MetricsBody() -> impl IntoView {
    // Empty: the current month, whichever it is when the page reloads itself.
    let period = RwSignal::new(String::new());
    let summary = LocalResource::new(move || {
        let p = period.get();
        api::metrics::summary((!p.is_empty()).then_some(p))
    });
    let months = recent_months(today_utc(), PERIODS);
    let current = format!("This month ({})", months[0]);
    let earlier = months[1..]
        .iter()
        .map(|m| view! { <option value=m.clone()>{m.clone()}</option> })
        .collect_view();
    let (busy, set_busy) = signal(false);
    let (failure, set_failure) = signal(None::<ApiError>);
    if let Ok(handle) = set_interval_with_handle(move || summary.refetch(), AUTO_REFRESH) {
        on_cleanup(move || handle.clear());
    }
    let refresh = move |_| {
        set_busy.set(true);
        set_failure.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = api::metrics::recompute().await {
                set_failure.set(Some(e));
            }
            summary.refetch();
            set_busy.set(false);
        });
    };
    view! {
        <div class="kpi-toolbar">
            <label class="kpi-period-label" for="metrics-period">"Period"</label>
            <select
                class="select select-sm"
                id="metrics-period"
                on:change=move |ev| period.set(event_target_value(&ev))
            >
                <option value="">{current}</option>
                {earlier}
            </select>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                id="metrics-refresh"
                // The job recomputes the current month; an earlier month's snapshot stays
                // as the job last took it.
                disabled=move || busy.get() || period.with(|p| !p.is_empty())
                title=move || period.with(|p| {
                    (!p.is_empty()).then_some("Only the current month is recomputed")
                })
                on:click=refresh
            >
                {move || if busy.get() { "Recomputing…" } else { "Refresh" }}
            </button>
        </div>
        {move || failure.get().map(|e| view! {
            <AlertBox kind=AlertKind::Error title="Could not recompute">{e.to_string()}</AlertBox>
        })}
        <Loader text="Loading metrics…">
            {move || Suspend::new(async move { summary.await.map(dashboard) })}
        </Loader>
        <ThresholdEditor on_saved=Callback::new(move |()| summary.refetch())/>
    }
}

fn dashboard(s: MetricsSummary) -> impl IntoView {
    let computed = crate::format::moment_seconds(s.computed_at);
    let period = s.business.period.clone();
    view! {
        <p class="metrics-meta text-muted">
            "Period " <strong>{period}</strong> " · computed at "
            <time id="metrics-computed-at" datetime=s.computed_at.to_rfc3339()>{computed}</time>
            " · reloads every minute"
        </p>
        {kpis(&s.business, &s.alerts)}
        <div class="grid grid-2 metrics-panels">
            {movements(&s.business)}
            {alerts(&s.alerts)}
        </div>
        {cohorts(s.cohorts)}
        <div class="grid grid-2 metrics-panels">
            {operational(&s.operational)}
            {llm(&s.llm)}
        </div>
    }
}

/// The worst severity among the alerts naming `metric`, as a card class.
pub(crate) fn status_class(metric: &str, alerts: &[Alert]) -> &'static str {
    let mut worst = "";
    for a in alerts.iter().filter(|a| a.metric == metric) {
        match a.threshold.severity.as_str() {
            "critical" => return "kpi-critical",
            "warning" => worst = "kpi-warning",
            _ => {}
        }
    }
    worst
}

/// `0.1234` → `12.3%`.
pub(crate) fn percent(share: f64) -> String {
    format!("{}%", fixed(share * 100.0, 1))
}

fn usd(cents: i64) -> String {
    money(cents, "USD")
}

fn kpis(b: &BusinessMetrics, alerts: &[Alert]) -> impl IntoView + use<> {
    let why = |field: &str| b.unavailable.get(field).cloned();
    let cards: Vec<(&'static str, &'static str, Option<String>)> = vec![
        ("mrr_cents", "MRR", Some(usd(b.mrr_cents))),
        ("arr_cents", "ARR", Some(usd(b.arr_cents))),
        (
            "paying_customers",
            "Paying customers",
            Some(b.paying_customers.to_string()),
        ),
        (
            "new_customers",
            "New customers",
            Some(b.new_customers.to_string()),
        ),
        (
            "customer_churn_rate",
            "Customer churn",
            b.customer_churn_rate.map(percent),
        ),
        (
            "gross_revenue_churn_rate",
            "Gross revenue churn",
            b.gross_revenue_churn_rate.map(percent),
        ),
        (
            "net_revenue_churn_rate",
            "Net revenue churn",
            b.net_revenue_churn_rate.map(percent),
        ),
        ("arpa_cents", "ARPA", b.arpa_cents.map(usd)),
        (
            "trial_to_paid_conversion_rate",
            "Trial → paid",
            b.trial_to_paid_conversion_rate.map(percent),
        ),
        ("dau", "DAU", Some(b.dau.to_string())),
        ("wau", "WAU", Some(b.wau.to_string())),
        ("mau", "MAU", Some(b.mau.to_string())),
    ];
    let cards = cards
        .into_iter()
        .map(|(metric, label, value)| {
            let class = format!("card kpi-card {}", status_class(metric, alerts));
            let reason = value
                .is_none()
                .then(|| why(metric).unwrap_or_else(|| "not available".into()));
            view! {
                <section class=class data-metric=metric>
                    <p class="kpi-label">{label}</p>
                    <p class="kpi-value">{value.unwrap_or_else(|| "—".into())}</p>
                    {reason.map(|r| view! { <p class="kpi-note kpi-unavailable">{r}</p> })}
                </section>
            }
        })
        .collect_view();
    view! { <div class="grid grid-kpi" id="metrics-kpis">{cards}</div> }
}

fn movements(b: &BusinessMetrics) -> impl IntoView + use<> {
    let m = &b.movements;
    let rows = [
        ("New", m.new_cents, 1),
        ("Expansion", m.expansion_cents, 1),
        ("Reactivation", m.reactivation_cents, 1),
        ("Contraction", m.contraction_cents, -1),
        ("Churn", m.churn_cents, -1),
    ];
    let net = m.new_cents + m.expansion_cents + m.reactivation_cents
        - m.contraction_cents
        - m.churn_cents;
    view! {
        <section class="card" id="mrr-movements">
            <h2 class="card-title">"MRR movements"</h2>
            <dl class="details">
                <dt>"MRR at start"</dt>
                <dd>{usd(b.mrr_start_cents)}</dd>
                {rows
                    .into_iter()
                    .map(|(label, cents, sign)| {
                        let class = if cents == 0 { "" } else if sign > 0 { "delta-up" } else { "delta-down" };
                        let text = if sign > 0 { format!("+{}", usd(cents)) } else { format!("−{}", usd(cents)) };
                        view! { <dt>{label}</dt><dd class=class>{text}</dd> }
                    })
                    .collect_view()}
                <dt>"Net change"</dt>
                <dd><strong>{usd(net)}</strong></dd>
                <dt>"MRR now"</dt>
                <dd><strong>{usd(b.mrr_cents)}</strong></dd>
            </dl>
        </section>
    }
}

fn alerts(alerts: &[Alert]) -> impl IntoView + use<> {
    let body = if alerts.is_empty() {
        view! { <p class="text-muted">"No metric is beyond its threshold."</p> }.into_any()
    } else {
        let items = alerts
            .iter()
            .map(|a| {
                let tone = if a.threshold.severity == "critical" {
                    Tone::Danger
                } else {
                    Tone::Warning
                };
                let op = if a.threshold.operator == "gt" {
                    ">"
                } else {
                    "<"
                };
                let text = format!(
                    "{} = {} ({op} {})",
                    a.metric,
                    round(a.value),
                    round(a.threshold.value)
                );
                let severity = a.threshold.severity.clone();
                view! {
                    <li class="metric-alert" data-metric=a.metric.clone()>
                        <Badge tone>{severity}</Badge>
                        " "
                        <span>{text}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="metric-alerts">{items}</ul> }.into_any()
    };
    view! {
        <section class="card" id="metrics-alerts">
            <h2 class="card-title">"Alerts"</h2>
            {body}
        </section>
    }
}

fn round(v: f64) -> String {
    short(v, 4)
}

fn cohorts(cohorts: Vec<Cohort>) -> impl IntoView {
    let months = cohorts.iter().map(|c| c.retention.len()).max().unwrap_or(0);
    let body = if cohorts.is_empty() {
        view! { <EmptyState title="No sign-ups in the last 12 months" icon="▦"/> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="table table-compact cohort-table" id="cohort-table">
                    <thead>
                        <tr>
                            <th>"Cohort"</th>
                            <th class="num">"Tenants"</th>
                            {(0..months).map(|m| view! { <th class="num">{format!("M{m}")}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {cohorts
                            .into_iter()
                            .map(|c| view! {
                                <tr>
                                    <td>{c.month.clone()}</td>
                                    <td class="num">{c.size}</td>
                                    {(0..months)
                                        .map(|m| match c.retention.get(m) {
                                            Some(share) => {
                                                let alpha = share.clamp(0.0, 1.0);
                                                let style = format!("background-color: rgb(79 70 229 / {})", fixed(alpha, 3));
                                                let class = if alpha > 0.55 { "num cohort-cell cohort-strong" } else { "num cohort-cell" };
                                                view! {
                                                    <td class=class style=style data-share=fixed(*share, 4)>
                                                        {percent(*share)}
                                                    </td>
                                                }
                                                .into_any()
                                            }
                                            None => view! { <td class="cohort-empty"></td> }.into_any(),
                                        })
                                        .collect_view()}
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" id="cohorts">
            <h2 class="card-title">"Cohort retention"</h2>
            <p class="text-muted">"Share of each month's sign-ups still subscribed after 0, 1, 2 … months."</p>
            {body}
        </section>
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{} ms", fixed(v, 1)))
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), percent)
}

fn operational(o: &Operational) -> impl IntoView + use<> {
    let queue = match o.queue_depth {
        Some(n) => view! { <dd>{n}</dd> }.into_any(),
        None => view! { <dd>"—" <span class="text-muted kpi-unavailable">" no SMTP, mail stays in the outbox"</span></dd> }
            .into_any(),
    };
    let db = if o.database_up {
        view! { <Badge tone=Tone::Success>"up"</Badge> }.into_any()
    } else {
        view! { <Badge tone=Tone::Danger>"down"</Badge> }.into_any()
    };
    view! {
        <section class="card" id="metrics-operational">
            <h2 class="card-title">"Operations"</h2>
            <dl class="details">
                <dt>"Requests"</dt><dd>{o.requests_total}</dd>
                <dt>"Error rate (5xx)"</dt><dd>{share(o.error_rate)}</dd>
                <dt>"Client errors (4xx)"</dt><dd>{share(o.client_error_rate)}</dd>
                <dt>"Latency p50 / p95 / p99"</dt>
                <dd>{format!("{} / {} / {}", ms(o.latency.p50_ms), ms(o.latency.p95_ms), ms(o.latency.p99_ms))}</dd>
                <dt>"Live feed clients"</dt><dd>{o.sse_clients}</dd>
                <dt>"Metrics job runs / failures (24 h)"</dt><dd>{format!("{} / {}", o.job_runs, o.job_failures)}</dd>
                <dt>"Queue depth"</dt>{queue}
                <dt>"Database"</dt><dd id="metrics-database">{db}</dd>
            </dl>
        </section>
    }
}

fn llm(l: &LlmMetrics) -> impl IntoView + use<> {
    view! {
        <section class="card" id="metrics-llm">
            <h2 class="card-title">"LLM usage"</h2>
            <dl class="details">
                <dt>"Calls"</dt><dd>{l.calls}</dd>
                <dt>"Mean duration"</dt><dd>{ms(l.mean_duration_ms)}</dd>
                <dt>"Failure rate"</dt><dd>{share(l.failure_rate)}</dd>
                <dt>"Tokens"</dt><dd>{l.tokens}</dd>
                <dt>"Cost"</dt><dd>{usd(l.cost_cents)}</dd>
            </dl>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use tessera_domain::metrics::Threshold;

    use super::*;

    fn alert(metric: &str, severity: &str) -> Alert {
        Alert {
            metric: metric.into(),
            value: 1.0,
            threshold: Threshold {
                metric: metric.into(),
                operator: "gt".into(),
                value: 0.5,
                severity: severity.into(),
            },
        }
    }

    #[test]
    fn the_picker_offers_this_month_and_those_before_across_years() {
        let months = recent_months(NaiveDate::from_ymd_opt(2026, 2, 14).unwrap(), 4);
        assert_eq!(months, ["2026-02", "2026-01", "2025-12", "2025-11"]);
        assert_eq!(
            recent_months(NaiveDate::from_ymd_opt(2026, 2, 14).unwrap(), 24).len(),
            24
        );
    }

    #[test]
    fn the_worst_alert_colours_the_card() {
        let alerts = [
            alert("dau", "warning"),
            alert("dau", "critical"),
            alert("mau", "warning"),
        ];
        assert_eq!(status_class("dau", &alerts), "kpi-critical");
        assert_eq!(status_class("mau", &alerts), "kpi-warning");
        assert_eq!(status_class("wau", &alerts), "");
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(round(0.05), "0.05");
    }
}
