//! Staff's LLM configuration: the system prompt and its history, projects, agent prompts.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Deserialize;
use tessera_domain::Role;
use tessera_domain::entity::{llm_project, system_prompt_version, user};
use tessera_domain::llm::{
    AgentPrompt, CreateProjectRequest, Project, ProjectPatch, ProjectStatus, PromptInput,
    SystemPrompt, agent_type,
};
use tessera_domain::page::Paged;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::body::Json;
use crate::error::{ApiError, ApiResult};
use crate::lookup::tenant_by_ref;
use crate::paging::{self, Paging, Sort};
use crate::projects;
use crate::state::AppState;

async fn system_view(state: &AppState, v: system_prompt_version::Model) -> ApiResult<SystemPrompt> {
    let email = match v.created_by {
        Some(id) => user::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .map(|u| u.email),
        None => None,
    };
    Ok(SystemPrompt {
        content: v.content,
        version: v.version,
        updated_by: v.created_by,
        updated_by_email: email,
        updated_at: v.created_at,
    })
}

/// The current system prompt.
#[utoipa::path(
    tag = "llm",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The newest version", body = SystemPrompt),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 404, description = "Never configured (`PROMPT_NOT_CONFIGURED`)", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/llm/system-prompt")]
pub async fn get_system_prompt(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<SystemPrompt>> {
    auth.require(Role::Admin)?;
    let v = projects::current_system(&state.db).await?.ok_or_else(|| {
        ApiError::not_found(
            "PROMPT_NOT_CONFIGURED",
            "no system prompt has been saved yet",
        )
    })?;
    Ok(web::Json(system_view(&state, v).await?))
}

/// Saves a new version of the system prompt (earlier versions stay in the history).
#[utoipa::path(
    tag = "llm",
    request_body = PromptInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new version", body = SystemPrompt),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 422, description = "Empty or too long", body = tessera_domain::Problem),
    )
)]
#[put("/admin/api/llm/system-prompt")]
pub async fn put_system_prompt(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    body: Json<PromptInput>,
) -> ApiResult<web::Json<SystemPrompt>> {
    auth.require(Role::Admin)?;
    body.validate().map_err(ApiError::validation)?;
    let txn = crate::db::begin(&state.db).await?;
    let v = projects::save_system(&txn, &body.content, auth.user_id).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "llm.system_prompt.update",
            target_type: "system_prompt",
            target_id: Some(v.version.to_string()),
            tenant_id: None,
            before: None,
            after: Some(serde_json::json!({"version": v.version})),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(system_view(&state, v).await?))
}

/// Every saved version, newest first.
#[utoipa::path(
    tag = "llm",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The history", body = Vec<SystemPrompt>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/llm/system-prompt/versions")]
pub async fn list_system_prompt_versions(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<Vec<SystemPrompt>>> {
    auth.require(Role::Admin)?;
    let rows = system_prompt_version::Entity::find()
        .order_by_desc(system_prompt_version::Column::Version)
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.created_by).collect();
    let emails: std::collections::HashMap<Uuid, String> = if ids.is_empty() {
        Default::default()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect()
    };
    Ok(web::Json(
        rows.into_iter()
            .map(|v| SystemPrompt {
                updated_by_email: v.created_by.and_then(|id| emails.get(&id).cloned()),
                content: v.content,
                version: v.version,
                updated_by: v.created_by,
                updated_at: v.created_at,
            })
            .collect(),
    ))
}

/// Restores an earlier version: its text becomes the next version, so history is kept.
#[utoipa::path(
    tag = "llm",
    params(("version" = i32, Path, description = "The version to restore")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new current version", body = SystemPrompt),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such version", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/llm/system-prompt/versions/{version}/restore")]
pub async fn restore_system_prompt_version(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    version: web::Path<i32>,
) -> ApiResult<web::Json<SystemPrompt>> {
    auth.require(Role::Admin)?;
    let txn = crate::db::begin(&state.db).await?;
    let old = system_prompt_version::Entity::find()
        .filter(system_prompt_version::Column::Version.eq(*version))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("VERSION_NOT_FOUND", "no such system prompt version"))?;
    let v = projects::save_system(&txn, &old.content, auth.user_id).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "llm.system_prompt.restore",
            target_type: "system_prompt",
            target_id: Some(v.version.to_string()),
            tenant_id: None,
            before: None,
            after: Some(serde_json::json!({"version": v.version, "restored_from": old.version})),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(system_view(&state, v).await?))
}

/// Project table filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProjectQuery {
    /// Tenant slug or id; `platform` for platform-owned projects.
    pub tenant: Option<String>,
    /// `active`, `paused` or `completed`.
    pub status: Option<ProjectStatus>,
    /// Case-insensitive substring of name or description.
    pub search: Option<String>,
    /// 1-based page.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
    /// `created_at`, `name`, `status`, `started_at`; `-` for descending.
    pub sort: Option<String>,
}

/// Lists projects across tenants with filters, sort and paging.
#[utoipa::path(
    tag = "llm",
    params(ProjectQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of projects", body = Paged<Project>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 422, description = "Bad filter, sort or paging", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/llm/projects")]
pub async fn list_llm_projects(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<ProjectQuery>,
) -> ApiResult<web::Json<Paged<Project>>> {
    auth.require(Role::Admin)?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let sort = Sort::parse(
        q.sort.as_deref(),
        &[
            ("created_at", llm_project::Column::CreatedAt),
            ("name", llm_project::Column::Name),
            ("status", llm_project::Column::Status),
            ("started_at", llm_project::Column::StartedAt),
        ],
        Sort {
            column: llm_project::Column::CreatedAt,
            descending: true,
        },
    )?;
    let mut s = llm_project::Entity::find();
    match q.tenant.as_deref().filter(|t| !t.is_empty()) {
        None => {}
        Some("platform") => s = s.filter(llm_project::Column::TenantId.is_null()),
        Some(t) => {
            let Some(t) = tenant_by_ref(&state.db, t).await? else {
                return Ok(web::Json(paging.wrap(Vec::new(), 0)));
            };
            s = s.filter(llm_project::Column::TenantId.eq(t.id));
        }
    }
    if let Some(st) = q.status {
        s = s.filter(llm_project::Column::Status.eq(st.as_str()));
    }
    if let Some(c) = paging::search(
        q.search.as_deref(),
        &[llm_project::Column::Name, llm_project::Column::Description],
    ) {
        s = s.filter(c);
    }
    let (rows, total) = paging::fetch(&state.db, s, sort, llm_project::Column::Id, paging).await?;
    Ok(web::Json(
        paging.wrap(projects::views(&state.db, &rows).await?, total),
    ))
}

/// Creates a project, platform-owned or for a tenant (staff create without a code).
#[utoipa::path(
    tag = "llm",
    request_body = CreateProjectRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The project", body = Project),
        (status = 403, description = "Not staff, or the tenant is suspended", body = tessera_domain::Problem),
        (status = 409, description = "`PROJECT_QUOTA_EXCEEDED`: a tenant's project counts against its plan's quota", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields or unknown tenant", body = tessera_domain::Problem),
    )
)]
#[post("/admin/api/llm/projects")]
pub async fn create_llm_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    body: Json<CreateProjectRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    body.validate().map_err(ApiError::validation)?;
    let txn = crate::db::begin(&state.db).await?;
    let tenant_id = match body.tenant.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(
            tenant_by_ref(&txn, t)
                .await?
                .ok_or_else(|| ApiError::field("tenant", "no such tenant"))?
                .id,
        ),
        None => None,
    };
    if let Some(t) = tenant_id {
        projects::take_quota(&txn, t).await?;
    }
    let now = Utc::now();
    let p = llm_project::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        activation_code_id: Set(None),
        name: Set(body.name.trim().to_owned()),
        description: Set(body.description.trim().to_owned()),
        prompt: Set(body.prompt.trim().to_owned()),
        status: Set(ProjectStatus::Active.as_str().into()),
        started_at: Set(now),
        completed_at: Set(None),
        created_by: Set(Some(auth.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        projects::audit_entry(&auth, ip, "llm.project.create", None, Some(&p)),
    )
    .await?;
    let view = projects::view(&txn, &p).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(view))
}

/// Reads one project.
#[utoipa::path(
    tag = "llm",
    params(("id" = Uuid, Path, description = "The project's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The project", body = Project),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such project", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/llm/projects/{id}")]
pub async fn get_llm_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Project>> {
    auth.require(Role::Admin)?;
    let p = projects::find(&state.db, *id, None).await?;
    Ok(web::Json(projects::view(&state.db, &p).await?))
}

/// Changes a project's name, description, prompt or status.
#[utoipa::path(
    tag = "llm",
    params(("id" = Uuid, Path, description = "The project's id")),
    request_body = ProjectPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The project", body = Project),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such project", body = tessera_domain::Problem),
        (status = 409, description = "Reopening a completed project", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[patch("/admin/api/llm/projects/{id}")]
pub async fn update_llm_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: Json<ProjectPatch>,
) -> ApiResult<web::Json<Project>> {
    auth.require(Role::Admin)?;
    body.validate().map_err(ApiError::validation)?;
    let txn = crate::db::begin(&state.db).await?;
    let before = projects::find(&txn, *id, None).await?;
    let after = projects::apply_patch(&txn, before.clone(), &body).await?;
    audit::record(
        &txn,
        projects::audit_entry(&auth, ip, "llm.project.update", Some(&before), Some(&after)),
    )
    .await?;
    let view = projects::view(&txn, &after).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}

/// Deletes a project and its agent prompts.
#[utoipa::path(
    tag = "llm",
    params(("id" = Uuid, Path, description = "The project's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such project", body = tessera_domain::Problem),
    )
)]
#[delete("/admin/api/llm/projects/{id}")]
pub async fn delete_llm_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let txn = crate::db::begin(&state.db).await?;
    let p = projects::find(&txn, *id, None).await?;
    projects::delete(&txn, p.id).await?;
    if let Some(t) = p.tenant_id {
        crate::redeem::release_quota(
            &txn,
            t,
            tessera_domain::entity::tenant::Column::ProjectCount,
        )
        .await?;
    }
    audit::record(
        &txn,
        projects::audit_entry(&auth, ip, "llm.project.delete", Some(&p), None),
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A project's agent prompts.
#[utoipa::path(
    tag = "llm",
    params(("id" = Uuid, Path, description = "The project's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Agent prompts by type", body = Vec<AgentPrompt>),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such project", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/llm/projects/{id}/agents")]
pub async fn list_agent_prompts(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<AgentPrompt>>> {
    auth.require(Role::Admin)?;
    let p = projects::find(&state.db, *id, None).await?;
    Ok(web::Json(projects::agents(&state.db, p.id).await?))
}

/// One agent prompt.
#[utoipa::path(
    tag = "llm",
    params(("id" = Uuid, Path, description = "The project's id"), ("agent_type" = String, Path, description = "The agent type")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The prompt", body = AgentPrompt),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such project or prompt", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/llm/projects/{id}/agents/{agent_type}")]
pub async fn get_agent_prompt(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<web::Json<AgentPrompt>> {
    auth.require(Role::Admin)?;
    let (id, kind) = path.into_inner();
    let p = projects::find(&state.db, id, None).await?;
    Ok(web::Json(projects::agent_view(
        &projects::agent(&state.db, p.id, &kind).await?,
    )))
}

/// Creates or replaces the prompt of one agent type.
#[utoipa::path(
    tag = "llm",
    params(("id" = Uuid, Path, description = "The project's id"), ("agent_type" = String, Path, description = "The agent type")),
    request_body = PromptInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The prompt", body = AgentPrompt),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such project", body = tessera_domain::Problem),
        (status = 422, description = "Bad agent type or content", body = tessera_domain::Problem),
    )
)]
#[put("/admin/api/llm/projects/{id}/agents/{agent_type}")]
pub async fn put_agent_prompt(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<(Uuid, String)>,
    body: Json<PromptInput>,
) -> ApiResult<web::Json<AgentPrompt>> {
    auth.require(Role::Admin)?;
    let (id, kind) = path.into_inner();
    agent_type(&kind).map_err(|m| ApiError::field("agent_type", m))?;
    body.validate().map_err(ApiError::validation)?;
    let txn = crate::db::begin(&state.db).await?;
    let p = projects::find(&txn, id, None).await?;
    let a = projects::put_agent(&txn, &p, &kind, &body.content, auth.user_id).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "llm.agent_prompt.put",
            target_type: "agent_prompt",
            target_id: Some(format!("{}/{kind}", p.id)),
            tenant_id: p.tenant_id,
            before: None,
            after: Some(
                serde_json::json!({"agent_type": kind, "chars": a.content.chars().count()}),
            ),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(projects::agent_view(&a)))
}

/// Deletes the prompt of one agent type.
#[utoipa::path(
    tag = "llm",
    params(("id" = Uuid, Path, description = "The project's id"), ("agent_type" = String, Path, description = "The agent type")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
        (status = 404, description = "No such project or prompt", body = tessera_domain::Problem),
    )
)]
#[delete("/admin/api/llm/projects/{id}/agents/{agent_type}")]
pub async fn delete_agent_prompt(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let (id, kind) = path.into_inner();
    let txn = crate::db::begin(&state.db).await?;
    let p = projects::find(&txn, id, None).await?;
    let a = projects::agent(&txn, p.id, &kind).await?;
    tessera_domain::entity::agent_prompt::Entity::delete_by_id(a.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "llm.agent_prompt.delete",
            target_type: "agent_prompt",
            target_id: Some(format!("{}/{kind}", p.id)),
            tenant_id: p.tenant_id,
            before: Some(serde_json::json!({"agent_type": kind})),
            after: None,
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
