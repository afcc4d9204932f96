//! Staff: every tenant's projects (and the platform's own) with filters and paging, and
//! a dialog to create one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tessera_domain::llm::{CreateProjectRequest, Project};
use tessera_domain::page::Paged;

use super::{failure_alert, moment, parse_status, status_options};
use crate::api::ApiError;
use crate::api::llm::{self as api, ProjectQuery};
use crate::components::{
    EmptyState, Field, Loader, Modal, Pager, Spinner, StatusBadge, SubmitButton, TextField,
};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::login::server_field_errors;

/// The filter toolbar, the table and its pager.
#[component]
pub(super) fn ProjectsSection() -> impl IntoView {
    let query = RwSignal::new(ProjectQuery {
        page: 1,
        ..ProjectQuery::default()
    });
    let projects = LocalResource::new(move || {
        let q = query.get();
        async move { api::list_projects(&q).await }
    });
    let (updating, set_updating) = signal(false);
    let creating = RwSignal::new(false);
    // Text filters apply on `change` (Enter or leaving the input), so the list reloads
    // once per search rather than once per keystroke.
    let set_text = move |apply: fn(&mut ProjectQuery, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev).trim().to_owned();
            query.update(|q| {
                apply(q, value);
                q.page = 1;
            });
        }
    };
    let on_page = Callback::new(move |page: u64| query.update(|q| q.page = page));

    let table = move |page: Paged<Project>| {
        if page.total == 0 {
            let filtered = query.with_untracked(|q| {
                !q.tenant.is_empty() || !q.search.is_empty() || q.status.is_some()
            });
            return view! {
                <EmptyState title=if filtered { "No projects match these filters" } else { "No projects yet" } icon="◇">
                    <p>
                        {if filtered {
                            "Check the tenant's slug (or type platform), the search, or show every status."
                        } else {
                            "Tenants activate projects with their codes in the portal; staff can create one with New project."
                        }}
                    </p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-hover" id="llm-projects-table">
                    <thead>
                        <tr>
                            <th>"Project"</th>
                            <th>"Tenant"</th>
                            <th>"Status"</th>
                            <th>"Started"</th>
                            <th>"Updated"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || page.items.clone()
                            key=|p| (p.id, p.updated_at)
                            children=move |p| {
                                view! {
                                    <tr class="project-row" data-project-id=p.id.to_string() data-status=p.status.as_str()>
                                        <td>
                                            <A href=Page::llm_project(p.id)>{p.name.clone()}</A>
                                            <div class="text-muted text-sm">{p.description.clone()}</div>
                                        </td>
                                        <td>{p.tenant_slug.clone().unwrap_or_else(|| "Platform".into())}</td>
                                        <td><StatusBadge status=p.status.as_str().to_owned()/></td>
                                        <td class="date">{moment(p.started_at)}</td>
                                        <td class="date">{moment(p.updated_at)}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
            <Pager page=page.page per_page=page.per_page total=page.total noun="projects" on_page=on_page/>
        }
        .into_any()
    };

    view! {
        <section class="card" id="llm-projects">
            <div class="page-header-row">
                <h2 class="card-title">"Projects"</h2>
                <button type="button" class="btn btn-primary btn-sm" id="new-llm-project" on:click=move |_| creating.set(true)>
                    "New project"
                </button>
            </div>
            <div class="toolbar">
                <label class="toolbar-field">
                    <span class="toolbar-label">"Tenant"</span>
                    <input class="input" type="search" id="llm-projects-tenant" placeholder="Slug, or platform"
                        on:change=set_text(|q, v| q.tenant = v)/>
                </label>
                <label class="toolbar-field">
                    <span class="toolbar-label">"Status"</span>
                    <select class="select" id="llm-projects-status" on:change=move |ev| {
                        let status = parse_status(&event_target_value(&ev));
                        query.update(|q| {
                            q.status = status;
                            q.page = 1;
                        });
                    }>
                        <option value="">"All"</option>
                        {status_options().into_iter().map(|(v, t)| view! { <option value=v>{t}</option> }).collect_view()}
                    </select>
                </label>
                <label class="toolbar-field">
                    <span class="toolbar-label">"Search"</span>
                    <input class="input" type="search" id="llm-projects-search" placeholder="Name or description"
                        on:change=set_text(|q, v| q.search = v)/>
                </label>
                {move || updating.get().then(|| view! { <Spinner label="Updating the list"/> })}
            </div>
            <Loader text="Loading projects…" set_pending=set_updating>
                {move || Suspend::new(async move { projects.await.map(table) })}
            </Loader>
        </section>
        <NewProjectDialog open=creating/>
    }
}

/// Staff create a project for a tenant (by slug) or for the platform (no tenant); on
/// success the project's page opens.
#[component]
fn NewProjectDialog(
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
) -> impl IntoView {
    let (tenant, name, description, prompt) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let request = move || CreateProjectRequest {
        tenant: Some(tenant.get().trim().to_owned()).filter(|t| !t.is_empty()),
        name: name.get(),
        description: description.get(),
        prompt: prompt.get(),
    };
    let navigate = use_navigate();
    let create = Action::new_local(move |req: &CreateProjectRequest| {
        let (req, navigate) = (req.clone(), navigate.clone());
        async move {
            let created = api::create_project(&req).await?;
            navigate(&Page::llm_project(created.id), NavigateOptions::default());
            Ok::<_, ApiError>(created)
        }
    });
    let form = FormErrors::new(move || request().validate(), server_field_errors(create));
    let pending = create.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            create.dispatch(request());
        }
    };
    view! {
        <Modal open=open on_close=Callback::new(move |()| open.set(false)) title="New project">
            <form class="form" on:submit=on_submit novalidate>
                <TextField id="new-project-tenant" label="Tenant" value=tenant error=form.error("tenant")
                    hint="The tenant's slug; leave empty for a platform-owned project."/>
                <TextField id="new-project-name" label="Name" value=name error=form.error("name")
                    on_blur=form.touch("name")/>
                <TextField id="new-project-description" label="Description" value=description
                    error=form.error("description")/>
                <Field id="new-project-prompt" label="Project prompt" error=form.error("prompt")>
                    <textarea class="textarea" id="new-project-prompt" name="new-project-prompt" rows="5" bind:value=prompt></textarea>
                </Field>
                {failure_alert(create)}
                <div class="form-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <SubmitButton id="create-llm-project" pending=pending label="Create project"/>
                </div>
            </form>
        </Modal>
    }
}
