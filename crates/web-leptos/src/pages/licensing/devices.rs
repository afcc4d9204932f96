use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tessera_domain::device::{DeviceStatus, DeviceView};
use tessera_domain::page::Paged;

use super::{StaffOnly, TenantFilters, moment, refilter, revocation};
use crate::api::licensing::{self as api, DeviceQuery};
use crate::components::{
    EmptyState, Loader, PageHeader, Pager, PickButton, StatusBadge, TargetConfirm,
};
use crate::page::Page;

/// Staff: activated devices of every tenant, with tenant, status and search filters, and
/// revocation.
///
/// `?tenant=<slug>` starts the list filtered to that tenant (the tenant page links here).
#[component]
pub fn DevicesPage() -> impl IntoView {
    view! {
        <StaffOnly page=Page::Devices>
            <DeviceList/>
        </StaffOnly>
    }
}

fn status_str(s: DeviceStatus) -> &'static str {
    match s {
        DeviceStatus::Active => "active",
        DeviceStatus::Revoked => "revoked",
    }
}

/// Fingerprints can be 256 characters: the table shows their start, the tooltip all.
fn short(text: &str) -> String {
    const KEEP: usize = 18;
    if text.chars().count() > KEEP {
        format!("{}…", text.chars().take(KEEP).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[component]
fn DeviceList() -> impl IntoView {
    let from_url = use_query_map().with_untracked(|q| q.get("tenant").unwrap_or_default());
    let query = RwSignal::new(DeviceQuery {
        tenant: from_url.clone(),
        page: 1,
        ..DeviceQuery::default()
    });
    let devices = LocalResource::new(move || {
        let q = query.get();
        async move { api::list_devices(&q).await }
    });
    let (updating, set_updating) = signal(false);
    let (revoking, revoke) =
        revocation::<DeviceView, _, _>(api::revoke_device, move || devices.refetch());

    let on_tenant = refilter(query, |q, v| q.tenant = v);
    let on_search = refilter(query, |q, v| q.search = v);
    let on_status = refilter(query, |q, v| {
        q.status = [DeviceStatus::Active, DeviceStatus::Revoked]
            .into_iter()
            .find(|s| status_str(*s) == v);
    });
    let on_page = Callback::new(move |page: u64| query.update(|q| q.page = page));
    let status_options = Signal::derive(|| {
        vec![
            ("active".to_owned(), "Active".to_owned()),
            ("revoked".to_owned(), "Revoked".to_owned()),
        ]
    });

    let table = move |page: Paged<DeviceView>| {
        if page.total == 0 {
            let filtered = query.with_untracked(|q| {
                !q.tenant.is_empty() || !q.search.is_empty() || q.status.is_some()
            });
            return view! {
                <EmptyState title=if filtered { "No devices match these filters" } else { "No devices yet" } icon="▣">
                    <p>
                        {if filtered {
                            "Check the tenant's slug and the search, or show every status."
                        } else {
                            "Devices appear here once they activate with a code (POST /api/activate)."
                        }}
                    </p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-hover" id="devices-table">
                    <thead>
                        <tr>
                            <th>"Device"</th>
                            <th>"Tenant"</th>
                            <th>"Platform"</th>
                            <th>"Status"</th>
                            <th>"Activated"</th>
                            <th>"Last seen"</th>
                            <th>"License until"</th>
                            <th><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        // Rows are rebuilt with each loaded page (the Suspend above re-runs),
                        // so a plain list is enough: nothing here updates in place.
                        {page.items.into_iter().map(move |d| {
                            let status = status_str(d.status);
                            let row = d.clone();
                            let revocable = d.status == DeviceStatus::Active;
                            view! {
                                <tr class="device-row" data-device-id=d.id.to_string() data-status=status>
                                    <td>
                                        <div class="device-name">{d.name.clone()}</div>
                                        <code class="text-sm" title=d.fingerprint.clone()>{short(&d.fingerprint)}</code>
                                    </td>
                                    <td><A href=Page::tenant(&d.tenant_slug)>{d.tenant_slug.clone()}</A></td>
                                    <td>{d.platform.clone()}</td>
                                    <td><StatusBadge status=status.to_owned()/></td>
                                    <td class="date">{moment(d.activated_at)}</td>
                                    <td class="date">{d.last_seen_at.map(moment).unwrap_or_else(|| "Never".into())}</td>
                                    <td class="date">{moment(d.license_expires_at)}</td>
                                    <td class="table-actions">
                                        {revocable.then(|| view! {
                                            <PickButton class="btn btn-ghost btn-sm revoke-device" label="Revoke" aria_label=format!("Revoke device {}", d.name) row=row target=revoking action=revoke/>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page per_page=page.per_page total=page.total noun="devices" on_page=on_page/>
        }
        .into_any()
    };

    view! {
        <PageHeader title=Page::Devices.title() crumbs=Page::Devices.crumbs()/>
        <TenantFilters
            prefix="devices"
            tenant=from_url
            on_tenant=on_tenant
            status=Signal::derive(move || query.with(|q| q.status.map(status_str).unwrap_or_default().to_owned()))
            status_options=status_options
            on_status=on_status
            search_placeholder="Name, fingerprint or platform"
            on_search=on_search
            updating=updating
        />
        <Loader text="Loading devices…" set_pending=set_updating>
            {move || Suspend::new(async move { devices.await.map(table) })}
        </Loader>
        <TargetConfirm
            target=revoking
            action=revoke
            title=|d| format!("Revoke device {}?", d.name)
            confirm_label="Revoke device"
            confirm_id="confirm-revoke"
            key=|d| d.id
            body=|d| view! {
                <p>
                    <strong>{d.name}</strong> " (" {d.platform} ") of " <strong>{d.tenant_slug}</strong>
                    " will fail its next license check with DEVICE_REVOKED, and its slot in the tenant's device quota becomes free."
                </p>
                <p>"The code it was activated with is not revoked."</p>
            }.into_any()
        />
    }
}
