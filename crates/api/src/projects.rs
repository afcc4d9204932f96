//! LLM projects and prompts: the rules staff and tenants share (views, status transitions,
//! agent prompts, prompt composition).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use tessera_domain::entity::{agent_prompt, llm_project, plan, system_prompt_version, tenant};
use tessera_domain::llm::{AgentPrompt, ComposedPrompt, Project, ProjectPatch, ProjectStatus};
use uuid::Uuid;

use crate::audit::AuditEntry;
use crate::auth::{AuthUser, ClientIp};
use crate::error::{ApiError, ApiResult};
use crate::lookup::tenant_slugs;
use crate::redeem;

/// Counts a new project of `tenant_id` against its plan's project quota, whoever creates
/// it (a code activation or staff), so that deleting any tenant project frees exactly the
/// slot it took.
///
/// # Errors
/// `PROJECT_QUOTA_EXCEEDED` (409), `TENANT_SUSPENDED`, or the database failed.
pub async fn take_quota(txn: &DatabaseTransaction, tenant_id: Uuid) -> ApiResult<()> {
    redeem::take_quota(
        txn,
        tenant_id,
        tenant::Column::ProjectCount,
        plan::Column::ProjectQuota,
        ApiError::conflict(
            "PROJECT_QUOTA_EXCEEDED",
            "the organisation has as many projects as its plan allows; delete one or upgrade the plan",
        ),
    )
    .await
}

/// What the audit trail keeps of a project: its fields, with the prompt as a length.
fn snapshot(p: &llm_project::Model) -> serde_json::Value {
    serde_json::json!({"name": p.name, "description": p.description, "status": p.status, "prompt_chars": p.prompt.chars().count()})
}

/// The audit entry for a change to a project by `auth` (staff or the tenant's admin);
/// `after` is `None` for a deletion.
pub fn audit_entry<'a>(
    auth: &'a AuthUser,
    ip: ClientIp,
    action: &'a str,
    before: Option<&llm_project::Model>,
    after: Option<&llm_project::Model>,
) -> AuditEntry<'a> {
    let subject = after.or(before);
    AuditEntry {
        actor: Some(auth),
        action,
        target_type: "llm_project",
        target_id: subject.map(|p| p.id.to_string()),
        tenant_id: subject.and_then(|p| p.tenant_id),
        before: before.map(snapshot),
        after: after.map(snapshot),
        ip: Some(ip),
    }
}

/// Projects as the API shows them, with their tenants' slugs in one query.
///
/// # Errors
/// The database failed.
pub async fn views(
    conn: &impl ConnectionTrait,
    rows: &[llm_project::Model],
) -> ApiResult<Vec<Project>> {
    let slugs = tenant_slugs(conn, rows.iter().filter_map(|p| p.tenant_id)).await?;
    Ok(rows
        .iter()
        .map(|p| Project {
            id: p.id,
            tenant_id: p.tenant_id,
            tenant_slug: p.tenant_id.and_then(|t| slugs.get(&t).cloned()),
            activation_code_id: p.activation_code_id,
            name: p.name.clone(),
            description: p.description.clone(),
            prompt: p.prompt.clone(),
            status: ProjectStatus::from_stored(&p.status),
            started_at: p.started_at,
            completed_at: p.completed_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
        })
        .collect())
}

/// One project as the API shows it.
///
/// # Errors
/// The database failed.
pub async fn view(conn: &impl ConnectionTrait, row: &llm_project::Model) -> ApiResult<Project> {
    Ok(views(conn, std::slice::from_ref(row)).await?.remove(0))
}

/// A project by id, limited to one tenant when `tenant` is given (`Some(None)` means
/// platform-owned only is not used; staff pass `None` to see every project).
///
/// # Errors
/// 404 `PROJECT_NOT_FOUND`.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: Uuid,
    tenant: Option<Uuid>,
) -> ApiResult<llm_project::Model> {
    let mut q = llm_project::Entity::find_by_id(id);
    if let Some(t) = tenant {
        q = q.filter(llm_project::Column::TenantId.eq(t));
    }
    q.one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("PROJECT_NOT_FOUND", "no such project"))
}

/// Applies a patch; the status moves `started_at`/`completed_at` with it, and a completed
/// project stays completed.
///
/// # Errors
/// 409 `PROJECT_COMPLETED` for changes to a completed project's status; or the database failed.
pub async fn apply_patch(
    conn: &impl ConnectionTrait,
    row: llm_project::Model,
    patch: &ProjectPatch,
) -> ApiResult<llm_project::Model> {
    let current = ProjectStatus::from_stored(&row.status);
    let now = Utc::now();
    let mut active = row.into_active_model();
    if let Some(next) = patch.status {
        if !current.may_become(next) {
            return Err(ApiError::conflict(
                "PROJECT_COMPLETED",
                "a completed project cannot be reopened",
            ));
        }
        if next != current {
            active.status = Set(next.as_str().into());
            if next == ProjectStatus::Completed {
                active.completed_at = Set(Some(now));
            }
        }
    }
    if let Some(n) = &patch.name {
        active.name = Set(n.trim().to_owned());
    }
    if let Some(d) = &patch.description {
        active.description = Set(d.trim().to_owned());
    }
    if let Some(p) = &patch.prompt {
        active.prompt = Set(p.trim().to_owned());
    }
    active.updated_at = Set(now);
    Ok(active.update(conn).await?)
}

/// Deletes a project and its agent prompts.
///
/// # Errors
/// The database failed.
pub async fn delete(conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<()> {
    agent_prompt::Entity::delete_many()
        .filter(agent_prompt::Column::ProjectId.eq(id))
        .exec(conn)
        .await?;
    llm_project::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// An agent prompt as the API shows it.
pub fn agent_view(m: &agent_prompt::Model) -> AgentPrompt {
    AgentPrompt {
        agent_type: m.agent_type.clone(),
        content: m.content.clone(),
        updated_by: m.updated_by,
        updated_at: m.updated_at,
    }
}

/// A project's agent prompts, by agent type.
///
/// # Errors
/// The database failed.
pub async fn agents(conn: &impl ConnectionTrait, project_id: Uuid) -> ApiResult<Vec<AgentPrompt>> {
    let rows = agent_prompt::Entity::find()
        .filter(agent_prompt::Column::ProjectId.eq(project_id))
        .order_by_asc(agent_prompt::Column::AgentType)
        .all(conn)
        .await?;
    Ok(rows.iter().map(agent_view).collect())
}

/// One agent prompt, or 404 `AGENT_PROMPT_NOT_FOUND`.
///
/// # Errors
/// 404, or the database failed.
pub async fn agent(
    conn: &impl ConnectionTrait,
    project_id: Uuid,
    agent_type: &str,
) -> ApiResult<agent_prompt::Model> {
    agent_prompt::Entity::find()
        .filter(agent_prompt::Column::ProjectId.eq(project_id))
        .filter(agent_prompt::Column::AgentType.eq(agent_type))
        .one(conn)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "AGENT_PROMPT_NOT_FOUND",
                format!("no prompt for the {agent_type} agent"),
            )
        })
}

/// Creates or replaces the prompt of one agent type.
///
/// # Errors
/// The database failed.
pub async fn put_agent(
    conn: &impl ConnectionTrait,
    project: &llm_project::Model,
    agent_type: &str,
    content: &str,
    actor: Uuid,
) -> ApiResult<agent_prompt::Model> {
    let now = Utc::now();
    match agent(conn, project.id, agent_type).await {
        Ok(existing) => {
            let mut a = existing.into_active_model();
            a.content = Set(content.trim().to_owned());
            a.updated_by = Set(Some(actor));
            a.updated_at = Set(now);
            Ok(a.update(conn).await?)
        }
        Err(ApiError::Client {
            code: "AGENT_PROMPT_NOT_FOUND",
            ..
        }) => Ok(agent_prompt::ActiveModel {
            id: Set(Uuid::now_v7()),
            project_id: Set(project.id),
            tenant_id: Set(project.tenant_id),
            agent_type: Set(agent_type.to_owned()),
            content: Set(content.trim().to_owned()),
            updated_by: Set(Some(actor)),
            updated_at: Set(now),
        }
        .insert(conn)
        .await?),
        Err(e) => Err(e),
    }
}

/// The newest system prompt version, if any was ever saved.
///
/// # Errors
/// The database failed.
pub async fn current_system(
    conn: &impl ConnectionTrait,
) -> ApiResult<Option<system_prompt_version::Model>> {
    Ok(system_prompt_version::Entity::find()
        .order_by_desc(system_prompt_version::Column::Version)
        .limit(1)
        .one(conn)
        .await?)
}

/// Saves new system prompt text as the next version.
///
/// # Errors
/// 409 when another save took the same version number at the same moment; or the database failed.
pub async fn save_system(
    conn: &impl ConnectionTrait,
    content: &str,
    actor: Uuid,
) -> ApiResult<system_prompt_version::Model> {
    let next = current_system(conn).await?.map_or(1, |v| v.version + 1);
    Ok(system_prompt_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        version: Set(next),
        content: Set(content.trim().to_owned()),
        created_by: Set(Some(actor)),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?)
}

fn not_configured(what: &str) -> ApiError {
    ApiError::client(
        actix_web::http::StatusCode::CONFLICT,
        "PROMPT_NOT_CONFIGURED",
        format!("{what} is not configured; there is no built-in fallback"),
    )
}

/// The prompt an agent runs with. Every part must be configured: a missing one is a clear
/// 409 `PROMPT_NOT_CONFIGURED`, never a hard-coded fallback.
///
/// # Errors
/// 409 `PROMPT_NOT_CONFIGURED`, or the database failed.
pub async fn compose(
    conn: &impl ConnectionTrait,
    project: &llm_project::Model,
    agent_type: &str,
) -> ApiResult<ComposedPrompt> {
    let system = current_system(conn)
        .await?
        .ok_or_else(|| not_configured("the system prompt"))?;
    if project.prompt.trim().is_empty() {
        return Err(not_configured("this project's prompt"));
    }
    let agent = match agent(conn, project.id, agent_type).await {
        Ok(a) => a,
        Err(ApiError::Client {
            code: "AGENT_PROMPT_NOT_FOUND",
            ..
        }) => {
            return Err(not_configured(&format!(
                "the prompt of the {agent_type} agent"
            )));
        }
        Err(e) => return Err(e),
    };
    Ok(ComposedPrompt {
        system_version: system.version,
        composed: format!(
            "{}\n\n{}\n\n{}",
            system.content, project.prompt, agent.content
        ),
        system: system.content,
        project: project.prompt.clone(),
        agent: agent.content,
    })
}
