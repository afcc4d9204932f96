use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::html::Div;
use leptos::portal::Portal;
use leptos::prelude::*;

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// A dialog over a dimmed backdrop, with a header, a body and footer actions.
///
/// It is rendered at the end of `<body>` (a portal), so no ancestor's overflow, width
/// or stacking order can clip it, wherever the owning component sits.
///
/// It closes on the close button, on Escape and on a click on the backdrop; each of
/// those calls `on_close`, and the owner decides whether `open` becomes false (so a
/// dialog with unsaved work can refuse).
///
/// ```ignore
/// let open = RwSignal::new(false);
/// view! {
///     <Modal
///         open=open
///         on_close=move |()| open.set(false)
///         title="Revoke this code?"
///         footer=move || view! {
///             <button class="btn btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
///             <button class="btn btn-danger" on:click=revoke>"Revoke"</button>
///         }
///     >
///         <p>"Devices already activated keep working until their license expires."</p>
///     </Modal>
/// }
/// ```
#[component]
pub fn Modal(
    /// Whether the dialog is shown.
    #[prop(into)]
    open: Signal<bool>,
    /// Asked to close the dialog.
    #[prop(into)]
    on_close: Callback<()>,
    /// The dialog's heading; also its accessible name.
    #[prop(into)]
    title: Signal<String>,
    /// A wider dialog for tables and long forms.
    #[prop(optional)]
    wide: bool,
    /// The body.
    children: ChildrenFn,
    /// Buttons at the bottom right, primary action last.
    #[prop(optional, into)]
    footer: Option<ViewFn>,
) -> impl IntoView {
    let title_id = format!("modal-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let dialog_ref = NodeRef::<Div>::new();

    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            on_close.run(());
        }
    });
    on_cleanup(move || handle.remove());

    // Move focus into the dialog so keyboard and screen-reader users land in it.
    Effect::new(move |_| {
        if let Some(el) = dialog_ref.get() {
            let _ = el.focus();
        }
    });

    let class = if wide { "modal modal-wide" } else { "modal" };
    // The portal may rebuild its content, so it gets a fresh copy of the pieces each time.
    let dialog = move || {
        let (title_id, children, footer) = (title_id.clone(), children.clone(), footer.clone());
        view! {
            <Show when=move || open.get()>
                <div class="modal-backdrop" on:click=move |_| on_close.run(())>
                    <div
                        class=class
                        role="dialog"
                        aria-modal="true"
                        aria-labelledby=title_id.clone()
                        tabindex="-1"
                        node_ref=dialog_ref
                        on:click=|ev| ev.stop_propagation()
                    >
                        <header class="modal-header">
                            <h2 class="modal-title" id=title_id.clone()>{move || title.get()}</h2>
                            <button
                                type="button"
                                class="btn btn-ghost btn-sm modal-close"
                                aria-label="Close"
                                on:click=move |_| on_close.run(())
                            >
                                "×"
                            </button>
                        </header>
                        <div class="modal-body">{children()}</div>
                        {footer.clone().map(|f| view! { <footer class="modal-footer">{f.run()}</footer> })}
                    </div>
                </div>
            </Show>
        }
    };
    view! { <Portal>{dialog.clone()}</Portal> }
}
