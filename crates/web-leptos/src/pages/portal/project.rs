//! Members: one project — its details and prompt, its agent prompts, and the prompt each
//! agent runs with. Read-only: platform staff configure the prompts.

use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::llm::{AgentPrompt, ComposedPrompt, Project};
use uuid::Uuid;

use crate::api::ApiError;
use crate::api::llm as api;
use crate::components::{
    Alert, AlertKind, Crumb, EmptyState, Loader, Loading, PageHeader, StatusBadge,
};
use crate::format::moment;
use crate::page::Page;
use crate::pages::restricted::Restricted;

fn crumbs() -> Vec<Crumb> {
    vec![
        Crumb::link("Home", Page::Dashboard.path()),
        Crumb::text("Organisation"),
        Crumb::link(Page::Projects.title(), Page::Projects.path()),
        Crumb::text(Page::TenantProject.title()),
    ]
}

/// `/org/projects/{id}` (link with [`Page::tenant_project`]).
#[component]
pub fn TenantProjectPage() -> impl IntoView {
    let id = crate::pages::id_param();
    let project = LocalResource::new(move || {
        let id = id.get();
        async move {
            let id =
                id.ok_or_else(|| ApiError::Network("This project address is not valid.".into()))?;
            Ok::<_, ApiError>((
                api::tenant_project(id).await?,
                api::tenant_agents(id).await?,
            ))
        }
    });
    view! {
        <PageHeader title=Page::TenantProject.title() crumbs=crumbs()/>
        <Restricted page=Page::TenantProject>
            <Loader text="Loading the project…" on_error=|| view! {
                <p class="back-link"><A href=Page::Projects.path()>"← Back to projects"</A></p>
            }>
                {move || Suspend::new(async move {
                    project.await.map(|(p, agents)| {
                        let id = p.id;
                        view! { {details(p)} <Agents project=id agents/> }
                    })
                })}
            </Loader>
        </Restricted>
    }
}

fn details(p: Project) -> impl IntoView {
    let prompt = if p.prompt.trim().is_empty() {
        view! { <p class="text-muted" id="project-prompt-text">"Not set: its agents cannot run until it is."</p> }
            .into_any()
    } else {
        view! { <p class="prompt-version-text" id="project-prompt-text">{p.prompt}</p> }.into_any()
    };
    view! {
        <section class="card" id="project-details">
            <h2 class="card-title" id="project-title">{p.name}</h2>
            <dl class="details details-inline">
                <dt>"Status"</dt>
                <dd><StatusBadge status=p.status.as_str().to_owned()/></dd>
                <dt>"Started"</dt>
                <dd>{moment(p.started_at)}</dd>
            </dl>
            <p class="text-sm">{p.description}</p>
            <h3 class="card-title">"Project prompt"</h3>
            {prompt}
        </section>
    }
}

/// The agent prompts, each with a button that shows what that agent runs with.
#[component]
fn Agents(
    /// The project's id.
    project: Uuid,
    /// Its agent prompts.
    agents: Vec<AgentPrompt>,
) -> impl IntoView {
    let chosen = RwSignal::new(None::<String>);
    let composed = LocalResource::new(move || {
        let kind = chosen.get();
        async move {
            match kind {
                Some(k) => {
                    let answer = api::composed_prompt(project, &k).await;
                    Some((k, answer))
                }
                None => None,
            }
        }
    });
    let row = move |a: AgentPrompt| {
        let kind = a.agent_type.clone();
        view! {
            <li class="prompt-version agent-row" data-agent-type=a.agent_type.clone()>
                <div class="prompt-version-head">
                    <code>{a.agent_type.clone()}</code>
                    <span class="text-muted text-sm">{format!("updated {}", moment(a.updated_at))}</span>
                    <button type="button" class="btn btn-secondary btn-sm show-composed"
                        on:click=move |_| chosen.set(Some(kind.clone()))>"Composed prompt"</button>
                </div>
                <p class="prompt-version-text agent-content">{a.content}</p>
            </li>
        }
    };
    let list = if agents.is_empty() {
        view! {
            <EmptyState title="No agent prompts yet" icon="◎">
                <p>"Platform staff set the prompt of each agent type this project runs; they appear here."</p>
            </EmptyState>
        }
        .into_any()
    } else {
        let items = agents.into_iter().map(row).collect_view();
        view! { <ul class="prompt-versions" id="agent-prompts">{items}</ul> }.into_any()
    };
    view! {
        <section class="card" id="project-agents">
            <h2 class="card-title">"Agent prompts"</h2>
            {list}
        </section>
        {move || chosen.get().map(|kind| {
            let title = format!("What the {kind} agent runs with");
            view! {
                <section class="card" id="composed">
                    <h2 class="card-title">{title}</h2>
                    // The resource keeps its last answer while it loads the next one: show
                    // only the chosen agent's.
                    {move || match composed.get().flatten() {
                        Some((k, answer)) if k == kind => composition(answer),
                        _ => view! { <Loading text="Composing…"/> }.into_any(),
                    }}
                </section>
            }
        })}
    }
}

fn composition(answer: Result<ComposedPrompt, ApiError>) -> AnyView {
    match answer {
        Ok(c) => view! {
            <p class="text-muted text-sm" id="composed-meta">
                {format!("System prompt version {}, then the project prompt, then the agent prompt.", c.system_version)}
            </p>
            <pre class="json prompt-version-text" id="composed-prompt">{c.composed}</pre>
        }
        .into_any(),
        // A missing part is stated as it is; the agent has no fallback to show instead.
        Err(e) if e.code() == Some("PROMPT_NOT_CONFIGURED") => {
            let text = e.to_string();
            view! {
                <div id="composed-not-configured">
                    <Alert kind=AlertKind::Warning title="Not configured">
                        {text} " This agent refuses to run until it is; ask your platform's staff."
                    </Alert>
                </div>
            }
            .into_any()
        }
        Err(e) => {
            let text = e.to_string();
            view! { <Alert kind=AlertKind::Error title="Could not compose the prompt">{text}</Alert> }
                .into_any()
        }
    }
}
