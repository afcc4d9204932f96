use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::auth::MeResponse;

use crate::components::{Loader, PageHeader, capitalize};
use crate::layout::Me;
use crate::page::Page;
use crate::pages::{LiveFeed, PortalHome, StaffKpis};
use crate::session::Session;

/// The landing page: a welcome card now, key figures once metrics exist.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let user = Session::get().user;
    let me = Me::get();
    let name = move || user.with(|u| u.as_ref().map(|u| u.name.clone()).unwrap_or_default());
    let is_staff = move || user.with(|u| u.as_ref().is_some_and(|u| u.role.is_staff()));
    let where_line = |me: MeResponse| match me.tenant {
        Some(t) => view! {
            <p>
                "You are signed in to " <strong>{t.name}</strong> " (" <code>{t.slug}</code>
                "), on the " <strong>{capitalize(&t.plan)}</strong> " plan."
            </p>
        }
        .into_any(),
        None => {
            view! { <p>"You are signed in as platform staff, with access to every tenant."</p> }
                .into_any()
        }
    };

    view! {
        <PageHeader title=Page::Dashboard.title() crumbs=Page::Dashboard.crumbs()/>
        <section class="card welcome-card">
            <h2 class="card-title">"Welcome, " {name}</h2>
            <Loader text="Loading your organisation…">
                {move || Suspend::new(async move { me.await.map(where_line) })}
            </Loader>
            <div class="card-actions">
                <A href=Page::Worklog.path() attr:class="btn btn-secondary btn-sm">"Open worklog"</A>
                <A href=Page::Profile.path() attr:class="btn btn-ghost btn-sm">"View profile"</A>
            </div>
        </section>
        <section class="card">
            <h2 class="card-title">"Key figures"</h2>
            // Staff see the licensing figures the API counts; members see their portal:
            // plan, quotas used and reserve.
            <Show when=is_staff fallback=|| view! { <PortalHome/> }>
                <StaffKpis/>
            </Show>
        </section>
        // Everyone: the server scopes the stream, so staff see every tenant's events and
        // members only their own organisation's.
        <LiveFeed/>
    }
}
