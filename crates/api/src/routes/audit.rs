//! `GET /admin/api/audit`: the audit trail, newest first, with a keyset cursor.

use std::collections::HashMap;

use actix_web::{get, web};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use tessera_domain::Role;
use tessera_domain::audit::AuditEventView;
use tessera_domain::entity::{audit_event, user};
use tessera_domain::page::CursorPage;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::cursor;
use crate::error::{ApiError, ApiResult};
use crate::lookup::{tenant_by_ref, tenant_slugs, user_by_login};
use crate::state::AppState;

/// Audit filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// The actor's id, e-mail address or username.
    pub actor: Option<String>,
    /// An action, or its prefix: `user` matches `user.create` and `user.update`.
    pub action: Option<String>,
    /// Tenant slug or id (staff only; org admins always see their own tenant).
    pub tenant: Option<String>,
    /// The `next_cursor` of the previous slice.
    pub cursor: Option<String>,
    /// Events per slice, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Lists audit events: staff see every tenant, org admins their own.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A slice of the trail", body = CursorPage<AuditEventView>),
        (status = 403, description = "Not an org admin or staff", body = tessera_domain::Problem),
        (status = 422, description = "Bad cursor or limit", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/audit")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<AuditQuery>,
) -> ApiResult<web::Json<CursorPage<AuditEventView>>> {
    auth.require(Role::OrgAdmin)?;
    // A bad limit is refused even when the filters match nothing.
    cursor::limit(q.limit)?;
    let empty = || {
        Ok(web::Json(CursorPage {
            items: Vec::new(),
            next_cursor: None,
        }))
    };
    let mut s = audit_event::Entity::find();
    if !auth.role.is_staff() {
        s = s.filter(audit_event::Column::TenantId.eq(auth.tenant_id));
    } else if let Some(t) = q.tenant.as_deref().filter(|t| !t.is_empty()) {
        let Some(t) = tenant_by_ref(&state.db, t).await? else {
            return empty();
        };
        s = s.filter(audit_event::Column::TenantId.eq(t.id));
    }
    if let Some(a) = q.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let id = match Uuid::parse_str(a) {
            Ok(id) => Some(id),
            Err(_) => user_by_login(&state.db, a).await?.map(|u| u.id),
        };
        let Some(id) = id else { return empty() };
        s = s.filter(audit_event::Column::ActorId.eq(id));
    }
    if let Some(a) = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        if !a
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
        {
            return Err(ApiError::field(
                "action",
                "actions are lowercase words joined by dots",
            ));
        }
        s = s.filter(
            Condition::any()
                .add(audit_event::Column::Action.eq(a))
                .add(audit_event::Column::Action.starts_with(format!("{a}."))),
        );
    }
    let (rows, next_cursor) =
        cursor::newest_first(s, q.cursor.as_deref(), q.limit, &state.db).await?;
    let actor_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.actor_id).collect();
    let emails: HashMap<Uuid, String> = if actor_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(actor_ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect()
    };
    let slugs = tenant_slugs(&state.db, rows.iter().filter_map(|r| r.tenant_id)).await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEventView {
            tenant_slug: r.tenant_id.and_then(|t| slugs.get(&t).cloned()),
            id: r.id,
            actor_email: r.actor_id.and_then(|a| emails.get(&a).cloned()),
            actor_id: r.actor_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            tenant_id: r.tenant_id,
            before: r.before,
            after: r.after,
            ip: r.ip,
            created_at: r.created_at,
        })
        .collect();
    Ok(web::Json(CursorPage { items, next_cursor }))
}
