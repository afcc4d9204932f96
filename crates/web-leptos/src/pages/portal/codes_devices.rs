//! Org admins: the organisation's own activation codes (never their plaintext) and
//! devices, with revocation of a device.

use leptos::prelude::*;
use tessera_domain::code::{CodeStatus, CodeView};
use tessera_domain::device::{DeviceStatus, DeviceView};
use tessera_domain::page::Paged;
use uuid::Uuid;

use super::is_org_admin;
use crate::api::portal as api;
use crate::components::{
    Alert, AlertKind, EmptyState, Loader, PageHeader, Pager, PickButton, StatusBadge, TargetConfirm,
};
use crate::page::Page;
use crate::pages::llm::moment;
use crate::pages::restricted::Restricted;

/// Members: the organisation's codes and devices (`Page::CodesDevices`).
#[component]
pub fn TenantCodesDevicesPage() -> impl IntoView {
    let page = Page::CodesDevices;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Restricted page=page>
            {if is_org_admin() {
                view! { <Codes/> <Devices/> }.into_any()
            } else {
                // The API lists codes and devices to org admins only; asking would only
                // earn a 403.
                view! {
                    <Alert kind=AlertKind::Info title="For your organisation's admins">
                        "Activation codes and devices are managed by your organisation's admins."
                    </Alert>
                }
                .into_any()
            }}
        </Restricted>
    }
}

fn code_status(s: CodeStatus) -> &'static str {
    match s {
        CodeStatus::Active => "active",
        CodeStatus::Used => "used",
        CodeStatus::Expired => "expired",
        CodeStatus::Revoked => "revoked",
    }
}

#[component]
fn Codes() -> impl IntoView {
    let page = RwSignal::new(1_u64);
    let codes = LocalResource::new(move || api::codes(page.get()));
    let on_page = Callback::new(move |p: u64| page.set(p));
    let table = move |list: Paged<CodeView>| {
        if list.total == 0 {
            return view! {
                <EmptyState title="No activation codes yet" icon="⌗">
                    <p>"Tessera's staff issue your organisation's codes; they appear here with their uses left."</p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table" id="tenant-codes">
                    <thead>
                        <tr><th>"Code"</th><th>"Label"</th><th>"Uses"</th><th>"Status"</th><th>"Expires"</th></tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || list.items.clone()
                            key=|c| (c.id, c.use_count, c.revoked_at)
                            children=|c| view! {
                                <tr class="code-row" data-code-id=c.id.to_string()>
                                    <td><code>{format!("{}-…", c.prefix)}</code></td>
                                    <td>{c.label.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td class="num">{format!("{} of {}", c.use_count, c.max_uses)}</td>
                                    <td><StatusBadge status=code_status(c.status).to_owned()/></td>
                                    <td class="date">{c.expires_at.map(moment).unwrap_or_else(|| "Never".into())}</td>
                                </tr>
                            }
                        />
                    </tbody>
                </table>
            </div>
            <Pager page=list.page per_page=list.per_page total=list.total noun="codes" on_page=on_page/>
        }
        .into_any()
    };
    view! {
        <section class="card" id="tenant-codes-card">
            <h2 class="card-title">"Activation codes"</h2>
            <p class="text-muted text-sm">"Codes are shown by their first four symbols only: the full code was shown once, when it was issued."</p>
            <Loader text="Loading codes…">
                {move || Suspend::new(async move { codes.await.map(table) })}
            </Loader>
        </section>
    }
}

#[component]
fn Devices() -> impl IntoView {
    let page = RwSignal::new(1_u64);
    let devices = LocalResource::new(move || api::devices(page.get()));
    let on_page = Callback::new(move |p: u64| page.set(p));
    let revoking = RwSignal::new(None::<DeviceView>);
    let revoke = Action::new_local(move |id: &Uuid| {
        let id = *id;
        async move {
            let done = api::revoke_device(id).await;
            if done.is_ok() {
                revoking.set(None);
                devices.refetch();
            }
            done
        }
    });
    let table = move |list: Paged<DeviceView>| {
        if list.total == 0 {
            return view! {
                <EmptyState title="No devices yet" icon="▣">
                    <p>"Devices appear here once they activate with one of your codes."</p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-hover" id="tenant-devices">
                    <thead>
                        <tr>
                            <th>"Device"</th><th>"Platform"</th><th>"Status"</th><th>"Activated"</th><th>"Last seen"</th>
                            <th><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || list.items.clone()
                            key=|d| (d.id, d.revoked_at)
                            children=move |d| {
                                let active = d.status == DeviceStatus::Active;
                                let row = d.clone();
                                view! {
                                    <tr class="device-row" data-device-id=d.id.to_string()>
                                        <td>{d.name.clone()}</td>
                                        <td>{d.platform.clone()}</td>
                                        <td><StatusBadge status=if active { "active" } else { "revoked" }.to_owned()/></td>
                                        <td class="date">{moment(d.activated_at)}</td>
                                        <td class="date">{d.last_seen_at.map(moment).unwrap_or_else(|| "Never".into())}</td>
                                        <td class="table-actions">
                                            {active.then(|| view! {
                                                <PickButton class="btn btn-ghost-danger btn-sm revoke-device" label="Revoke"
                                                    row=row target=revoking action=revoke/>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
            <Pager page=list.page per_page=list.per_page total=list.total noun="devices" on_page=on_page/>
        }
        .into_any()
    };
    view! {
        <section class="card" id="tenant-devices-card">
            <h2 class="card-title">"Devices"</h2>
            <Loader text="Loading devices…">
                {move || Suspend::new(async move { devices.await.map(table) })}
            </Loader>
        </section>
        <TargetConfirm
            target=revoking
            action=revoke
            title=|d| format!("Revoke {}?", d.name)
            confirm_label="Revoke device"
            confirm_id="confirm-revoke"
            key=|d| d.id
            body=|_| view! {
                <p>"The device fails its next license check, and its slot in your plan's device quota becomes free. This cannot be undone."</p>
            }.into_any()
        />
    }
}
