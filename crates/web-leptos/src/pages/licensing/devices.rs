use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tessera_domain::device::{DeviceStatus, DeviceView};
use tessera_domain::page::Paged;
use uuid::Uuid;

use super::{FilterSelect, SearchInput, StaffOnly, moment};
use crate::api::licensing::{self as api, DeviceQuery};
use crate::components::{
    ConfirmDialog, EmptyState, ErrorList, Loading, PageHeader, Pager, Spinner, StatusBadge,
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
    let revoking = RwSignal::new(None::<DeviceView>);
    let revoke = Action::new_local(move |id: &Uuid| {
        let id = *id;
        async move {
            let revoked = api::revoke_device(id).await;
            if revoked.is_ok() {
                revoking.set(None);
                devices.refetch();
            }
            revoked
        }
    });

    let on_tenant = Callback::new(move |v: String| {
        query.update(|q| {
            q.tenant = v;
            q.page = 1;
        })
    });
    let on_search = Callback::new(move |v: String| {
        query.update(|q| {
            q.search = v;
            q.page = 1;
        })
    });
    let on_status = Callback::new(move |v: String| {
        let status = [DeviceStatus::Active, DeviceStatus::Revoked]
            .into_iter()
            .find(|s| status_str(*s) == v);
        query.update(|q| {
            q.status = status;
            q.page = 1;
        })
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
                            let revocable = d.status == DeviceStatus::Active;
                            let row = d.clone();
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
                                            <button
                                                type="button"
                                                class="btn btn-ghost btn-sm revoke-device"
                                                aria-label=format!("Revoke device {}", d.name)
                                                on:click=move |_| {
                                                    revoke.value().set(None);
                                                    revoking.set(Some(row.clone()));
                                                }
                                            >
                                                "Revoke"
                                            </button>
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

    let revoke_title = Signal::derive(move || {
        revoking.with(|d| {
            d.as_ref()
                .map(|d| format!("Revoke device {}?", d.name))
                .unwrap_or_default()
        })
    });
    let revoke_error = Signal::derive(move || {
        revoke.value().with(|v| match v {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    });

    view! {
        <PageHeader title=Page::Devices.title() crumbs=Page::Devices.crumbs()/>
        <div class="toolbar">
            <SearchInput id="devices-tenant-filter" label="Tenant" placeholder="Slug" text=RwSignal::new(from_url) on_commit=on_tenant/>
            <FilterSelect
                id="devices-status-filter"
                label="Status"
                value=Signal::derive(move || query.with(|q| q.status.map(status_str).unwrap_or_default().to_owned()))
                options=status_options
                on_change=on_status
            />
            <SearchInput id="devices-search" label="Search" placeholder="Name, fingerprint or platform" text=RwSignal::new(String::new()) on_commit=on_search/>
            {move || updating.get().then(|| view! { <Spinner label="Updating the list"/> })}
        </div>
        <Transition fallback=|| view! { <Loading text="Loading devices…"/> } set_pending=set_updating>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move { devices.await.map(table) })}
            </ErrorBoundary>
        </Transition>
        <ConfirmDialog
            open=Signal::derive(move || revoking.with(Option::is_some))
            on_close=Callback::new(move |()| {
                if !revoke.pending().get_untracked() {
                    revoking.set(None);
                }
            })
            title=revoke_title
            confirm_label="Revoke device"
            confirm_id="confirm-revoke"
            pending=revoke.pending()
            error=revoke_error
            on_confirm=Callback::new(move |()| {
                if let Some(d) = revoking.get_untracked() {
                    revoke.dispatch(d.id);
                }
            })
        >
            {move || revoking.get().map(|d| view! {
                <p>
                    <strong>{d.name}</strong> " (" {d.platform} ") of " <strong>{d.tenant_slug}</strong>
                    " will fail its next license check with DEVICE_REVOKED, and its slot in the tenant's device quota becomes free."
                </p>
                <p>"The code it was activated with is not revoked."</p>
            })}
        </ConfirmDialog>
    }
}
