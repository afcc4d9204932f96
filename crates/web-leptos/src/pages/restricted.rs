use leptos::prelude::*;

use crate::components::{Alert, AlertKind};
use crate::page::Page;
use crate::session::Session;

/// Shows `children` only to people `page` admits (see [`Page::admits`]); anyone else
/// who typed the address learns the page is not theirs, and no request is made for them.
#[component]
pub fn Restricted(
    /// The page being guarded.
    page: Page,
    /// The page's content.
    children: ChildrenFn,
) -> impl IntoView {
    let user = Session::get().user;
    let admitted = move || user.with(|u| u.as_ref().is_some_and(|u| page.admits(u.role)));
    let audience = match page {
        Page::OrgUsers | Page::OrgAuditLog => "organisation admins",
        Page::Outbox => "super admins",
        _ if page.area().label() == Some("Platform") => "platform staff",
        _ => "members of an organisation",
    };
    view! {
        <Show
            when=admitted
            fallback=move || view! {
                <Alert kind=AlertKind::Warning title="Not available to you">
                    {format!("{} is for {audience} only.", page.title())}
                </Alert>
            }
        >
            {children()}
        </Show>
    }
}
