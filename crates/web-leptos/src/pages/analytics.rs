//! Staff analytics: activations per day, the plan mix, the busiest tenants and totals
//! for a date range.

use chrono::{Days, NaiveDate};
use leptos::prelude::*;
use tessera_domain::metrics::{Analytics, DayCount, PlanCount, TenantUsage};

use super::billing::{money, today_utc};
use super::charts::{self, Frame, coord};
use super::restricted::Restricted;
use crate::api::{self, ApiError};
use crate::components::{EmptyState, Loader, PageHeader, capitalize};
use crate::page::Page;

/// The analytics page: a date range (the last 30 days by default) and its figures.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let page = Page::Analytics;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Restricted page>
            <AnalyticsBody/>
        </Restricted>
    }
}

/// The range picker and everything computed for the range.
#[component]
fn AnalyticsBody() -> impl IntoView {
    let to = today_utc();
    let from = to.checked_sub_days(Days::new(29)).unwrap_or(to);
    let (from, set_from) = signal(from.to_string());
    let (to, set_to) = signal(to.to_string());
    let data = LocalResource::new(move || {
        let (from, to) = (from.get(), to.get());
        async move {
            let (Ok(from), Ok(to)) = (from.parse::<NaiveDate>(), to.parse::<NaiveDate>()) else {
                return Err(ApiError::Network(
                    "Choose a valid start and end date.".into(),
                ));
            };
            api::metrics::analytics(from, to).await
        }
    });
    view! {
        <form class="filter-bar" on:submit=|ev| ev.prevent_default()>
            <label class="field">
                <span class="field-label">"From"</span>
                <input
                    class="input"
                    type="date"
                    id="analytics-from"
                    prop:value=from
                    on:change=move |ev| set_from.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span class="field-label">"To"</span>
                <input
                    class="input"
                    type="date"
                    id="analytics-to"
                    prop:value=to
                    on:change=move |ev| set_to.set(event_target_value(&ev))
                />
            </label>
        </form>
        <Loader text="Loading analytics…">
            {move || Suspend::new(async move { data.await.map(figures) })}
        </Loader>
    }
}

fn figures(a: Analytics) -> impl IntoView {
    let t = a.totals;
    view! {
        <div class="grid grid-kpi analytics-totals">
            <Total id="total-tenants" label="Tenants" value=t.tenants.to_string()/>
            <Total id="total-codes" label="Codes issued" value=t.codes.to_string()/>
            <Total id="total-devices" label="Active devices" value=t.devices.to_string()/>
            <Total id="total-revenue" label="Revenue in range" value=money(t.revenue_cents, "USD")/>
        </div>
        <div class="grid grid-2 analytics-charts">
            <section class="card">
                <h2 class="card-title">"Activations per day"</h2>
                {activations_chart(a.activations_per_day)}
            </section>
            <section class="card">
                <h2 class="card-title">"Tenants per plan"</h2>
                {plans_chart(a.plan_distribution)}
            </section>
        </div>
        <section class="card">
            <h2 class="card-title">"Top tenants by usage"</h2>
            {top_tenants(a.top_tenants)}
        </section>
    }
}

/// One total.
#[component]
fn Total(
    /// The card's id.
    id: &'static str,
    /// What is counted.
    label: &'static str,
    /// The figure, formatted.
    value: String,
) -> impl IntoView {
    view! {
        <section class="card kpi-card" id=id>
            <p class="kpi-label">{label}</p>
            <p class="kpi-value">{value}</p>
        </section>
    }
}

fn activations_chart(days: Vec<DayCount>) -> AnyView {
    let total: i64 = days.iter().map(|d| d.count).sum();
    let frame = Frame::STANDARD;
    let counts: Vec<i64> = days.iter().map(|d| d.count).collect();
    let line = charts::line(&frame, &counts);
    let ticks = charts::ticks(&frame, line.max);
    let labels = charts::label_indices(days.len(), 5);
    let baseline = frame.baseline();
    let right = frame.width - frame.margin;
    let summary = format!("{total} activations over {} days", days.len());
    view! {
        <svg
            id="activations-chart"
            class="chart"
            viewBox=frame.view_box()
            role="img"
            aria-label=summary.clone()
        >
            {ticks
                .into_iter()
                .map(|t| view! {
                    <line class="chart-grid" x1=coord(frame.left) x2=coord(right) y1=coord(t.y) y2=coord(t.y)/>
                    <text class="chart-label" x=coord(frame.left - 6.0) y=coord(t.y + 4.0) text-anchor="end">
                        {t.value}
                    </text>
                })
                .collect_view()}
            {labels
                .into_iter()
                .filter_map(|i| Some((line.points.get(i)?.0, days.get(i)?.date)))
                .map(|(x, date)| view! {
                    <text class="chart-label" x=coord(x) y=coord(baseline + 18.0) text-anchor="middle">
                        {crate::format::short_date(date)}
                    </text>
                })
                .collect_view()}
            <path class="chart-line" d=line.path.clone() fill="none"/>
            {line
                .points
                .iter()
                .zip(&days)
                .map(|((x, y), d)| view! {
                    <circle class="chart-point" cx=coord(*x) cy=coord(*y) r="3">
                        <title>{format!("{}: {} activations", d.date, d.count)}</title>
                    </circle>
                })
                .collect_view()}
        </svg>
        <p class="chart-caption text-muted">{summary}</p>
        {(total == 0).then(|| view! { <p class="text-muted">"No device was activated in this range."</p> })}
    }
    .into_any()
}

fn plans_chart(plans: Vec<PlanCount>) -> AnyView {
    if plans.is_empty() {
        return view! { <EmptyState title="No subscriptions yet" icon="▥"/> }.into_any();
    }
    let frame = Frame::STANDARD;
    let counts: Vec<i64> = plans.iter().map(|p| p.tenants).collect();
    let (bars, max) = charts::bars(&frame, &counts);
    let ticks = charts::ticks(&frame, max);
    let baseline = frame.baseline();
    let right = frame.width - frame.margin;
    view! {
        <svg id="plans-chart" class="chart" viewBox=frame.view_box() role="img" aria-label="Tenants per plan">
            {ticks
                .into_iter()
                .map(|t| view! {
                    <line class="chart-grid" x1=coord(frame.left) x2=coord(right) y1=coord(t.y) y2=coord(t.y)/>
                    <text class="chart-label" x=coord(frame.left - 6.0) y=coord(t.y + 4.0) text-anchor="end">
                        {t.value}
                    </text>
                })
                .collect_view()}
            {bars
                .into_iter()
                .zip(plans)
                .map(|(b, p)| view! {
                    <g class="chart-bar" data-plan=p.plan.clone()>
                        <rect x=coord(b.x) y=coord(b.y) width=coord(b.width) height=coord(b.height) rx="3">
                            <title>{format!("{}: {} tenants", capitalize(&p.plan), p.tenants)}</title>
                        </rect>
                        <text class="chart-label" x=coord(b.centre) y=coord(baseline + 18.0) text-anchor="middle">
                            {capitalize(&p.plan)}
                        </text>
                        <text class="chart-value" x=coord(b.centre) y=coord(b.y - 4.0) text-anchor="middle">
                            {p.tenants}
                        </text>
                    </g>
                })
                .collect_view()}
        </svg>
    }
    .into_any()
}

fn top_tenants(rows: Vec<TenantUsage>) -> AnyView {
    if rows.is_empty() {
        return view! {
            <EmptyState title="No usage in this range" icon="◌">
                <p class="text-muted">"Tenants appear here once they record usage events."</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table table-compact" id="top-tenants">
                <thead>
                    <tr><th>"Tenant"</th><th class="num">"Events"</th><th class="num">"Cost"</th></tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| view! {
                            <tr>
                                <td><a href=Page::tenant(&r.tenant_slug)><code>{r.tenant_slug.clone()}</code></a></td>
                                <td class="num">{r.events}</td>
                                <td class="num">{money(r.cost_cents, "USD")}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
