use leptos::prelude::*;

use super::{Alert, AlertKind, BusySpinner, Modal};

/// A "Are you sure?" dialog for one destructive action: what happens, the server's
/// refusal if any, Cancel, and a red confirm button that is disabled while it runs.
#[component]
pub fn ConfirmDialog(
    /// Whether the dialog is shown.
    #[prop(into)]
    open: Signal<bool>,
    /// Asked to close (Cancel, ×, Escape, backdrop).
    #[prop(into)]
    on_close: Callback<()>,
    /// The question, e.g. "Revoke code ABCD-…?".
    #[prop(into)]
    title: Signal<String>,
    /// The confirm button's text, e.g. "Revoke code".
    #[prop(into)]
    confirm_label: String,
    /// The confirm button's id, for tests.
    #[prop(into)]
    confirm_id: String,
    /// Whether the action is running.
    #[prop(into)]
    pending: Signal<bool>,
    /// The last failure's text (the server's `detail`).
    #[prop(optional, into)]
    error: MaybeProp<String>,
    /// Runs the action.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// What the action does and what it does not undo.
    children: ChildrenFn,
) -> impl IntoView {
    let footer = move || {
        let (confirm_label, confirm_id) = (confirm_label.clone(), confirm_id.clone());
        view! {
            <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                "Cancel"
            </button>
            <button
                type="button"
                class="btn btn-danger"
                id=confirm_id
                disabled=move || pending.get()
                on:click=move |_| on_confirm.run(())
            >
                <BusySpinner when=pending/>
                {confirm_label}
            </button>
        }
    };
    view! {
        <Modal open=open on_close=on_close title=title footer=footer>
            {children()}
            {move || error.get().map(|e| view! { <Alert kind=AlertKind::Error>{e}</Alert> })}
        </Modal>
    }
}
