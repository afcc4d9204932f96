use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::components::{Crumb, EmptyState, PageHeader};
use crate::page::Page;

/// Any path that names no page.
#[component]
pub fn NotFound() -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <div class="not-found">
            <PageHeader
                title="Page not found"
                crumbs=vec![Crumb::link("Home", Page::Dashboard.path()), Crumb::text("Page not found")]
            />
            <section class="card">
                <EmptyState title="There is no page here" icon="?">
                    <p>"Nothing lives at " <code>{move || path.get()}</code> ". The link may be old or mistyped."</p>
                    <A href=Page::Dashboard.path() attr:class="btn btn-primary btn-sm">"Go to the dashboard"</A>
                </EmptyState>
            </section>
        </div>
    }
}
