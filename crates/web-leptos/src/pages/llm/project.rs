//! Staff: one project — its details, its prompt and status, deletion, and its agent
//! prompts (add, edit, delete per agent type).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tessera_domain::FieldError;
use tessera_domain::llm::{
    AgentPrompt, Project, ProjectPatch, ProjectStatus, PromptInput, agent_type,
};
use uuid::Uuid;

use super::{failure_alert, failure_text, moment, parse_status, preview, status_options};
use crate::api::ApiError;
use crate::api::llm as api;
use crate::components::{
    Alert, AlertKind, ConfirmDialog, Crumb, EmptyState, Field, Loader, PageHeader, PickButton,
    SelectField, StatusBadge, SubmitButton, TargetConfirm, TextField,
};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::login::server_field_errors;
use crate::pages::restricted::Restricted;

fn crumbs() -> Vec<Crumb> {
    vec![
        Crumb::link("Home", Page::Dashboard.path()),
        Crumb::text("Platform"),
        Crumb::link(Page::LlmPrompts.title(), Page::LlmPrompts.path()),
        Crumb::text(Page::LlmProject.title()),
    ]
}

/// `/platform/llm/projects/{id}` (link with [`Page::llm_project`]).
#[component]
pub fn LlmProjectPage() -> impl IntoView {
    let id = crate::pages::id_param();
    let project = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api::get_project(id).await,
                None => Err(ApiError::Network(
                    "This project address is not valid.".into(),
                )),
            }
        }
    });
    view! {
        <PageHeader title=Page::LlmProject.title() crumbs=crumbs()/>
        <Restricted page=Page::LlmProject>
            <Loader text="Loading the project…" on_error=|| view! {
                <p class="back-link"><A href=Page::LlmPrompts.path()>"← Back to LLM prompts"</A></p>
            }>
                {move || Suspend::new(async move {
                    project.await.map(|p| {
                        let pid = p.id;
                        view! { <ProjectEditor project=p/> <AgentPrompts project=pid/> }
                    })
                })}
            </Loader>
        </Restricted>
    }
}

/// The details, the edit form (name, description, prompt, status) and deletion.
#[component]
fn ProjectEditor(
    /// The project as loaded.
    project: Project,
) -> impl IntoView {
    let id = project.id;
    let shown = RwSignal::new(project.clone());
    let name = RwSignal::new(project.name.clone());
    let description = RwSignal::new(project.description.clone());
    let prompt = RwSignal::new(project.prompt.clone());
    let status = RwSignal::new(project.status.as_str().to_owned());
    // Only what changed is sent, so a save never rewrites fields someone else edited.
    let patch = move || {
        let was = shown.get();
        let changed = |now: String, before: &str| (now != before).then_some(now);
        ProjectPatch {
            name: changed(name.get(), &was.name),
            description: changed(description.get(), &was.description),
            prompt: changed(prompt.get(), &was.prompt),
            status: parse_status(&status.get()).filter(|s| *s != was.status),
        }
    };
    let save = Action::new_local(move |p: &ProjectPatch| {
        let p = p.clone();
        async move {
            let saved = api::update_project(id, &p).await?;
            shown.set(saved.clone());
            Ok::<_, ApiError>(saved)
        }
    });
    let form = FormErrors::new(move || patch().validate(), server_field_errors(save));
    let pending = save.pending();
    let completed = move || shown.with(|p| p.status == ProjectStatus::Completed);
    let unchanged = move || {
        let p = patch();
        p.name.is_none() && p.description.is_none() && p.prompt.is_none() && p.status.is_none()
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            save.dispatch(patch());
        }
    };
    // A completed project cannot be reopened: offer only "Completed" then.
    let options = Signal::derive(move || {
        status_options()
            .into_iter()
            .filter(|(v, _)| !completed() || v == "completed")
            .collect::<Vec<_>>()
    });

    let deleting = RwSignal::new(false);
    let navigate = use_navigate();
    let delete = Action::new_local(move |(): &()| {
        let navigate = navigate.clone();
        async move {
            api::delete_project(id).await?;
            navigate(Page::LlmPrompts.path(), NavigateOptions::default());
            Ok::<_, ApiError>(())
        }
    });

    view! {
        <section class="card" id="project-details">
            <h2 class="card-title" id="project-title">{move || shown.with(|p| p.name.clone())}</h2>
            <dl class="details details-inline">
                <dt>"Tenant"</dt>
                <dd id="project-tenant">{project.tenant_slug.clone().unwrap_or_else(|| "Platform-owned".into())}</dd>
                <dt>"Status"</dt>
                <dd><StatusBadge status=Signal::derive(move || shown.with(|p| p.status.as_str().to_owned()))/></dd>
                <dt>"Started"</dt>
                <dd>{moment(project.started_at)}</dd>
                <dt>"Completed"</dt>
                <dd>{move || shown.with(|p| p.completed_at.map(moment).unwrap_or_else(|| "—".into()))}</dd>
                <dt>"Activation code"</dt>
                <dd class="text-sm">
                    {project.activation_code_id.map(|c| c.to_string()).unwrap_or_else(|| "None (created by staff)".into())}
                </dd>
                <dt>"Last changed"</dt>
                <dd>{move || shown.with(|p| moment(p.updated_at))}</dd>
            </dl>
        </section>
        <section class="card">
            <h2 class="card-title">"Project prompt and settings"</h2>
            <form class="form" on:submit=on_submit novalidate>
                <TextField id="project-name" label="Name" value=name error=form.error("name") on_blur=form.touch("name")/>
                <TextField id="project-description" label="Description" value=description error=form.error("description")/>
                <Field id="project-prompt" label="Project prompt" error=form.error("prompt")
                    hint="Added after the system prompt for every agent of this project.">
                    <textarea class="textarea" id="project-prompt" name="project-prompt" rows="8" bind:value=prompt></textarea>
                </Field>
                <SelectField id="project-status" label="Status" value=status options=options
                    hint="Completed is final: a completed project cannot be reopened."/>
                {failure_alert(save)}
                {move || save.value().with(|r| matches!(r, Some(Ok(_)))).then(|| view! {
                    <Alert kind=AlertKind::Success>"Project saved."</Alert>
                })}
                <div class="form-actions form-actions-split">
                    <button type="button" class="btn btn-ghost-danger" id="delete-project"
                        on:click=move |_| { delete.value().set(None); deleting.set(true); }>
                        "Delete project"
                    </button>
                    <SubmitButton id="save-project" pending=pending label="Save" idle=Signal::derive(unchanged)/>
                </div>
            </form>
        </section>
        <ConfirmDialog
            open=deleting
            on_close=Callback::new(move |()| if !delete.pending().get_untracked() { deleting.set(false) })
            title=Signal::derive(move || format!("Delete {}?", shown.with(|p| p.name.clone())))
            confirm_label="Delete project"
            confirm_id="confirm-delete-project"
            pending=delete.pending()
            error=failure_text(delete)
            on_confirm=Callback::new(move |()| { delete.dispatch(()); })
        >
            <p>"The project and all of its agent prompts are deleted. This cannot be undone."</p>
        </ConfirmDialog>
    }
}

/// The agent prompts of one project: the list, and a form that adds one or edits the one
/// picked from the list.
#[component]
fn AgentPrompts(
    /// The project's id.
    project: Uuid,
) -> impl IntoView {
    let agents = LocalResource::new(move || api::list_agents(project));
    let kind = RwSignal::new(String::new());
    let content = RwSignal::new(String::new());
    // Set while editing an existing agent type: its type is then fixed.
    let editing = RwSignal::new(false);
    let save = Action::new_local(move |(kind, input): &(String, PromptInput)| {
        let (kind, input) = (kind.clone(), input.clone());
        async move {
            let saved = api::put_agent(project, &kind, &input).await;
            if saved.is_ok() {
                agents.refetch();
            }
            saved
        }
    });
    let rules = move || {
        let mut errors: Vec<FieldError> = Vec::new();
        if let Err(m) = agent_type(kind.get().trim()) {
            errors.push(FieldError::new("agent_type", m));
        }
        if let Err(mut e) = (PromptInput {
            content: content.get(),
        })
        .validate()
        {
            errors.append(&mut e);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    };
    let form = FormErrors::new(rules, server_field_errors(save));
    let clear = move || {
        kind.set(String::new());
        content.set(String::new());
        editing.set(false);
        form.reset();
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            save.dispatch((
                kind.get_untracked().trim().to_owned(),
                PromptInput {
                    content: content.get_untracked(),
                },
            ));
        }
    };
    let pending = save.pending();
    let deleting = RwSignal::new(None::<String>);
    let delete = Action::new_local(move |kind: &String| {
        let kind = kind.clone();
        async move {
            let deleted = api::delete_agent(project, &kind).await;
            if deleted.is_ok() {
                deleting.set(None);
                agents.refetch();
            }
            deleted
        }
    });
    let edit = move |a: AgentPrompt| {
        kind.set(a.agent_type);
        content.set(a.content);
        editing.set(true);
        save.value().set(None);
        form.reset();
    };

    let list = move |list: Vec<AgentPrompt>| {
        if list.is_empty() {
            return view! {
                <EmptyState title="No agent prompts yet" icon="◎">
                    <p>"Add one below for each agent type this project runs (e.g. planner, reviewer)."</p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table" id="agent-prompts">
                    <thead><tr><th>"Agent type"</th><th>"Prompt"</th><th>"Updated"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        <For
                            each=move || list.clone()
                            key=|a| (a.agent_type.clone(), a.updated_at)
                            children=move |a| {
                                let (for_edit, for_delete) = (a.clone(), a.agent_type.clone());
                                view! {
                                    <tr class="agent-row" data-agent-type=a.agent_type.clone()>
                                        <td><code>{a.agent_type.clone()}</code></td>
                                        <td class="agent-content">{preview(&a.content, 160)}</td>
                                        <td class="date">{moment(a.updated_at)}</td>
                                        <td class="table-actions">
                                            <button type="button" class="btn btn-ghost btn-sm edit-agent"
                                                on:click=move |_| edit(for_edit.clone())>"Edit"</button>
                                            <PickButton class="btn btn-ghost-danger btn-sm delete-agent" label="Delete"
                                                row=for_delete target=deleting action=delete/>
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

    view! {
        <section class="card" id="project-agents">
            <h2 class="card-title">"Agent prompts"</h2>
            <Loader text="Loading agent prompts…">
                {move || Suspend::new(async move { agents.await.map(list) })}
            </Loader>
            <h3 class="card-title">{move || if editing.get() { "Edit agent prompt" } else { "Add an agent prompt" }}</h3>
            <form class="form" on:submit=on_submit novalidate>
                <Field id="agent-type" label="Agent type" error=form.error("agent_type")
                    hint="Lowercase letters, digits, '_' or '-', e.g. planner. Saving an existing type replaces its prompt.">
                    <input class="input" id="agent-type" name="agent-type" maxlength="64" autocomplete="off"
                        bind:value=kind disabled=move || editing.get()
                        on:blur={ let touch = form.touch("agent_type"); move |_| touch.run(()) }/>
                </Field>
                <Field id="agent-content" label="Prompt" error=form.error("content")>
                    <textarea class="textarea" id="agent-content" name="agent-content" rows="6" bind:value=content
                        on:blur={ let touch = form.touch("content"); move |_| touch.run(()) }></textarea>
                </Field>
                {failure_alert(save)}
                {move || save.value().with(|r| match r {
                    Some(Ok(a)) => Some(view! { <Alert kind=AlertKind::Success>{format!("Saved the {} prompt.", a.agent_type)}</Alert> }),
                    _ => None,
                })}
                <div class="form-actions">
                    <button type="button" class="btn btn-secondary" id="clear-agent" on:click=move |_| { save.value().set(None); clear(); }>
                        {move || if editing.get() { "Cancel edit" } else { "Clear" }}
                    </button>
                    <SubmitButton id="save-agent" pending=pending label="Save agent prompt"/>
                </div>
            </form>
        </section>
        <TargetConfirm
            target=deleting
            action=delete
            title=|k| format!("Delete the {k} prompt?")
            confirm_label="Delete agent prompt"
            confirm_id="confirm-delete-agent"
            key=String::clone
            body=|_| view! {
                <p>"Agents of this type will refuse to run (PROMPT_NOT_CONFIGURED) until a new prompt is saved."</p>
            }.into_any()
        />
    }
}
