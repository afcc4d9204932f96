//! The system prompt: an editor for its newest version and the version history, where
//! any older version can be restored (which saves its text as a new version).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::llm::{PROMPT_MAX, PromptInput, SystemPrompt};

use super::{failure_alert, failure_text, moment, preview};
use crate::api::ApiError;
use crate::api::llm as api;
use crate::components::{Alert, AlertKind, ConfirmDialog, EmptyState, Field, Loader, SubmitButton};
use crate::forms::FormErrors;
use crate::pages::login::server_field_errors;

/// The current prompt, or `None` before the first save: the API's 404
/// `PROMPT_NOT_CONFIGURED` is an expected state here, not a failure.
async fn current() -> Result<Option<SystemPrompt>, ApiError> {
    match api::system_prompt().await {
        Ok(p) => Ok(Some(p)),
        Err(e) if e.code() == Some("PROMPT_NOT_CONFIGURED") => Ok(None),
        Err(e) => Err(e),
    }
}

/// `Version 3 · saved by ada@acme.test · 2025-11-25 18:14 UTC`.
fn provenance(p: &SystemPrompt) -> String {
    let who = p.updated_by_email.as_deref().unwrap_or("an unknown user");
    format!(
        "Version {} · saved by {who} · {}",
        p.version,
        moment(p.updated_at)
    )
}

/// The editor card and the history card.
#[component]
pub(super) fn SystemPromptSection() -> impl IntoView {
    let prompt = LocalResource::new(current);
    let versions = LocalResource::new(api::system_prompt_versions);
    let reload = move || {
        prompt.refetch();
        versions.refetch();
    };
    // Kept here, not inside the editor: the editor is rebuilt whenever the prompt
    // reloads, and the action's result (the error, if any) must outlive that.
    let save = Action::new_local(move |input: &PromptInput| {
        let input = input.clone();
        async move {
            let saved = api::save_system_prompt(&input).await;
            if saved.is_ok() {
                reload();
            }
            saved
        }
    });
    let restoring = RwSignal::new(None::<SystemPrompt>);
    let restore = Action::new_local(move |version: &i32| {
        let version = *version;
        async move {
            let restored = api::restore_system_prompt(version).await;
            if restored.is_ok() {
                restoring.set(None);
                reload();
            }
            restored
        }
    });
    let ask_restore = Callback::new(move |v: SystemPrompt| {
        restore.value().set(None);
        restoring.set(Some(v));
    });

    view! {
        <section class="card" id="system-prompt-card">
            <h2 class="card-title">"System prompt"</h2>
            <p class="text-muted">
                "Every agent of every project runs with this prompt first, then the project's prompt, then its agent prompt. Each save keeps the earlier text in the history below."
            </p>
            <Loader text="Loading the system prompt…">
                {move || Suspend::new(async move { prompt.await.map(|p| view! { <Editor current=p save=save/> }) })}
            </Loader>
        </section>
        <section class="card" id="system-prompt-history">
            <h2 class="card-title">"Version history"</h2>
            <Loader text="Loading the versions…">
                {move || Suspend::new(async move {
                    versions.await.map(|list| view! { <History versions=list on_restore=ask_restore/> })
                })}
            </Loader>
        </section>
        <ConfirmDialog
            open=Signal::derive(move || restoring.with(Option::is_some))
            on_close=Callback::new(move |()| {
                if !restore.pending().get_untracked() {
                    restoring.set(None);
                }
            })
            title=Signal::derive(move || {
                restoring.with(|v| v.as_ref().map(|v| format!("Restore version {}?", v.version)).unwrap_or_default())
            })
            confirm_label="Restore this version"
            confirm_id="confirm-restore"
            pending=restore.pending()
            error=failure_text(restore)
            on_confirm=Callback::new(move |()| {
                if let Some(v) = restoring.get_untracked() {
                    restore.dispatch(v.version);
                }
            })
        >
            {move || restoring.get().map(|v| view! {
                <p>"Its text becomes the newest version; every version stays in the history, so this can be undone by restoring again."</p>
                <pre class="json">{preview(&v.content, 600)}</pre>
            })}
        </ConfirmDialog>
    }
}

/// The textarea with Save, filled with the current text (empty before the first save).
#[component]
fn Editor(
    /// The newest version; `None` before the first save.
    current: Option<SystemPrompt>,
    /// Saves the text as a new version.
    save: Action<PromptInput, Result<SystemPrompt, ApiError>>,
) -> impl IntoView {
    let saved_text = current
        .as_ref()
        .map(|p| p.content.clone())
        .unwrap_or_default();
    let draft = RwSignal::new(saved_text.clone());
    let form = FormErrors::new(
        move || {
            PromptInput {
                content: draft.get(),
            }
            .validate()
        },
        server_field_errors(save),
    );
    let unchanged = move || draft.with(|d| *d == saved_text);
    let pending = save.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            save.dispatch(PromptInput {
                content: draft.get_untracked(),
            });
        }
    };
    let header = match &current {
        Some(p) => view! { <p class="text-muted text-sm" id="system-prompt-meta">{provenance(p)}</p> }.into_any(),
        None => view! {
            <EmptyState title="No system prompt yet" icon="✎">
                <p id="system-prompt-empty">
                    "Agents refuse to run (PROMPT_NOT_CONFIGURED) until one is saved: there is no built-in fallback. Write it below and save to create version 1."
                </p>
            </EmptyState>
        }
        .into_any(),
    };
    view! {
        {header}
        <form class="form" on:submit=on_submit novalidate>
            <Field id="system-prompt" label="Prompt" error=form.error("content") hint=format!("Up to {PROMPT_MAX} characters.")>
                <textarea
                    class="textarea"
                    id="system-prompt"
                    name="system-prompt"
                    rows="10"
                    bind:value=draft
                    on:blur={
                        let touch = form.touch("content");
                        move |_| touch.run(())
                    }
                ></textarea>
            </Field>
            {failure_alert(save)}
            {move || {
                let ok = save.value().with(|r| matches!(r, Some(Ok(_))));
                ok.then(|| view! { <Alert kind=AlertKind::Success>"Saved as a new version."</Alert> })
            }}
            <div class="form-actions">
                <SubmitButton id="save-system-prompt" pending=pending label="Save" idle=Signal::derive(unchanged)/>
            </div>
        </form>
    }
}

/// Every version, newest first, each but the newest with a Restore button.
#[component]
fn History(
    /// The versions as the API lists them (newest first).
    versions: Vec<SystemPrompt>,
    /// Asked to restore a version (after confirmation).
    on_restore: Callback<SystemPrompt>,
) -> impl IntoView {
    if versions.is_empty() {
        return view! {
            <EmptyState title="No versions yet" icon="↺">
                <p>"Each save of the system prompt adds a version here."</p>
            </EmptyState>
        }
        .into_any();
    }
    let newest = versions.first().map(|v| v.version);
    view! {
        <ol class="prompt-versions" id="prompt-versions">
            <For
                each=move || versions.clone()
                key=|v| v.version
                children=move |v| {
                    let is_newest = Some(v.version) == newest;
                    let target = v.clone();
                    view! {
                        <li class="prompt-version" data-version=v.version.to_string()>
                            <div class="prompt-version-head">
                                <strong>{format!("Version {}", v.version)}</strong>
                                {is_newest.then(|| view! { <span class="badge badge-success">"Current"</span> })}
                                <span class="text-muted text-sm">
                                    {format!(
                                        "{} · {}",
                                        v.updated_by_email.clone().unwrap_or_else(|| "unknown".into()),
                                        moment(v.updated_at),
                                    )}
                                </span>
                                {(!is_newest).then(|| view! {
                                    <button
                                        type="button"
                                        class="btn btn-secondary btn-sm restore-version"
                                        aria-label=format!("Restore version {}", v.version)
                                        on:click=move |_| on_restore.run(target.clone())
                                    >
                                        "Restore"
                                    </button>
                                })}
                            </div>
                            <p class="prompt-version-text text-sm">{preview(&v.content, 240)}</p>
                        </li>
                    }
                }
            />
        </ol>
    }
    .into_any()
}
