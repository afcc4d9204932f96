use leptos::prelude::*;
use tessera_domain::auth::{MeResponse, TenantSummary};

use crate::components::{Badge, Loader, PageHeader, RoleBadge, StatusBadge, Tone, capitalize};
use crate::layout::Me;
use crate::page::Page;

/// The signed-in person and their organisation, as `/api/auth/me` reports them.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let me = Me::get();
    view! {
        <PageHeader title=Page::Profile.title() crumbs=Page::Profile.crumbs()/>
        <Loader text="Loading your profile…">
            {move || Suspend::new(async move { me.await.map(profile) })}
        </Loader>
    }
}

fn profile(me: MeResponse) -> impl IntoView {
    let user = me.user;
    view! {
        <div class="grid grid-2">
            <section class="card" id="profile-account">
                <h2 class="card-title">"Account"</h2>
                <dl class="details">
                    <dt>"Name"</dt>
                    <dd id="profile-name">{user.name}</dd>
                    <dt>"Username"</dt>
                    <dd id="profile-username"><code>{user.username}</code></dd>
                    <dt>"E-mail"</dt>
                    <dd id="profile-email">{user.email}</dd>
                    <dt>"Role"</dt>
                    <dd><RoleBadge role=user.role/></dd>
                    <dt>"Status"</dt>
                    <dd><StatusBadge status=user.status/></dd>
                    <dt>"Member since"</dt>
                    <dd>{user.created_at.date_naive().to_string()}</dd>
                </dl>
            </section>
            <section class="card" id="profile-tenant">
                <h2 class="card-title">"Organisation"</h2>
                {match me.tenant {
                    Some(tenant) => tenant_details(tenant).into_any(),
                    None => view! {
                        <p><Badge tone=Tone::Brand>"Platform staff"</Badge></p>
                        <p class="text-muted">
                            "Platform staff belong to no organisation and can see every tenant."
                        </p>
                    }
                    .into_any(),
                }}
            </section>
        </div>
    }
}

fn tenant_details(tenant: TenantSummary) -> impl IntoView {
    view! {
        <dl class="details">
            <dt>"Name"</dt>
            <dd id="profile-tenant-name">{tenant.name}</dd>
            <dt>"Slug"</dt>
            <dd id="profile-tenant-slug"><code>{tenant.slug}</code></dd>
            <dt>"Plan"</dt>
            <dd><Badge tone=Tone::Brand>{capitalize(&tenant.plan)}</Badge></dd>
            <dt>"Status"</dt>
            <dd><StatusBadge status=tenant.status/></dd>
        </dl>
    }
}
