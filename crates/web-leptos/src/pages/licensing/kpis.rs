use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::dashboard::DashboardView;

use crate::api::licensing as api;
use crate::components::Loader;
use crate::page::Page;

/// The staff dashboard's key figures from `GET /admin/api/dashboard`: tenants, active
/// codes, devices and today's activations, each counted by the server when asked.
#[component]
pub fn StaffKpis() -> impl IntoView {
    let figures = LocalResource::new(api::dashboard);
    let (updating, set_updating) = signal(false);
    let cards = |d: DashboardView| {
        view! {
            <div class="grid grid-kpi" id="kpis">
                <Kpi id="kpi-tenants" label="Tenants" value=d.tenants note="Customer tenants (not the platform's own)" href=Page::Tenants.path()/>
                <Kpi id="kpi-active-codes" label="Active codes" value=d.active_codes note="Codes that can still activate a device" href=Page::ActivationCodes.path()/>
                <Kpi id="kpi-devices" label="Devices" value=d.devices note="Activated and not revoked" href=Page::Devices.path()/>
                <Kpi id="kpi-activations-today" label="Activations today" value=d.activations_today note="Devices first activated since 00:00 UTC" href=Page::Devices.path()/>
            </div>
        }
    };
    view! {
        <div class="kpi-toolbar">
            <button
                type="button"
                class="btn btn-ghost btn-sm"
                id="kpis-refresh"
                disabled=move || updating.get()
                on:click=move |_| figures.refetch()
            >
                {move || if updating.get() { "Refreshing…" } else { "Refresh" }}
            </button>
        </div>
        <Loader text="Loading key figures…" set_pending=set_updating>
            {move || Suspend::new(async move { figures.await.map(cards) })}
        </Loader>
    }
}

/// One key figure: a label, the number, what it counts, and where its rows are listed.
#[component]
fn Kpi(
    /// The card's id (its value is `#<id> .kpi-value`).
    id: &'static str,
    /// What is counted.
    label: &'static str,
    /// The count.
    value: u64,
    /// How it is counted.
    note: &'static str,
    /// The page that lists what is counted.
    href: &'static str,
) -> impl IntoView {
    view! {
        <section class="card kpi-card" id=id>
            <p class="kpi-label">{label}</p>
            <p class="kpi-value">{value}</p>
            <p class="kpi-note">{note}</p>
            <A href=href attr:class="kpi-link">"View"</A>
        </section>
    }
}
