//! The tenant's own projects: activated with one use of an activation code, then listed,
//! edited, completed and deleted within the tenant, with per-agent prompts composed for use.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use tessera_domain::code::ActivationCode;
use tessera_domain::entity::{activation_code, llm_project, tenant};
use tessera_domain::llm::{
    ActivateProjectRequest, AgentPrompt, ComposedPrompt, Project, ProjectPatch, ProjectStatus,
};
use uuid::Uuid;

use crate::audit;
use crate::auth::{AuthUser, ClientIp};
use crate::body::Json;
use crate::codes::HASH_PURPOSE;
use crate::error::{ApiError, ApiResult};
use crate::projects;
use crate::redeem;
use crate::state::AppState;

/// The caller's tenant (members of a tenant only).
fn member_tenant(auth: &AuthUser) -> ApiResult<Uuid> {
    auth.tenant_id.ok_or_else(|| {
        ApiError::forbidden(
            "FORBIDDEN",
            "this is for an organisation's members; platform staff use /admin/api",
        )
    })
}

/// Activates a project with one use of one of the tenant's activation codes (org admins).
/// Race-safe like device activation: a code with `max_uses = n` activates at most n
/// projects, and the plan's project quota holds under any concurrency.
#[utoipa::path(
    tag = "projects",
    request_body = ActivateProjectRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The project", body = Project),
        (status = 403, description = "Not an org admin, code revoked or tenant suspended", body = tessera_domain::Problem),
        (status = 404, description = "No such code in the caller's tenant (`CODE_NOT_FOUND`)", body = tessera_domain::Problem),
        (status = 409, description = "`CODE_EXHAUSTED` or `PROJECT_QUOTA_EXCEEDED`", body = tessera_domain::Problem),
        (status = 410, description = "`CODE_EXPIRED`", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[post("/api/tenant/projects")]
pub async fn activate_tenant_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    body: Json<ActivateProjectRequest>,
) -> ApiResult<HttpResponse> {
    let tid = auth.own_tenant_admin()?;
    body.validate().map_err(ApiError::validation)?;
    let code = ActivationCode::parse(&body.activation_code)
        .map_err(|m| ApiError::field("activation_code", m))?;
    let hash = state.hasher.hash(HASH_PURPOSE, code.compact());
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let found = activation_code::Entity::find()
        .filter(activation_code::Column::CodeHash.eq(hash))
        .filter(activation_code::Column::TenantId.eq(tid))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("CODE_NOT_FOUND", "no such activation code"))?;
    redeem::use_code(&txn, found.id, now).await?;
    projects::take_quota(&txn, tid).await?;
    let p = llm_project::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(Some(tid)),
        activation_code_id: Set(Some(found.id)),
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
        projects::audit_entry(&auth, ip, "llm.project.activate", None, Some(&p)),
    )
    .await?;
    let view = projects::view(&txn, &p).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(view))
}

/// The tenant's projects, newest first.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tenant's projects", body = Vec<Project>),
        (status = 403, description = "Staff (use /admin/api/llm/projects)", body = tessera_domain::Problem),
    )
)]
#[get("/api/tenant/projects")]
pub async fn list_tenant_projects(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<Vec<Project>>> {
    let tid = member_tenant(&auth)?;
    let rows = llm_project::Entity::find()
        .filter(llm_project::Column::TenantId.eq(tid))
        .order_by_desc(llm_project::Column::CreatedAt)
        .all(&state.db)
        .await?;
    Ok(web::Json(projects::views(&state.db, &rows).await?))
}

/// One of the tenant's projects.
#[utoipa::path(
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The project", body = Project),
        (status = 403, description = "Platform staff (this is for an organisation's members; staff use /admin/api)", body = tessera_domain::Problem),
        (status = 404, description = "No such project in the caller's tenant", body = tessera_domain::Problem),
    )
)]
#[get("/api/tenant/projects/{id}")]
pub async fn get_tenant_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Project>> {
    let tid = member_tenant(&auth)?;
    let p = projects::find(&state.db, *id, Some(tid)).await?;
    Ok(web::Json(projects::view(&state.db, &p).await?))
}

/// Changes one of the tenant's projects (org admins).
#[utoipa::path(
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    request_body = ProjectPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The project", body = Project),
        (status = 403, description = "Not the organisation's admin (platform staff use /admin/api)", body = tessera_domain::Problem),
        (status = 404, description = "No such project in the caller's tenant", body = tessera_domain::Problem),
        (status = 409, description = "Reopening a completed project", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[patch("/api/tenant/projects/{id}")]
pub async fn update_tenant_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: Json<ProjectPatch>,
) -> ApiResult<web::Json<Project>> {
    let tid = auth.own_tenant_admin()?;
    body.validate().map_err(ApiError::validation)?;
    let txn = crate::db::begin(&state.db).await?;
    let before = projects::find(&txn, *id, Some(tid)).await?;
    let p = projects::apply_patch(&txn, before.clone(), &body).await?;
    audit::record(
        &txn,
        projects::audit_entry(&auth, ip, "llm.project.update", Some(&before), Some(&p)),
    )
    .await?;
    let view = projects::view(&txn, &p).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}

/// Marks one of the tenant's projects completed (sets `completed_at`; final).
#[utoipa::path(
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The completed project", body = Project),
        (status = 403, description = "Not the organisation's admin (platform staff use /admin/api)", body = tessera_domain::Problem),
        (status = 404, description = "No such project in the caller's tenant", body = tessera_domain::Problem),
    )
)]
#[post("/api/tenant/projects/{id}/complete")]
pub async fn complete_tenant_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Project>> {
    let tid = auth.own_tenant_admin()?;
    let txn = crate::db::begin(&state.db).await?;
    let before = projects::find(&txn, *id, Some(tid)).await?;
    let patch = ProjectPatch {
        status: Some(ProjectStatus::Completed),
        ..Default::default()
    };
    let p = projects::apply_patch(&txn, before.clone(), &patch).await?;
    audit::record(
        &txn,
        projects::audit_entry(&auth, ip, "llm.project.complete", Some(&before), Some(&p)),
    )
    .await?;
    let view = projects::view(&txn, &p).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}

/// Deletes one of the tenant's projects and its agent prompts, freeing a quota slot.
#[utoipa::path(
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not the organisation's admin (platform staff use /admin/api)", body = tessera_domain::Problem),
        (status = 404, description = "No such project in the caller's tenant", body = tessera_domain::Problem),
    )
)]
#[delete("/api/tenant/projects/{id}")]
pub async fn delete_tenant_project(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let tid = auth.own_tenant_admin()?;
    let txn = crate::db::begin(&state.db).await?;
    let p = projects::find(&txn, *id, Some(tid)).await?;
    projects::delete(&txn, p.id).await?;
    redeem::release_quota(&txn, tid, tenant::Column::ProjectCount).await?;
    audit::record(
        &txn,
        projects::audit_entry(&auth, ip, "llm.project.delete", Some(&p), None),
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The agent prompts of one of the tenant's projects.
#[utoipa::path(
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Agent prompts by type", body = Vec<AgentPrompt>),
        (status = 403, description = "Platform staff (this is for an organisation's members; staff use /admin/api)", body = tessera_domain::Problem),
        (status = 404, description = "No such project in the caller's tenant", body = tessera_domain::Problem),
    )
)]
#[get("/api/tenant/projects/{id}/agents")]
pub async fn list_tenant_agent_prompts(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<AgentPrompt>>> {
    let tid = member_tenant(&auth)?;
    let p = projects::find(&state.db, *id, Some(tid)).await?;
    Ok(web::Json(projects::agents(&state.db, p.id).await?))
}

/// The prompt an agent of this project runs with: the system, project and agent prompts
/// composed. A part that is not configured is 409 `PROMPT_NOT_CONFIGURED` — there is no
/// built-in fallback.
#[utoipa::path(
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id"), ("agent_type" = String, Path, description = "The agent type")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The composed prompt", body = ComposedPrompt),
        (status = 403, description = "Platform staff (this is for an organisation's members; staff use /admin/api)", body = tessera_domain::Problem),
        (status = 404, description = "No such project in the caller's tenant", body = tessera_domain::Problem),
        (status = 409, description = "`PROMPT_NOT_CONFIGURED`", body = tessera_domain::Problem),
    )
)]
#[get("/api/tenant/projects/{id}/agents/{agent_type}/prompt")]
pub async fn get_composed_prompt(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<web::Json<ComposedPrompt>> {
    let tid = member_tenant(&auth)?;
    let (id, kind) = path.into_inner();
    let p = projects::find(&state.db, id, Some(tid)).await?;
    Ok(web::Json(projects::compose(&state.db, &p, &kind).await?))
}
