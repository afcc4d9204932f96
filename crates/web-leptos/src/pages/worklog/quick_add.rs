//! Quick-add: log time from any page in a few seconds.
//!
//! The dialog lives in the app shell, so the top bar button and the keyboard shortcut
//! (`N` outside text fields, `Alt+N` anywhere) reach it from every signed-in page. Its
//! suggestions are the person's recurring entries; one click fills the form and moves
//! focus to "Save", so a recurring entry is two actions: pick it, press Enter.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::worklog::{Worklog, WorklogInput, WorklogSuggestion};
use wasm_bindgen::JsCast;

use super::form::{Draft, WorklogFields, duration_label, today};
use crate::api::{self, ApiError};
use crate::components::{Alert, AlertKind, Loading, Modal, SubmitButton};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::login::{failure_alert, server_field_errors};

/// How long the "Logged …" notice stays after a quick-add.
const NOTICE_FOR: Duration = Duration::from_secs(8);

/// The quick-add dialog's state, shared by the shell's button and shortcut and by the
/// timeline, which reloads when `saved` changes.
#[derive(Debug, Clone, Copy)]
pub struct QuickAddState {
    /// Whether the dialog is shown.
    pub open: RwSignal<bool>,
    /// How many entries quick-add has saved in this visit; lists showing worklogs
    /// track it to pick the new entry up.
    pub saved: RwSignal<u64>,
    /// The entry saved last, for the notice that confirms it.
    pub last: RwSignal<Option<Worklog>>,
}

impl QuickAddState {
    /// The state provided by [`provide_quick_add`], if inside the shell.
    pub fn get() -> Option<QuickAddState> {
        use_context::<QuickAddState>()
    }

    /// Opens the dialog.
    pub fn show(self) {
        self.open.set(true);
    }
}

/// Creates and provides the quick-add state; the shell calls it once.
pub fn provide_quick_add() -> QuickAddState {
    let state = QuickAddState {
        open: RwSignal::new(false),
        saved: RwSignal::new(0),
        last: RwSignal::new(None),
    };
    provide_context(state);
    state
}

/// The top bar's "Log time" button.
#[component]
pub fn QuickAddButton() -> impl IntoView {
    let state = QuickAddState::get();
    view! {
        <button
            type="button"
            id="quick-add-open"
            class="btn btn-primary btn-sm"
            title="Log time (N or Alt+N)"
            aria-keyshortcuts="N Alt+N"
            on:click=move |_| {
                if let Some(s) = state {
                    s.show();
                }
            }
        >
            "+ Log time"
            <kbd class="kbd" aria-hidden="true">"N"</kbd>
        </button>
    }
}

/// Whether keystrokes are going into something the person types in; `N` must type an
/// "n" there, not open a dialog.
fn typing_somewhere() -> bool {
    let Some(el) = document().active_element() else {
        return false;
    };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || el
            .dyn_ref::<web_sys::HtmlElement>()
            .is_some_and(|h| h.is_content_editable())
}

/// Whether another dialog is open: the shortcut must not stack a second one on it.
fn dialog_open() -> bool {
    document()
        .query_selector(".modal-backdrop")
        .ok()
        .flatten()
        .is_some()
}

/// Focuses the first element matching `selector`, once the current render is on screen.
fn focus_soon(selector: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

/// The quick-add dialog (`#quick-add`), its keyboard shortcut and the notice after a save.
#[component]
pub fn QuickAdd() -> impl IntoView {
    let Some(state) = QuickAddState::get() else {
        return ().into_any();
    };
    let submit = Action::new_local(move |input: &WorklogInput| {
        let input = input.clone();
        async move {
            let entry = api::worklogs::create(input).await?;
            state.open.set(false);
            state.last.set(Some(entry.clone()));
            state.saved.update(|n| *n += 1);
            Ok::<_, ApiError>(entry)
        }
    });
    let pending = submit.pending();

    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || ev.repeat() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        // Alt+N works everywhere, also while typing; `code` because on a Mac Alt+N
        // types a dead key rather than "n".
        let alt_n = ev.alt_key() && ev.code() == "KeyN";
        let plain_n = !ev.alt_key() && !ev.shift_key() && ev.key() == "n";
        let wanted = alt_n || (plain_n && !typing_somewhere());
        if wanted && !state.open.get_untracked() && !dialog_open() {
            ev.prevent_default();
            state.show();
        }
    });
    on_cleanup(move || handle.remove());

    // Built afresh each time the dialog opens: an empty form dated today (read again,
    // so a tab left open overnight does not log to yesterday), no stale errors, and
    // suggestions that count the entry logged a minute ago.
    let body = move || {
        let day = today();
        let draft = Draft::new(day);
        let form = FormErrors::new(
            move || draft.input(day).map(drop),
            server_field_errors(submit),
        );
        submit.value().set(None);
        let suggestions = LocalResource::new(api::worklogs::suggestions);
        let pick = move |s: WorklogSuggestion| {
            draft.fill_from_suggestion(&s);
            focus_soon("#worklog-save");
        };
        let on_submit = move |ev: SubmitEvent| {
            ev.prevent_default();
            if form.submit()
                && let Ok(input) = draft.input(day)
            {
                submit.dispatch(input);
            }
        };
        view! {
            <div id="quick-add" class="quick-add">
                <section class="suggestions" aria-label="Suggestions">
                    <h3 class="suggestions-title">"Recent and recurring"</h3>
                    <Suspense fallback=|| view! { <Loading text="Loading suggestions…"/> }>
                        {move || Suspend::new(async move {
                            match suggestions.await {
                                Ok(list) if list.is_empty() => {
                                    focus_soon("#worklog-description");
                                    view! {
                                        <p class="text-muted text-sm" id="no-suggestions">
                                            "Your recent and recurring entries appear here once you have logged some, ready to log again with one click."
                                        </p>
                                    }
                                    .into_any()
                                }
                                Ok(list) => {
                                    focus_soon("#quick-add .suggestion");
                                    suggestion_list(list, pick).into_any()
                                }
                                Err(e) => view! {
                                    <Alert kind=AlertKind::Warning>
                                        {format!("Suggestions could not be loaded: {e} You can still fill in the form.")}
                                    </Alert>
                                }
                                .into_any(),
                            }
                        })}
                    </Suspense>
                </section>
                {failure_alert(submit)}
                <form class="form" id="quick-add-form" on:submit=on_submit novalidate>
                    <WorklogFields draft=draft form=form/>
                    <div class="form-actions">
                        <button type="button" class="btn btn-secondary" on:click=move |_| state.open.set(false)>
                            "Cancel"
                        </button>
                        <SubmitButton id="worklog-save" pending=pending label="Save" busy="Saving…"/>
                    </div>
                </form>
            </div>
        }
    };

    view! {
        <Modal
            open=state.open
            on_close=move |()| {
                // Closing mid-save would hide the outcome; wait for it instead.
                if !pending.get_untracked() {
                    state.open.set(false);
                }
            }
            title="Log time"
            wide=true
        >
            {untrack(body)}
        </Modal>
        <SavedNotice state=state/>
    }
    .into_any()
}

/// The suggestions as one-click buttons (`.suggestion`), best first.
fn suggestion_list(
    list: Vec<WorklogSuggestion>,
    pick: impl Fn(WorklogSuggestion) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let items = list
        .into_iter()
        .map(|s| {
            let project = s.project.clone();
            let uses = if s.uses == 1 {
                "once".to_owned()
            } else {
                format!("{}×", s.uses)
            };
            let minutes = duration_label(i64::from(s.minutes));
            let description = s.description.clone();
            view! {
                <li>
                    <button
                        type="button"
                        class="suggestion"
                        title=format!("Fill in: {description}")
                        on:click=move |_| pick(s.clone())
                    >
                        <span class="suggestion-description">{description.clone()}</span>
                        <span class="suggestion-meta">
                            {project.map(|p| view! { <span class="suggestion-project">{p}</span> })}
                            <span class="suggestion-minutes">{minutes}</span>
                            <span class="suggestion-uses">{uses}</span>
                        </span>
                    </button>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="suggestion-list">{items}</ul> }
}

/// "Logged 15 min: Daily stand-up", with a link to the timeline, for a few seconds
/// after a quick-add (`#quick-add-notice`).
#[component]
fn SavedNotice(
    /// The quick-add state whose `last` entry is announced.
    state: QuickAddState,
) -> impl IntoView {
    // Each save restarts the countdown; an older timer must not hide a newer notice.
    let shown_for = StoredValue::new(0u64);
    Effect::watch(
        move || state.saved.get(),
        move |saved, _, _| {
            let saved = *saved;
            shown_for.set_value(saved);
            set_timeout(
                move || {
                    if shown_for.try_get_value() == Some(saved) {
                        let _ = state.last.try_set(None);
                    }
                },
                NOTICE_FOR,
            );
        },
        false,
    );
    move || {
        state.last.get().map(|entry| {
            view! {
                <div class="toast" id="quick-add-notice" role="status">
                    <span>
                        {format!("Logged {} on {}: ", duration_label(i64::from(entry.minutes)), entry.work_date)}
                        <strong>{entry.description}</strong>
                    </span>
                    <A href=Page::Worklog.path() attr:class="toast-link">"View worklog"</A>
                    <button
                        type="button"
                        class="btn btn-ghost btn-sm"
                        aria-label="Dismiss"
                        on:click=move |_| state.last.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
