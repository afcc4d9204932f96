//! LLM configuration for staff (`/admin/api/llm/*`) and the tenant's own projects
//! (`/api/tenant/projects*`).

use gloo_net::http::Method;
use tessera_domain::llm::{
    ActivateProjectRequest, AgentPrompt, ComposedPrompt, CreateProjectRequest, Project,
    ProjectPatch, ProjectStatus, PromptInput, SystemPrompt,
};
use tessera_domain::page::Paged;
use uuid::Uuid;

use super::query::{encode, query_string};
use super::{ApiError, Call, authorised, json};

/// Rows per page of the staff projects table.
pub const PROJECTS_PER_PAGE: u64 = 25;

/// `GET /admin/api/llm/system-prompt`.
///
/// # Errors
/// 404 `PROMPT_NOT_CONFIGURED` before the first save, or see [`authorised`].
pub async fn system_prompt() -> Result<SystemPrompt, ApiError> {
    json(authorised(&Call::get("/admin/api/llm/system-prompt")).await?).await
}

/// `PUT /admin/api/llm/system-prompt`: saves a new version.
///
/// # Errors
/// 422 for empty or too long text, or see [`authorised`].
pub async fn save_system_prompt(input: &PromptInput) -> Result<SystemPrompt, ApiError> {
    let call = Call::new(Method::PUT, "/admin/api/llm/system-prompt").json(input);
    json(authorised(&call).await?).await
}

/// `GET /admin/api/llm/system-prompt/versions`, newest first.
///
/// # Errors
/// See [`authorised`].
pub async fn system_prompt_versions() -> Result<Vec<SystemPrompt>, ApiError> {
    json(authorised(&Call::get("/admin/api/llm/system-prompt/versions")).await?).await
}

/// `POST /admin/api/llm/system-prompt/versions/{version}/restore`: the old text becomes
/// the newest version.
///
/// # Errors
/// 404 `VERSION_NOT_FOUND`, or see [`authorised`].
pub async fn restore_system_prompt(version: i32) -> Result<SystemPrompt, ApiError> {
    let call = Call::new(
        Method::POST,
        format!("/admin/api/llm/system-prompt/versions/{version}/restore"),
    );
    json(authorised(&call).await?).await
}

/// The staff projects table's filters and page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectQuery {
    /// A tenant's slug or id, `platform` for platform-owned; empty for all.
    pub tenant: String,
    /// A status; `None` for all.
    pub status: Option<ProjectStatus>,
    /// Substring of the name or description.
    pub search: String,
    /// The 1-based page.
    pub page: u64,
}

/// `GET /admin/api/llm/projects`, newest first.
///
/// # Errors
/// 422 for a bad filter, or see [`authorised`].
pub async fn list_projects(q: &ProjectQuery) -> Result<Paged<Project>, ApiError> {
    let query = query_string([
        ("tenant", Some(q.tenant.clone())),
        ("status", q.status.map(|s| s.as_str().to_owned())),
        ("search", Some(q.search.clone())),
        ("page", Some(q.page.to_string())),
        ("per_page", Some(PROJECTS_PER_PAGE.to_string())),
    ]);
    json(authorised(&Call::get(format!("/admin/api/llm/projects{query}"))).await?).await
}

/// `POST /admin/api/llm/projects`.
///
/// # Errors
/// 422 with field errors (also for an unknown tenant), or see [`authorised`].
pub async fn create_project(req: &CreateProjectRequest) -> Result<Project, ApiError> {
    json(authorised(&Call::post("/admin/api/llm/projects", req)).await?).await
}

/// `GET /admin/api/llm/projects/{id}`.
///
/// # Errors
/// 404 `PROJECT_NOT_FOUND`, or see [`authorised`].
pub async fn get_project(id: Uuid) -> Result<Project, ApiError> {
    json(authorised(&Call::get(format!("/admin/api/llm/projects/{id}"))).await?).await
}

/// `PATCH /admin/api/llm/projects/{id}` with only the fields that change.
///
/// # Errors
/// 409 `PROJECT_COMPLETED` when reopening, 422 with field errors, or see [`authorised`].
pub async fn update_project(id: Uuid, patch: &ProjectPatch) -> Result<Project, ApiError> {
    let call = Call::new(Method::PATCH, format!("/admin/api/llm/projects/{id}")).json(patch);
    json(authorised(&call).await?).await
}

/// `DELETE /admin/api/llm/projects/{id}`.
///
/// # Errors
/// 404, or see [`authorised`].
pub async fn delete_project(id: Uuid) -> Result<(), ApiError> {
    let call = Call::new(Method::DELETE, format!("/admin/api/llm/projects/{id}"));
    authorised(&call).await.map(drop)
}

/// `GET /admin/api/llm/projects/{id}/agents`.
///
/// # Errors
/// 404, or see [`authorised`].
pub async fn list_agents(id: Uuid) -> Result<Vec<AgentPrompt>, ApiError> {
    json(authorised(&Call::get(format!("/admin/api/llm/projects/{id}/agents"))).await?).await
}

/// `PUT /admin/api/llm/projects/{id}/agents/{agent_type}`: creates or replaces.
///
/// # Errors
/// 422 for a bad agent type or content, or see [`authorised`].
pub async fn put_agent(
    id: Uuid,
    agent_type: &str,
    input: &PromptInput,
) -> Result<AgentPrompt, ApiError> {
    let path = format!("/admin/api/llm/projects/{id}/agents/{}", encode(agent_type));
    json(authorised(&Call::new(Method::PUT, path).json(input)).await?).await
}

/// `DELETE /admin/api/llm/projects/{id}/agents/{agent_type}`.
///
/// # Errors
/// 404, or see [`authorised`].
pub async fn delete_agent(id: Uuid, agent_type: &str) -> Result<(), ApiError> {
    let path = format!("/admin/api/llm/projects/{id}/agents/{}", encode(agent_type));
    authorised(&Call::new(Method::DELETE, path)).await.map(drop)
}

/// `POST /api/tenant/projects`: one use of an activation code becomes one project.
///
/// # Errors
/// `CODE_NOT_FOUND` 404, `CODE_EXPIRED` 410, `CODE_REVOKED` 403, `CODE_EXHAUSTED` 409,
/// `PROJECT_QUOTA_EXCEEDED` 409, `TENANT_SUSPENDED` 403, 422, or see [`authorised`].
pub async fn activate_project(req: &ActivateProjectRequest) -> Result<Project, ApiError> {
    json(authorised(&Call::post("/api/tenant/projects", req)).await?).await
}

/// `GET /api/tenant/projects`: every project of the caller's tenant, newest first.
///
/// # Errors
/// See [`authorised`].
pub async fn tenant_projects() -> Result<Vec<Project>, ApiError> {
    json(authorised(&Call::get("/api/tenant/projects")).await?).await
}

/// `GET /api/tenant/projects/{id}`.
///
/// # Errors
/// 404 `PROJECT_NOT_FOUND` (also for another tenant's project), or see [`authorised`].
pub async fn tenant_project(id: Uuid) -> Result<Project, ApiError> {
    json(authorised(&Call::get(format!("/api/tenant/projects/{id}"))).await?).await
}

/// `GET /api/tenant/projects/{id}/agents`: the project's agent prompts (read-only here).
///
/// # Errors
/// 404, or see [`authorised`].
pub async fn tenant_agents(id: Uuid) -> Result<Vec<AgentPrompt>, ApiError> {
    json(authorised(&Call::get(format!("/api/tenant/projects/{id}/agents"))).await?).await
}

/// `GET /api/tenant/projects/{id}/agents/{agent_type}/prompt`: what the agent runs with.
///
/// # Errors
/// 409 `PROMPT_NOT_CONFIGURED` when the system, project or agent prompt is missing,
/// 404, or see [`authorised`].
pub async fn composed_prompt(id: Uuid, agent_type: &str) -> Result<ComposedPrompt, ApiError> {
    let path = format!(
        "/api/tenant/projects/{id}/agents/{}/prompt",
        encode(agent_type)
    );
    json(authorised(&Call::get(path)).await?).await
}

/// `PATCH /api/tenant/projects/{id}`.
///
/// # Errors
/// 403 below org admin, 409 `PROJECT_COMPLETED`, 422, or see [`authorised`].
pub async fn update_tenant_project(id: Uuid, patch: &ProjectPatch) -> Result<Project, ApiError> {
    let call = Call::new(Method::PATCH, format!("/api/tenant/projects/{id}")).json(patch);
    json(authorised(&call).await?).await
}

/// `POST /api/tenant/projects/{id}/complete`.
///
/// # Errors
/// 403 below org admin, or see [`authorised`].
pub async fn complete_tenant_project(id: Uuid) -> Result<Project, ApiError> {
    let call = Call::new(Method::POST, format!("/api/tenant/projects/{id}/complete"));
    json(authorised(&call).await?).await
}

/// `DELETE /api/tenant/projects/{id}`.
///
/// # Errors
/// 403 below org admin, 404, or see [`authorised`].
pub async fn delete_tenant_project(id: Uuid) -> Result<(), ApiError> {
    let call = Call::new(Method::DELETE, format!("/api/tenant/projects/{id}"));
    authorised(&call).await.map(drop)
}
