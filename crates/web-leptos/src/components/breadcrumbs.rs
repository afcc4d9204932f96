use leptos::prelude::*;
use leptos_router::components::A;

/// One step of a breadcrumb trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    /// What the step is called.
    pub label: String,
    /// Where it leads; `None` for a step with no page of its own (a section).
    pub href: Option<String>,
}

impl Crumb {
    /// A step that links somewhere.
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Crumb {
        Crumb {
            label: label.into(),
            href: Some(href.into()),
        }
    }

    /// A step without a page of its own.
    pub fn text(label: impl Into<String>) -> Crumb {
        Crumb {
            label: label.into(),
            href: None,
        }
    }
}

/// `Home / Section / Page`: the last crumb is the current page and never a link.
#[component]
pub fn Breadcrumbs(
    /// The trail, outermost first.
    crumbs: Vec<Crumb>,
) -> impl IntoView {
    let last = crumbs.len().saturating_sub(1);
    let items = crumbs
        .into_iter()
        .enumerate()
        .map(|(i, crumb)| {
            let inner = match (i == last, crumb.href) {
                (false, Some(href)) => view! { <A href=href>{crumb.label}</A> }.into_any(),
                (true, _) => view! { <span aria-current="page">{crumb.label}</span> }.into_any(),
                (false, None) => view! { <span>{crumb.label}</span> }.into_any(),
            };
            view! { <li class="breadcrumb-item">{inner}</li> }
        })
        .collect_view();
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>{items}</ol>
        </nav>
    }
}
