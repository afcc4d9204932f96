//! `GET /admin/api/outbox`: the mail the server queued and its delivery (super admins;
//! tests read OTPs here).

use actix_web::{get, web};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use tessera_domain::Role;
use tessera_domain::entity::mail_outbox;
use tessera_domain::outbox::OutboxItem;
use tessera_domain::page::CursorPage;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::cursor;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::views::outbox_item;

/// Filters and paging for the outbox.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// Only messages to this address (exact, case-insensitive).
    pub to: Option<String>,
    /// The `next_cursor` of the previous slice.
    pub cursor: Option<String>,
    /// Messages per slice, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Lists queued mail and its delivery status, newest first, with a keyset cursor.
#[utoipa::path(
    tag = "admin",
    params(OutboxQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A slice of the outbox", body = CursorPage<OutboxItem>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not a super admin", body = tessera_domain::Problem),
        (status = 422, description = "Bad cursor or limit", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<OutboxQuery>,
) -> ApiResult<web::Json<CursorPage<OutboxItem>>> {
    auth.require(Role::SuperAdmin)?;
    let mut query = mail_outbox::Entity::find();
    if let Some(to) = q.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        query = query.filter(mail_outbox::Column::ToAddr.eq(to.to_lowercase()));
    }
    let (rows, next_cursor) =
        cursor::newest_first(query, q.cursor.as_deref(), q.limit, &state.db).await?;
    Ok(web::Json(CursorPage {
        items: rows
            .iter()
            .map(|m| outbox_item(m, state.settings.smtp_url.is_some()))
            .collect(),
        next_cursor,
    }))
}
