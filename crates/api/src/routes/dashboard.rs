//! `GET /admin/api/dashboard`: the staff dashboard's key figures.

use actix_web::{get, web};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tessera_domain::Role;
use tessera_domain::code::CodeStatus;
use tessera_domain::dashboard::DashboardView;
use tessera_domain::entity::{activation_code, device, tenant};
use tessera_domain::plan::SYSTEM_TENANT;

use crate::auth::AuthUser;
use crate::codes::status_condition;
use crate::days;
use crate::error::ApiResult;
use crate::state::AppState;

/// Customer tenants, redeemable codes, active devices and today's activations (since
/// midnight UTC), each counted by the database when asked.
#[utoipa::path(
    tag = "dashboard",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The key figures", body = DashboardView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not platform staff", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<DashboardView>> {
    auth.require(Role::Admin)?;
    let now = Utc::now();
    let midnight = days::start(now.date_naive());
    let db = &state.db;
    let tenants = tenant::Entity::find()
        .filter(tenant::Column::Slug.ne(SYSTEM_TENANT))
        .count(db)
        .await?;
    let active_codes = activation_code::Entity::find()
        .filter(status_condition(CodeStatus::Active, now))
        .count(db)
        .await?;
    let devices = device::Entity::find()
        .filter(device::Column::RevokedAt.is_null())
        .count(db)
        .await?;
    let activations_today = device::Entity::find()
        .filter(device::Column::ActivatedAt.gte(midnight))
        .count(db)
        .await?;
    Ok(web::Json(DashboardView {
        tenants,
        active_codes,
        devices,
        activations_today,
    }))
}
