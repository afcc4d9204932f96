//! The portal's home panel on the dashboard: plan, quotas used and the reserve, each
//! computed from the API's own lists and loaded on its own so one refusal does not hide
//! the rest.

use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::billing::Reserve;
use tessera_domain::plan::PlanView;

use super::is_org_admin;
use crate::api::ApiError;
use crate::api::{billing, licensing, llm, portal};
use crate::components::Loader;
use crate::layout::Me;
use crate::page::Page;
use crate::pages::billing::{ReserveStatusBadge, money};

/// The caller's plan as `/api/plans` describes it (`/api/auth/me` names only its code).
async fn own_plan(
    me: LocalResource<Result<tessera_domain::auth::MeResponse, ApiError>>,
) -> Result<PlanView, ApiError> {
    let me = me.await?;
    let code = me.tenant.map(|t| t.plan).unwrap_or_default();
    let plans = licensing::list_plans().await?;
    plans
        .into_iter()
        .find(|p| p.code == code)
        .ok_or_else(|| ApiError::Network(format!("The plan {code} is not in the list of plans.")))
}

/// `2 of 3 used`, with the bar's fill in percent (capped at 100).
fn usage(used: u64, quota: i32) -> (String, u64) {
    let quota = u64::try_from(quota).unwrap_or(0);
    // A quota of zero is full from the start.
    let percent = (used.saturating_mul(100))
        .checked_div(quota)
        .map_or(100, |p| p.min(100));
    (format!("{used} of {quota} used"), percent)
}

/// A KPI card: a label, a value with an id for tests, and a progress bar.
fn quota_card(metric: &'static str, label: &'static str, used: u64, quota: i32) -> impl IntoView {
    let (text, percent) = usage(used, quota);
    view! {
        <div class="card kpi-card" data-metric=metric>
            <div class="kpi-label">{label}</div>
            <div class="kpi-value" id=format!("portal-{metric}")>{text}</div>
            <progress class="quota-bar" max="100" value=percent.to_string()>{format!("{percent}%")}</progress>
        </div>
    }
}

/// Plan, project and device quotas, and the reserve, for an organisation's members.
#[component]
pub fn PortalHome() -> impl IntoView {
    // The shell's `Me` is read here, while the component's owner is current, rather
    // than inside the future.
    let me = Me::get();
    let plan = LocalResource::new(move || own_plan(me));
    let projects = LocalResource::new(llm::tenant_projects);
    let reserve = LocalResource::new(billing::reserve);
    let org_admin = is_org_admin();
    // The device list is for org admins only; users are told so instead of a refusal.
    let devices = LocalResource::new(move || async move {
        if org_admin {
            portal::active_device_count().await.map(Some)
        } else {
            Ok(None)
        }
    });

    let plan_card = move |p: PlanView| {
        view! {
            <div class="card kpi-card" data-metric="plan">
                <div class="kpi-label">"Plan"</div>
                <div class="kpi-value" id="portal-plan">{p.name.clone()}</div>
                <div class="kpi-note">
                    {if p.monthly_price_cents == 0 {
                        "Free".to_owned()
                    } else {
                        format!("{} a month", money(p.monthly_price_cents, &p.currency))
                    }}
                </div>
            </div>
        }
    };
    let reserve_card = |r: Reserve| {
        view! {
            <div class="card kpi-card" data-metric="balance">
                <div class="kpi-label">"Reserve balance"</div>
                <div class="kpi-value" id="portal-balance">{money(r.balance_cents, &r.currency)}</div>
                <div class="kpi-note">
                    <ReserveStatusBadge status=r.status.clone() id="portal-reserve-status"/>
                    " "
                    <A href=Page::OrgBilling.path() attr:id="portal-billing-link">"Billing →"</A>
                </div>
            </div>
        }
    };

    view! {
        <div class="grid grid-kpi" id="portal-home">
            <Loader text="Loading your plan…">
                {move || Suspend::new(async move {
                    let plan = plan.await?;
                    let used = projects.await?.len() as u64;
                    let devices = devices.await?;
                    let device_card = match devices {
                        Some(n) => quota_card("devices", "Devices", n, plan.device_quota).into_any(),
                        None => view! {
                            <div class="card kpi-card" data-metric="devices">
                                <div class="kpi-label">"Devices"</div>
                                <div class="kpi-value" id="portal-devices">{format!("Up to {}", plan.device_quota)}</div>
                                <div class="kpi-note">"How many are in use is shown to your organisation's admins."</div>
                            </div>
                        }
                        .into_any(),
                    };
                    Ok::<_, ApiError>(view! {
                        {quota_card("projects", "Projects", used, plan.project_quota)}
                        {device_card}
                        {plan_card(plan)}
                    })
                })}
            </Loader>
            <Loader text="Loading your reserve…">
                {move || Suspend::new(async move { reserve.await.map(reserve_card) })}
            </Loader>
        </div>
        <div class="card-actions">
            <A href=Page::Projects.path() attr:class="btn btn-secondary btn-sm">"Projects"</A>
            <A href=Page::CodesDevices.path() attr:class="btn btn-ghost btn-sm">"Codes & devices"</A>
            <A href=Page::OrgBilling.path() attr:class="btn btn-ghost btn-sm">"Billing"</A>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::usage;

    #[test]
    fn usage_reads_as_a_fraction_and_caps_the_bar() {
        assert_eq!(usage(1, 3), ("1 of 3 used".into(), 33));
        assert_eq!(usage(5, 3).1, 100);
        assert_eq!(usage(0, 0).1, 100);
    }
}
