//! Members: the organisation's projects — activate one with a code, edit, complete and
//! delete (org admins), and the list everyone sees, each linking to its agent prompts.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::llm::{ActivateProjectRequest, Project, ProjectPatch, ProjectStatus};
use uuid::Uuid;

use super::is_org_admin;
use crate::api::llm as api;
use crate::components::{
    ConfirmDialog, EmptyState, Field, Loader, Modal, PageHeader, StatusBadge, SubmitButton,
    TextField,
};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::llm::{failure_alert, failure_text, moment, preview};
use crate::pages::login::server_field_errors;
use crate::pages::restricted::Restricted;

/// Members: the organisation's projects (`Page::Projects`).
#[component]
pub fn TenantProjectsPage() -> impl IntoView {
    let page = Page::Projects;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Restricted page=page>
            <Projects/>
        </Restricted>
    }
}

/// What a person is about to do to one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Complete,
    Delete,
}

#[component]
fn Projects() -> impl IntoView {
    let projects = LocalResource::new(api::tenant_projects);
    let org_admin = is_org_admin();
    let editing = RwSignal::new(None::<Project>);
    let confirming = RwSignal::new(None::<(Intent, Project)>);
    let act = Action::new_local(move |(intent, id): &(Intent, Uuid)| {
        let (intent, id) = (*intent, *id);
        async move {
            let done = match intent {
                Intent::Complete => api::complete_tenant_project(id).await.map(drop),
                Intent::Delete => api::delete_tenant_project(id).await,
            };
            if done.is_ok() {
                confirming.set(None);
                projects.refetch();
            }
            done
        }
    });
    let ask = move |intent: Intent, p: Project| {
        act.value().set(None);
        confirming.set(Some((intent, p)));
    };

    let table = move |list: Vec<Project>| {
        if list.is_empty() {
            return view! {
                <EmptyState title="No projects yet" icon="◇">
                    <p>
                        {if org_admin {
                            "Activate your first project above with one of your organisation's activation codes."
                        } else {
                            "Your organisation's admins activate projects with an activation code; they appear here."
                        }}
                    </p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-hover" id="tenant-projects">
                    <thead>
                        <tr>
                            <th>"Project"</th>
                            <th>"Prompt"</th>
                            <th>"Status"</th>
                            <th>"Started"</th>
                            <th><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || list.clone()
                            key=|p| (p.id, p.updated_at)
                            children=move |p| {
                                let open = p.status != ProjectStatus::Completed;
                                let (for_edit, for_complete, for_delete) = (p.clone(), p.clone(), p.clone());
                                view! {
                                    <tr class="project-row" data-project-id=p.id.to_string() data-status=p.status.as_str()>
                                        <td>
                                            <div class="project-name"><A href=Page::tenant_project(p.id)>{p.name.clone()}</A></div>
                                            <div class="text-muted text-sm project-description">{p.description.clone()}</div>
                                        </td>
                                        <td class="project-prompt text-sm">
                                            {if p.prompt.trim().is_empty() { "Not set".to_owned() } else { preview(&p.prompt, 160) }}
                                        </td>
                                        <td><StatusBadge status=p.status.as_str().to_owned()/></td>
                                        <td class="date">{moment(p.started_at)}</td>
                                        <td class="table-actions">
                                            {(org_admin && open).then(|| view! {
                                                <button type="button" class="btn btn-ghost btn-sm edit-project"
                                                    on:click=move |_| editing.set(Some(for_edit.clone()))>"Edit"</button>
                                                <button type="button" class="btn btn-ghost btn-sm complete-project"
                                                    on:click=move |_| ask(Intent::Complete, for_complete.clone())>"Complete"</button>
                                            })}
                                            {org_admin.then(|| view! {
                                                <button type="button" class="btn btn-ghost-danger btn-sm delete-project"
                                                    on:click=move |_| ask(Intent::Delete, for_delete.clone())>"Delete"</button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };

    let title = Signal::derive(move || {
        confirming.with(|c| match c {
            Some((Intent::Complete, p)) => format!("Complete {}?", p.name),
            Some((Intent::Delete, p)) => format!("Delete {}?", p.name),
            None => String::new(),
        })
    });
    let is_delete = move || confirming.with(|c| matches!(c, Some((Intent::Delete, _))));

    view! {
        {if org_admin {
            view! { <ActivateForm on_activated=Callback::new(move |()| projects.refetch())/> }.into_any()
        } else {
            view! {
                <section class="card">
                    <p class="text-muted" id="activate-not-allowed">
                        "Only your organisation's admins can activate, edit or complete projects."
                    </p>
                </section>
            }
            .into_any()
        }}
        <section class="card">
            <h2 class="card-title">"Your projects"</h2>
            <Loader text="Loading projects…">
                {move || Suspend::new(async move { projects.await.map(table) })}
            </Loader>
            <p class="text-sm text-muted">
                "Codes left and devices: " <A href=Page::CodesDevices.path()>"Codes & devices"</A>
                " · Reserve: " <A href=Page::OrgBilling.path()>"Billing"</A>
            </p>
        </section>
        <EditDialog target=editing on_saved=Callback::new(move |()| projects.refetch())/>
        <ConfirmDialog
            open=Signal::derive(move || confirming.with(Option::is_some))
            on_close=Callback::new(move |()| if !act.pending().get_untracked() { confirming.set(None) })
            title=title
            confirm_label="Confirm"
            confirm_id="confirm-project-action"
            pending=act.pending()
            error=failure_text(act)
            on_confirm=Callback::new(move |()| {
                if let Some((intent, p)) = confirming.get_untracked() {
                    act.dispatch((intent, p.id));
                }
            })
        >
            {move || if is_delete() {
                view! { <p>"The project and its agent prompts are deleted, and its slot in your plan's project quota becomes free. This cannot be undone."</p> }
            } else {
                view! { <p>"A completed project is final: it can no longer be edited or reopened."</p> }
            }}
        </ConfirmDialog>
    }
}

/// Org admins: one use of an activation code becomes a project.
#[component]
fn ActivateForm(
    /// Told after a project was activated, so the list reloads.
    on_activated: Callback<()>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let prompt = RwSignal::new(String::new());
    let request = move || ActivateProjectRequest {
        activation_code: code.get(),
        name: name.get(),
        description: description.get(),
        prompt: prompt.get(),
    };
    let activate = Action::new_local(move |req: &ActivateProjectRequest| {
        let req = req.clone();
        async move { api::activate_project(&req).await }
    });
    let form = FormErrors::new(move || request().validate(), server_field_errors(activate));
    // Clear the form once the server accepted it, and tell the list.
    Effect::new(move |_| {
        if activate.value().with(|r| matches!(r, Some(Ok(_)))) {
            for s in [code, name, description, prompt] {
                s.set(String::new());
            }
            form.reset();
            on_activated.run(());
        }
    });
    let pending = activate.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            activate.dispatch(request());
        }
    };
    view! {
        <section class="card" id="activate-card">
            <h2 class="card-title">"Activate a project"</h2>
            <p class="text-muted">"Each project uses one use of one of your activation codes and one slot of your plan's project quota."</p>
            <form class="form" on:submit=on_submit novalidate>
                <div class="form-row">
                    <TextField id="activate-code" label="Activation code" value=code error=form.error("activation_code")
                        placeholder="XXXX-XXXX-XXXX-XXXX" autocomplete="off" on_blur=form.touch("activation_code")/>
                    <TextField id="project-name" label="Name" value=name error=form.error("name") on_blur=form.touch("name")/>
                </div>
                <TextField id="project-description" label="Description" value=description error=form.error("description")/>
                <Field id="activate-prompt" label="Project prompt" error=form.error("prompt") hint="Optional; you can set it later.">
                    <textarea class="textarea" id="activate-prompt" name="activate-prompt" rows="4" bind:value=prompt></textarea>
                </Field>
                {failure_alert(activate)}
                {move || activate.value().with(|r| match r {
                    Some(Ok(p)) => Some(view! {
                        <div class="alert alert-success" role="status" id="activate-success">{format!("{} is active.", p.name)}</div>
                    }),
                    _ => None,
                })}
                <div class="form-actions">
                    <SubmitButton id="activate-project" pending=pending label="Activate project"/>
                </div>
            </form>
        </section>
    }
}

/// Org admins: change a project's name, description and prompt.
#[component]
fn EditDialog(
    /// The project being edited; `None` closes the dialog.
    target: RwSignal<Option<Project>>,
    /// Told after a save, so the list reloads.
    on_saved: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let prompt = RwSignal::new(String::new());
    let save = Action::new_local(move |(id, patch): &(Uuid, ProjectPatch)| {
        let (id, patch) = (*id, patch.clone());
        async move {
            let saved = api::update_tenant_project(id, &patch).await;
            if saved.is_ok() {
                target.set(None);
                on_saved.run(());
            }
            saved
        }
    });
    let patch = move || ProjectPatch {
        name: Some(name.get()),
        description: Some(description.get()),
        prompt: Some(prompt.get()),
        status: None,
    };
    let form = FormErrors::new(move || patch().validate(), server_field_errors(save));
    // Fill the fields from the project each time the dialog opens for one.
    Effect::new(move |_| {
        if let Some(p) = target.get() {
            name.set(p.name);
            description.set(p.description);
            prompt.set(p.prompt);
            save.value().set(None);
            form.reset();
        }
    });
    let pending = save.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(p) = target.get_untracked()
            && form.submit()
        {
            save.dispatch((p.id, patch()));
        }
    };
    view! {
        <Modal
            open=Signal::derive(move || target.with(Option::is_some))
            on_close=Callback::new(move |()| target.set(None))
            title=Signal::derive(move || target.with(|t| t.as_ref().map(|p| format!("Edit {}", p.name)).unwrap_or_default()))
            wide=true
        >
            <form class="form" on:submit=on_submit novalidate>
                <TextField id="edit-project-name" label="Name" value=name error=form.error("name") on_blur=form.touch("name")/>
                <TextField id="edit-project-description" label="Description" value=description error=form.error("description")/>
                <Field id="project-prompt" label="Project prompt" error=form.error("prompt")
                    hint="Your agents run with the platform's system prompt, then this prompt, then their agent prompt.">
                    <textarea class="textarea" id="project-prompt" name="project-prompt" rows="8" bind:value=prompt></textarea>
                </Field>
                {failure_alert(save)}
                <div class="form-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| target.set(None)>"Cancel"</button>
                    <SubmitButton id="save-project" pending=pending label="Save"/>
                </div>
            </form>
        </Modal>
    }
}
