//! The loading block every page wraps its data in: a `Transition` with a loading line,
//! an `ErrorBoundary` listing failures, and the caller's `Suspend` inside.

use leptos::prelude::*;

use super::{ErrorList, Loading};

/// Shows `text` while the children's resources first load, keeps the old view while they
/// reload, and lists the errors (then `on_error`, e.g. a back link) if they fail.
/// Children are type-erased, so there is one copy of this in the wasm.
#[component]
pub fn Loader(
    /// The loading sentence, e.g. "Loading devices…".
    text: &'static str,
    /// Told whether a reload is running.
    #[prop(optional, into)]
    set_pending: Option<SignalSetter<bool>>,
    /// Shown after the error list.
    #[prop(optional, into)]
    on_error: Option<ViewFn>,
    /// Usually `move || Suspend::new(async move { resource.await.map(view) })`.
    children: ChildrenFn,
) -> impl IntoView {
    let set_pending = set_pending.unwrap_or_else(|| SignalSetter::map(|_| {}));
    view! {
        <Transition fallback=move || view! { <Loading text=text/> } set_pending=set_pending>
            <ErrorBoundary fallback=move |errors| view! {
                <ErrorList errors/>
                {on_error.as_ref().map(ViewFn::run)}
            }>
                {children()}
            </ErrorBoundary>
        </Transition>
    }
}
