use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{Alert, AlertKind, EmptyState, PageHeader};
use crate::page::Page;
use crate::session::Session;

/// The stand-in for every section that is planned but not built yet.
///
/// It says so plainly and shows nothing else: no sample rows, no made-up figures. It
/// also enforces the page's audience, so a member who types a staff URL learns the
/// section is not theirs rather than that it is merely unfinished.
#[component]
pub fn NotYetAvailable(
    /// The page being stood in for.
    page: Page,
) -> impl IntoView {
    let user = Session::get().user;
    let admitted = move || user.with(|u| u.as_ref().is_some_and(|u| page.area().admits(u.role)));
    let audience = match page.area().label() {
        Some("Platform") => "platform staff",
        _ => "members of an organisation",
    };
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Show
            when=admitted
            fallback=move || view! {
                <Alert kind=AlertKind::Warning title="Not available to you">
                    {format!("{} is for {audience} only.", page.title())}
                </Alert>
            }
        >
            <section class="card">
                <EmptyState title="This section is not available yet" icon="◌">
                    <p>{format!("{} is planned but not built yet.", page.title())}</p>
                    <p class="text-muted">"Nothing is shown here until it works with real data."</p>
                    <A href=Page::Dashboard.path() attr:class="btn btn-secondary btn-sm">"Back to the dashboard"</A>
                </EmptyState>
            </section>
        </Show>
    }
}
