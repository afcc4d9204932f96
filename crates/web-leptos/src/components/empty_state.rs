use leptos::prelude::*;

/// What a list or section shows when there is nothing in it yet: a title, a sentence
/// on why, and optionally the action that would fill it.
#[component]
pub fn EmptyState(
    /// A short headline, e.g. "No projects yet".
    #[prop(into)]
    title: String,
    /// An optional icon-like glyph shown above the title.
    #[prop(optional, into)]
    icon: Option<String>,
    /// Explanation and optional actions.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            {icon.map(|i| view! { <div class="empty-state-icon" aria-hidden="true">{i}</div> })}
            <h2 class="empty-state-title">{title}</h2>
            {children.map(|c| view! { <div class="empty-state-body">{c()}</div> })}
        </div>
    }
}
