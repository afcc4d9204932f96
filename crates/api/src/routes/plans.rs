//! `GET /api/plans`: the public price list.

use actix_web::{get, web};
use sea_orm::{EntityTrait, QueryOrder};
use tessera_domain::entity::plan;
use tessera_domain::plan::PlanView;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::views::plan_view;

/// Lists every plan with its monthly price and quotas, cheapest first.
#[utoipa::path(tag = "plans", responses((status = 200, description = "All plans", body = Vec<PlanView>)))]
#[get("/api/plans")]
pub async fn list_plans(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<PlanView>>> {
    let plans = plan::Entity::find()
        .order_by_asc(plan::Column::MonthlyPriceCents)
        .order_by_asc(plan::Column::Code)
        .all(&state.db)
        .await?;
    Ok(web::Json(plans.iter().map(plan_view).collect()))
}
