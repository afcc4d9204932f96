use leptos::prelude::*;

use super::{Breadcrumbs, Crumb};

/// The top of every page: breadcrumbs, the page's heading and optional actions.
#[component]
pub fn PageHeader(
    /// The heading.
    #[prop(into)]
    title: String,
    /// The breadcrumb trail, usually `Page::crumbs()`.
    crumbs: Vec<Crumb>,
    /// Buttons on the right of the heading.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <Breadcrumbs crumbs=crumbs/>
            <div class="page-header-row">
                <h1 class="page-title">{title}</h1>
                {children.map(|c| view! { <div class="page-actions">{c()}</div> })}
            </div>
        </header>
    }
}
