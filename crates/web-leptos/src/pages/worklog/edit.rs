//! One worklog entry: the form, a metadata side panel, and delete with confirmation.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use tessera_domain::worklog::{Worklog, WorklogPatch};

use super::form::{Draft, WorklogFields, duration_label, to_patch, today};
use crate::api::{self, ApiError};
use crate::components::{Alert, AlertKind, ConfirmDialog, Crumb, Loader, PageHeader, SubmitButton};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::login::{failure_alert, server_field_errors};
use crate::session::Session;

fn crumbs() -> Vec<Crumb> {
    vec![
        Crumb::link("Home", Page::Dashboard.path()),
        Crumb::link(Page::Worklog.title(), Page::Worklog.path()),
        Crumb::text(Page::WorklogEntry.title()),
    ]
}

/// `/worklog/{id}`: edit one entry.
#[component]
pub fn WorklogEntryPage() -> impl IntoView {
    let params = use_params_map();
    let entry = LocalResource::new(move || {
        let id = params.read().get("id").unwrap_or_default();
        api::worklogs::get(id)
    });
    view! {
        <PageHeader title=Page::WorklogEntry.title() crumbs=crumbs()/>
        <Loader text="Loading the entry…" on_error=|| view! {
            <p class="back-link">
                <A href=Page::Worklog.path()>"← Back to the worklog"</A>
            </p>
        }>
            {move || Suspend::new(async move { entry.await.map(editor) })}
        </Loader>
    }
}

fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::format::moment(t)
}

/// The form and the side panel for a loaded entry.
fn editor(entry: Worklog) -> impl IntoView {
    let navigate = use_navigate();
    let back = move || navigate(Page::Worklog.path(), NavigateOptions::default());
    let me = Session::get().user;
    let mine = me.with_untracked(|u| u.as_ref().is_some_and(|u| u.id == entry.user_id));
    let owner = me.with_untracked(|u| match u {
        Some(u) if u.id == entry.user_id => format!("You ({})", u.name),
        _ => entry.user_id.to_string(),
    });
    let id = entry.id;
    let day = today();
    let draft = Draft::new(entry.work_date);
    draft.fill_from_entry(&entry);

    let save = Action::new_local({
        let back = back.clone();
        move |patch: &WorklogPatch| {
            let (patch, back) = (patch.clone(), back.clone());
            async move {
                let saved = api::worklogs::update(id, patch).await?;
                // The timeline shows the change in context, with the day's new total.
                back();
                Ok::<_, ApiError>(saved)
            }
        }
    });
    let saving = save.pending();
    let form = FormErrors::new(
        move || draft.input(day).map(drop),
        server_field_errors(save),
    );
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit()
            && let Ok(input) = draft.input(day)
        {
            save.dispatch(to_patch(input));
        }
    };

    let summary = format!(
        "{} on {}: {}",
        duration_label(i64::from(entry.minutes)),
        entry.work_date,
        entry.description
    );
    let confirming = RwSignal::new(false);
    let delete = Action::new_local(move |_: &()| {
        let back = back.clone();
        async move {
            api::worklogs::delete(id).await?;
            back();
            Ok::<_, ApiError>(())
        }
    });

    view! {
        <div class="edit-layout">
            <section class="card">
                <h2 class="card-title">"Entry"</h2>
                {(!mine).then(|| view! {
                    <Alert kind=AlertKind::Info>
                        "This entry belongs to someone else: you can read it, but only its author can change it."
                    </Alert>
                })}
                {failure_alert(save)}
                <form class="form" id="worklog-edit-form" on:submit=on_submit novalidate>
                    <fieldset class="fieldset" disabled=!mine>
                        <WorklogFields draft=draft form=form/>
                    </fieldset>
                    <div class="form-actions form-actions-split">
                        <button
                            type="button"
                            id="delete-entry"
                            class="btn btn-danger delete-worklog"
                            hidden=!mine
                            on:click=move |_| {
                                delete.value().set(None);
                                confirming.set(true);
                            }
                        >
                            "Delete"
                        </button>
                        <div class="form-actions">
                            <A href=Page::Worklog.path() attr:class="btn btn-secondary">"Cancel"</A>
                            <SubmitButton id="worklog-save" pending=saving label="Save changes" busy="Saving…" hidden=!mine/>
                        </div>
                    </div>
                </form>
            </section>
            <aside class="card worklog-meta" id="worklog-meta" aria-label="About this entry">
                <h2 class="card-title">"Details"</h2>
                <dl class="details details-stacked">
                    <dt>"Created"</dt>
                    <dd id="meta-created">{timestamp(entry.created_at)}</dd>
                    <dt>"Last changed"</dt>
                    <dd id="meta-updated">{timestamp(entry.updated_at)}</dd>
                    <dt>"Owner"</dt>
                    <dd id="meta-owner">{owner}</dd>
                    <dt>"Id"</dt>
                    <dd id="meta-id"><code>{entry.id.to_string()}</code></dd>
                </dl>
            </aside>
        </div>
        <ConfirmDialog
            open=confirming
            on_close=move |()| confirming.set(false)
            title="Delete this entry?"
            confirm_label="Delete entry"
            confirm_id="confirm-delete"
            pending=delete.pending()
            error=Signal::derive(move || delete.value().with(|r| match r {
                Some(Err(e)) => Some(e.to_string()),
                _ => None,
            }))
            on_confirm=move |()| {
                delete.dispatch(());
            }
        >
            <p>{summary.clone()}</p>
            <p class="text-muted">"The entry is removed for good; this cannot be undone."</p>
        </ConfirmDialog>
    }
}
