use leptos::prelude::*;

use super::{Alert, AlertKind, BusySpinner, Modal};
use crate::api::ApiError;

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

/// A [`ConfirmDialog`] for the row in `target` (`Some` opens it): confirming runs
/// `action` with the row's `key`; closing is refused while it runs.
#[component]
pub fn TargetConfirm<T, K, R>(
    /// The picked row; `Some` opens the dialog.
    target: RwSignal<Option<T>>,
    /// The action, e.g. the revocation.
    action: Action<K, Result<R, ApiError>>,
    /// The question for the row.
    title: fn(&T) -> String,
    /// The confirm button's text.
    confirm_label: &'static str,
    /// The confirm button's id.
    confirm_id: &'static str,
    /// What the action takes from the row, e.g. its id.
    key: fn(&T) -> K,
    /// What the action does to the row.
    body: fn(T) -> AnyView,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    K: Send + Sync + 'static,
    R: Send + Sync + 'static,
{
    view! {
        <ConfirmDialog
            open=Signal::derive(move || target.with(Option::is_some))
            on_close=Callback::new(move |()| {
                if !action.pending().get_untracked() {
                    target.set(None);
                }
            })
            title=Signal::derive(move || target.with(|t| t.as_ref().map(title).unwrap_or_default()))
            confirm_label=confirm_label
            confirm_id=confirm_id
            pending=action.pending()
            error=Signal::derive(move || {
                action.value().with(|r| r.as_ref().and_then(|r| r.as_ref().err().map(ToString::to_string)))
            })
            on_confirm=Callback::new(move |()| {
                if let Some(k) = target.with_untracked(|t| t.as_ref().map(key)) {
                    action.dispatch(k);
                }
            })
        >
            {move || target.get().map(body)}
        </ConfirmDialog>
    }
}

/// A row's small button (`class`) that forgets `action`'s last failure and picks `row`
/// into `target`, which opens its dialog.
#[component]
pub fn PickButton<T, K, O>(
    /// The button's classes.
    #[prop(into)]
    class: String,
    /// The button's text.
    label: &'static str,
    /// What it does, for screen readers.
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// The row.
    row: T,
    /// Where the picked row goes.
    target: RwSignal<Option<T>>,
    /// The action whose last result is forgotten.
    action: Action<K, O>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    K: 'static,
    O: Send + Sync + 'static,
{
    view! {
        <button
            type="button"
            class=class
            aria-label=aria_label
            on:click=move |_| {
                action.value().set(None);
                target.set(Some(row.clone()));
            }
        >
            {label}
        </button>
    }
}
