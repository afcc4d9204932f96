//! The pieces the form dialogs share: the submit button, the Cancel-and-submit row, and
//! a dialog that is open while a chosen row is set.

use leptos::prelude::*;

use super::{BusySpinner, Modal};

/// A form's primary submit button: disabled with a spinner (and `busy` text, if given)
/// while `pending`.
#[component]
pub fn SubmitButton(
    /// The button's id, for tests.
    id: &'static str,
    /// Whether the submission is running.
    #[prop(into)]
    pending: Signal<bool>,
    /// The text while idle, e.g. "Save".
    #[prop(into)]
    label: Signal<&'static str>,
    /// The text while running, e.g. "Saving…"; the idle text by default.
    #[prop(optional)]
    busy: Option<&'static str>,
    /// The form's id, when the button sits outside it (a dialog's footer).
    #[prop(optional)]
    form: Option<&'static str>,
    /// Full width (`btn-block`).
    #[prop(optional)]
    block: bool,
    /// Hidden (kept in the form, e.g. for people who may not save).
    #[prop(optional)]
    hidden: bool,
    /// Also disabled while this holds, e.g. nothing changed.
    #[prop(optional, into)]
    idle: Option<Signal<bool>>,
) -> impl IntoView {
    let class = if block {
        "btn btn-primary btn-block"
    } else {
        "btn btn-primary"
    };
    let disabled = move || pending.get() || idle.is_some_and(|i| i.get());
    view! {
        <button type="submit" form=form class=class id=id hidden=hidden disabled=disabled>
            <BusySpinner when=pending/>
            {move || match busy {
                Some(busy) if pending.get() => busy,
                _ => label.get(),
            }}
        </button>
    }
}

/// A secondary "Cancel" button that calls `on_cancel`.
#[component]
pub fn CancelButton(
    /// Asked to cancel.
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! { <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button> }
}

/// A form's last row (`class`): any extra buttons, Cancel, then the submit button.
#[component]
pub fn FormActions(
    /// The row's class, e.g. `form-actions`.
    #[prop(default = "form-actions")]
    class: &'static str,
    /// Asked to cancel.
    on_cancel: Callback<()>,
    /// The submit button's id.
    id: &'static str,
    /// Whether the submission is running.
    #[prop(into)]
    pending: Signal<bool>,
    /// The submit button's idle text.
    #[prop(into)]
    label: Signal<&'static str>,
    /// The submit button's text while running.
    busy: &'static str,
    /// Buttons before Cancel.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class=class>
            {children.map(|c| c())}
            <CancelButton on_cancel=on_cancel/>
            <SubmitButton id=id pending=pending label=label busy=busy/>
        </div>
    }
}

/// A [`Modal`] that is open while `target` holds a row, titled from it; closing empties
/// `target` unless `on_close` decides otherwise. The body is built once per opening and
/// does not track `target`, so it starts from the chosen row.
#[component]
pub fn TargetModal<T>(
    /// The row the dialog is about; `Some` opens it, `None` closes it.
    target: RwSignal<Option<T>>,
    /// The heading for the row.
    title: fn(&T) -> String,
    /// Asked to close; by default empties `target`.
    #[prop(optional)]
    on_close: Option<Callback<()>>,
    /// A wider dialog.
    #[prop(optional)]
    wide: bool,
    /// Buttons at the bottom right.
    #[prop(optional, into)]
    footer: Option<ViewFn>,
    /// The body.
    children: ChildrenFn,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let on_close = on_close.unwrap_or_else(|| Callback::new(move |()| target.set(None)));
    let title = Signal::derive(move || target.with(|t| t.as_ref().map(title).unwrap_or_default()));
    let open = Signal::derive(move || target.with(Option::is_some));
    let body = move || untrack(|| children());
    match footer {
        Some(footer) => view! {
            <Modal open=open on_close=on_close title=title wide=wide footer=footer>{body()}</Modal>
        }
        .into_any(),
        None => view! {
            <Modal open=open on_close=on_close title=title wide=wide>{body()}</Modal>
        }
        .into_any(),
    }
}
